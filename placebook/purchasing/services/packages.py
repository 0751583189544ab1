"""A package of support from request to contract: request, invite, respond, evaluate,
award, approve within delegation, contract.

Each step checks the actor's permission, runs in one transaction and is audited. The
package row is locked (``select_for_update``) by every step that changes its state, so two
brokers awarding, or a response racing the evaluation, queue instead of colliding; on
SQLite, which has no row locks, the database's single writer and the one-award-per-package
constraint give the same result.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from placebook.contracts.models import ContractKind
from placebook.contracts.services import annual_from_weekly, create_contract
from placebook.core.audit import acting_as, record_event
from placebook.core.models import Area, Organisation, Person
from placebook.core.money import Money
from placebook.core.permissions import Permission, require
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    Award,
    AwardStatus,
    DelegationLimit,
    EvaluationModel,
    Heading,
    Invitation,
    Lot,
    PackageRequest,
    PackageStatus,
    RasTable,
    Response,
    SchemeOfDelegation,
)
from placebook.purchasing.services.applications import admitted
from placebook.purchasing.services.errors import (
    AlreadyAwarded,
    DeadlinePassed,
    OutsideDelegation,
    PurchasingError,
)
from placebook.purchasing.services.ras import calculate_budget

# A start more than this long after the requested start does not meet the need.
START_TOLERANCE = timedelta(days=28)
_TWO_PLACES = Decimal("0.01")


def _locked(package: PackageRequest) -> PackageRequest:
    return PackageRequest.objects.select_for_update().get(pk=package.pk)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M on %-d %B %Y")


def create_request(
    *,
    by,
    person: Person,
    lot: Lot,
    support_needed: str,
    hours_per_week: Decimal,
    start_date: date,
    ras_table: RasTable,
    answers: dict[str, str],
    locality: Area | None = None,
    weekly_profile: dict | None = None,
    is_synthetic: bool = False,
) -> PackageRequest:
    """A draft request with its indicative budget worked out by the RAS table."""
    require(by, Permission.PACKAGE_BROKER)
    if ras_table.published_at is None:
        raise PurchasingError(f"{ras_table} is not published, so it cannot set budgets.")
    profile = weekly_profile or {}
    if profile and sum(Decimal(str(h)) for h in profile.values()) != Decimal(hours_per_week):
        raise PurchasingError(
            f"weekly_profile: the days add up to {sum(Decimal(str(h)) for h in profile.values())}"
            f" hours, not the {hours_per_week} hours a week requested."
        )
    budget = calculate_budget(ras_table, answers)
    with transaction.atomic(), acting_as(by):
        return PackageRequest.objects.create(
            person=person,
            lot=lot,
            locality=locality,
            support_needed=support_needed,
            hours_per_week=hours_per_week,
            weekly_profile=profile,
            start_date=start_date,
            ras_table=ras_table,
            assessment_answers=answers,
            indicative_weekly_budget=budget.weekly,
            budget_calculation=budget.lines,
            is_synthetic=is_synthetic,
        )


def eligible_admissions(package: PackageRequest):
    return admitted(package.lot, locality=package.locality, hours=package.hours_per_week)


def open_request(
    *, by, package: PackageRequest, deadline: datetime, providers: list[Organisation] = ()
) -> list[Invitation]:
    """Send the request to the lot's eligible providers (or a chosen few of them)."""
    require(by, Permission.PACKAGE_BROKER)
    now = timezone.now()
    if deadline <= now:
        raise PurchasingError(f"response_deadline: {_when(deadline)} has already passed.")
    with transaction.atomic(), acting_as(by):
        package = _locked(package)
        if package.status != PackageStatus.DRAFT:
            raise PurchasingError(f"{package} is {package.get_status_display().lower()}.")
        eligible = {a.provider_id: a.provider for a in eligible_admissions(package)}
        chosen = [p.pk for p in providers] or list(eligible)
        outside = [str(p) for p in providers if p.pk not in eligible]
        if outside:
            raise PurchasingError(
                f"providers: {', '.join(outside)} cannot receive {package}: not admitted to "
                f"{package.lot} for this locality, or without capacity for "
                f"{package.hours_per_week} hours."
            )
        if not chosen:
            raise PurchasingError(
                f"No provider on {package.lot} covers this locality with capacity for "
                f"{package.hours_per_week} hours a week; consider a spot purchase."
            )
        invitations = Invitation.objects.bulk_create(
            Invitation(package=package, provider_id=pk, sent_at=now) for pk in chosen
        )
        package.status = PackageStatus.OPEN
        package.response_deadline = deadline
        package.save(update_fields=["status", "response_deadline", "updated_at", "updated_by"])
        record_event(package, "update", {"invited": len(invitations)}, verb="sent to providers")
    return invitations


