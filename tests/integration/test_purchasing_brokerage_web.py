"""The brokerage pages through Django's test client: a package from request to contract,
who may do what, and the register and spend built from the contracts."""

import csv
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placebook.contracts.models import Contract, ContractKind
from placebook.contracts.services import create_contract
from placebook.core.money import Money
from placebook.purchasing.models import AwardStatus, PackageRequest, PackageStatus
from placebook.purchasing.services import packages as svc
from tests.factories.market import build_market

pytestmark = pytest.mark.django_db

ANSWERS = {"personal-care": "some", "daily-living": "most", "night": "sleep-in"}


@pytest.fixture
def market():
    return build_market()


def _date(name, day):
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _request_form(market, **changes):
    return {
        "ras_table": market.ras.pk,
        "person": market.person.pk,
        "lot": market.lot.pk,
        "locality": market.locality.pk,
        "support_needed": "Support to cook, shop and keep a tenancy; a sleep-in at night.",
        "hours_per_week": "20",
        **_date("start_date", timezone.localdate() + timedelta(days=14)),
        **{f"answer_{code}": answer for code, answer in ANSWERS.items()},
        **changes,
    }


def _made_by_form(client, market) -> PackageRequest:
    response = client.post(reverse("purchasing:package-create"), _request_form(market))
    package = PackageRequest.objects.get()
    assert response["Location"] == package.get_absolute_url()
    return package


def _opened(market, officer) -> PackageRequest:
    package = svc.create_request(
        by=officer,
        person=market.person,
        lot=market.lot,
        locality=market.locality,
        support_needed="Support to keep a tenancy.",
        hours_per_week=20,
        start_date=timezone.localdate() + timedelta(days=14),
        ras_table=market.ras,
        answers=ANSWERS,
    )
    svc.open_request(by=officer, package=package, deadline=timezone.now() + timedelta(days=3))
    package.refresh_from_db()
    return package


def _respond(market, package, prices):
    for user, price in zip(market.provider_users, prices, strict=True):
        svc.submit_response(
            by=user,
            package=package,
            weekly_price=Money(price),
            start_date=package.start_date,
            proposal="Two named support workers, matched by interests.",
        )


def _awaiting_approval(market, officer):
    package = _opened(market, officer)
    _respond(market, package, ["550.00", "500.00", "650.00"])
    ranked = svc.evaluate(by=officer, package=package)
    svc.propose_award(by=officer, package=package, response=ranked[0], reasons="Top ranked.")
    return package


