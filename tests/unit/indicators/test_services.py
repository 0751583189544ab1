import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from placebook.core.models import AuditEvent
from placebook.core.permissions import PermissionDenied
from placebook.indicators.models import IndicatorValue
from placebook.indicators.services import Outcome, history, record_value
from tests.factories.core import AreaFactory, OrganisationFactory
from tests.factories.indicators import IndicatorFactory, ReleaseFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def figure(system):
    return {
        "by": system,
        "indicator": IndicatorFactory(),
        "period": period("2021/22"),
        "area": AreaFactory(code="E08000014", name="Sefton", type="local_authority"),
    }


def test_record_value_creates_then_is_unchanged_on_same_figure(figure):
    first = record_value(**figure, value=71.2, release=ReleaseFactory())
    again = record_value(**figure, value=71.2, release=ReleaseFactory())
    assert first.outcome == Outcome.CREATED
    assert again.outcome == Outcome.UNCHANGED
    assert again.value == first.value
    assert IndicatorValue.objects.count() == 1


def test_record_value_new_figure_supersedes_and_keeps_history(figure):
    old = record_value(**figure, value=71.5, status="provisional").value
    new = record_value(**figure, value=71.2, status="final")
    assert new.outcome == Outcome.REVISED
    old.refresh_from_db()
    assert not old.is_current
    assert new.value.supersedes == old
    assert [
        v.value for v in history(**{k: figure[k] for k in ("indicator", "period", "area")})
    ] == [
        71.2,
        71.5,
    ]
    assert list(IndicatorValue.objects.current()) == [new.value]


def test_record_value_revision_is_audited(figure):
    record_value(**figure, value=1.0)
    revised = record_value(**figure, value=2.0).value
    assert AuditEvent.objects.for_object(revised).get().action == "create"
    assert AuditEvent.objects.for_object(revised.supersedes).filter(action="update").exists()


def test_record_value_needs_exactly_one_subject(figure):
    figure["organisation"] = OrganisationFactory()
    with pytest.raises(ValidationError, match="exactly one"):
        record_value(**figure, value=1.0)


def test_record_value_rejects_limits_that_exclude_the_value(figure):
    with pytest.raises(ValidationError, match=r"outside its 95\.0% limits"):
        record_value(**figure, value=10.0, lower95_0cl=11.0, upper95_0cl=12.0)
    assert not IndicatorValue.objects.exists()


def test_record_value_rejects_negative_count(figure):
    with pytest.raises(ValidationError, match="Count -1"):
        record_value(**figure, value=1.0, count=-1)


def test_record_value_by_councillor_is_refused(figure, councillor):
    figure["by"] = councillor
    with pytest.raises(PermissionDenied):
        record_value(**figure, value=1.0)


def test_two_current_values_for_one_figure_are_refused_by_the_database(figure):
    record_value(**figure, value=1.0)
    key = {k: figure[k] for k in ("indicator", "period", "area")}
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(**key, value=2.0)


def test_value_with_area_and_organisation_is_refused_by_the_database(figure):
    key = {k: figure[k] for k in ("indicator", "period", "area")}
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(**key, organisation=OrganisationFactory(), value=1.0)


def test_small_number_flag():
    assert IndicatorValue(count=3).is_small_number
    assert not IndicatorValue(count=5).is_small_number
    assert not IndicatorValue(count=0).is_small_number
