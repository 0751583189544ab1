import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from placebook.core.audit import acting_as
from placebook.core.models import AuditEvent
from placebook.indicators.dashboards import build, data_version, direction
from placebook.indicators.exports import to_csv, to_xlsx
from placebook.indicators.rag import Status
from placebook.indicators.services import record_value
from tests.factories.core import AreaFactory, PersonFactory
from tests.factories.indicators import IndicatorFactory, period


@pytest.fixture(scope="module")
def sefton(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        yield
        call_command("flush", "--no-input", verbosity=0)


pytestmark = pytest.mark.django_db


def test_direction_uses_polarity():
    lower = IndicatorFactory.build(polarity="lower_is_better")
    higher = IndicatorFactory.build(polarity="higher_is_better")
    assert direction(lower, 10.0, 7.9).words == "Decreased: better"
    assert direction(lower, 10.0, 7.9).arrow == "▲"
    assert direction(higher, 63.7, 63.6).words == "Decreased: worse"
    assert direction(higher, 1.0, 1.0).words == "No change"
    assert direction(higher, None, 1.0).arrow == ""


def test_public_health_dashboard_has_the_26_printed_rows(sefton):
    _dashboard, _release, rows = build("public-health")
    assert len(rows) == 26
    smoking = next(r for r in rows if r.indicator.code == "phof-smoking-prevalence-adults")
    assert (smoking.previous.text, smoking.latest.text) == ("10.0%", "7.9%")
    # The seed printed a down arrow here and a legend saying down means worse (line 3121);
    # the data and the indicator's polarity say it improved.
    assert smoking.direction.words == "Decreased: better"
    nw = smoking.ranks["North West"]
    assert (nw.before, nw.after, nw.basis) == (4, 2, "As published")
    assert nw.rating.status == Status.GREEN


def test_public_health_marks_the_eleven_rows_the_edition_updated(sefton):
    _dashboard, _release, rows = build("public-health")
    updated = [(r.indicator.code, r.subject) for r in rows if r.updated]
    # The report's own count (line 2328) and the sections that discuss them (3.1-3.13).
    assert len(updated) == 11
    assert ("phof-smoking-prevalence-adults", "Sefton") in updated
    assert sum(code == "phof-smoking-at-time-of-delivery" for code, _ in updated) == 2
    assert not any(code.startswith("phof-under-75-mortality") for code, _ in updated)
    smoking = next(r for r in rows if r.indicator.code == "phof-smoking-prevalence-adults")
    assert smoking.updated.source == "line 2590"
    header, *body = list(csv.reader(io.StringIO(to_csv("public-health", rows))))
    column = header.index("Updated this edition")
    assert sum(line[column] == "Yes" for line in body) == 11


def _give_north_west_figures(share: float, lower_latest: int, lower_previous: int):
    """Smoking figures for a share of the North West councils: the first few lower (better)
    than Sefton's, the rest higher."""
    from placebook.core.actors import SystemActor
    from placebook.core.models import ComparatorGroup
    from placebook.indicators.models import IndicatorValue
    from placebook.indicators.services import record_value

    sefton = {
        v.period.label: v
        for v in IndicatorValue.objects.current()
        .filter(
            indicator__code="phof-smoking-prevalence-adults", area__code="E08000014", sex="Persons"
        )
        .select_related("indicator", "period")
    }
    group = ComparatorGroup.objects.filter(slug="north-west-councils").order_by("-version")[0]
    others = sorted(group.members.exclude(code="E08000014"), key=lambda a: a.code)
    others = others[: round(share * (len(others) + 1)) - 1]
    for label, lower in [("2022", lower_latest), ("2021", lower_previous)]:
        mine = sefton[label]
        for i, area in enumerate(others):
            record_value(
                by=SystemActor("tests"),
                indicator=mine.indicator,
                period=mine.period,
                area=area,
                sex=mine.sex,
                age=mine.age,
                value=mine.value + (-1 if i < lower else 1),
            )
    return len(others) + 1


def test_public_health_ranks_are_worked_out_when_the_group_figures_are_held(sefton):
    size = _give_north_west_figures(1.0, lower_latest=1, lower_previous=3)
    _dashboard, _release, rows = build("public-health")
    smoking = next(r for r in rows if r.indicator.code == "phof-smoking-prevalence-adults")
    nw = smoking.ranks["North West"]
    assert (nw.before, nw.after) == (4, 2)
    assert nw.basis == f"Worked out from {size} of the group's {size} figures"
    assert nw.rating.status == Status.GREEN
    # The statistical neighbours' figures are not held, so that rank stays as published.
    assert smoking.ranks["Statistical neighbours"].basis == "As published"


def test_public_health_ranks_stay_as_published_when_few_group_figures_are_held(sefton):
    _give_north_west_figures(0.5, lower_latest=0, lower_previous=0)
    _dashboard, _release, rows = build("public-health")
    smoking = next(r for r in rows if r.indicator.code == "phof-smoking-prevalence-adults")
    nw = smoking.ranks["North West"]
    assert (nw.before, nw.after, nw.basis) == (4, 2, "As published")


def test_public_health_series_follows_former_ccg_into_its_place_footprint(sefton):
    _dashboard, _release, rows = build("public-health")
    delivery = [r for r in rows if r.indicator.code == "phof-smoking-at-time-of-delivery"]
    assert len(delivery) == 2
    assert [(r.baseline.period, r.previous.text, r.latest.text) for r in delivery] == [
        ("2013/14 Q1", "9.5%", "9.1%"),
        ("2013/14 Q1", "8.1%", "7.4%"),
    ]


def test_adult_social_care_dashboard_computes_differences(sefton):
    _dashboard, _release, rows = build("adult-social-care")
    learning = next(r for r in rows if r.indicator.framework_ref == "1G")
    north_west = next(c for c in learning.comparisons if c.name == "North West")
    # Printed as -8.8 (line 3566); 88.5 - 89.3 = -0.8.
    assert north_west.difference == pytest.approx(-0.8)
    assert north_west.good is False


def test_provider_dashboard_rates_targets(sefton):
    _dashboard, _release, rows = build("provider-performance")
    c_diff = next(r for r in rows if r.indicator.code == "nhs-c-difficile-cases")
    assert c_diff.rating.status == Status.RED
    assert "trajectory" in c_diff.rating.label
    ambulance = next(r for r in rows if r.indicator.code == "nhs-ambulance-cat1-mean")
    assert ambulance.performance.text == "00:10:25"
    assert ambulance.rating.status == Status.RED


@pytest.mark.parametrize("slug", ["public-health", "adult-social-care", "provider-performance"])
def test_exports_match_the_rows(sefton, slug):
    dashboard, _release, rows = build(slug)
    table = list(csv.reader(io.StringIO(to_csv(slug, rows))))
    assert len(table) == len(rows) + 1
    sheet = load_workbook(io.BytesIO(to_xlsx(slug, dashboard.title, rows))).active
    assert sheet.max_row == len(rows) + 1
    assert [c.value for c in sheet[1]] == table[0]


@pytest.mark.parametrize(
    ("slug", "most"),
    [("public-health", 14), ("adult-social-care", 6), ("provider-performance", 8)],
)
def test_dashboard_queries_do_not_grow_with_rows(sefton, django_assert_max_num_queries, slug, most):
    with django_assert_max_num_queries(most):
        build(slug)


def test_public_health_row_keeps_to_one_age_band(sefton, system):
    from placebook.core.models import Area
    from placebook.indicators.models import Indicator
    from placebook.indicators.services import record_value
    from tests.factories.indicators import period

    record_value(
        by=system,
        indicator=Indicator.objects.get(code="phof-suicide-rate"),
        area=Area.objects.get(code="E08000014"),
        period=period("2019-21"),
        age="10-34 yrs",
        value=99.0,
    )
    _dashboard, _release, rows = build("public-health")
    suicide = next(r for r in rows if r.indicator.code == "phof-suicide-rate")
    assert suicide.latest.text == "10.0"
    assert [label for label, _ in suicide.series] == ["2001-03", "2018-20", "2019-21"]


def test_public_health_england_series_keeps_to_one_age_band(sefton, system):
    from placebook.core.models import Area
    from placebook.indicators.models import Indicator
    from placebook.indicators.services import record_value
    from tests.factories.indicators import period

    smoking = Indicator.objects.get(code="phof-smoking-prevalence-adults")
    england = Area.objects.get(code="E92000001")
    for age in ("All ages", "18-64"):
        record_value(
            by=system, indicator=smoking, area=england, period=period("2022"), age=age, value=12.7
        )
    _dashboard, _release, rows = build("public-health")
    row = next(r for r in rows if r.indicator == smoking)
    labels = [label for label, _ in row.england]
    assert len(labels) == len(set(labels))


# --- the cache key ----------------------------------------------------------------------------


def test_the_cache_key_moves_with_what_dashboards_show_and_only_with_it(system):
    indicator = IndicatorFactory(code="smoking-prevalence")
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    before = data_version()

    with acting_as(system):
        person = PersonFactory()  # a referral's person: nothing a dashboard shows
    assert AuditEvent.objects.for_object(person).exists()
    assert data_version() == before

    record_value(by=system, indicator=indicator, area=sefton, period=period("2022"), value=7.9)
    after_value = data_version()
    assert after_value != before

    with acting_as(system):
        sefton.name = "Sefton Council"
        sefton.save()
    assert data_version() != after_value
