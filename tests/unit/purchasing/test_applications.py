import re
from decimal import Decimal

import pytest

from placebook.core.models import AuditEvent, Role
from placebook.core.permissions import PermissionDenied
from placebook.purchasing.models import (
    Admission,
    ApplicationStatus,
    CqcRatingValue,
    Criterion,
    GateKind,
    GateOutcome,
    Heading,
    SystemStatus,
)
from placebook.purchasing.services import applications as svc
from placebook.purchasing.services.errors import (
    AdmissionRefused,
    ApplicationIncomplete,
    ConflictOfInterest,
    DocumentTooLarge,
    EvaluationModelFrozen,
    EvaluationModelInvalid,
    NotReadyToDecide,
    PurchasingError,
    WrongStatus,
)
from tests.factories.core import AreaFactory, CareProviderFactory, user_with_role
from tests.factories.purchasing import (
    ApplicationAdmissionFactory,
    DraftEvaluationModelFactory,
    EvaluationCriterionFactory,
    EvaluationGateFactory,
    EvaluationLotFactory,
    EvaluationSystemFactory,
    ProviderCqcRatingFactory,
)

pytestmark = pytest.mark.django_db

# Quality 60, social value 20, innovation 10, price 10 (scored at call-off); pass mark 50.
CRITERIA = [
    ("Q1", Heading.QUALITY, "60"),
    ("Q2", Heading.QUALITY, "40"),
    ("SV1", Heading.SOCIAL_VALUE, "100"),
    ("IN1", Heading.INNOVATION, "100"),
]
ANSWERS = {code: f"Our answer to {code}." for code, _, _ in CRITERIA}


@pytest.fixture
def market(commissioner):
    """An open system with two lots and a published model: four criteria, two automatic
    gates and one manual (insurance)."""
    system = EvaluationSystemFactory()
    lots = [EvaluationLotFactory(system=system, number=n) for n in (1, 2)]
    model = DraftEvaluationModelFactory(system=system)
    for code, heading, weight in CRITERIA:
        EvaluationCriterionFactory(model=model, code=code, heading=heading, weight=Decimal(weight))
    for kind in (GateKind.CQC_REGISTERED, GateKind.CQC_NOT_INADEQUATE, GateKind.INSURANCE):
        EvaluationGateFactory(model=model, kind=kind)
    svc.publish_evaluation_model(by=commissioner, model=model)
    svc.open_system(by=commissioner, system=system)
    system.refresh_from_db()
    return system, lots, model


@pytest.fixture
def provider(provider_user):
    organisation = provider_user.organisation
    organisation.cqc_provider_id = "1-101234567"
    organisation.save()
    ProviderCqcRatingFactory(provider=organisation, rating=CqcRatingValue.GOOD)
    return organisation


@pytest.fixture
def second_officer(db):
    return user_with_role(Role.COUNCIL_OFFICER, username="officer2")


def _criteria(model) -> dict[str, Criterion]:
    return {c.code: c for c in model.criteria.all()}


def _submitted(provider_user, market, lots=None):
    system, all_lots, _model = market
    application = svc.start_application(by=provider_user, system=system, lots=lots or all_lots)
    svc.save_answers(by=provider_user, application=application, answers=ANSWERS)
    return svc.submit_application(by=provider_user, application=application)


def _score_all(application, evaluator, scores: dict[str, int]):
    criteria = _criteria(application.evaluation_model)
    for code, value in scores.items():
        svc.score(
            by=evaluator, application=application, criterion=criteria[code], score=value,
            comment=f"Evidence for {code} read.",
        )  # fmt: skip


def _pass_insurance(application, evaluator):
    gate = application.evaluation_model.gates.get(kind=GateKind.INSURANCE)
    svc.record_gate(
        by=evaluator, application=application, gate=gate, outcome=GateOutcome.PASSED,
        evidence="Public liability certificate to March 2026 seen.",
    )  # fmt: skip


def _decision_letters(application):
    return AuditEvent.objects.for_object(application).filter(verb="decision letter")


# The whole journey -----------------------------------------------------------------------


