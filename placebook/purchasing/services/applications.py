"""Providers joining a purchasing system: the evaluation model, the application, its gates,
scoring, moderation, the decision and the admissions it makes.

Seed 003: "evaluation of providers will be weighted around a quality score, including social
value and innovation". Price carries a weight in the model but is scored at each call-off,
so an application is scored on the other headings only and its pass mark is out of 100 for
them. The points won under each heading are kept on the admission and carried into every
call-off.

Published evaluation models are frozen and every decision letter is written to the audit
trail, so a decision can be re-read later against the rules it was made under. State changes
lock the row they move (``select_for_update``; SQLite's single writer does the same job).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as, record_event
from placebook.core.models import Area, AuditEvent
from placebook.core.permissions import Permission, permissions_of, require, visible_to
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    Answer,
    Application,
    ApplicationStatus,
    CqcRatingValue,
    Criterion,
    Document,
    EvaluationModel,
    Gate,
    GateCheck,
    GateKind,
    GateOutcome,
    Heading,
    Lot,
    ModeratedScore,
    PurchasingSystem,
    Score,
    SystemStatus,
)
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

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
# Headings scored when a provider applies; price waits for the call-off.
SCORED_HEADINGS = (Heading.QUALITY, Heading.SOCIAL_VALUE, Heading.INNOVATION)
_ADMISSION_FIELD = {
    Heading.QUALITY: "quality_score",
    Heading.SOCIAL_VALUE: "social_value_score",
    Heading.INNOVATION: "innovation_score",
}
_MODEL_FIELDS = {
    "quality_weight",
    "social_value_weight",
    "innovation_weight",
    "price_weight",
    "pass_mark",
    "moderation_gap",
}
_UNDER_EVALUATION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.EVALUATING,
    ApplicationStatus.MODERATING,
)


# Small helpers ---------------------------------------------------------------------------


def _locked(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _num(value: Decimal) -> str:
    """40.00 as "40" and 12.50 as "12.5": weights read as people write them."""
    return f"{Decimal(value).normalize():f}"


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _require_text(value: str | None, field: str, record) -> str:
    text = (value or "").strip()
    if not text:
        raise PurchasingError(f"{field}: required for {record}.")
    return text


def _require_person(by, action: str) -> None:
    # Scores, gate checks and decisions are someone's judgement and name them on the record.
    if isinstance(by, SystemActor):
        raise PurchasingError(f"{by.name} is a system job; only a person may {action}.")


def _require_status(application: Application, statuses, action: str) -> None:
    if application.status not in statuses:
        allowed = " or ".join(ApplicationStatus(s).label.lower() for s in statuses)
        raise WrongStatus(
            f"Application {application.pk} ({application}) is "
            f"{application.get_status_display().lower()}; it must be {allowed} to {action}."
        )


def _refuse_own_organisation(by, application: Application, action: str) -> None:
    if getattr(by, "organisation_id", None) == application.provider_id:
        raise ConflictOfInterest(
            f"{by.username} works for {application.provider}, so may not {action} its "
            f"application {application.pk}."
        )


def _refuse_if_published(model: EvaluationModel) -> None:
    if model.published_at is not None:
        raise EvaluationModelFrozen(
            f"{model} was published on {model.published_at:%-d %B %Y} and cannot change; "
            "make a new version with new_evaluation_model_version."
        )


def _scored_criteria(model: EvaluationModel) -> QuerySet[Criterion]:
    return model.criteria.exclude(heading=Heading.PRICE).order_by("code")


def _check_criterion(application: Application, criterion: Criterion) -> None:
    if criterion.model_id != application.evaluation_model_id or criterion.heading == Heading.PRICE:
        raise PurchasingError(
            f"criterion: {criterion.code} is not scored in {application.evaluation_model} "
            f"(application {application.pk})."
        )


def _check_lots(system: PurchasingSystem, lots) -> list[Lot]:
    lots = list(lots)
    stray = [str(lot) for lot in lots if lot.system_id != system.pk]
    if stray:
        raise PurchasingError(f"lots: {', '.join(stray)} not in {system}.")
    return lots


def current_evaluation_model(system: PurchasingSystem) -> EvaluationModel | None:
    """The newest published version: new applications are judged by it, while earlier
    applications keep the version they started under."""
    return system.evaluation_models.filter(published_at__isnull=False).order_by("-version").first()


# Evaluation model ------------------------------------------------------------------------


def save_evaluation_model(
    *, by, model: EvaluationModel | None = None, system: PurchasingSystem | None = None, **values
) -> EvaluationModel:
    """Create a system's first evaluation model, or change a draft one. Later versions come
    from :func:`new_evaluation_model_version`, so each copies the rules it replaces."""
    require(by, Permission.PURCHASING_MANAGE)
    unknown = sorted(set(values) - _MODEL_FIELDS)
    if unknown:
        raise PurchasingError(f"{', '.join(unknown)}: not a setting of an evaluation model.")
    with transaction.atomic(), acting_as(by):
        if model is None:
            if system is None:
                raise PurchasingError("system: required to create an evaluation model.")
            if system.evaluation_models.exists():
                raise PurchasingError(
                    f"{system} already has an evaluation model; change its draft or make a "
                    "new version with new_evaluation_model_version."
                )
            model = EvaluationModel(system=system, version=1)
        else:
            model = _locked(model)
            _refuse_if_published(model)
        for name, value in values.items():
            setattr(model, name, value)
        model.full_clean()
        model.save()
    return model


def save_criterion(
    *,
    by,
    model: EvaluationModel,
    code: str,
    heading: str,
    question: str,
    weight: Decimal,
    max_score: int = 5,
) -> Criterion:
    """Add or change (by ``code``) a question of a draft evaluation model."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        model = _locked(model)
        _refuse_if_published(model)
        criterion = model.criteria.filter(code=code).first() or Criterion(model=model, code=code)
        criterion.heading, criterion.question = heading, question
        criterion.weight, criterion.max_score = weight, max_score
        criterion.full_clean()
        criterion.save()
    return criterion