def requests_for_provider(user):
    """The requests a provider user may see: those sent to their organisation."""
    require(user, Permission.PROVIDER_PORTAL)
    return PackageRequest.objects.filter(invitations__provider=user.organisation_id).distinct()


def submit_response(
    *,
    by,
    package: PackageRequest,
    weekly_price: Money,
    start_date: date,
    proposal: str,
    hourly_rate: Money | None = None,
    now: datetime | None = None,
) -> Response:
    """A provider's offer. Refused after the deadline, from providers not invited, and for
    requests no longer open; a second offer before the deadline replaces the first."""
    require(by, Permission.PROVIDER_PORTAL)
    now = now or timezone.now()
    with transaction.atomic(), acting_as(by):
        package = _locked(package)
        provider = by.organisation
        if not package.invitations.filter(provider=provider).exists():
            raise PurchasingError(f"{provider} was not asked to respond to {package}.")
        if package.status != PackageStatus.OPEN:
            raise PurchasingError(
                f"{package} is {package.get_status_display().lower()}, not open for responses."
            )
        if now > package.response_deadline:
            raise DeadlinePassed(
                f"Responses to {package} closed at {_when(package.response_deadline)}; "
                f"this one arrived at {_when(now)}, so it cannot be accepted."
            )
        if weekly_price <= Money.zero():
            raise PurchasingError("weekly_price: must be more than £0.00.")
        if not proposal.strip():
            raise PurchasingError("proposal: say how the support will be delivered.")
        response, _created = Response.objects.update_or_create(
            package=package,
            provider=provider,
            defaults={
                "weekly_price": weekly_price,
                "hourly_rate": hourly_rate,
                "start_date": start_date,
                "proposal": proposal,
                "submitted_at": now,
                "submitted_by": by,
            },
        )
    return response


@dataclass(frozen=True)
class Scored:
    response: Response
    compliant: bool
    reasons: list[str]
    price_points: Decimal
    total: Decimal


def _points(value: Decimal) -> Decimal:
    return value.quantize(_TWO_PLACES, ROUND_HALF_UP)


def score_responses(package: PackageRequest, model: EvaluationModel) -> list[Scored]:
    """Each response's score under the published weights.

    Quality, social value and innovation points were won when the provider was admitted and
    carry over; price points are the price weight times the lowest compliant price over this
    price. A response is not compliant when its provider is no longer admitted, it starts
    more than four weeks late, or it costs more than the indicative budget.
    """
    admissions = {
        a.provider_id: a
        for a in Admission.objects.filter(lot=package.lot, status=AdmissionStatus.ADMITTED)
    }
    checked = []
    for response in package.responses.select_related("provider"):
        reasons = []
        if response.provider_id not in admissions:
            reasons.append("provider no longer admitted to the lot")
        if response.start_date > package.start_date + START_TOLERANCE:
            reasons.append(f"starts {response.start_date:%-d %B %Y}, over four weeks late")
        if response.weekly_price > package.indicative_weekly_budget:
            reasons.append(
                f"{response.weekly_price} a week is above the indicative budget of "
                f"{package.indicative_weekly_budget}"
            )
        checked.append((response, reasons))
    compliant_prices = [r.weekly_price for r, reasons in checked if not reasons]
    lowest = min(compliant_prices) if compliant_prices else None
    scored = []
    for response, reasons in checked:
        admission = admissions.get(response.provider_id)
        quality = (
            admission.quality_score + admission.social_value_score + admission.innovation_score
            if admission
            else Decimal(0)
        )
        price = (
            _points(model.weights[Heading.PRICE] * (lowest / response.weekly_price))
            if lowest is not None and not reasons
            else Decimal(0)
        )
        scored.append(Scored(response, not reasons, reasons, price, _points(quality + price)))
    return sorted(scored, key=lambda s: (not s.compliant, -s.total, s.response.submitted_at))


