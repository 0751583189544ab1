"""The provider portal through Django's test client: a provider sees and changes only its
own organisation's records, and never the person behind a package request."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from placebook.contracts.models import ContractKind
from placebook.contracts.services import create_contract
from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.money import Money
from placebook.purchasing.models import (
    Application,
    ApplicationStatus,
    GateKind,
    GateOutcome,
    PackageRequest,
    Response,
)
from placebook.purchasing.services import applications as svc
from placebook.purchasing.services.packages import open_request
from tests.factories.core import AreaFactory
from tests.factories.market import build_market, request_package
from tests.integration.test_purchasing_commissioning_web import (
    ANSWERS,
    submit_application,
    with_questions,
)

pytestmark = pytest.mark.django_db

PERSON = {
    "given_name": "Philomena",
    "family_name": "Quartermaine",
    "nhs_number": "9434765919",
    "date_of_birth": date(1961, 7, 23),
    "postcode": "L20 3NJ",
}


@pytest.fixture
def market():
    return with_questions(build_market())


@pytest.fixture
def provider(market):
    """Provider A's user; provider_users[1] works for Provider B."""
    return market.provider_users[0]


@pytest.fixture
def package(market, officer):
    """A request for a named resident, sent to Provider A only."""
    with acting_as(SystemActor("test person")):
        for name, value in PERSON.items():
            setattr(market.person, name, value)
        market.person.save()
    package = request_package(
        market, officer, weekly_profile={"mon": 4, "tue": 4, "wed": 4, "thu": 4, "fri": 4}
    )
    open_request(
        by=officer,
        package=package,
        deadline=timezone.now() + timedelta(days=3),
        providers=[market.providers[0]],
    )
    package.refresh_from_db()
    return package


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"portal:{name}", args=args))


def _post(client, user, name, *args, data=None):
    client.force_login(user)
    return client.post(reverse(f"portal:{name}", args=args), data or {})


def _response_data(**changes):
    start = date.today() + timedelta(days=14)
    data = {
        "weekly_price": "575.50",
        "hourly_rate": "",
        "start_date-day": str(start.day),
        "start_date-month": str(start.month),
        "start_date-year": str(start.year),
        "proposal": "Two named support workers who live nearby.",
    }
    return data | changes


# Home ------------------------------------------------------------------------------------


def test_portal_is_for_provider_users_only(client, officer):
    assert client.get(reverse("portal:home")).status_code == 302
    client.force_login(officer)
    assert client.get(reverse("portal:home")).status_code == 403


def test_home_shows_only_the_providers_own_records(client, market, package, provider):
    with acting_as(SystemActor("test contract")):
        contract = create_contract(
            by=SystemActor("test contract"),
            kind=ContractKind.CALL_OFF,
            title="Supported living package",
            buyer=market.council,
            supplier=market.providers[0],
            start=date(2025, 6, 2),
            months=36,
            weekly_value=Money("550.00"),
            lot=market.lot,
        )
    submit_application(market, provider)

    body = _get(client, provider, "home").content.decode()
    assert package.reference in body
    assert timezone.localtime(package.response_deadline).strftime("%-d %B %Y, %H:%M") in body
    assert "Not sent" in body
    assert contract.reference in body
    assert "£550.00" in body
    assert "Lot 1: Supported living" in body  # its admission
    assert "Being evaluated" in body or "Submitted" in body  # its application

    other = _get(client, market.provider_users[1], "home").content.decode()
    assert package.reference not in other
    assert contract.reference not in other
    assert "You have not applied" in other


# Applications ----------------------------------------------------------------------------


def _decide_admitted(application, market, officer, commissioner, manager):
    for evaluator in (officer, commissioner):
        for criterion in application.evaluation_model.criteria.all():
            svc.score(by=evaluator, application=application, criterion=criterion, score=4,
                      comment="Clear evidence.")  # fmt: skip
    gate = application.evaluation_model.gates.get(kind=GateKind.INSURANCE)
    svc.record_gate(by=officer, application=application, gate=gate,
                    outcome=GateOutcome.PASSED, evidence="Certificate seen.")  # fmt: skip
    svc.decide(by=manager, application=application, admit_lots=[market.lot2],
               reasons="Strong answers on every heading.")  # fmt: skip


def test_provider_applies_submits_and_later_sees_the_decision(
    client, market, provider, officer, commissioner, manager
):
    form = _get(client, provider, "apply", market.system.key).content.decode()
    assert "Lot 2: Community support" in form

    started = _post(client, provider, "apply", market.system.key,
                    data={"lots": [market.lot2.pk]})  # fmt: skip
    application = Application.objects.get(provider=market.providers[0])
    assert started.url == reverse("portal:application", args=[application.pk])
    page = _get(client, provider, "application", application.pk).content.decode()
    assert "Q1: Question Q1: how will you meet the outcomes?" in page

    saved = _post(client, provider, "application", application.pk, data={"Q1": ANSWERS["Q1"]})
    assert saved.status_code == 302
    assert application.answers.get().text == ANSWERS["Q1"]

    north = AreaFactory(type="council_locality", name="North Sefton")
    assert "North Sefton" in _get(client, provider, "application", application.pk).content.decode()
    covered = _post(client, provider, "application-coverage", application.pk,
                    data={"localities": [north.pk], "capacity_hours_per_week": "80"})  # fmt: skip
    assert covered.status_code == 302
    application.refresh_from_db()
    assert list(application.localities.all()) == [north]
    assert application.capacity_hours_per_week == Decimal("80")
    refused = _post(client, provider, "application-coverage", application.pk,
                    data={"capacity_hours_per_week": "-1"})  # fmt: skip
    assert "Hours must be 0 or more." in refused.content.decode()

    upload = SimpleUploadedFile("policy.pdf", b"%PDF safeguarding", "application/pdf")
    uploaded = _post(client, provider, "application-upload", application.pk,
                     data={"document": upload})  # fmt: skip
    assert uploaded.status_code == 302
    assert application.documents.get().name == "policy.pdf"

    submitted = _post(client, provider, "application-submit", application.pk, data=ANSWERS)
    assert submitted.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert "Your application was submitted" in client.get(submitted.url).content.decode()

    _decide_admitted(application, market, officer, commissioner, manager)
    decided = _get(client, provider, "application", application.pk).content.decode()
    assert "Admitted" in decided
    assert "Strong answers on every heading." in decided
    assert "80 out of 100 (pass mark 50)" in decided
    assert "Clear evidence." not in decided  # evaluators' comments stay with the council