def save_gate(*, by, model: EvaluationModel, kind: str, description: str = "") -> Gate:
    """Add (or re-describe) a pass/fail gate of a draft evaluation model."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        model = _locked(model)
        _refuse_if_published(model)
        gate, _ = Gate.objects.update_or_create(
            model=model, kind=kind, defaults={"description": description}
        )
    return gate


def _heading_problems(model: EvaluationModel, criteria: list[Criterion]) -> list[str]:
    problems = []
    for heading in SCORED_HEADINGS:
        under = [c for c in criteria if c.heading == heading]
        codes = ", ".join(c.code for c in under)
        weight = model.weights[heading]
        if weight > 0 and not under:
            problems.append(f"{heading.label} is weighted {_num(weight)} but has no criteria")
        elif weight > 0 and sum(c.weight for c in under) != HUNDRED:
            total = _num(sum(c.weight for c in under))
            problems.append(
                f"{heading.label} criteria ({codes}) weigh {total}% of the heading, not 100%"
            )
        elif weight == 0 and under:
            problems.append(
                f"{heading.label} is weighted 0, so its criteria ({codes}) would be answered "
                "and scored for nothing"
            )
    return problems


def _model_problems(model: EvaluationModel) -> list[str]:
    problems = []
    weights = model.weights
    total = sum(weights.values())
    if total != HUNDRED:
        listed = ", ".join(f"{h.label.lower()} {_num(w)}" for h, w in weights.items())
        problems.append(f"heading weights sum to {_num(total)}, not 100 ({listed})")
    if model.price_weight >= HUNDRED:
        problems.append("price_weight is 100, which leaves nothing to evaluate on application")
    if not 0 <= model.pass_mark <= HUNDRED:
        problems.append(f"pass_mark {_num(model.pass_mark)} is not between 0 and 100")
    criteria = list(model.criteria.all())
    problems += _heading_problems(model, criteria)
    for criterion in criteria:
        if criterion.weight <= 0:
            problems.append(f"criterion {criterion.code}: weight must be more than 0")
        if criterion.max_score < 1:
            problems.append(f"criterion {criterion.code}: max_score must be at least 1")
    return problems


def _rules(model: EvaluationModel) -> dict:
    # Criteria and gates are not audited row by row, so the published rules are recorded
    # whole in the publishing event.
    return {
        "weights": {h.value: _num(w) for h, w in model.weights.items()},
        "pass_mark": _num(model.pass_mark),
        "moderation_gap": model.moderation_gap,
        "criteria": [
            {
                "code": c.code,
                "heading": c.heading,
                "weight": _num(c.weight),
                "max_score": c.max_score,
                "question": c.question,
            }
            for c in model.criteria.order_by("code")
        ],
        "gates": [g.kind for g in model.gates.order_by("kind")],
    }


def publish_evaluation_model(*, by, model: EvaluationModel) -> EvaluationModel:
    """Check the weights add up, then freeze the model (``published_at``)."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        model = _locked(model)
        _refuse_if_published(model)
        problems = _model_problems(model)
        if problems:
            raise EvaluationModelInvalid(f"{model} cannot be published: " + "; ".join(problems))
        model.published_at = timezone.now()
        model.save(update_fields=["published_at", "updated_at", "updated_by"])
        record_event(model, AuditEvent.Action.UPDATE, {"rules": _rules(model)}, verb="publish")
    return model