def test_application_admitted_after_two_evaluators_agree(
    provider_user, provider, market, officer, commissioner, manager
):
    _system, lots, _model = market
    application = svc.start_application(by=provider_user, system=market[0], lots=lots)
    north = AreaFactory(type="council_locality", name="North")
    svc.set_coverage(by=provider_user, application=application, localities=[north],
                     capacity_hours_per_week=Decimal("120"))  # fmt: skip
    svc.save_answers(by=provider_user, application=application, answers=ANSWERS)
    svc.submit_application(by=provider_user, application=application)
    with pytest.raises(PurchasingError, match="change where it works"):
        svc.set_coverage(by=provider_user, application=application, localities=[],
                         capacity_hours_per_week=None)  # fmt: skip
    gates = {c.gate.kind: c.outcome for c in application.gate_checks.all()}
    assert gates == {
        GateKind.CQC_REGISTERED: GateOutcome.PASSED,
        GateKind.CQC_NOT_INADEQUATE: GateOutcome.PASSED,
        GateKind.INSURANCE: GateOutcome.UNKNOWN,
    }

    _pass_insurance(application, officer)
    _score_all(application, officer, {"Q1": 4, "Q2": 4, "SV1": 3, "IN1": 5})
    _score_all(application, commissioner, {"Q1": 4, "Q2": 3, "SV1": 3, "IN1": 4})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EVALUATING
    assert svc.moderation_needed(application) == []

    outcome = svc.result(application)
    # Quality: 60 x (60% x 4/5 + 40% x 3.5/5) = 45.6; social value 20 x 3/5 = 12;
    # innovation 10 x 4.5/5 = 9. Total 66.6 of 90, so 74 of 100.
    assert outcome.points == {
        "quality": Decimal("45.60"),
        "social_value": Decimal("12.00"),
        "innovation": Decimal("9.00"),
    }
    assert outcome.total == Decimal("66.60")
    assert outcome.score == Decimal("74.00")
    assert outcome.ready
    assert outcome.passes_mark
    assert outcome.gates_passed

    svc.decide(
        by=manager, application=application, admit_lots=[lots[0]],
        reasons="Strong on outcomes; lot 2 is full in this provider's localities.",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    assert application.decided_by == manager
    assert application.decision_sent_at == application.decided_at
    admission = Admission.objects.get(provider=provider)
    assert admission.lot == lots[0]
    assert admission.application == application
    assert (admission.quality_score, admission.social_value_score, admission.innovation_score) == (
        Decimal("45.60"), Decimal("12.00"), Decimal("9.00"),
    )  # fmt: skip
    # Where it works and how much it can take come with it, for brokers' requests.
    assert list(admission.localities.all()) == [north]
    assert admission.capacity_hours_per_week == Decimal("120")
    assert list(svc.admitted(lots[0], locality=north, hours=Decimal("100"))) == [admission]
    assert not svc.admitted(lots[0], hours=Decimal("121")).exists()
    assert not svc.admitted(lots[1]).exists()

    letter = _decision_letters(application).get()
    assert letter.actor == manager
    body = letter.changes["letter"]
    assert body["to"] == provider.name
    assert body["admitted_lots"] == [str(lots[0])]
    assert body["refused_lots"] == [str(lots[1])]
    assert "lot 2 is full" in body["text"]

    seen = svc.applications_for(provider_user).get()
    assert seen.decision_reasons.startswith("Strong on outcomes")


# Moderation ------------------------------------------------------------------------------


def test_scores_further_apart_than_the_gap_need_moderation(
    provider_user, provider, market, officer, commissioner, manager
):
    application = _submitted(provider_user, market)
    _pass_insurance(application, officer)
    _score_all(application, officer, {"Q1": 5, "Q2": 3, "SV1": 3, "IN1": 3})
    _score_all(application, commissioner, {"Q1": 2, "Q2": 3, "SV1": 4, "IN1": 3})

    needed = svc.moderation_needed(application)
    assert [(c.code, sorted(s.score for s in scores)) for c, scores in needed] == [("Q1", [2, 5])]
    assert not svc.result(application).ready
    with pytest.raises(NotReadyToDecide, match="Q1: scores 2, 5 differ"):
        svc.decide(by=manager, application=application, admit_lots=[], reasons="Too early.")

    q1 = _criteria(application.evaluation_model)["Q1"]
    with pytest.raises(ConflictOfInterest, match="commissioner scored Q1"):
        svc.moderate(by=commissioner, application=application, criterion=q1, score=4, note="x")
    svc.moderate(
        by=manager, application=application, criterion=q1, score=Decimal("3.5"),
        note="Evidence of outcomes strong; staffing plan thin.",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == ApplicationStatus.MODERATING
    assert svc.moderation_needed(application) == []
    agreed = {row.criterion.code: row.agreed for row in svc.result(application).criteria}
    assert agreed["Q1"] == Decimal("3.5")

    # Once moderated, a question's scores are closed.
    with pytest.raises(PurchasingError, match=r"Q1 on application \d+ has been moderated"):
        _score_all(application, officer, {"Q1": 4})


def test_questions_with_fewer_than_two_scores_need_another_evaluator(
    provider_user, provider, market, officer, manager
):
    application = _submitted(provider_user, market)
    _score_all(application, officer, {"Q1": 3})

    needed = {c.code: len(scores) for c, scores in svc.moderation_needed(application)}
    assert needed == {"Q1": 1, "Q2": 0, "SV1": 0, "IN1": 0}
    assert "Q1: 1 of the 2 evaluators' scores needed" in svc.result(application).missing
    q1 = _criteria(application.evaluation_model)["Q1"]
    with pytest.raises(NotReadyToDecide, match="two are needed before moderation"):
        svc.moderate(by=manager, application=application, criterion=q1, score=3, note="x")


# Gates -----------------------------------------------------------------------------------


def test_inadequate_rating_fails_the_gate_and_the_application_is_refused_with_reasons(
    provider_user, provider, market, officer, commissioner, manager
):
    ProviderCqcRatingFactory(
        provider=provider, rating=CqcRatingValue.INADEQUATE, rated_on="2025-01-10"
    )
    application = _submitted(provider_user, market)
    check = application.gate_checks.get(gate__kind=GateKind.CQC_NOT_INADEQUATE)
    assert check.outcome == GateOutcome.FAILED
    assert "Inadequate, published 2025-01-10" in check.evidence

    _pass_insurance(application, officer)
    _score_all(application, officer, {"Q1": 5, "Q2": 5, "SV1": 5, "IN1": 5})
    _score_all(application, commissioner, {"Q1": 5, "Q2": 5, "SV1": 5, "IN1": 5})
    with pytest.raises(AdmissionRefused, match="failed CQC rating not Inadequate"):
        svc.decide(by=manager, application=application, admit_lots=[market[1][0]], reasons="x")
    assert not Admission.objects.exists()

    with pytest.raises(PurchasingError, match="reasons: required"):
        svc.decide(by=manager, application=application, admit_lots=[], reasons="  ")
    svc.decide(
        by=manager, application=application, admit_lots=[],
        reasons="Rated Inadequate by the CQC in January 2025.",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    assert not Admission.objects.exists()
    body = _decision_letters(application).get().changes["letter"]
    assert body["admitted_lots"] == []
    assert body["gates"][GateKind.CQC_NOT_INADEQUATE] == GateOutcome.FAILED
    assert "has not been successful" in body["text"]
    assert "Rated Inadequate by the CQC" in body["text"]


def test_no_cqc_rating_leaves_the_gate_unknown_until_an_evaluator_records_it(
    provider_user, market, officer
):
    application = _submitted(provider_user, market)
    checks = {c.gate.kind: c for c in application.gate_checks.all()}
    assert checks[GateKind.CQC_REGISTERED].outcome == GateOutcome.FAILED
    unrated = checks[GateKind.CQC_NOT_INADEQUATE]
    assert unrated.outcome == GateOutcome.UNKNOWN
    assert "No CQC rating is held" in unrated.evidence
    assert "gate CQC rating not Inadequate: not yet checked" in svc.result(application).missing

    registered = checks[GateKind.CQC_REGISTERED].gate
    with pytest.raises(PurchasingError, match="correct the data instead"):
        svc.record_gate(
            by=officer, application=application, gate=registered, outcome=GateOutcome.PASSED,
            evidence="Seen on the CQC register.",
        )  # fmt: skip
    svc.record_gate(
        by=officer, application=application, gate=unrated.gate, outcome=GateOutcome.PASSED,
        evidence="CQC register: rated Good on 1 May 2025.",
    )  # fmt: skip
    unrated.refresh_from_db()
    assert (unrated.outcome, unrated.automatic) == (GateOutcome.PASSED, False)


# Submission ------------------------------------------------------------------------------


def test_submit_names_the_missing_answers(provider_user, provider, market):
    system, lots, _model = market
    application = svc.start_application(by=provider_user, system=system, lots=lots)
    svc.save_answers(by=provider_user, application=application, answers={"Q1": "Yes.", "Q2": " "})
    with pytest.raises(ApplicationIncomplete) as exc:
        svc.submit_application(by=provider_user, application=application)
    message = str(exc.value)
    assert "Q2 (" in message
    assert "SV1 (" in message
    assert "IN1 (" in message
    assert "Q1 (" not in message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_without_a_lot_is_refused(provider_user, provider, market):
    application = svc.start_application(by=provider_user, system=market[0], lots=[])
    svc.save_answers(by=provider_user, application=application, answers=ANSWERS)
    with pytest.raises(ApplicationIncomplete, match="no lot chosen"):
        svc.submit_application(by=provider_user, application=application)


def test_answers_to_unknown_questions_are_refused(provider_user, market):
    application = svc.start_application(by=provider_user, system=market[0], lots=market[1])
    with pytest.raises(PurchasingError, match="answers: Q9 not a question"):
        svc.save_answers(by=provider_user, application=application, answers={"Q9": "?"})


def test_attach_document_keeps_the_bytes(provider_user, market):
    application = svc.start_application(by=provider_user, system=market[0], lots=market[1])
    document = svc.attach_document(
        by=provider_user, application=application, name="insurance.pdf",
        content_type="application/pdf", content=b"%PDF-1.7 certificate",
    )  # fmt: skip
    document.refresh_from_db()
    assert bytes(document.content) == b"%PDF-1.7 certificate"
    assert AuditEvent.objects.for_object(document).get().changes["content"] == {"redacted": True}


def test_document_over_ten_megabytes_is_refused(provider_user, market):
    application = svc.start_application(by=provider_user, system=market[0], lots=market[1])
    with pytest.raises(
        DocumentTooLarge, match=re.escape("policy.pdf is 10.0 MB; the limit is 10 MB")
    ):
        svc.attach_document(
            by=provider_user, application=application, name="policy.pdf",
            content_type="application/pdf", content=b"x" * (10 * 1024 * 1024 + 1),
        )  # fmt: skip
    assert not application.documents.exists()


def test_lots_of_another_system_are_refused(provider_user, market):
    stray = EvaluationLotFactory(number=7)
    with pytest.raises(PurchasingError, match="lots: Lot 7"):
        svc.start_application(by=provider_user, system=market[0], lots=[stray])


def test_closed_system_refuses_applications(provider_user, market, commissioner):
    system = svc.close_system(by=commissioner, system=market[0])
    assert system.status == SystemStatus.CLOSED
    with pytest.raises(WrongStatus, match="closed to new applications, not open"):
        svc.start_application(by=provider_user, system=system, lots=market[1])


def test_closing_refuses_the_submission_of_a_draft(provider_user, market, commissioner):
    application = svc.start_application(by=provider_user, system=market[0], lots=market[1])
    svc.save_answers(by=provider_user, application=application, answers=ANSWERS)
    svc.close_system(by=commissioner, system=market[0])
    with pytest.raises(WrongStatus, match="not open for applications"):
        svc.submit_application(by=provider_user, application=application)


def test_staff_cannot_start_an_application(officer, market):
    with pytest.raises(PermissionDenied):
        svc.start_application(by=officer, system=market[0], lots=market[1])


# Who may see and judge -------------------------------------------------------------------


def test_provider_cannot_see_or_change_another_providers_application(
    provider_user, provider, market
):
    application = _submitted(provider_user, market)
    other = user_with_role(Role.PROVIDER_USER, username="rival")
    assert not svc.applications_for(other).exists()
    assert list(svc.applications_for(provider_user)) == [application]
    rival_draft = svc.start_application(by=other, system=market[0], lots=market[1])
    with pytest.raises(PermissionDenied):
        svc.save_answers(by=provider_user, application=rival_draft, answers=ANSWERS)


def test_staff_see_submitted_applications_not_drafts_and_councillors_none(
    provider_user, provider, market, officer, councillor
):
    submitted = _submitted(provider_user, market)
    svc.start_application(
        by=user_with_role(Role.PROVIDER_USER, username="rival"), system=market[0], lots=market[1]
    )
    assert list(svc.applications_for(officer)) == [submitted]
    assert not svc.applications_for(councillor).exists()


def test_evaluator_from_the_providers_own_organisation_is_refused(provider_user, provider, market):
    application = _submitted(provider_user, market)
    conflicted = user_with_role(Role.COUNCIL_OFFICER, username="seconded", organisation=provider)
    with pytest.raises(ConflictOfInterest, match="seconded works for"):
        _score_all(application, conflicted, {"Q1": 5})
    assert not application.scores.exists()


def test_scores_must_be_in_range_with_a_comment(provider_user, provider, market, officer):
    application = _submitted(provider_user, market)
    q1 = _criteria(application.evaluation_model)["Q1"]
    with pytest.raises(PurchasingError, match="score: 6 for Q1 must be a whole number from 0 to 5"):
        svc.score(by=officer, application=application, criterion=q1, score=6, comment="Good.")
    with pytest.raises(PurchasingError, match="comment: required"):
        svc.score(by=officer, application=application, criterion=q1, score=3, comment="")


def test_admission_below_the_pass_mark_is_refused(
    provider_user, provider, market, officer, commissioner, manager
):
    application = _submitted(provider_user, market)
    _pass_insurance(application, officer)
    for evaluator in (officer, commissioner):
        _score_all(application, evaluator, {"Q1": 2, "Q2": 2, "SV1": 2, "IN1": 2})
    with pytest.raises(AdmissionRefused, match="scored 40 of 100, below the pass mark of 50"):
        svc.decide(by=manager, application=application, admit_lots=market[1], reasons="x")


# The evaluation model and the system -----------------------------------------------------


def test_publish_refuses_weights_that_do_not_sum_to_100(commissioner):
    model = DraftEvaluationModelFactory(quality_weight=Decimal("70"))
    EvaluationCriterionFactory(model=model, code="Q1", weight=Decimal("60"))
    EvaluationCriterionFactory(model=model, code="SV1", heading=Heading.SOCIAL_VALUE)
    with pytest.raises(EvaluationModelInvalid) as exc:
        svc.publish_evaluation_model(by=commissioner, model=model)
    message = str(exc.value)
    assert "heading weights sum to 110, not 100" in message
    assert "Quality criteria (Q1) weigh 60% of the heading, not 100%" in message
    assert "Innovation is weighted 10 but has no criteria" in message
    model.refresh_from_db()
    assert model.published_at is None


def test_published_model_is_frozen_and_a_new_version_copies_it(commissioner, market):
    system, _lots, model = market
    with pytest.raises(EvaluationModelFrozen, match="make a new version"):
        svc.save_evaluation_model(by=commissioner, model=model, pass_mark=Decimal("60"))
    with pytest.raises(EvaluationModelFrozen):
        svc.save_criterion(
            by=commissioner, model=model, code="Q1", heading=Heading.QUALITY, question="?",
            weight=Decimal("50"),
        )  # fmt: skip

    copy = svc.new_evaluation_model_version(by=commissioner, system=system)
    assert copy.version == 2
    assert copy.published_at is None
    assert sorted(copy.criteria.values_list("code", flat=True)) == ["IN1", "Q1", "Q2", "SV1"]
    assert copy.gates.count() == 3
    svc.save_evaluation_model(by=commissioner, model=copy, pass_mark=Decimal("60"))
    svc.publish_evaluation_model(by=commissioner, model=copy)
    assert svc.current_evaluation_model(system) == copy
    publish = AuditEvent.objects.for_object(copy).get(verb="publish")
    assert publish.changes["rules"]["pass_mark"] == "60"


def test_open_system_needs_a_published_model_and_a_lot(commissioner, officer):
    system = EvaluationSystemFactory()
    DraftEvaluationModelFactory(system=system)
    with pytest.raises(PurchasingError, match="no published evaluation model and no lots"):
        svc.open_system(by=commissioner, system=system)
    with pytest.raises(PermissionDenied):
        svc.open_system(by=officer, system=system)


# Admitted providers ----------------------------------------------------------------------


def test_admitted_filters_by_locality_and_capacity():
    lot = EvaluationLotFactory()
    north, south = AreaFactory(name="North Sefton"), AreaFactory(name="South Sefton")
    everywhere = ApplicationAdmissionFactory(lot=lot, provider=CareProviderFactory(name="A"))
    north_only = ApplicationAdmissionFactory(
        lot=lot, provider=CareProviderFactory(name="B"), capacity_hours_per_week=Decimal("10")
    )
    north_only.localities.set([north])
    ApplicationAdmissionFactory(lot=lot, status="suspended")

    assert list(svc.admitted(lot)) == [everywhere, north_only]
    assert list(svc.admitted(lot, locality=south)) == [everywhere]
    assert list(svc.admitted(lot, locality=north, hours=Decimal("20"))) == [everywhere]
    assert list(svc.admitted(lot, locality=north, hours=Decimal("10"))) == [everywhere, north_only]
