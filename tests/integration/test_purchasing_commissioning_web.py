"""Commissioners' purchasing pages through Django's test client: systems, lots and the
published evaluation model for everyone; applications, scoring, moderation and decisions
for council staff only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.purchasing.models import (
    Admission,
    ApplicationStatus,
    Criterion,
    Gate,
    GateKind,
    Heading,
    Lot,
    SystemStatus,
)
from placebook.purchasing.services import applications as svc
from tests.factories.market import build_market
from tests.factories.purchasing import PurchasingSystemFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "Q1": "Our support workers stay with each tenant for years.",
    "SV1": "We recruit locally and pay the Real Living Wage.",
    "IN1": "Assistive technology agreed with each tenant.",
}


def with_questions(market):
    """build_market's open system, with a question under each heading scored on
    application, an insurance gate an evaluator checks, and a second lot to apply for."""
    with acting_as(SystemActor("test questions")):
        for code, heading in [
            ("Q1", Heading.QUALITY),
            ("SV1", Heading.SOCIAL_VALUE),
            ("IN1", Heading.INNOVATION),
        ]:
            Criterion.objects.create(
                model=market.model,
                code=code,
                heading=heading,
                question=f"Question {code}: how will you meet the outcomes?",
                weight=Decimal(100),
            )
        Gate.objects.create(model=market.model, kind=GateKind.INSURANCE)
        market.lot2 = Lot.objects.create(
            system=market.system, number=2, name="Community support", category="community_support"
        )
    return market


@pytest.fixture
def market():
    return with_questions(build_market())


def submit_application(market, provider_user):
    """The provider's application for lot 2, answered, with one document, submitted."""
    application = svc.start_application(by=provider_user, system=market.system, lots=[market.lot2])
    svc.save_answers(by=provider_user, application=application, answers=ANSWERS)
    svc.attach_document(
        by=provider_user,
        application=application,
        name="insurance certificate.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4 certificate",
    )
    return svc.submit_application(by=provider_user, application=application)


@pytest.fixture
def applied(market):
    return submit_application(market, market.provider_users[0])


def _post(client, user, name, application, data):
    client.force_login(user)
    return client.post(reverse(f"purchasing:{name}", args=[application.pk]), data)


def _criterion(application, code):
    return application.evaluation_model.criteria.get(code=code).pk


# Purchasing systems ----------------------------------------------------------------------


def test_system_list_shows_published_systems_and_the_regime_note(client, market):
    draft = PurchasingSystemFactory(status=SystemStatus.DRAFT, name="Unpublished Draft System")
    body = client.get(reverse("purchasing:system-list")).content.decode()
    assert market.system.name in body
    assert draft.name not in body
    assert "Dynamic market (Procurement Act 2023)" in body
    assert "24 February 2025" in body
    assert "Provider Selection Regime" in body
    assert "Open for applications" in body


def test_system_list_shows_drafts_to_commissioners(client, market, commissioner):
    draft = PurchasingSystemFactory(status=SystemStatus.DRAFT, name="Unpublished Draft System")
    client.force_login(commissioner)
    assert draft.name in client.get(reverse("purchasing:system-list")).content.decode()


def test_system_list_queries_do_not_grow_with_systems(client, market, django_assert_num_queries):
    PurchasingSystemFactory.create_batch(3)
    with django_assert_num_queries(1):
        client.get(reverse("purchasing:system-list"))


