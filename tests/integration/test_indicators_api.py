import pytest

from placebook.indicators.services import record_value
from tests.factories.core import AreaFactory
from tests.factories.indicators import IndicatorFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(system):
    indicator = IndicatorFactory(code="smoking-prevalence")
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    record_value(by=system, indicator=indicator, area=sefton, period=period("2021"), value=10.0)
    record_value(by=system, indicator=indicator, area=sefton, period=period("2021"), value=9.8)
    record_value(
        by=system, indicator=indicator, area=sefton, period=period("2022"), value=7.9, count=2
    )
    return indicator


def test_indicators_listed_by_code(api, figures):
    body = api.get("/api/indicators/smoking-prevalence/").json()
    assert body["polarity"] == "lower_is_better"


def test_values_current_by_default_with_history_on_request(api, figures):
    current = api.get(
        "/api/indicator-values/", {"indicator": "smoking-prevalence", "period": "2021"}
    )
    assert [v["value"] for v in current.json()["results"]] == [9.8]
    history = api.get("/api/indicator-values/", {"period": "2021", "history": "true"})
    assert sorted(v["value"] for v in history.json()["results"]) == [9.8, 10.0]


def test_values_small_numbers_suppressed_for_public(api, figures):
    row = api.get("/api/indicator-values/", {"period": "2022"}).json()["results"][0]
    assert row["suppressed"] is True
    assert row["value"] is None
    assert row["count"] is None


def test_values_small_numbers_shown_to_officer(api, officer, figures):
    api.force_authenticate(officer)
    row = api.get("/api/indicator-values/", {"period": "2022"}).json()["results"][0]
    assert row["suppressed"] is False
    assert row["value"] == 7.9


def test_values_are_read_only(api, officer, figures):
    api.force_authenticate(officer)
    response = api.post("/api/indicator-values/", {"value": 1}, format="json")
    assert response.status_code == 405


def test_schema_documents_indicator_endpoints(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ["/api/indicators/", "/api/indicator-values/", "/api/releases/"]:
        assert path in schema["paths"]