def evaluate(*, by, package: PackageRequest, now: datetime | None = None) -> list[Response]:
    """Score and rank the responses once the deadline has passed (or every invited provider
    has answered), recording each score's working."""
    require(by, Permission.PACKAGE_BROKER)
    now = now or timezone.now()
    with transaction.atomic(), acting_as(by):
        package = _locked(package)
        if package.status != PackageStatus.OPEN:
            raise PurchasingError(f"{package} is {package.get_status_display().lower()}.")
        answered = package.responses.count()
        if now <= package.response_deadline and answered < package.invitations.count():
            raise PurchasingError(
                f"{package} is open until {_when(package.response_deadline)} and "
                f"{package.invitations.count() - answered} invited providers have not responded."
            )
        model = _published_model(package.lot.system)
        results = score_responses(package, model)
        for rank, result in enumerate(results, start=1):
            response = result.response
            response.compliant = result.compliant
            response.non_compliance = "; ".join(result.reasons)
            response.price_score = result.price_points
            response.total_score = result.total
            response.rank = rank if result.compliant else None
            response.working = {
                "evaluation_model": str(model),
                "weights": {k: str(v) for k, v in model.weights.items()},
                "price_points": str(result.price_points),
                "total": str(result.total),
            }
        Response.objects.bulk_update(
            [r.response for r in results],
            ["compliant", "non_compliance", "price_score", "total_score", "rank", "working"],
        )
        package.status = PackageStatus.EVALUATED if results else PackageStatus.NO_AWARD
        if not results:
            package.outcome_reasons = "No provider responded by the deadline."
        package.save(update_fields=["status", "outcome_reasons", "updated_at", "updated_by"])
    return [r.response for r in results]


def _published_model(system) -> EvaluationModel:
    model = system.evaluation_models.filter(published_at__isnull=False).first()
    if model is None:
        raise PurchasingError(f"{system} has no published evaluation model.")
    return model


def propose_award(*, by, package: PackageRequest, response: Response, reasons: str) -> Award:
    """Recommend a response for approval. Choosing other than the top-ranked compliant
    response needs reasons that say why; exactly one award can exist per package."""
    require(by, Permission.PACKAGE_BROKER)
    if not reasons.strip():
        raise PurchasingError("reasons: say why this provider should be awarded the package.")
    try:
        with transaction.atomic(), acting_as(by):
            package = _locked(package)
            award = Award.objects.filter(package=package).first()
            if award and award.status != AwardStatus.REJECTED:
                raise AlreadyAwarded(
                    f"{package} already has an award to {award.response.provider} "
                    f"({award.get_status_display().lower()})."
                )
            if package.status != PackageStatus.EVALUATED:
                raise PurchasingError(f"{package} is {package.get_status_display().lower()}.")
            response = package.responses.get(pk=response.pk)
            if not response.compliant:
                raise PurchasingError(
                    f"{response.provider}'s response is not compliant: {response.non_compliance}."
                )
            award = award or Award(package=package)
            award.response = response
            award.weekly_value = response.weekly_price
            award.annual_value = annual_from_weekly(response.weekly_price)
            award.reasons = reasons
            award.status = AwardStatus.AWAITING_APPROVAL
            award.proposed_by = by
            award.approver, award.decided_at, award.decision_note = None, None, ""
            award.save()
            package.status = PackageStatus.AWAITING_APPROVAL
            package.save(update_fields=["status", "updated_at", "updated_by"])
    except IntegrityError as error:
        # The one-award constraint caught a race the row lock could not (SQLite).
        raise AlreadyAwarded(f"{package} was awarded by someone else just now.") from error
    return award


