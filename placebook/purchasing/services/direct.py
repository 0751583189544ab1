"""Contracts awarded without a call-off competition, each with its written justification
(seed 003 recommendations 2 and 7, and the off-framework spot purchases of seed 001).

They need the same delegated approval as call-offs: the approver is the actor, and the value
must be within their limit. Current law: under the Procurement Act 2023 a direct award of a
public contract above threshold needs a justification in Schedule 5 and a transparency
notice; light-touch care contracts below threshold and awards under an existing framework
or dynamic market do not. The justification recorded here is what those notices publish.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from placebook.contracts.models import Contract, ContractKind, ContractStatus, DirectAwardReason
from placebook.contracts.services import annual_from_weekly, create_contract
from placebook.core.audit import acting_as
from placebook.core.models import Organisation
from placebook.core.money import Money
from placebook.core.permissions import Permission, require
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    Lot,
    PackageRequest,
    PackageStatus,
)
from placebook.purchasing.services.errors import PurchasingError
from placebook.purchasing.services.packages import check_within_delegation

TEMPORARY_MONTHS = 12


def direct_award(
    *,
    by,
    reason: DirectAwardReason,
    justification: str,
    buyer: Organisation,
    supplier: Organisation,
    start: date,
    weekly_value: Money,
    service_category: str,
    months: int = TEMPORARY_MONTHS,
    lot: Lot | None = None,
    package: PackageRequest | None = None,
    title: str = "",
    is_synthetic: bool = False,
) -> Contract:
    """A temporary, continuity, urgent or spot contract. Spot purchases are off framework
    (no lot); the others may name the lot the provider is admitted to."""
    require(by, Permission.AWARD_APPROVE)
    if len(justification.strip()) < 20:
        raise PurchasingError(
            "justification: say why this is awarded without competition (at least a sentence)."
        )
    if reason == DirectAwardReason.TEMPORARY and months > TEMPORARY_MONTHS:
        raise PurchasingError(
            f"months: a temporary award runs for at most {TEMPORARY_MONTHS} months."
        )
    if reason == DirectAwardReason.SPOT and lot is not None:
        raise PurchasingError("lot: a spot purchase is off framework, so it has no lot.")
    check_within_delegation(by, weekly_value, annual_from_weekly(weekly_value), start)
    kind = ContractKind.SPOT if reason == DirectAwardReason.SPOT else ContractKind.DIRECT_AWARD
    with transaction.atomic(), acting_as(by):
        contract = create_contract(
            by=by,
            kind=kind,
            title=title or f"{dict(DirectAwardReason.choices)[reason]}: {supplier}",
            buyer=buyer,
            supplier=supplier,
            start=start,
            months=months,
            weekly_value=weekly_value,
            lot=lot,
            package=package,
            service_category=service_category,
            direct_award_reason=reason,
            justification=justification,
            is_synthetic=is_synthetic,
        )
        if package is not None:
            package.status = PackageStatus.AWARDED
            package.outcome_reasons = justification
            package.save(update_fields=["status", "outcome_reasons", "updated_at", "updated_by"])
    return contract


def record_exit(*, by, provider: Organisation, on: date, note: str) -> list[Contract]:
    """A provider leaves the market: its admissions end and its live package contracts are
    listed for continuity awards to other providers."""
    require(by, Permission.PURCHASING_MANAGE)
    with transaction.atomic(), acting_as(by):
        for admission in Admission.objects.filter(provider=provider):
            admission.status = AdmissionStatus.EXITED
            admission.save(update_fields=["status", "updated_at", "updated_by"])
        affected = list(
            Contract.objects.filter(supplier=provider, end__gte=on, package__isnull=False)
            .exclude(status__in=[ContractStatus.ENDED, ContractStatus.TERMINATED])
            .select_related("package")
        )
        for contract in affected:
            contract.status = ContractStatus.TERMINATED
            contract.ended_on = on
            contract.justification = contract.justification or note
            contract.save(
                update_fields=["status", "ended_on", "justification", "updated_at", "updated_by"]
            )
    return affected


def continuity_award(
    *, by, ended: Contract, supplier: Organisation, weekly_value: Money, justification: str
) -> Contract:
    """Move a package whose provider exited to another provider, straight away."""
    if ended.package is None:
        raise PurchasingError(f"{ended} is not a package contract.")
    return direct_award(
        by=by,
        reason=DirectAwardReason.CONTINUITY,
        justification=justification,
        buyer=ended.buyer,
        supplier=supplier,
        start=max(timezone.localdate(), ended.start),
        weekly_value=weekly_value,
        service_category=ended.service_category,
        lot=ended.lot if Admission.objects.filter(lot=ended.lot, provider=supplier).exists()
        else None,
        package=ended.package,
        title=f"Continuity of {ended.package.reference} after {ended.supplier} left the market",
        is_synthetic=ended.is_synthetic,
    )  # fmt: skip
