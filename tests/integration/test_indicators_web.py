import re

import pytest
from django.urls import reverse

from placebook.core.audit import acting_as
from placebook.core.models import Area
from placebook.indicators.models import IndicatorValue
from placebook.indicators.services import record_value
from placebook.web.views import indicators as views
from tests.factories.core import AreaFactory
from tests.factories.indicators import IndicatorFactory, ReleaseFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def smoking(system):
    indicator = IndicatorFactory(code="smoking-prevalence", name="Smoking prevalence")
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    release = ReleaseFactory(title="Public Health Performance Framework - August 2023")
    record_value(
        by=system,
        indicator=indicator,
        area=sefton,
        period=period("2022"),
        value=7.9,
        release=release,
    )
    record_value(
        by=system, indicator=indicator, area=sefton, period=period("2021"), value=10.0, count=3
    )
    return indicator


def test_catalogue_lists_indicators_with_counts(client, smoking):
    IndicatorFactory(name="Nothing held yet")
    body = client.get(reverse("indicators:indicator-list")).content.decode()
    assert "Smoking prevalence" in body
    assert "Lower is better" in body
    counts = re.findall(r'govuk-table__cell--numeric">(\d+)</td>', body)
    assert sorted(counts) == ["0", "2"]  # current figures only: none are superseded here


def test_catalogue_filters_by_framework(client, smoking):
    IndicatorFactory(name="ASCOF measure", framework="ASCOF")
    body = client.get(reverse("indicators:indicator-list"), {"framework": "ASCOF"}).content.decode()
    assert "ASCOF measure" in body
    assert "Smoking prevalence" not in body


def test_indicator_page_shows_definition_method_and_figures(client, smoking):
    body = client.get(smoking.get_absolute_url()).content.decode()
    assert "Method" in body
    assert "definitions/smoking-prevalence.json" in body
    assert "7.9%" in body
    assert "Public Health Performance Framework - August 2023" in body


@pytest.fixture
def many_figures(smoking):
    """Sefton's two figures and 30 councils' figures for each of two more years: 62 in all."""
    councils = [AreaFactory(code=f"E0800{n:04d}", name=f"Council {n:02d}") for n in range(30)]
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=smoking, area=area, period=period(year), value=12.5)
        for year in ("2019", "2020")
        for area in councils
    )
    return smoking


def test_indicator_page_shows_its_figures_a_page_at_a_time(client, many_figures):
    url = many_figures.get_absolute_url()
    first = client.get(url).content.decode()
    assert "62 figures, 1 to 50 shown" in first
    assert first.count("12.5%") == 50  # the earliest periods first
    assert 'rel="next"' in first
    last = client.get(url, {"page": 2}).content.decode()
    assert "62 figures, 51 to 62 shown" in last
    assert last.count("12.5%") == 10
    assert "7.9%" in last


def test_indicator_page_finds_figures_by_place_and_period(client, many_figures):
    url = many_figures.get_absolute_url()
    body = client.get(url, {"place": "council 07"}).content.decode()
    assert "2 figures found" in body
    assert body.count("Council 07") == 2
    body = client.get(url, {"place": "e08000014", "period": "2022"}).content.decode()
    assert "1 figure found" in body
    assert "7.9%" in body
    assert '<option value="2022" selected>' in body
    body = client.get(url, {"place": "Nowhere"}).content.decode()
    assert "No figures for that area or period." in body


def test_small_numbers_are_suppressed_for_the_public(client, smoking):
    body = client.get(smoking.get_absolute_url()).content.decode()
    assert "Suppressed (fewer than 5)" in body
    assert "10.0%" not in body


def test_small_numbers_are_shown_to_officers(client, officer, smoking):
    client.force_login(officer)
    body = client.get(smoking.get_absolute_url()).content.decode()
    assert "10.0%" in body


def test_home_counts_indicator_figures(client, smoking):
    body = client.get("/").content.decode()
    assert ">Current figures</a>: 2" in body


@pytest.fixture
def demo():
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("slug", ["public-health", "adult-social-care", "provider-performance"])
def test_dashboard_pages_render_with_rules_and_charts(client, demo, slug):
    body = client.get(reverse("indicators:dashboard-detail", args=[slug])).content.decode()
    assert "How to read it" in body
    assert '<svg role="img"' in body or "<svg" in body
    assert "Download" in body