def new_evaluation_model_version(*, by, system: PurchasingSystem) -> EvaluationModel:
    """A draft copy of the newest version, with its criteria and gates, to change."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        latest = (
            EvaluationModel.objects.select_for_update()
            .filter(system=system)
            .order_by("-version")
            .first()
        )
        if latest is None:
            raise PurchasingError(f"{system} has no evaluation model to copy; create one first.")
        if latest.published_at is None:
            raise PurchasingError(f"{latest} is still a draft: change it instead.")
        copy = EvaluationModel.objects.create(
            system=system,
            version=latest.version + 1,
            **{name: getattr(latest, name) for name in _MODEL_FIELDS},
        )
        Criterion.objects.bulk_create(
            Criterion(model=copy, code=c.code, heading=c.heading, question=c.question,
                      weight=c.weight, max_score=c.max_score)
            for c in latest.criteria.all()
        )  # fmt: skip
        Gate.objects.bulk_create(
            Gate(model=copy, kind=g.kind, description=g.description) for g in latest.gates.all()
        )
    return copy


# Purchasing system -----------------------------------------------------------------------


def _set_system_status(system: PurchasingSystem, status: SystemStatus) -> PurchasingSystem:
    system.status = status
    system.save(update_fields=["status", "updated_at", "updated_by"])
    return system


def open_system(*, by, system: PurchasingSystem) -> PurchasingSystem:
    """Open to applications: from draft, or again after closing (a dynamic market reopens)."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        system = _locked(system)
        if system.status not in {SystemStatus.DRAFT, SystemStatus.CLOSED}:
            raise WrongStatus(f"{system} is {system.get_status_display().lower()}; cannot open.")
        problems = []
        if current_evaluation_model(system) is None:
            problems.append("no published evaluation model")
        if not system.lots.exists():
            problems.append("no lots")
        if problems:
            raise PurchasingError(f"{system} cannot open: {' and '.join(problems)}.")
        return _set_system_status(system, SystemStatus.OPEN)


def close_system(*, by, system: PurchasingSystem) -> PurchasingSystem:
    """Close to new applications; those already submitted are still evaluated and decided."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        system = _locked(system)
        if system.status != SystemStatus.OPEN:
            raise WrongStatus(f"{system} is {system.get_status_display().lower()}; cannot close.")
        return _set_system_status(system, SystemStatus.CLOSED)


# The provider's application --------------------------------------------------------------


def _require_open(system: PurchasingSystem) -> None:
    if not system.is_open:
        raise WrongStatus(
            f"{system} is {system.get_status_display().lower()}, not open for applications."
        )


def start_application(*, by, system: PurchasingSystem, lots=()) -> Application:
    """A draft application by the user's own provider, judged by the current model."""
    require(by, Permission.PROVIDER_PORTAL)
    provider = getattr(by, "organisation", None)
    if provider is None:
        raise PurchasingError(f"{by.username} belongs to no provider, so cannot apply.")
    with transaction.atomic(), acting_as(by):
        system = _locked(system)
        _require_open(system)
        lots = _check_lots(system, lots)
        live = Application.objects.filter(system=system, provider=provider).exclude(
            status__in=[ApplicationStatus.DECIDED, ApplicationStatus.WITHDRAWN]
        )
        if live.exists():
            raise PurchasingError(
                f"{provider} already has application {live.first().pk} to {system} in "
                "progress; continue that one."
            )
        application = Application.objects.create(
            system=system,
            evaluation_model=current_evaluation_model(system),
            provider=provider,
            contact_name=by.get_full_name(),
            contact_email=by.email,
        )
        application.lots.set(lots)
    return application


def choose_lots(*, by, application: Application, lots) -> Application:
    require(by, Permission.PROVIDER_PORTAL, application)
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, [ApplicationStatus.DRAFT], "change its lots")
        application.lots.set(_check_lots(application.system, lots))
    return application


