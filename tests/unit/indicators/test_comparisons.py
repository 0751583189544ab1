import pytest

from placebook.indicators.comparisons import compare_current
from placebook.indicators.rag import Status
from placebook.indicators.services import record_value
from tests.factories.core import AreaFactory
from tests.factories.indicators import IndicatorFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    return (
        AreaFactory(code="E08000014", name="Sefton", type="local_authority"),
        AreaFactory(code="E92000001", name="England", type="country"),
    )


def figure(system, indicator, area, value, lower=None, upper=None, when="2021/22"):
    wider = {}
    if lower is not None:
        wider = {"lower99_8cl": lower - 1, "upper99_8cl": upper + 1}
    return record_value(
        by=system,
        indicator=indicator,
        area=area,
        period=period(when),
        value=value,
        lower95_0cl=lower,
        upper95_0cl=upper,
        **wider,
    )


def test_interval_below_benchmark_is_better_when_lower_is_better(system, areas):
    indicator = IndicatorFactory(polarity="lower_is_better")
    figure(system, indicator, areas[0], 7.9, 7.0, 8.8)
    figure(system, indicator, areas[1], 12.7)
    (comparison,) = compare_current(
        indicator=indicator, area_code="E08000014", benchmark_code="E92000001"
    )
    assert comparison.compared95_0 == "better"
    assert comparison.rating.status == Status.GREEN


def test_interval_containing_benchmark_is_similar(system, areas):
    indicator = IndicatorFactory(polarity="higher_is_better")
    figure(system, indicator, areas[0], 63.6, 61.0, 66.0)
    figure(system, indicator, areas[1], 63.1)
    (comparison,) = compare_current(
        indicator=indicator, area_code="E08000014", benchmark_code="E92000001"
    )
    assert comparison.compared95_0 == "similar"
    assert comparison.rating.status == Status.AMBER


def test_figure_without_limits_is_not_compared(system, areas):
    indicator = IndicatorFactory()
    figure(system, indicator, areas[0], 7.9)
    figure(system, indicator, areas[1], 12.7)
    (comparison,) = compare_current(
        indicator=indicator, area_code="E08000014", benchmark_code="E92000001"
    )
    assert comparison.compared95_0 == "not compared"
    assert comparison.rating.status == Status.GREY


def test_comparison_api(api, system, areas):
    indicator = IndicatorFactory(code="smoking", polarity="lower_is_better")
    figure(system, indicator, areas[0], 7.9, 7.0, 8.8)
    figure(system, indicator, areas[1], 12.7)
    rows = api.get("/api/comparisons/", {"indicator": "smoking", "area": "E08000014"}).json()
    assert rows[0]["compared95_0"] == "better"
    assert rows[0]["benchmark_value"] == 12.7


def test_comparison_api_names_missing_parameters(api):
    body = api.get("/api/comparisons/").json()
    assert "indicator" in body["errors"]
    assert body["message"].startswith("indicator: ")


def test_dashboard_api(api):
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    body = api.get("/api/dashboards/provider-performance/").json()
    assert body["title"] == "Health provider performance"
    assert len(body["rows"]) == 50
    assert api.get("/api/dashboards/").json()[0]["slug"] == "public-health"
    assert api.get("/api/dashboards/nope/").status_code == 404
