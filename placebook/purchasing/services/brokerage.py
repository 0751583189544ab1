"""Batch brokerage on the live market: evaluated packages, their compliant responses and
the providers' remaining capacity go to the optimiser (placebook.purchasing.brokerage); its
proposal is kept on a run for a broker to change and accept.

Solving can take minutes, so a run is queued as a background task and the page shows it
when ready. Accepting turns each chosen line into an ordinary award proposal, which still
needs approval within the scheme of delegation.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.tasks import task

from placebook.contracts.models import ContractStatus
from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.permissions import Permission, require
from placebook.purchasing import brokerage
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    BrokerageRun,
    Lot,
    PackageRequest,
    PackageStatus,
    Response,
    RunStatus,
)
from placebook.purchasing.services.errors import PurchasingError
from placebook.purchasing.services.packages import propose_award

ANY_LOCALITY = "any"


def _waiting(lot: Lot | None):
    """Evaluated packages with no live award: the ones a batch can still allocate."""
    packages = PackageRequest.objects.filter(status=PackageStatus.EVALUATED)
    return packages.filter(lot=lot) if lot else packages


def market_inputs(lot: Lot | None = None):
    """The optimiser's requests, providers and offers, read from the database.

    A provider's capacity is the largest weekly capacity it stated on any lot, less the
    hours of the packages it already holds under live call-off contracts; none stated
    means it is not limited. No localities stated means it covers them all.
    """
    packages = list(_waiting(lot).select_related("lot"))
    requests = [
        brokerage.Request(
            id=p.pk,
            lot=p.lot_id,
            locality=p.locality_id or ANY_LOCALITY,
            hours_per_week=float(p.hours_per_week),
            budget_per_week=p.indicative_weekly_budget.amount,
        )
        for p in packages
    ]
    responses = list(
        Response.objects.filter(package__in=packages, compliant=True).select_related("package")
    )
    provider_ids = {r.provider_id for r in responses}
    lots, localities, stated = defaultdict(set), defaultdict(set), defaultdict(list)
    every_locality = {r.locality for r in requests}
    admissions = Admission.objects.filter(
        provider_id__in=provider_ids, status=AdmissionStatus.ADMITTED
    ).prefetch_related("localities")
    for admission in admissions:
        lots[admission.provider_id].add(admission.lot_id)
        covered = {a.pk for a in admission.localities.all()} or every_locality
        localities[admission.provider_id] |= covered | {ANY_LOCALITY}
        stated[admission.provider_id].append(admission.capacity_hours_per_week)
    held = dict(
        PackageRequest.objects.filter(
            contracts__supplier_id__in=provider_ids, contracts__status=ContractStatus.ACTIVE
        )
        .values_list("contracts__supplier_id")
        .annotate(hours=Sum("hours_per_week"))
    )
    unlimited = float(sum(r.hours_per_week for r in requests)) or 1.0
    providers = []
    for provider_id in sorted(lots):
        known = [c for c in stated[provider_id] if c is not None]
        capacity = (
            max(0.0, float(max(known) - held.get(provider_id, Decimal(0)))) if known else unlimited
        )
        providers.append(
            brokerage.Provider(
                id=provider_id,
                lots=frozenset(lots[provider_id]),
                localities=frozenset(localities[provider_id]),
                capacity_hours_per_week=capacity,
            )
        )
    offers = [
        brokerage.Offer(
            request_id=r.package_id,
            provider_id=r.provider_id,
            price_per_week=r.weekly_price.amount,
            score=float(r.total_score),
        )
        for r in responses
        if r.provider_id in lots
    ]
    return requests, providers, offers


def start_run(*, by, lot: Lot | None = None, time_limit: int = 60) -> BrokerageRun:
    require(by, Permission.PACKAGE_BROKER)
    if not 5 <= time_limit <= 600:
        raise PurchasingError("time_limit: give between 5 and 600 seconds.")
    if not _waiting(lot).exists():
        raise PurchasingError("No evaluated packages are waiting for an award.")
    with transaction.atomic(), acting_as(by):
        run = BrokerageRun.objects.create(lot=lot, time_limit_seconds=time_limit)
        transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: BrokerageRun) -> None:
    result = run_brokerage.enqueue(run.pk)
    BrokerageRun.objects.filter(pk=run.pk).update(task_id=str(result.id))


def _lines(proposal: brokerage.Proposal, responses: dict) -> dict:
    return {
        "allocations": [
            {
                "package": a.request_id,
                "response": responses[(a.request_id, a.provider_id)],
                "provider": a.provider_id,
                "price": str(a.price_per_week),
                "score": a.score,
            }
            for a in proposal.allocations
        ],
        "unallocated": [
            {"package": u.request_id, "reason": u.explanation} for u in proposal.unallocated
        ],
    }


@task()
def run_brokerage(run_id: int) -> None:
    run = BrokerageRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return  # a retried task must not solve twice
    # The worker acts for the broker who started the run; its writes are audited as theirs.
    actor = run.created_by or SystemActor("batch brokerage")
    runs = BrokerageRun.objects.filter(pk=run_id)
    with acting_as(actor):
        runs.update(status=RunStatus.RUNNING)
    try:
        requests, providers, offers = market_inputs(run.lot)
        exact = brokerage.propose(requests, providers, offers, time_limit=run.time_limit_seconds)
        baseline = brokerage.greedy(requests, providers, offers)
    except brokerage.BrokerageInputError as error:
        with acting_as(actor):
            runs.update(status=RunStatus.FAILED, failure=str(error))
        return
    responses = {
        (r.package_id, r.provider_id): r.pk
        for r in Response.objects.filter(package_id__in=[q.id for q in requests])
    }
    with acting_as(actor):
        runs.update(
            status=RunStatus.PROPOSED,
            proposal=_lines(exact, responses),
            objective=exact.objective,
            greedy_objective=baseline.objective,
            mip_gap=exact.mip_gap,
            proved_optimal=exact.proved_optimal,
            solve_seconds=exact.solve_seconds,
        )


def accept(*, by, run: BrokerageRun, choices: dict[int, int | None]) -> list:
    """Propose an award for each package as the broker chose: the run's proposal, a
    different compliant response, or none (``None``) to leave the package for later."""
    require(by, Permission.PACKAGE_BROKER)
    if run.status != RunStatus.PROPOSED:
        raise PurchasingError(f"{run} is {run.get_status_display().lower()}, not a proposal.")
    proposed = {line["package"]: line["response"] for line in run.proposal["allocations"]}
    awards = []
    basis = f"Batch brokerage run {run.pk}: total score {run.objective:.1f}" + (
        " (proved best)" if run.proved_optimal else f" (within {run.mip_gap:.2%} of best)"
    )
    with transaction.atomic(), acting_as(by):
        for package_id, response_id in {**proposed, **choices}.items():
            if response_id is None:
                continue
            response = Response.objects.select_related("package").get(
                pk=response_id, package_id=package_id
            )
            changed = proposed.get(package_id) != response_id
            reasons = basis + (
                "; the broker chose this provider instead of the proposal's."
                if changed
                else "; as proposed."
            )
            awards.append(
                propose_award(by=by, package=response.package, response=response, reasons=reasons)
            )
        run.status = RunStatus.ACCEPTED
        run.accepted_awards = len(awards)
        run.save(update_fields=["status", "accepted_awards", "updated_at", "updated_by"])
    return awards


def proposal_rows(run: BrokerageRun) -> list[dict]:
    """Each package of the run with the proposed response, the alternatives a broker may
    pick instead (its other compliant responses, best first) and, when unallocated, why."""
    lines = run.proposal or {}
    proposed = {line["package"]: line["response"] for line in lines.get("allocations", [])}
    why = {line["package"]: line["reason"] for line in lines.get("unallocated", [])}
    ids = list(proposed) + [p for p in why if p not in proposed]
    packages = PackageRequest.objects.in_bulk(ids)
    options = defaultdict(list)
    for response in (
        Response.objects.filter(package_id__in=ids, compliant=True)
        .select_related("provider")
        .order_by("rank")
    ):
        options[response.package_id].append(response)
    return [
        {
            "package": packages[pk],
            "proposed": next((r for r in options[pk] if r.pk == proposed.get(pk)), None),
            "options": options[pk],
            "reason": why.get(pk, ""),
        }
        for pk in ids
        if pk in packages
    ]