def set_coverage(
    *, by, application: Application, localities, capacity_hours_per_week: Decimal | None
) -> Application:
    """Where the provider works (none chosen: everywhere) and the new work it can take each
    week (none: not limited); brokers' requests are matched against both once admitted."""
    require(by, Permission.PROVIDER_PORTAL, application)
    if capacity_hours_per_week is not None and capacity_hours_per_week < 0:
        raise PurchasingError("capacity_hours_per_week: must not be negative.")
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, [ApplicationStatus.DRAFT], "change where it works")
        application.capacity_hours_per_week = capacity_hours_per_week
        application.save(update_fields=["capacity_hours_per_week", "updated_at", "updated_by"])
        application.localities.set(localities)
    return application


def save_answers(*, by, application: Application, answers: dict[str, str]) -> Application:
    """Save answers by criterion code; a blank answer removes one given before."""
    require(by, Permission.PROVIDER_PORTAL, application)
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, [ApplicationStatus.DRAFT], "change its answers")
        criteria = {c.code: c for c in _scored_criteria(application.evaluation_model)}
        unknown = sorted(set(answers) - set(criteria))
        if unknown:
            raise PurchasingError(
                f"answers: {', '.join(unknown)} not a question of {application.evaluation_model}."
            )
        for code, text in answers.items():
            text = (text or "").strip()
            if text:
                Answer.objects.update_or_create(
                    application=application, criterion=criteria[code], defaults={"text": text}
                )
            else:
                Answer.objects.filter(application=application, criterion=criteria[code]).delete()
    return application


def attach_document(
    *, by, application: Application, name: str, content_type: str, content: bytes
) -> Document:
    require(by, Permission.PROVIDER_PORTAL, application)
    name = _require_text(name, "name", f"a document on application {application.pk}")
    content_type = _require_text(content_type, "content_type", f"document {name}")
    if not content:
        raise PurchasingError(f"content: document {name} is empty.")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(
            f"content: document {name} is {len(content) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
        )
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, [ApplicationStatus.DRAFT], "attach documents")
        return Document.objects.create(
            application=application, name=name, content_type=content_type, content=content
        )


def _submission_problems(application: Application) -> list[str]:
    problems = []
    if not application.lots.exists():
        problems.append("no lot chosen")
    answered = set(application.answers.values_list("criterion_id", flat=True))
    missing = [c for c in _scored_criteria(application.evaluation_model) if c.pk not in answered]
    if missing:
        listed = "; ".join(f"{c.code} ({c.question[:60]})" for c in missing)
        problems.append(f"not answered: {listed}")
    return problems


def submit_application(*, by, application: Application) -> Application:
    """Send the application for evaluation and check the automatic gates at once."""
    require(by, Permission.PROVIDER_PORTAL, application)
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, [ApplicationStatus.DRAFT], "submit it")
        _require_open(application.system)
        problems = _submission_problems(application)
        if problems:
            raise ApplicationIncomplete(
                f"Application {application.pk} cannot be submitted: " + "; ".join(problems) + "."
            )
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = timezone.now()
        application.save(update_fields=["status", "submitted_at", "updated_at", "updated_by"])
        _check_gates(application)
    return application


# Gates -----------------------------------------------------------------------------------


def _automatic_outcome(kind: str, provider) -> tuple[GateOutcome, str]:
    if kind == GateKind.CQC_REGISTERED:
        if provider.cqc_provider_id:
            return (
                GateOutcome.PASSED,
                f"{provider} holds CQC provider ID {provider.cqc_provider_id}.",
            )
        return GateOutcome.FAILED, (
            f"No CQC provider ID is recorded for {provider}. If it is registered, record the ID "
            "on the organisation: the gate is checked again at decision."
        )
    latest = provider.cqc_ratings.order_by("-rated_on", "-pk").first()
    if latest is None:
        return GateOutcome.UNKNOWN, (
            f"No CQC rating is held for {provider}, so Placebook cannot tell whether it is "
            "rated Inadequate; an evaluator must check the CQC register and record the outcome."
        )
    outcome = (
        GateOutcome.FAILED if latest.rating == CqcRatingValue.INADEQUATE else GateOutcome.PASSED
    )
    return (
        outcome,
        f"Latest CQC rating: {latest.get_rating_display()}, published {latest.rated_on}.",
    )


