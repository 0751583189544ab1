"""IndicatorValue's references are checked by the triggers of migration indicators.0005, not
by foreign keys: a value may not name a missing row, nor may a row it names be deleted.

Only PostgreSQL has the triggers (the migration says why SQLite has none); what Django
guards, PROTECT and SET_NULL, is tested on both.
"""

import threading

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import ProtectedError

from placebook.core.models import Area, Organisation, Period, User
from placebook.indicators.models import Indicator, IndicatorValue, Release
from tests.factories.core import AreaFactory, OrganisationFactory, UserFactory
from tests.factories.figures import SourceFactory
from tests.factories.indicators import IndicatorFactory, ReleaseFactory, period

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the reference triggers are PostgreSQL's"
)

MISSING = 987654321
KEYS = ["indicator", "release", "area", "organisation", "period", "supersedes", "source",
        "created_by", "updated_by"]  # fmt: skip


@pytest.fixture
def user():
    return UserFactory(username="analyst")


@pytest.fixture
def refs(user) -> dict:
    """Everything a new value needs, each reference to a row that exists."""
    return {
        "indicator": IndicatorFactory(code="hle"),
        "release": ReleaseFactory(key="phof-2024"),
        "area": AreaFactory(code="E08000014", name="Sefton", type="local_authority"),
        "period": period("2021/22"),
        "source": SourceFactory(),
        "created_by": user,
        "updated_by": user,
    }


@pytest.fixture
def value(refs):
    return IndicatorValue.objects.create(**refs, value=1.0)


def missing(key: str, refs: dict, **overrides) -> IndicatorValue:
    """A new value whose ``key`` names a row that does not exist."""
    kwargs = {**refs, **overrides}
    kwargs.pop(key, None)
    if key == "organisation":
        kwargs["area"] = None  # a value has one subject
    return IndicatorValue(**kwargs, **{f"{key}_id": MISSING})


def assert_names(error, key: str) -> None:
    message = str(error.value)
    assert f"indicators_indicatorvalue.{key}_id" in message
    assert str(MISSING) in message


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@on_postgresql
@pytest.mark.parametrize("key", KEYS)
def test_saving_a_value_that_names_a_missing_row_is_refused(refs, key):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        missing(key, refs).save()
    assert_names(error, key)
    assert not IndicatorValue.objects.exists()


@on_postgresql
@pytest.mark.parametrize("key", KEYS)
def test_bulk_create_with_one_missing_row_writes_nothing(refs, value, key):
    good = IndicatorValue(**refs, age="65+", value=2.0)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        IndicatorValue.objects.bulk_create([good, missing(key, refs, age="75+")])
    assert_names(error, key)
    assert list(IndicatorValue.objects.all()) == [value]


@on_postgresql
@pytest.mark.parametrize("key", ["area", "period", "indicator", "supersedes", "updated_by"])
def test_updating_a_value_to_name_a_missing_row_is_refused(value, key):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        IndicatorValue.objects.filter(pk=value.pk).update(**{f"{key}_id": MISSING})
    assert_names(error, key)
    value.refresh_from_db()
    assert getattr(value, f"{key}_id") != MISSING


@on_postgresql
def test_saving_a_value_changed_to_name_a_missing_row_is_refused(value):
    value.period_id = MISSING
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        value.save()
    assert_names(error, "period")


def test_values_that_name_existing_rows_are_written_and_changed(refs, value):
    organisation = OrganisationFactory(key="nhs-cheshire-merseyside")
    other = IndicatorValue.objects.create(
        **{**refs, "area": None}, organisation=organisation, value=3.0
    )
    value.is_current = False
    value.save()
    successor = IndicatorValue.objects.create(**refs, supersedes=value, value=2.0)
    later = period("2022/23")
    IndicatorValue.objects.filter(pk=other.pk).update(period=later)
    assert IndicatorValue.objects.get(supersedes=value) == successor
    assert IndicatorValue.objects.get(organisation=organisation).period == later


def test_a_value_may_supersede_one_written_by_the_same_statement(refs):
    # Ids chosen here so that the second row can name the first.
    first = IndicatorValue(pk=10**9, **refs, is_current=False, value=1.0)
    second = IndicatorValue(pk=10**9 + 1, **refs, supersedes_id=10**9, value=2.0)
    IndicatorValue.objects.bulk_create([first, second])
    assert IndicatorValue.objects.get(pk=10**9 + 1).supersedes_id == 10**9


@on_postgresql
@pytest.mark.parametrize(
    ("model", "key"),
    [(Area, "area"), (Period, "period"), (Indicator, "indicator"), (Release, "release"),
     (User, "created_by"), (IndicatorValue, "supersedes")],
)  # fmt: skip
def test_deleting_a_named_row_behind_djangos_back_is_refused(refs, value, model, key):
    value.is_current = False
    value.save()
    successor = IndicatorValue.objects.create(**refs, supersedes=value, value=2.0)
    named = getattr(successor, f"{key}_id")
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        raw(f"DELETE FROM {model._meta.db_table} WHERE id = %s", named)
    assert f"indicators_indicatorvalue.{key}_id" in str(error.value)
    assert f"{model._meta.db_table} id {named} " in str(error.value)
    assert model.objects.filter(pk=named).exists()


def test_deleting_a_value_with_its_successor_in_one_statement_is_allowed(refs, value):
    value.is_current = False
    value.save()
    IndicatorValue.objects.create(**refs, supersedes=value, value=2.0)
    raw("DELETE FROM indicators_indicatorvalue")
    assert not IndicatorValue.objects.exists()


def test_deleting_a_named_row_through_django_is_still_protected(value):
    with pytest.raises(ProtectedError):
        value.area.delete()
    with pytest.raises(ProtectedError):
        value.indicator.delete()
    assert Area.objects.filter(pk=value.area_id).exists()


def test_rows_no_value_names_can_be_deleted(value):
    spare = AreaFactory(code="E08000012", name="Liverpool", type="local_authority")
    raw("DELETE FROM core_area WHERE id = %s", spare.pk)
    OrganisationFactory(key="spare").delete()
    assert not Area.objects.filter(pk=spare.pk).exists()
    assert not Organisation.objects.filter(key="spare").exists()


def test_deleting_a_user_clears_who_wrote_the_values(user, value):
    user.delete()
    value.refresh_from_db()
    assert (value.created_by_id, value.updated_by_id) == (None, None)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_value_locks_the_rows_it_names_until_commit(refs):
    """As PostgreSQL's own check does: otherwise a DELETE in another transaction would see
    no committed value naming the area, and succeed, orphaning the value at commit."""
    outcome: dict[str, Exception] = {}

    def delete_area():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '500ms'")
                cursor.execute("DELETE FROM core_area WHERE id = %s", [refs["area"].pk])
        except OperationalError as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    with transaction.atomic():
        IndicatorValue.objects.create(**refs, value=1.0)
        other = threading.Thread(target=delete_area)
        other.start()
        other.join(timeout=30)

    assert isinstance(outcome["error"].__cause__, psycopg.errors.LockNotAvailable)
    assert IndicatorValue.objects.get().area == refs["area"]
