"""The three dashboards in a real browser: they render, axe-core finds no accessibility
violations, and charts and downloads work with JavaScript off."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
DASHBOARDS = {
    "public-health": "Public Health Performance Framework",
    "adult-social-care": "Adult Social Care Outcomes Framework comparison",
    "provider-performance": "Health provider performance",
}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        f"async () => (await axe.run(document, {{runOnly: {WCAG}}}))"
        ".violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.length}))"
    )


def test_axe_reports_violations_when_there_are_some(browser, live_server):
    """Guards the check below: a page with a known fault must fail it."""
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    page.close()


@pytest.mark.parametrize("slug", DASHBOARDS)
def test_dashboard_accessible_and_usable_without_javascript(browser, live_server, slug):
    call_command("load_demo", stdout=io.StringIO())
    url = f"{live_server.url}/indicators/dashboards/{slug}/"

    with_js = browser.new_context().new_page()
    with_js.goto(url)
    assert with_js.get_by_role("heading", level=1).inner_text() == DASHBOARDS[slug]
    assert with_js.locator("table.pb-dashboard tbody th[scope=row]").count() > 10
    violations = axe_violations(with_js)
    assert violations == [], json.dumps(violations, indent=2)
    with_js.context.close()

    without_js = browser.new_context(java_script_enabled=False).new_page()
    without_js.goto(url)
    chart = without_js.locator("details.govuk-details").first
    chart.locator("summary").click()
    assert chart.locator("svg[role=img]").is_visible()
    with without_js.expect_download() as download:
        without_js.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"{slug}.csv"
    without_js.context.close()


def test_indicator_figures_found_by_place_accessibly_and_without_javascript(browser, live_server):
    call_command("load_demo", stdout=io.StringIO())
    url = f"{live_server.url}/indicators/catalogue/phof-suicide-rate/"

    without_js = browser.new_context(java_script_enabled=False).new_page()
    without_js.goto(url)
    without_js.get_by_label("Area or organisation").fill("Sefton")
    without_js.get_by_role("button", name="Show figures").click()
    assert "place=Sefton" in without_js.url
    assert "found" in without_js.locator("table caption").inner_text()
    places = without_js.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert places
    assert all(place.startswith("Sefton") for place in places)
    without_js.context.close()

    with_js = browser.new_context().new_page()
    with_js.goto(f"{url}?place=Sefton")
    violations = axe_violations(with_js)
    assert violations == [], json.dumps(violations, indent=2)
    with_js.context.close()