def _check_gates(application: Application) -> None:
    """Check the automatic gates from the data held now, and list the manual ones as not
    yet known. Run at submission and again at decision, as ratings change in between.

    Data wins over an evaluator's record when it gives an answer; where it cannot (no
    rating held), the evaluator's recorded outcome stands."""
    existing = {g.gate_id: g for g in application.gate_checks.all()}
    for gate in application.evaluation_model.gates.all():
        check = existing.get(gate.pk)
        if not gate.automatic:
            if check is None:
                GateCheck.objects.create(
                    application=application, gate=gate, outcome=GateOutcome.UNKNOWN,
                    evidence="Awaiting an evaluator's check of the evidence.",
                )  # fmt: skip
            continue
        outcome, evidence = _automatic_outcome(gate.kind, application.provider)
        if check is not None and not check.automatic and outcome == GateOutcome.UNKNOWN:
            continue
        GateCheck.objects.update_or_create(
            application=application,
            gate=gate,
            defaults={"outcome": outcome, "evidence": evidence, "automatic": True},
        )


def record_gate(
    *, by, application: Application, gate: Gate, outcome: str, evidence: str
) -> GateCheck:
    """An evaluator's pass or fail on a gate, with the evidence read. Automatic gates take
    this only where the data gave no answer: a wrong answer from data is fixed in the data."""
    require(by, Permission.APPLICATION_EVALUATE, application)
    _require_person(by, "record a gate")
    evidence = _require_text(evidence, "evidence", f"gate {gate}")
    if outcome not in {GateOutcome.PASSED, GateOutcome.FAILED}:
        raise PurchasingError(f"outcome: {outcome!r} for gate {gate} must be passed or failed.")
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, _UNDER_EVALUATION, "record a gate")
        _refuse_own_organisation(by, application, "check")
        if gate.model_id != application.evaluation_model_id:
            raise PurchasingError(f"gate: {gate} is not a gate of {application.evaluation_model}.")
        check = application.gate_checks.filter(gate=gate).first()
        if gate.automatic and check is not None and check.outcome != GateOutcome.UNKNOWN:
            raise PurchasingError(
                f"gate: {gate} is checked from data ({check.evidence}); correct the data instead."
            )
        check, _ = GateCheck.objects.update_or_create(
            application=application,
            gate=gate,
            defaults={"outcome": outcome, "evidence": evidence, "automatic": False},
        )
    return check


# Scoring and moderation ------------------------------------------------------------------


def score(*, by, application: Application, criterion: Criterion, score: int, comment: str) -> Score:
    """One evaluator's score for one question, out of its ``max_score``, with a comment."""
    require(by, Permission.APPLICATION_EVALUATE, application)
    _require_person(by, "score")
    _check_criterion(application, criterion)
    comment = _require_text(comment, "comment", f"a score for {criterion.code}")
    if (
        isinstance(score, bool)
        or not isinstance(score, int)
        or not 0 <= score <= criterion.max_score
    ):
        raise PurchasingError(
            f"score: {score!r} for {criterion.code} must be a whole number from 0 to "
            f"{criterion.max_score}."
        )
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(application, _UNDER_EVALUATION, "score it")
        _refuse_own_organisation(by, application, "score")
        if application.moderated_scores.filter(criterion=criterion).exists():
            raise PurchasingError(
                f"criterion: {criterion.code} on application {application.pk} has been "
                "moderated, so its scores are closed."
            )
        row, _ = Score.objects.update_or_create(
            application=application,
            criterion=criterion,
            evaluator=by,
            defaults={"score": score, "comment": comment},
        )
        if application.status == ApplicationStatus.SUBMITTED:
            application.status = ApplicationStatus.EVALUATING
            application.save(update_fields=["status", "updated_at", "updated_by"])
    return row


def _scores_by_criterion(application: Application) -> dict[int, list[Score]]:
    grouped = defaultdict(list)
    for row in application.scores.select_related("evaluator"):
        grouped[row.criterion_id].append(row)
    return grouped


def _spread(scores: list[Score]) -> int:
    return max(s.score for s in scores) - min(s.score for s in scores)