def test_apply_without_a_lot_is_summarised(client, market, provider):
    response = _post(client, provider, "apply", market.system.key, data={})
    body = response.content.decode()
    assert "There is a problem" in body
    assert '<a href="#id_lots">Select at least one lot to apply for.</a>' in body
    assert not Application.objects.exists()


def test_submitting_unanswered_questions_says_which(client, market, provider):
    application = svc.start_application(by=provider, system=market.system, lots=[market.lot2])
    response = _post(client, provider, "application-submit", application.pk,
                     data={"Q1": ANSWERS["Q1"]})  # fmt: skip
    body = response.content.decode()
    assert "There is a problem" in body
    assert "not answered: IN1" in body
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.answers.get().text == ANSWERS["Q1"]  # saved all the same


def test_oversized_document_is_refused_before_it_is_read(client, market, provider):
    application = svc.start_application(by=provider, system=market.system, lots=[market.lot2])
    upload = SimpleUploadedFile("huge.pdf", b"x" * (10 * 1024 * 1024 + 1), "application/pdf")
    response = _post(client, provider, "application-upload", application.pk,
                     data={"document": upload})  # fmt: skip
    assert "The selected document must be smaller than 10 MB." in response.content.decode()
    assert not application.documents.exists()


def test_provider_cannot_reach_another_providers_application(client, market, provider):
    application = submit_application(market, provider)
    document = application.documents.get()
    other = market.provider_users[1]
    assert _get(client, other, "application", application.pk).status_code == 404
    assert _post(client, other, "application", application.pk, data=ANSWERS).status_code == 404
    assert _post(client, other, "application-submit", application.pk).status_code == 404
    upload = SimpleUploadedFile("x.pdf", b"x", "application/pdf")
    assert (
        _post(
            client, other, "application-upload", application.pk, data={"document": upload}
        ).status_code
        == 404
    )
    download = reverse("purchasing:application-document", args=[application.pk, document.pk])
    assert client.get(download).status_code == 404


# Package requests ------------------------------------------------------------------------


def test_request_page_shows_the_package_but_never_the_person(client, package, provider):
    response = _get(client, provider, "request", package.reference)
    body = response.content.decode()
    assert response.status_code == 200
    deadline = timezone.localtime(package.response_deadline).strftime("%-d %B %Y, %H:%M")
    for shown in [package.reference, "Lot 1: Supported living", package.locality.name,
                  "Monday", "Support to cook, shop and keep a tenancy", deadline]:  # fmt: skip
        assert shown in body
    person = package.person
    for hidden in [person.given_name, person.family_name, person.full_name, person.reference,
                   "943 476 5919", person.nhs_number, "1961", person.postcode]:  # fmt: skip
        assert hidden not in body


def test_uninvited_request_is_not_found(client, market, package):
    other = market.provider_users[1]
    assert _get(client, other, "request", package.reference).status_code == 404
    response = _post(client, other, "request", package.reference, data=_response_data())
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_provider_sends_a_response(client, market, package, provider):
    sent = _post(client, provider, "request", package.reference, data=_response_data())
    assert sent.status_code == 302
    response = Response.objects.get(package=package)
    assert response.provider == market.providers[0]
    assert response.weekly_price == Money("575.50")
    assert response.hourly_rate is None
    assert response.start_date == date.today() + timedelta(days=14)
    page = client.get(sent.url).content.decode()
    assert f"Your response to {package.reference} was sent." in page
    assert "You sent a response" in page
    assert 'value="575.50"' in page  # the form offers the response to change


def test_late_response_shows_the_deadline(client, package, provider):
    closed = timezone.now() - timedelta(hours=1)
    with acting_as(SystemActor("test clock")):
        PackageRequest.objects.filter(pk=package.pk).update(response_deadline=closed)
    response = _post(client, provider, "request", package.reference, data=_response_data())
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f"Responses to {package.reference} closed at" in body
    assert "so it cannot be accepted" in body
    assert not Response.objects.exists()


def test_response_form_errors_name_the_field(client, package, provider):
    data = _response_data(weekly_price="six hundred", hourly_rate="0", **{"start_date-month": ""})
    body = _post(client, provider, "request", package.reference, data=data).content.decode()
    assert "Weekly price must be an amount in pounds and pence, like 600.00." in body
    assert "Hourly rate must be more than £0.00." in body
    assert '<a href="#id_start_date">Start date must include a month.</a>' in body
    assert not Response.objects.exists()