def test_draft_system_detail_is_not_found_for_the_public(client, market):
    draft = PurchasingSystemFactory(status=SystemStatus.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_system_detail_publishes_lots_admissions_and_evaluation_model(client, applied, market):
    response = client.get(market.system.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Lot 1: Supported living",
        "Lot 2: Community support",
        "Provider A",
        "Provider C",
        "Question Q1: how will you meet the outcomes?",
        "Insurance cover held",
        "Applications received",
    ]:
        assert text in body
    assert ">Quality</th>" in body
    assert "score at least 50 out of 100" in body
    # The public sees neither the applications nor the commissioner's buttons.
    assert reverse("purchasing:application-list", args=[market.system.key]) not in body
    assert reverse("purchasing:system-close", args=[market.system.key]) not in body


def test_system_detail_gives_commissioners_buttons_and_applications(client, market, commissioner):
    client.force_login(commissioner)
    body = client.get(market.system.get_absolute_url()).content.decode()
    assert reverse("purchasing:system-close", args=[market.system.key]) in body
    assert reverse("purchasing:application-list", args=[market.system.key]) in body


def test_commissioner_closes_and_reopens_a_system(client, market, commissioner):
    client.force_login(commissioner)
    response = client.post(
        reverse("purchasing:system-close", args=[market.system.key]), follow=True
    )
    market.system.refresh_from_db()
    assert market.system.status == SystemStatus.CLOSED
    assert "is closed to new applications" in response.content.decode()
    client.post(reverse("purchasing:system-open", args=[market.system.key]))
    market.system.refresh_from_db()
    assert market.system.status == SystemStatus.OPEN


def test_opening_a_system_without_lots_shows_the_refusal(client, commissioner):
    draft = PurchasingSystemFactory(status=SystemStatus.DRAFT)
    client.force_login(commissioner)
    response = client.post(reverse("purchasing:system-open", args=[draft.key]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "cannot open: no published evaluation model and no lots" in body
    draft.refresh_from_db()
    assert draft.status == SystemStatus.DRAFT


def test_system_open_is_for_commissioners_only(client, market, officer):
    url = reverse("purchasing:system-close", args=[market.system.key])
    assert client.post(url).status_code == 302  # the public is sent to sign in
    client.force_login(officer)
    assert client.post(url).status_code == 403
    market.system.refresh_from_db()
    assert market.system.status == SystemStatus.OPEN


# Applications ----------------------------------------------------------------------------


def test_public_cannot_see_applications(client, applied, market, councillor):
    list_url = reverse("purchasing:application-list", args=[market.system.key])
    assert client.get(list_url).status_code == 302
    assert client.get(applied.get_absolute_url()).status_code == 302
    client.force_login(councillor)
    assert client.get(list_url).status_code == 403
    assert client.get(applied.get_absolute_url()).status_code == 403


def test_provider_users_read_their_application_in_the_portal_not_here(client, applied, market):
    client.force_login(market.provider_users[0])
    assert client.get(applied.get_absolute_url()).status_code == 403


def test_application_list_shows_submitted_applications_not_drafts(client, applied, market, officer):
    svc.start_application(by=market.provider_users[1], system=market.system, lots=[market.lot2])
    client.force_login(officer)
    body = client.get(
        reverse("purchasing:application-list", args=[market.system.key])
    ).content.decode()
    assert "Provider A" in body
    assert "Provider B" not in body
    assert applied.get_absolute_url() in body


def test_application_detail_shows_answers_documents_and_gates(client, applied, officer):
    client.force_login(officer)
    body = client.get(applied.get_absolute_url()).content.decode()
    assert ANSWERS["Q1"] in body
    assert "insurance certificate.pdf" in body
    assert "Awaiting an evaluator" in body
    assert "Submitted" in body
    assert "Not ready to decide" in body


def test_two_evaluators_moderation_and_decision_through_the_pages(
    client, applied, market, officer, commissioner, manager
):
    for evaluator, scores in [(officer, {"Q1": 4, "SV1": 4, "IN1": 4}),
                              (commissioner, {"Q1": 1, "SV1": 4, "IN1": 3})]:  # fmt: skip
        for code, value in scores.items():
            response = _post(client, evaluator, "application-score", applied, {
                "criterion": _criterion(applied, code), "score": value,
                "comment": f"Evidence for {code} read.",
            })  # fmt: skip
            assert response.status_code == 302
    body = client.get(applied.get_absolute_url()).content.decode()
    assert "Questions not yet agreed" in body
    assert "4, 1 (further apart than 1)" in body or "1, 4 (further apart than 1)" in body
    assert "Evidence for SV1 read." in body

    gate = applied.evaluation_model.gates.get(kind=GateKind.INSURANCE)
    _post(client, officer, "application-gate", applied, {
        "gate": gate.pk, "outcome": "passed", "evidence": "Certificate to March 2027 seen.",
    })  # fmt: skip

    early = _post(client, manager, "application-decide", applied, {
        "admit_lots": [market.lot2.pk], "reasons": "Good answers.",
    })  # fmt: skip
    assert "cannot be decided yet" in early.content.decode()

    moderated = _post(client, manager, "application-moderate", applied, {
        "moderated_criterion": _criterion(applied, "Q1"), "agreed_score": "3",
        "note": "Agreed at the moderation meeting.",
    })  # fmt: skip
    assert moderated.status_code == 302

    decided = _post(client, manager, "application-decide", applied, {
        "admit_lots": [market.lot2.pk], "reasons": "Strong answers on every heading.",
    })  # fmt: skip
    assert decided.status_code == 302
    applied.refresh_from_db()
    assert applied.status == ApplicationStatus.DECIDED
    assert applied.decision_reasons == "Strong answers on every heading."
    assert Admission.objects.filter(lot=market.lot2, provider=applied.provider).exists()
    page = client.get(decided.url).content.decode()
    assert "The decision was recorded and sent to the provider." in page
    assert "Strong answers on every heading." in page


def test_score_form_errors_are_summarised(client, applied, officer):
    response = _post(client, officer, "application-score", applied, {"criterion": "", "score": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert '<a href="#id_score">Enter a score.</a>' in body
    assert "Select the question you are scoring." in body


def test_service_refusal_is_summarised(client, applied, officer):
    response = _post(client, officer, "application-score", applied, {
        "criterion": _criterion(applied, "Q1"), "score": 9, "comment": "Too high.",
    })  # fmt: skip
    assert "must be a whole number from 0 to 5" in response.content.decode()
    assert not applied.scores.exists()


def test_evaluator_may_not_moderate_a_question_they_scored(client, applied, commissioner, officer):
    for evaluator, value in [(officer, 5), (commissioner, 1)]:
        _post(client, evaluator, "application-score", applied, {
            "criterion": _criterion(applied, "Q1"), "score": value, "comment": "Read.",
        })  # fmt: skip
    response = _post(client, commissioner, "application-moderate", applied, {
        "moderated_criterion": _criterion(applied, "Q1"), "agreed_score": "3", "note": "Mine.",
    })  # fmt: skip
    assert "may not moderate it" in response.content.decode()
    assert not applied.moderated_scores.exists()


def test_officer_may_not_decide(client, applied, market, officer):
    response = _post(client, officer, "application-decide", applied, {
        "admit_lots": [market.lot2.pk], "reasons": "Mine to decide?",
    })  # fmt: skip
    assert response.status_code == 403


def test_document_download_for_staff_and_the_owning_provider_only(client, applied, market, officer):
    document = applied.documents.get()
    url = reverse("purchasing:application-document", args=[applied.pk, document.pk])
    assert client.get(url).status_code == 302
    for user in [officer, market.provider_users[0]]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == b"%PDF-1.4 certificate"
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "insurance certificate.pdf" in response["Content-Disposition"]
    client.force_login(market.provider_users[1])
    assert client.get(url).status_code == 404