def moderation_needed(application: Application) -> list[tuple[Criterion, list[Score]]]:
    """Questions not yet agreed: fewer than two evaluators have scored them, or their
    scores are further apart than the model's moderation gap, and no moderator has set an
    agreed score."""
    gap = application.evaluation_model.moderation_gap
    scores = _scores_by_criterion(application)
    moderated = set(application.moderated_scores.values_list("criterion_id", flat=True))
    return [
        (c, scores[c.pk])
        for c in _scored_criteria(application.evaluation_model)
        if c.pk not in moderated and (len(scores[c.pk]) < 2 or _spread(scores[c.pk]) > gap)
    ]


def _as_decimal(value, field: str) -> Decimal:
    # Floats are refused as in core.money: an agreed 3.3 must stay 3.3, not 3.2999...
    if isinstance(value, float | bool):
        raise PurchasingError(f"{field}: give {value!r} as a whole number or a Decimal.")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise PurchasingError(f"{field}: {value!r} is not a number.")
    return number


def moderate(
    *, by, application: Application, criterion: Criterion, score, note: str
) -> ModeratedScore:
    """Set the agreed score for a question after the evaluators have scored it.

    The moderator must not be one of that question's evaluators: moderation settles a
    disagreement, and someone settling it in favour of their own score is the conflict a
    challenge to the decision would find first. It binds per question, so a manager who
    scored some questions can still moderate the others."""
    require(by, Permission.PURCHASING_MANAGE, application)
    _require_person(by, "moderate")
    _check_criterion(application, criterion)
    note = _require_text(note, "note", f"moderating {criterion.code}")
    agreed = _as_decimal(score, "score")
    if not 0 <= agreed <= criterion.max_score or agreed != agreed.quantize(_CENT):
        raise PurchasingError(
            f"score: {agreed} for {criterion.code} must be from 0 to {criterion.max_score}, "
            "to at most two decimal places."
        )
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(
            application, [ApplicationStatus.EVALUATING, ApplicationStatus.MODERATING], "moderate"
        )
        _refuse_own_organisation(by, application, "moderate")
        scores = list(application.scores.filter(criterion=criterion))
        if len(scores) < 2:
            raise NotReadyToDecide(
                f"criterion: {criterion.code} on application {application.pk} has "
                f"{len(scores)} evaluator's score(s); two are needed before moderation."
            )
        if any(s.evaluator_id == by.pk for s in scores):
            raise ConflictOfInterest(
                f"{by.username} scored {criterion.code} on application {application.pk}, so "
                "may not moderate it."
            )
        row, _ = ModeratedScore.objects.update_or_create(
            application=application, criterion=criterion, defaults={"score": agreed, "note": note}
        )
        if application.status != ApplicationStatus.MODERATING:
            application.status = ApplicationStatus.MODERATING
            application.save(update_fields=["status", "updated_at", "updated_by"])
    return row


# Result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    scores: tuple[Score, ...]
    moderated: ModeratedScore | None
    # The moderated score, else the evaluators' mean when two or more agree within the
    # gap; None while not agreed.
    agreed: Decimal | None


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    outcome: str
    evidence: str
    automatic: bool


@dataclass(frozen=True)
class ApplicationResult:
    """Where an application stands. Until ``ready``, the points count agreed scores only."""

    application: Application
    criteria: tuple[CriterionResult, ...]
    # Points won under each scored heading, out of that heading's weight, to the penny
    # (0.01) as they are stored on an admission.
    points: dict[str, Decimal]
    # Sum of the points, out of 100 minus the price weight.
    total: Decimal
    # The total out of 100 without price: what the pass mark is compared with.
    score: Decimal
    pass_mark: Decimal
    gates: tuple[GateResult, ...]
    scoring_missing: tuple[str, ...]
    gates_missing: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return self.scoring_missing + self.gates_missing

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def passes_mark(self) -> bool:
        return self.score >= self.pass_mark

    @property
    def failed_gates(self) -> tuple[GateResult, ...]:
        return tuple(g for g in self.gates if g.outcome == GateOutcome.FAILED)

    @property
    def gates_passed(self) -> bool:
        return all(g.outcome == GateOutcome.PASSED for g in self.gates)


def _agreed(scores: list[Score], moderated: ModeratedScore | None, gap: int) -> Decimal | None:
    if moderated is not None:
        return moderated.score
    if len(scores) >= 2 and _spread(scores) <= gap:
        return Decimal(sum(s.score for s in scores)) / len(scores)
    return None