def scheme_in_force(on: date) -> SchemeOfDelegation:
    scheme = SchemeOfDelegation.objects.filter(effective_from__lte=on).first()
    if scheme is None:
        raise OutsideDelegation(f"No scheme of delegation is in force on {on:%-d %B %Y}.")
    return scheme


def authority(user, on: date) -> DelegationLimit | None:
    """The highest limit any of the user's roles has in the scheme in force."""
    limits = scheme_in_force(on).limits.filter(role__in=user.role_set)
    return limits.order_by("-weekly_limit", "-annual_limit").first()


def check_within_delegation(user, weekly: Money, annual: Money, on: date) -> DelegationLimit:
    limit = authority(user, on)
    if limit is None:
        raise OutsideDelegation(
            f"{user} has no delegated authority in {scheme_in_force(on)} to approve packages."
        )
    personal = user.financial_authority_limit
    problems = []
    if weekly > limit.weekly_limit:
        problems.append(f"{weekly} a week is above the weekly limit of {limit.weekly_limit}")
    if annual > limit.annual_limit:
        problems.append(f"{annual} a year is above the annual limit of {limit.annual_limit}")
    if personal is not None and annual > personal:
        problems.append(f"{annual} a year is above {user}'s own limit of {personal}")
    if problems:
        raise OutsideDelegation(
            f"{user} cannot approve this under {limit.scheme}: {'; '.join(problems)}. "
            "It needs an approver with a higher limit."
        )
    return limit


def approve_award(*, by, award: Award, note: str = "") -> Award:
    """Approve within delegation and create the call-off contract, together or not at all.

    The broker who proposed an award may not approve it: two people see every package.
    """
    require(by, Permission.AWARD_APPROVE)
    with transaction.atomic(), acting_as(by):
        package = _locked(award.package)
        award = Award.objects.select_related("response__provider", "proposed_by").get(pk=award.pk)
        if award.status != AwardStatus.AWAITING_APPROVAL:
            raise PurchasingError(f"The award of {package} is {award.get_status_display()}.")
        if award.proposed_by_id == by.pk:
            raise PurchasingError(f"{by} proposed this award, so someone else must approve it.")
        limit = check_within_delegation(
            by, award.weekly_value, award.annual_value, timezone.localdate()
        )
        award.status = AwardStatus.APPROVED
        award.approver = by
        award.decided_at = timezone.now()
        award.decision_note = note
        award.delegation = limit
        award.save()
        system = package.lot.system
        create_contract(
            by=by,
            kind=ContractKind.CALL_OFF,
            title=f"{package.lot.get_category_display()} package {package.reference}",
            buyer=system.owner,
            supplier=award.response.provider,
            start=max(award.response.start_date, package.start_date),
            months=system.call_off_term_months,
            weekly_value=award.weekly_value,
            extension_months=system.extension_months,
            lot=package.lot,
            service_category=package.lot.category,
            package=package,
            award=award,
            procurement_regime=system.get_regime_display(),
            is_synthetic=package.is_synthetic,
        )
        package.status = PackageStatus.AWARDED
        package.outcome_reasons = award.reasons
        package.save(update_fields=["status", "outcome_reasons", "updated_at", "updated_by"])
    return award


def reject_award(*, by, award: Award, note: str) -> Award:
    """Send an award back to the broker with the approver's reasons."""
    require(by, Permission.AWARD_APPROVE)
    if not note.strip():
        raise PurchasingError("note: say why the award is not approved.")
    with transaction.atomic(), acting_as(by):
        package = _locked(award.package)
        award = Award.objects.get(pk=award.pk)
        if award.status != AwardStatus.AWAITING_APPROVAL:
            raise PurchasingError(f"The award of {package} is {award.get_status_display()}.")
        award.status = AwardStatus.REJECTED
        award.approver = by
        award.decided_at = timezone.now()
        award.decision_note = note
        award.save()
        package.status = PackageStatus.EVALUATED
        package.save(update_fields=["status", "updated_at", "updated_by"])
    return award