def _followed(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


def test_request_form_shows_the_table_questions_as_radios(client, officer, market):
    client.force_login(officer)

    body = client.get(reverse("purchasing:package-create")).content.decode()

    assert f'name="ras_table" value="{market.ras.pk}"' in body
    assert 'type="radio" value="sleep-in"' in body
    assert 'id="id_answer_night"' in body
    assert 'name="start_date-day"' in body
    assert "do not include the person&#x27;s name" in body
    assert "Example (" in body  # the person, chosen from those the broker may see


def test_broker_makes_request_and_sees_its_budget_working(client, officer, market):
    client.force_login(officer)

    response = client.post(reverse("purchasing:package-create"), _request_form(market))

    package = PackageRequest.objects.get()
    body = _followed(client, response)
    assert package.indicative_weekly_budget == Money("600.00")
    assert package.status == PackageStatus.DRAFT
    assert f"Package request {package.reference} was made" in body
    assert "govuk-notification-banner--success" in body
    assert "How the indicative budget was worked out with Test RAS v1" in body
    assert "24 x £25.00 a point" in body
    assert "<strong>£600.00</strong>" in body


def test_request_with_a_weekly_profile_keeps_it(client, officer, market):
    client.force_login(officer)
    days = {"profile_mon": "10", "profile_wed": "7.5", "profile_fri": "2.5"}

    body = _followed(
        client, client.post(reverse("purchasing:package-create"), _request_form(market, **days))
    )

    assert PackageRequest.objects.get().weekly_profile == {"mon": 10, "wed": 7.5, "fri": 2.5}
    assert "Wednesday: 7.5" in body


def test_request_form_lists_every_problem_by_field(client, officer, market):
    client.force_login(officer)
    form = _request_form(market, person="", **{"start_date-month": ""})
    del form["answer_night"]

    body = client.post(reverse("purchasing:package-create"), form).content.decode()

    assert PackageRequest.objects.count() == 0
    assert "<title>Error: " in body
    assert '<a href="#id_person">Choose the person the support is for.</a>' in body
    assert '<a href="#id_start_date">Start date must include a month.</a>' in body
    assert '<a href="#id_answer_night">Choose an answer to “night”.</a>' in body


def test_weekly_profile_refused_by_the_service_shows_on_the_days(client, officer, market):
    client.force_login(officer)

    body = client.post(
        reverse("purchasing:package-create"),
        _request_form(market, profile_mon="6", profile_tue="6"),
    ).content.decode()

    assert PackageRequest.objects.count() == 0
    assert (
        '<a href="#id_profile_mon">The days add up to 12 hours, not the 20 hours a week '
        "requested.</a>" in body
    )


def test_package_from_request_to_contract_through_the_pages(client, officer, manager, market):
    client.force_login(officer)
    package = _made_by_form(client, market)
    detail = package.get_absolute_url()

    deadline = timezone.localdate() + timedelta(days=3)
    body = _followed(
        client,
        client.post(
            reverse("purchasing:package-open", args=[package.reference]),
            {**_date("response_deadline", deadline), "response_time": "17:00"},
        ),
    )
    assert f"{package.reference} was sent to 3 providers." in body
    package.refresh_from_db()
    assert package.status == PackageStatus.OPEN
    assert timezone.localtime(package.response_deadline).hour == 17

    _respond(market, package, ["550.00", "500.00", "650.00"])
    assert "3 of 3 invited providers have responded" in client.get(detail).content.decode()

    body = _followed(
        client, client.post(reverse("purchasing:package-evaluate", args=[package.reference]))
    )
    assert "Responses, ranked" in body
    assert "£650.00 a week is above the indicative budget of £600.00" in body
    top = package.responses.get(rank=1)
    assert top.provider == market.providers[0]

    body = _followed(
        client,
        client.post(
            reverse("purchasing:package-award", args=[package.reference]),
            {"response": top.pk, "reasons": "Highest score, and knows the area."},
        ),
    )
    assert f"The award of {package.reference} to Provider A is waiting for approval." in body

    client.force_login(manager)
    approvals = client.get(reverse("purchasing:approval-list")).content.decode()
    assert package.reference in approvals
    assert "you may approve up to £1,500.00 a week and £80,000.00 a year" in approvals
    assert '<strong class="govuk-tag govuk-tag--green">Yes</strong>' in approvals
    page = client.get(detail).content.decode()
    assert "Within your limit" in page

    body = _followed(
        client,
        client.post(
            reverse("purchasing:award-approve", args=[package.reference]),
            {"approval_note": "Within budget."},
        ),
    )
    assert "is approved, and its contract is in the register" in body
    contract = Contract.objects.get(package=package)
    assert contract.kind == ContractKind.CALL_OFF
    register = client.get(reverse("purchasing:contract-list")).content.decode()
    assert contract.reference in register
    assert "Lot 1: Supported living" in register
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Performance review due" in page
    assert contract.extensions.first().review_due.strftime("%-d %b %Y") in page


def test_approver_may_reject_with_reasons(client, officer, manager, market):
    package = _awaiting_approval(market, officer)
    client.force_login(manager)

    body = _followed(
        client,
        client.post(
            reverse("purchasing:award-reject", args=[package.reference]),
            {"rejection_note": "Ask Provider B to match the start date."},
        ),
    )

    assert "has gone back to the broker" in body
    assert package.award.status == AwardStatus.REJECTED


def test_reject_without_reasons_is_refused(client, officer, manager, market):
    package = _awaiting_approval(market, officer)
    client.force_login(manager)

    response = client.post(reverse("purchasing:award-reject", args=[package.reference]), {})

    assert response.status_code == 200
    assert '<a href="#id_rejection_note">Say why the award is not approved.</a>' in (
        response.content.decode()
    )


def test_refusal_shows_in_the_error_summary(client, manager, market):
    package = _awaiting_approval(market, manager)
    client.force_login(manager)

    response = client.post(reverse("purchasing:award-approve", args=[package.reference]), {})

    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "proposed this award, so someone else must approve it." in body
    package.award.refresh_from_db()
    assert package.award.status == AwardStatus.AWAITING_APPROVAL


def test_refusal_naming_a_field_links_to_it(client, officer, market):
    client.force_login(officer)
    package = _made_by_form(client, market)

    response = client.post(
        reverse("purchasing:package-open", args=[package.reference]),
        {**_date("response_deadline", timezone.localdate() - timedelta(days=1)),
         "response_time": "09:00"},
    )  # fmt: skip

    body = response.content.decode()
    assert '<a href="#id_response_deadline">09:00 on ' in body
    assert "has already passed." in body
    package.refresh_from_db()
    assert package.status == PackageStatus.DRAFT


def test_approver_sees_when_the_award_is_beyond_their_limit(client, officer, manager, market):
    market.scheme.limits.update(weekly_limit=Money("500.00"))
    package = _awaiting_approval(market, officer)
    client.force_login(manager)

    page = client.get(package.get_absolute_url()).content.decode()
    approvals = client.get(reverse("purchasing:approval-list")).content.decode()

    assert "you may approve up to £500.00 a week" in page
    assert "£550.00 a week is above the weekly limit of £500.00" in page
    assert reverse("purchasing:award-approve", args=[package.reference]) not in page
    assert '<strong class="govuk-tag govuk-tag--red">No</strong>' in approvals


def test_person_named_to_officer_but_not_to_commissioner(client, officer, commissioner, market):
    package = _opened(market, officer)
    pages = [reverse("purchasing:package-list"), package.get_absolute_url()]

    client.force_login(commissioner)
    for url in pages:
        body = client.get(url).content.decode()
        assert package.reference in body
        assert "Alex Example" not in body

    client.force_login(officer)
    for url in pages:
        assert "Alex Example" in client.get(url).content.decode()


def test_package_list_filters_by_status_and_lot(client, officer, market):
    opened = _opened(market, officer)
    client.force_login(officer)
    url = reverse("purchasing:package-list")

    assert opened.reference in client.get(url, {"status": "open"}).content.decode()
    assert opened.reference not in client.get(url, {"status": "draft"}).content.decode()
    assert opened.reference in client.get(url, {"lot": market.lot.pk}).content.decode()


def test_package_list_queries_do_not_grow_with_packages(
    client, officer, market, django_assert_max_num_queries
):
    for _ in range(5):
        _opened(market, officer)
    client.force_login(officer)

    # Session, user, roles, the count, the page of packages and the lots to filter by.
    with django_assert_max_num_queries(6):
        client.get(reverse("purchasing:package-list"))


def test_direct_award_records_an_off_framework_spot_purchase(client, manager, market):
    client.force_login(manager)

    response = client.post(
        reverse("purchasing:direct-award"),
        {
            "reason": "spot",
            "justification": "No admitted provider covers this locality for waking nights.",
            "buyer": market.council.pk,
            "supplier": market.providers[1].pk,
            **_date("start", timezone.localdate()),
            "months": "6",
            "weekly_value": "£1,200",
            "service_category": "supported_living",
        },
    )

    contract = Contract.objects.get()
    body = _followed(client, response)
    assert response["Location"] == contract.get_absolute_url()
    assert contract.kind == ContractKind.SPOT
    assert contract.weekly_value == Money("1200.00")
    assert "Off framework" in body
    assert "No admitted provider covers this locality" in body


def test_direct_award_refusal_shows_on_the_field_it_names(client, manager, market):
    client.force_login(manager)

    body = client.post(
        reverse("purchasing:direct-award"),
        {
            "reason": "spot",
            "justification": "No admitted provider covers this locality for waking nights.",
            "buyer": market.council.pk,
            "supplier": market.providers[1].pk,
            **_date("start", timezone.localdate()),
            "months": "6",
            "weekly_value": "1200",
            "service_category": "supported_living",
            "lot": market.lot.pk,
        },
    ).content.decode()

    assert Contract.objects.count() == 0
    assert '<a href="#id_lot">A spot purchase is off framework, so it has no lot.</a>' in body


@pytest.fixture
def contracts(market, system):
    """A call-off of £700 a week (£100 a day) and a spot purchase of £70 a week (£10 a
    day), both in force for the whole of 2025/26."""
    common = {"by": system, "buyer": market.council, "start": date(2025, 4, 1), "months": 12}
    on = create_contract(
        **common, kind=ContractKind.CALL_OFF, title="Call-off", supplier=market.providers[0],
        weekly_value=Money("700.00"), lot=market.lot,
    )  # fmt: skip
    off = create_contract(
        **common, kind=ContractKind.SPOT, title="Spot", supplier=market.providers[1],
        weekly_value=Money("70.00"), direct_award_reason="spot",
        justification="No admitted provider could start in time.",
    )  # fmt: skip
    return on, off


SPEND_2025 = {**_date("start", date(2025, 4, 1)), **_date("end", date(2026, 3, 31))}


def test_spend_report_shows_on_and_off_framework_totals(client, commissioner, contracts):
    client.force_login(commissioner)

    body = client.get(reverse("purchasing:spend-report"), SPEND_2025).content.decode()

    assert "£36,500.00" in body  # on framework: 365 days at £100
    assert "£3,650.00" in body  # off framework: 365 days at £10
    assert "£40,150.00" in body
    assert "9.1%" in body
    assert "April 2025" in body
    assert "Off framework" in body


def test_spend_report_defaults_to_the_current_financial_year(client, commissioner):
    client.force_login(commissioner)
    today = timezone.localdate()
    first_year = today.year if today.month >= 4 else today.year - 1

    body = client.get(reverse("purchasing:spend-report")).content.decode()

    assert f'name="start-year" type="text" inputmode="numeric" value="{first_year}"' in body
    assert f'name="end-year" type="text" inputmode="numeric" value="{first_year + 1}"' in body
    assert "No spend in this range" in body


def test_spend_report_with_a_bad_range_lists_the_problem(client, commissioner):
    client.force_login(commissioner)
    backwards = {**_date("start", date(2026, 3, 31)), **_date("end", date(2025, 4, 1))}

    body = client.get(reverse("purchasing:spend-report"), backwards).content.decode()
    csv_response = client.get(reverse("purchasing:spend-report-csv"), backwards)

    assert '<a href="#id_end">To must be the same as or after From.</a>' in body
    assert csv_response.status_code == 400


def test_spend_csv_downloads_each_month_lot_and_provider(client, officer, contracts):
    client.force_login(officer)

    response = client.get(reverse("purchasing:spend-report-csv"), SPEND_2025)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "committed-spend-2025-04-to-2026-03.csv" in response["Content-Disposition"]
    rows = list(csv.reader(response.content.decode().splitlines()))
    assert rows[0] == ["Month", "Lot or route", "Provider", "On framework", "Amount (GBP)"]
    assert ["2025-04", "Lot 1: Supported living", "Provider A", "yes", "3000.00"] in rows
    assert ["2025-04", "Off framework", "Provider B", "no", "300.00"] in rows
    assert len(rows) == 1 + 2 * 12


@pytest.mark.parametrize(
    ("role", "method", "name", "needs_package"),
    [
        ("commissioner", "get", "purchasing:package-create", False),
        ("commissioner", "post", "purchasing:package-open", True),
        ("commissioner", "post", "purchasing:package-award", True),
        ("officer", "get", "purchasing:approval-list", False),
        ("officer", "post", "purchasing:award-approve", True),
        ("officer", "post", "purchasing:award-reject", True),
        ("officer", "get", "purchasing:direct-award", False),
        ("provider_user", "get", "purchasing:package-list", False),
        ("provider_user", "get", "purchasing:package-detail", True),
        ("councillor", "get", "purchasing:contract-list", False),
        ("councillor", "get", "purchasing:spend-report", False),
        ("councillor", "get", "purchasing:spend-report-csv", False),
    ],
)
def test_wrong_role_is_forbidden(
    client, request, market, officer, role, method, name, needs_package
):
    args = [_opened(market, officer).reference] if needs_package else []
    client.force_login(request.getfixturevalue(role))

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "purchasing:package-list",
        "purchasing:package-create",
        "purchasing:approval-list",
        "purchasing:contract-list",
        "purchasing:direct-award",
        "purchasing:spend-report",
        "purchasing:spend-report-csv",
    ],
)
def test_anonymous_user_is_sent_to_sign_in(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:sign-in')}?next={url}"


def test_action_pages_take_only_posts(client, officer, market):
    package = _opened(market, officer)
    client.force_login(officer)

    response = client.get(reverse("purchasing:package-evaluate", args=[package.reference]))

    assert response.status_code == 405


def test_commissioner_reads_the_register_but_cannot_direct_award(client, commissioner, contracts):
    client.force_login(commissioner)
    on, _off = contracts

    register = client.get(reverse("purchasing:contract-list")).content.decode()
    detail = client.get(on.get_absolute_url())

    assert on.reference in register
    assert reverse("purchasing:direct-award") not in register
    assert detail.status_code == 200