def _criteria_results(application: Application) -> list[CriterionResult]:
    model = application.evaluation_model
    scores = _scores_by_criterion(application)
    moderated = {m.criterion_id: m for m in application.moderated_scores.all()}
    return [
        CriterionResult(
            criterion=c,
            scores=tuple(scores[c.pk]),
            moderated=moderated.get(c.pk),
            agreed=_agreed(scores[c.pk], moderated.get(c.pk), model.moderation_gap),
        )
        for c in _scored_criteria(model)
    ]


def _scoring_missing(criteria: list[CriterionResult]) -> list[str]:
    missing = []
    for row in criteria:
        code = row.criterion.code
        if len(row.scores) < 2:
            missing.append(f"{code}: {len(row.scores)} of the 2 evaluators' scores needed")
        elif row.agreed is None:
            found = ", ".join(str(n) for n in sorted(s.score for s in row.scores))
            missing.append(f"{code}: scores {found} differ by more than the gap; moderate")
    return missing


def result(application: Application) -> ApplicationResult:
    """Per heading: weight x sum(criterion weight % x agreed score / max score)."""
    model = application.evaluation_model
    criteria = _criteria_results(application)
    points = {}
    for heading in SCORED_HEADINGS:
        share = sum(
            (
                row.criterion.weight / HUNDRED * row.agreed / row.criterion.max_score
                for row in criteria
                if row.criterion.heading == heading and row.agreed is not None
            ),
            Decimal(0),
        )
        points[heading.value] = _two_places(model.weights[heading] * share)
    total = sum(points.values(), Decimal(0))
    checks = {g.gate_id: g for g in application.gate_checks.all()}
    gates, gates_missing = [], []
    for gate in model.gates.all():
        check = checks.get(gate.pk)
        outcome = check.outcome if check else GateOutcome.UNKNOWN
        gates.append(
            GateResult(
                gate, outcome, check.evidence if check else "", bool(check and check.automatic)
            )
        )
        if outcome == GateOutcome.UNKNOWN:
            gates_missing.append(f"gate {gate}: not yet checked")
    return ApplicationResult(
        application=application,
        criteria=tuple(criteria),
        points=points,
        total=total,
        # Rounded points are normalised, so the score shown is the one compared.
        score=_two_places(total / (HUNDRED - model.price_weight) * HUNDRED),
        pass_mark=model.pass_mark,
        gates=tuple(gates),
        scoring_missing=tuple(_scoring_missing(criteria)),
        gates_missing=tuple(gates_missing),
    )


# Decision --------------------------------------------------------------------------------


def _refuse_admission(application: Application, outcome: ApplicationResult) -> None:
    if outcome.failed_gates:
        listed = "; ".join(f"{g.gate} ({g.evidence})" for g in outcome.failed_gates)
        raise AdmissionRefused(
            f"Application {application.pk} failed {listed}. A failed gate means refusal for "
            "every lot: decide with no lots admitted, giving the reasons."
        )
    if outcome.gates_missing:
        raise AdmissionRefused(
            f"Application {application.pk} cannot be admitted: {'; '.join(outcome.gates_missing)}."
        )
    if not outcome.passes_mark:
        raise AdmissionRefused(
            f"Application {application.pk} scored {_num(outcome.score)} of 100, below the pass "
            f"mark of {_num(outcome.pass_mark)}, so cannot be admitted."
        )


def _admit(application: Application, lot: Lot, outcome: ApplicationResult, now) -> Admission:
    admission = Admission.objects.filter(lot=lot, provider=application.provider).first()
    if admission and admission.status == AdmissionStatus.SUSPENDED:
        # A new application must not quietly lift a suspension made for cause.
        raise AdmissionRefused(
            f"{application.provider} is suspended on {lot}; lift the suspension first."
        )
    if admission is None or admission.status != AdmissionStatus.ADMITTED:
        admission = admission or Admission(lot=lot, provider=application.provider)
        admission.admitted_at = now
    admission.application = application
    admission.status = AdmissionStatus.ADMITTED
    admission.capacity_hours_per_week = application.capacity_hours_per_week
    for heading, field in _ADMISSION_FIELD.items():
        setattr(admission, field, outcome.points[heading.value])
    admission.save()
    admission.localities.set(application.localities.all())
    return admission