def test_dashboard_list(client):
    body = client.get(reverse("indicators:dashboard-list")).content.decode()
    assert "Public Health Performance Framework" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_dashboard_download(client, demo, fmt):
    response = client.get(
        reverse("indicators:dashboard-download", args=["provider-performance", fmt])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_unknown_dashboard_is_404(client):
    assert client.get(reverse("indicators:dashboard-detail", args=["nope"])).status_code == 404


def test_dashboard_pdf_is_a_pdf_with_the_title(client, demo):
    response = client.get(reverse("indicators:dashboard-download", args=["public-health", "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"Public Health Performance Framework" in response.content


def test_audit_report_lists_seed_errors(client, demo):
    body = client.get(reverse("indicators:audit"), {"severity": "error"}).content.decode()
    assert "13:31:10" in body or "13:21:10" in body
    assert "Doubt</strong>" not in body


def test_audit_report_filters_by_release(client, demo):
    body = client.get(
        reverse("indicators:audit"), {"release": "asc-performance-review-2024-01"}
    ).content.decode()
    assert "-8.8" in body
    assert "13:31:10" not in body


def test_audit_findings_api(api, demo):
    findings = api.get("/api/audit-findings/", {"release": "asc-performance-review-2024-01"}).json()
    assert any(f["printed"].startswith("-8.8") and f["rule"] == "difference" for f in findings)
    assert (
        api.get("/api/audit-findings/", {"release": "nope"})
        .json()["message"]
        .startswith("release:")
    )


def test_dashboard_table_is_rebuilt_only_when_its_data_changes(client, demo, monkeypatch):
    from placebook.core.actors import SystemActor
    from placebook.indicators.models import IndicatorValue
    from placebook.indicators.presentation import format_number
    from placebook.web.views import indicators as views

    builds = []
    real = views.BUILDERS["provider-performance"]
    monkeypatch.setitem(
        views.BUILDERS, "provider-performance", lambda release: builds.append(1) or real(release)
    )
    url = reverse("indicators:dashboard-detail", args=["provider-performance"])
    first = client.get(url).content.decode()
    assert client.get(url).content.decode() == first
    assert len(builds) == 1

    shown = (
        IndicatorValue.objects.current()
        .filter(release__key="provider-dashboard-2024-01", organisation__isnull=False)
        .exclude(value=None)
        .select_related("indicator", "organisation", "area", "period", "release")
        .first()
    )
    revised = shown.value + 1.234
    record_value(
        by=SystemActor("tests"),
        indicator=shown.indicator,
        period=shown.period,
        organisation=shown.organisation,
        release=shown.release,
        sex=shown.sex,
        age=shown.age,
        value=revised,
    )
    after = client.get(url).content.decode()
    assert len(builds) == 2
    assert format_number(shown.indicator, revised) in after
    assert format_number(shown.indicator, revised) not in first


def test_a_rebuilt_dashboard_redraws_only_the_charts_whose_figures_changed(
    client, demo, system, monkeypatch
):
    drawn = []
    real = views.trend_chart

    def counting(*args, **kwargs):
        drawn.append(kwargs["title"])
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "trend_chart", counting)
    url = reverse("indicators:dashboard-detail", args=["public-health"])
    client.get(url)
    assert len(drawn) > 20
    # A change to something the dashboard shows rebuilds its table, but the figures behind
    # each chart are the same, so no chart is drawn again.
    drawn.clear()
    sefton = Area.objects.get(code="E08000014")
    with acting_as(system):
        sefton.save()
    client.get(url)
    assert drawn == []
    # A revised figure redraws the chart of its row, and only that one.
    latest = (
        IndicatorValue.objects.current()
        .filter(area=sefton, indicator__framework="PHOF", value__isnull=False)
        .order_by("-period__end")
        .first()
    )
    record_value(by=system, indicator=latest.indicator, area=sefton, period=latest.period,
                 sex=latest.sex, age=latest.age, value=latest.value + 1)  # fmt: skip
    body = client.get(url).content.decode()
    assert len(drawn) == 1
    assert drawn[0].startswith(latest.indicator.name)
    assert body.count("<svg") > 20
