"""A person signs in and moves around Placebook in a real browser, with JavaScript on and off."""

import pytest

from placebook.core.models import Role
from tests.factories.core import AreaFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SUBSYSTEMS = ["Indicators", "Market", "Purchasing", "Contracts", "Community", "Scrutiny"]


@pytest.fixture
def seeded():
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    AreaFactory(code="E05000930", name="Ainsdale").parent_links.create(
        parent=sefton, hierarchy="administrative"
    )
    return user_with_role(Role.SENIOR_MANAGER, username="manager")


def sign_in(page, live_server):
    page.goto(live_server.url)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_follow_the_navigation(page, live_server, seeded):
    sign_in(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "Placebook for Sefton Place"
    assert page.get_by_role("button", name="Sign out").is_visible()
    navigation = page.get_by_role("navigation", name="Menu")
    for label in SUBSYSTEMS:
        navigation.get_by_role("link", name=label).click()
        assert page.get_by_role("heading", level=1).inner_text() == label
        current = navigation.locator("[aria-current]")
        assert current.inner_text().strip() == label
    navigation.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="Areas").click()
    page.get_by_label("Type").select_option("ward")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Ainsdale").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ainsdale"
    page.goto(f"{live_server.url}/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_stylesheet_and_scripts_load(page, live_server, seeded):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.goto(live_server.url)
    assert failed == []
    # GOV.UK Frontend's stylesheet applied: the header is black.
    header = page.locator(".govuk-generic-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 12, 12)"
    # Its JavaScript ran only when allowed; the page works either way.
    body_class = page.locator("body").get_attribute("class") or ""
    assert ("govuk-frontend-supported" in body_class) is page.javascript


def test_skip_link_moves_to_main_content(page, live_server, seeded):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("e => e === document.activeElement")
    skip.press("Enter")
    assert page.url.endswith("#main-content")


def test_wrong_password_shows_error_summary(page, live_server, seeded):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.title().startswith("Error:")