def _letter(application: Application, outcome: ApplicationResult, admitted, refused) -> dict:
    # Addressed to the organisation, not its contact: the trail is kept for years and must
    # not hold personal data.
    provider, system = application.provider, application.system
    verdict = (
        f"You are admitted to {system} for {', '.join(admitted)}."
        if admitted
        else f"Your application to join {system} has not been successful."
    )
    lines = [
        f"To: {provider}",
        f"Application {application.pk} to {system}",
        verdict,
        *([f"Not admitted for: {', '.join(refused)}."] if admitted and refused else []),
        f"Your score: {_num(outcome.score)} of 100 (pass mark {_num(outcome.pass_mark)}), "
        + ", ".join(f"{Heading(h).label.lower()} {_num(p)}" for h, p in outcome.points.items()),
        *(f"{g.gate}: {GateOutcome(g.outcome).label.lower()}" for g in outcome.gates),
        f"Reasons: {application.decision_reasons}",
    ]
    return {
        "to": provider.name,
        "provider_id": provider.pk,
        "admitted_lots": admitted,
        "refused_lots": refused,
        "score": _num(outcome.score),
        "pass_mark": _num(outcome.pass_mark),
        "points": {h: _num(p) for h, p in outcome.points.items()},
        "gates": {g.gate.kind: g.outcome for g in outcome.gates},
        "reasons": application.decision_reasons,
        "text": "\n".join(lines),
    }


def decide(*, by, application: Application, admit_lots: list[Lot], reasons: str) -> Application:
    """Admit the provider to some, all or none of the lots it applied for, and send the
    decision. Lots applied for and not admitted are refused."""
    require(by, Permission.PURCHASING_MANAGE, application)
    _require_person(by, "decide")
    reasons = _require_text(reasons, "reasons", f"a decision on application {application.pk}")
    with transaction.atomic(), acting_as(by):
        application = _locked(application)
        _require_status(
            application, [ApplicationStatus.EVALUATING, ApplicationStatus.MODERATING], "decide"
        )
        _refuse_own_organisation(by, application, "decide on")
        applied = list(application.lots.all())
        stray = [str(lot) for lot in admit_lots if lot not in applied]
        if stray:
            raise PurchasingError(f"admit_lots: {', '.join(stray)} not applied for.")
        _check_gates(application)
        outcome = result(application)
        if outcome.scoring_missing:
            raise NotReadyToDecide(
                f"Application {application.pk} cannot be decided yet: "
                + "; ".join(outcome.scoring_missing)
                + "."
            )
        if admit_lots:
            _refuse_admission(application, outcome)
        now = timezone.now()
        for lot in admit_lots:
            _admit(application, lot, outcome, now)
        application.status = ApplicationStatus.DECIDED
        application.decision_reasons = reasons
        application.decided_by = by
        application.decided_at = application.decision_sent_at = now
        application.save()
        admitted = [str(lot) for lot in applied if lot in admit_lots]
        refused = [str(lot) for lot in applied if lot not in admit_lots]
        record_event(
            application,
            AuditEvent.Action.UPDATE,
            {"letter": _letter(application, outcome, admitted, refused)},
            verb="decision letter",
        )
    return application


# Queries ---------------------------------------------------------------------------------


def applications_for(user) -> QuerySet[Application]:
    """Staff see every submitted application; a provider user sees its own organisation's,
    drafts included. Staff do not see drafts: an application reaches the council when the
    provider submits it, as a sealed tender does."""
    granted = permissions_of(user)
    queryset = Application.objects.select_related("system", "provider", "evaluation_model")
    if granted & {Permission.PURCHASING_MANAGE, Permission.APPLICATION_EVALUATE}:
        return queryset.exclude(status=ApplicationStatus.DRAFT)
    if Permission.PROVIDER_PORTAL in granted:
        return visible_to(user, queryset)
    # Application's default view permission is "published data", which the public holds;
    # applications are not published, so everyone else sees none.
    return queryset.none()


def admitted(
    lot: Lot, *, locality: Area | None = None, hours: Decimal | None = None
) -> QuerySet[Admission]:
    """Providers admitted to the lot; with ``locality``, those covering it (no localities
    stated covers all); with ``hours``, those with that much weekly capacity (none stated is
    not limited, as in ``packages.eligible_admissions``)."""
    admissions = Admission.objects.filter(lot=lot, status=AdmissionStatus.ADMITTED)
    if locality is not None:
        admissions = admissions.filter(Q(localities=locality) | Q(localities__isnull=True))
    if hours is not None:
        admissions = admissions.filter(
            Q(capacity_hours_per_week__isnull=True) | Q(capacity_hours_per_week__gte=hours)
        )
    return admissions.select_related("provider").distinct().order_by("provider__name")
