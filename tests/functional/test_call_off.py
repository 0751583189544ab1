"""A whole call-off in a real browser: a broker requests a package, a provider responds in
the portal, the broker evaluates and proposes, a senior manager approves within delegation
and the call-off contract appears. With JavaScript on and off, and checked with axe-core."""

from datetime import date, timedelta

import pytest

from placebook.contracts.models import Contract
from placebook.core.models import Role
from placebook.core.money import Money
from placebook.purchasing.models import AwardStatus, PackageRequest
from placebook.purchasing.services import packages
from tests.factories.core import user_with_role
from tests.factories.market import build_market
from tests.functional.test_dashboards import axe_violations
from tests.functional.test_journeys import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page, prefix: str, day: date):
    page.locator(f"[name={prefix}-day]").fill(str(day.day))
    page.locator(f"[name={prefix}-month]").fill(str(day.month))
    page.locator(f"[name={prefix}-year]").fill(str(day.year))


def test_call_off_from_request_to_approved_award(page, live_server):
    market = build_market()
    user_with_role(Role.COUNCIL_OFFICER, username="broker")
    user_with_role(Role.SENIOR_MANAGER, username="approver")
    start = date.today() + timedelta(days=21)

    sign_in(page, live_server, "broker")
    page.goto(f"{live_server.url}/purchasing/packages/new/")
    page.locator("[name=person]").select_option(str(market.person.pk))
    page.locator("[name=lot]").select_option(str(market.lot.pk))
    page.locator("[name=support_needed]").fill("Help to cook and shop; a sleep-in at night.")
    page.locator("[name=hours_per_week]").fill("20")
    fill_date(page, "start_date", start)
    for code, answer in [("personal-care", "some"), ("daily-living", "most"),
                         ("night", "sleep-in")]:  # fmt: skip
        page.locator(f"[name=answer_{code}][value={answer}]").check()
    page.get_by_role("button", name="Make the request").click()
    assert "£600.00" in page.content()
    reference = PackageRequest.objects.get().reference
    assert reference in page.content()
    if page.javascript:  # axe-core runs in the page
        assert axe_violations(page) == []

    fill_date(page, "response_deadline", date.today() + timedelta(days=2))
    page.locator("[name=response_time]").fill("17:00")
    page.get_by_role("button", name="Send to providers").click()
    assert "Send to providers" not in page.content()

    # One provider answers in the portal; the other two by the service, as if earlier.
    sign_in(page, live_server, "provider-1")
    page.goto(f"{live_server.url}/portal/requests/{reference}/")
    assert "Example" not in page.content()  # the person's family name never reaches providers
    page.locator("[name=weekly_price]").fill("480")
    fill_date(page, "start_date", start)
    page.locator("[name=proposal]").fill("Two support workers who know the area.")
    page.get_by_role("button", name="Send response").click()
    package = PackageRequest.objects.get()
    assert package.responses.get().weekly_price == Money("480.00")
    for index, price in [(0, "600.00"), (2, "590.00")]:
        packages.submit_response(by=market.provider_users[index], package=package,
                                 weekly_price=Money(price), start_date=start,
                                 proposal="Proposal.")  # fmt: skip

    sign_in(page, live_server, "broker")
    page.goto(f"{live_server.url}/purchasing/packages/{reference}/")
    page.get_by_role("button", name="Evaluate the responses").click()
    best = package.responses.get(rank=1)
    assert best.provider == market.providers[1]
    page.locator(f"[name=response][value='{best.pk}']").check()
    page.locator("[name=reasons]").fill("Highest score under the published weights.")
    page.get_by_role("button", name="Propose the award").click()

    sign_in(page, live_server, "approver")
    page.goto(f"{live_server.url}/purchasing/approvals/")
    page.get_by_role("link", name=reference).click()
    if page.javascript:  # axe-core runs in the page
        assert axe_violations(page) == []
    page.get_by_role("button", name="Approve the award").click()
    package.refresh_from_db()
    assert package.award.status == AwardStatus.APPROVED
    contract = Contract.objects.get(package=package)
    assert contract.supplier == market.providers[1]
    page.goto(f"{live_server.url}/purchasing/contracts/")
    assert contract.reference in page.content()
