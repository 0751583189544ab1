"""Batch brokerage: propose which provider takes each open care package request.

Pure Python (numpy and highspy, no Django), so a service can read package requests, provider
capacity and evaluated offers from the ORM, call :func:`propose`, and show the broker the
result to accept or change. Nothing here writes anything.

The problem
-----------
A request ``r`` may go to provider ``p`` (an *eligible pair*) only when ``p`` is admitted to
the request's lot, covers its locality, has made an offer, and the offer's weekly price is
within the request's weekly budget (times ``1 + budget_tolerance``). With one binary
``x[r, p]`` per eligible pair::

    maximise    sum score[r, p] * x[r, p]
    subject to  sum_p x[r, p] <= 1                          each request, at most one provider
                sum_r hours[r] * x[r, p] <= capacity[p]     hours a week, each provider
                sum_r x[r, p] <= max_new_packages[p]        where the provider set a limit

The hours constraint makes this a generalised assignment problem, which is NP-hard. It is
solved exactly as an integer programme by HiGHS; where the time limit stops it first, the
result says so and gives the gap to HiGHS's proven bound instead of claiming optimality.

Ties (equal total score) are broken lexicographically by two further solves, not by
weighting: a weighted objective would have to scale scores so far apart from prices that
HiGHS's tolerances (about 1e-6 relative) would blur either the score or the pennies. Solve 2
maximises the number of allocations subject to total score >= the optimum; solve 3
minimises the total weekly price (in whole pence) subject to both. Each starts from the
previous solution, so a tie-break cut short by the time limit still returns an allocation
at least as good on every earlier criterion.

HiGHS starts from the best of greedy and two roundings of the LP relaxation (``_start``),
and each objective sits on one continuous variable per provider (``_Solver`` says why).
:func:`greedy` is the baseline that :func:`propose` is measured against
(``benchmarks/brokerage.py``; figures in ``benchmarks/README.md``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

import highspy
import numpy as np

__all__ = [
    "Allocation",
    "BrokerageInputError",
    "ExclusionFilter",
    "Offer",
    "Proposal",
    "Provider",
    "Request",
    "TieBreak",
    "Unallocated",
    "UnallocatedReason",
    "greedy",
    "propose",
]

DEFAULT_TIME_LIMIT = 60.0  # seconds of solver time: a broker waits for the proposal

# Hours are floats; sums of a few hundred packages differ from the capacity by rounding only.
_HOURS_SLACK = 1e-9
# A solution is taken as proved optimal when the bound is this close to it (HiGHS's own
# default absolute MIP gap).
_OPTIMALITY_SLACK = 1e-6


class BrokerageInputError(ValueError):
    """Input the optimiser cannot use; ``problems`` lists each one found, naming its record."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class UnallocatedReason(StrEnum):
    NO_ELIGIBLE_PROVIDER = "no eligible provider"
    # For the exact optimiser, "higher-scoring" is of the allocation as a whole: giving this
    # request a place would displace allocations that together score more.
    CAPACITY = "capacity taken by higher-scoring allocations"


class ExclusionFilter(StrEnum):
    """The eligibility filters, in the order they are applied to each provider."""

    LOT = "lot"
    LOCALITY = "locality"
    NO_OFFER = "no offer"
    BUDGET = "budget"


class TieBreak(StrEnum):
    PROVED = "proved"  # most allocations, then lowest price, among score-optimal allocations
    TIME_LIMIT = "best found within the time limit"
    NOT_RUN = "not run"  # the score solve was not finished, or greedy


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BrokerageInputError([f"{what} must be a number, not {value!r}"])
    number = float(value)
    if not math.isfinite(number):
        raise BrokerageInputError([f"{what} must be finite, not {value!r}"])
    return number


def _money(value, what: str) -> Decimal:
    """Pounds as an exact Decimal; a float is read as the decimal it prints as (28.35, not
    28.3499999...), which is what whoever typed it meant."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BrokerageInputError([f"{what} must be an amount in pounds, not {value!r}"])
    try:
        amount = value if isinstance(value, Decimal) else Decimal(repr(value))
    except InvalidOperation:  # pragma: no cover - repr of an int or float always parses
        raise BrokerageInputError([f"{what} is not a number: {value!r}"]) from None
    if not amount.is_finite():
        raise BrokerageInputError([f"{what} must be finite, not {value!r}"])
    if amount < 0:
        raise BrokerageInputError([f"{what} must not be negative, got {value!r}"])
    return amount


def _label_set(value, what: str) -> frozenset:
    # A bare string would otherwise become a set of its letters.
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise BrokerageInputError([f"{what} must be a set of names, not {value!r}"])
    return frozenset(value)


@dataclass(frozen=True)
class Request:
    """An open care package request: hours of care a week, and the most the council will pay."""

    id: Hashable
    lot: Hashable
    locality: Hashable
    hours_per_week: float
    budget_per_week: Decimal | float

    def __post_init__(self):
        hours = _number(self.hours_per_week, f"request {self.id!r}: hours_per_week")
        if hours < 0:
            raise BrokerageInputError(
                [f"request {self.id!r}: hours_per_week must not be negative, got {hours}"]
            )
        _money(self.budget_per_week, f"request {self.id!r}: budget_per_week")


@dataclass(frozen=True)
class Provider:
    """A provider on the purchasing system: lots it is admitted to, localities it covers,
    and the new work it says it can take (hours a week, and optionally a number of packages)."""

    id: Hashable
    lots: frozenset
    localities: frozenset
    capacity_hours_per_week: float
    max_new_packages: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "lots", _label_set(self.lots, f"provider {self.id!r}: lots"))
        object.__setattr__(
            self, "localities", _label_set(self.localities, f"provider {self.id!r}: localities")
        )
        capacity = _number(
            self.capacity_hours_per_week, f"provider {self.id!r}: capacity_hours_per_week"
        )
        if capacity < 0:
            raise BrokerageInputError(
                [f"provider {self.id!r}: capacity_hours_per_week must not be negative"]
            )
        limit = self.max_new_packages
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise BrokerageInputError(
                [f"provider {self.id!r}: max_new_packages must be a whole number or None"]
            )
        if limit is not None and limit < 0:
            raise BrokerageInputError(
                [f"provider {self.id!r}: max_new_packages must not be negative"]
            )


@dataclass(frozen=True)
class Offer:
    """A provider's price for a request, with its evaluation score (0 to 100, from the
    published weights, computed upstream)."""

    request_id: Hashable
    provider_id: Hashable
    price_per_week: Decimal | float
    score: float

    def __post_init__(self):
        what = f"offer {self.provider_id!r} for request {self.request_id!r}"
        _money(self.price_per_week, f"{what}: price_per_week")
        score = _number(self.score, f"{what}: score")
        if not 0 <= score <= 100:
            raise BrokerageInputError([f"{what}: score must be between 0 and 100, got {score}"])


@dataclass(frozen=True)
class Allocation:
    request_id: Hashable
    provider_id: Hashable
    price_per_week: Decimal | float  # as offered
    score: float
    hours_per_week: float


@dataclass(frozen=True)
class Unallocated:
    """Why a request has no provider in the proposal.

    For ``NO_ELIGIBLE_PROVIDER``, ``excluded_by`` counts the providers each filter removed
    (each provider counted once, at the first filter it fails) and ``filter`` is the last
    filter that still had providers to remove: the one a broker would have to relax. When
    that is ``BUDGET``, ``cheapest_offer`` is the lowest offer over ``budget_limit``.

    For ``CAPACITY``, ``eligible_provider_ids`` lists the providers that could have taken
    it, best score first; each of them is full (hours or packages) in this proposal.
    """

    request_id: Hashable
    reason: UnallocatedReason
    filter: ExclusionFilter | None = None
    excluded_by: Mapping[ExclusionFilter, int] = field(default_factory=dict)
    budget_limit: Decimal | None = None
    cheapest_offer: Decimal | None = None
    eligible_provider_ids: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "excluded_by", MappingProxyType(dict(self.excluded_by)))

    @property
    def explanation(self) -> str:
        if self.reason is UnallocatedReason.CAPACITY:
            names = ", ".join(str(p) for p in self.eligible_provider_ids)
            return f"{self.reason} (eligible: {names})"
        counts = ", ".join(f"{f}: {n}" for f, n in self.excluded_by.items() if n)
        text = f"{self.reason}: excluded by {self.filter}"
        if counts:
            text += f" (providers excluded by {counts})"
        if self.filter is ExclusionFilter.BUDGET:
            text += (
                f"; cheapest offer £{self.cheapest_offer:,.2f} against £{self.budget_limit:,.2f}"
            )
        return text


@dataclass(frozen=True)
class Proposal:
    """An allocation to put to a broker, and how far it can be trusted.

    ``objective`` is the total evaluation score. ``mip_gap`` is (bound - objective) /
    max(1, objective), where ``bound`` is the best score HiGHS proved no allocation can beat:
    0 when proved optimal, None for greedy (which has no bound). ``solve_seconds`` is the
    wall-clock time of the whole call; ``solver_seconds`` the part spent inside HiGHS.
    """

    method: str
    allocations: tuple[Allocation, ...]
    unallocated: tuple[Unallocated, ...]
    objective: float
    total_price_per_week: Decimal
    status: str
    proved_optimal: bool
    mip_gap: float | None
    bound: float | None
    tie_break: TieBreak
    solve_seconds: float
    solver_seconds: float = 0.0

    @property
    def allocated_count(self) -> int:
        return len(self.allocations)


@dataclass
class _Market:
    """The input as arrays: requests indexed 0..R-1, providers 0..P-1, eligible pairs 0..n-1."""

    requests: Sequence[Request]
    providers: Sequence[Provider]
    hours: np.ndarray  # per request
    budget_limit: list[Decimal]  # per request
    capacity: np.ndarray  # hours per provider
    max_packages: np.ndarray  # per provider, inf where no limit
    pair_request: np.ndarray  # per eligible pair
    pair_provider: np.ndarray
    pair_score: np.ndarray
    pair_pence: np.ndarray  # price rounded to whole pence, for the price tie-break
    pair_offer: list[Offer]
    # For explaining requests with no eligible pair: every offer, whether eligible or not.
    offer_request: np.ndarray
    offer_provider: np.ndarray
    offer_within_budget: np.ndarray
    offer_price: list[Decimal]
    provider_lot: np.ndarray  # bool, provider x lot
    provider_locality: np.ndarray  # bool, provider x locality
    request_lot: np.ndarray  # lot index per request
    request_locality: np.ndarray

    @property
    def pair_count(self) -> int:
        return len(self.pair_request)


def _index(items: Sequence, what: str, problems: list[str]) -> dict:
    index = {}
    for position, item in enumerate(items):
        if item.id in index:
            problems.append(f"duplicate {what} id {item.id!r}")
        else:
            index[item.id] = position
    return index


def _membership(providers, attribute, labels: dict) -> np.ndarray:
    matrix = np.zeros((len(providers), len(labels)), dtype=bool)
    for k, provider in enumerate(providers):
        for label in getattr(provider, attribute):
            if label in labels:
                matrix[k, labels[label]] = True
    return matrix


def _build_market(requests, providers, offers, budget_tolerance) -> _Market:
    requests, providers, offers = tuple(requests), tuple(providers), tuple(offers)
    problems: list[str] = []
    tolerance = _number(budget_tolerance, "budget_tolerance")
    if tolerance < 0:
        problems.append("budget_tolerance must not be negative")
    request_index = _index(requests, "request", problems)
    provider_index = _index(providers, "provider", problems)

    # In decimal: 100 * (1 + 0.15) is 114.99999999999999 in binary floating point.
    scale = 1 + Decimal(repr(tolerance))
    budget_limit = [_money(r.budget_per_week, "budget") for r in requests]
    if tolerance:
        budget_limit = [budget * scale for budget in budget_limit]
    offer_request, offer_provider, offer_within, offer_price, valid_offers = [], [], [], [], []
    for offer in offers:
        r = request_index.get(offer.request_id)
        k = provider_index.get(offer.provider_id)
        if r is None:
            problems.append(
                f"offer from provider {offer.provider_id!r} names unknown request "
                f"{offer.request_id!r}"
            )
        if k is None:
            problems.append(
                f"offer for request {offer.request_id!r} names unknown provider "
                f"{offer.provider_id!r}"
            )
        if r is None or k is None:
            continue
        price = _money(offer.price_per_week, "price")
        offer_request.append(r)
        offer_provider.append(k)
        offer_within.append(price <= budget_limit[r])
        offer_price.append(price)
        valid_offers.append(offer)

    offer_request = np.asarray(offer_request, dtype=np.int64)
    offer_provider = np.asarray(offer_provider, dtype=np.int64)
    pair_key = offer_request * max(len(providers), 1) + offer_provider
    unique, counts = np.unique(pair_key, return_counts=True)
    repeated = unique[counts > 1]
    for key in repeated[:10]:  # enough to find the fault upstream; the count says the rest
        r, k = divmod(int(key), max(len(providers), 1))
        problems.append(
            f"provider {providers[k].id!r} made more than one offer for request {requests[r].id!r}"
        )
    if len(repeated) > 10:
        problems.append(f"and {len(repeated) - 10} more requests with repeated offers")
    if problems:
        raise BrokerageInputError(problems)

    lots = {lot: i for i, lot in enumerate(dict.fromkeys(r.lot for r in requests))}
    localities = {loc: i for i, loc in enumerate(dict.fromkeys(r.locality for r in requests))}
    provider_lot = _membership(providers, "lots", lots)
    provider_locality = _membership(providers, "localities", localities)
    request_lot = np.fromiter((lots[r.lot] for r in requests), np.int64, len(requests))
    request_locality = np.fromiter(
        (localities[r.locality] for r in requests), np.int64, len(requests)
    )
    offer_within = np.asarray(offer_within, dtype=bool)
    eligible = (
        provider_lot[offer_provider, request_lot[offer_request]]
        & provider_locality[offer_provider, request_locality[offer_request]]
        & offer_within
    )
    chosen = np.flatnonzero(eligible)
    return _Market(
        requests=requests,
        providers=providers,
        hours=np.fromiter((float(r.hours_per_week) for r in requests), float, len(requests)),
        budget_limit=budget_limit,
        capacity=np.fromiter(
            (float(p.capacity_hours_per_week) for p in providers), float, len(providers)
        ),
        max_packages=np.fromiter(
            (math.inf if p.max_new_packages is None else p.max_new_packages for p in providers),
            float,
            len(providers),
        ),
        pair_request=offer_request[chosen],
        pair_provider=offer_provider[chosen],
        pair_score=np.fromiter((float(valid_offers[j].score) for j in chosen), float, len(chosen)),
        pair_pence=np.fromiter(
            (float((offer_price[j] * 100).to_integral_value()) for j in chosen),
            float,
            len(chosen),
        ),
        pair_offer=[valid_offers[j] for j in chosen],
        offer_request=offer_request,
        offer_provider=offer_provider,
        offer_within_budget=offer_within,
        offer_price=offer_price,
        provider_lot=provider_lot,
        provider_locality=provider_locality,
        request_lot=request_lot,
        request_locality=request_locality,
    )


def _fill(market: _Market, chosen: dict[int, int]) -> None:
    """Give each request still without a provider its best eligible pair that has room,
    requests taken in order of their best score, highest first (ties in input order).

    This is the whole of :func:`greedy`. After an exact solve it changes nothing at the
    optimum; after a solve stopped by the time limit it adds requests that still fit, so
    that an unallocated request never has an eligible provider with room left.
    """
    n = market.pair_count
    if n == 0:
        return
    # Pairs grouped by request, best score first, then cheapest, then provider input order.
    order = np.lexsort((market.pair_provider, market.pair_pence, -market.pair_score))
    order = order[np.argsort(market.pair_request[order], kind="stable")]
    pair_request = market.pair_request[order]
    starts = np.searchsorted(pair_request, np.arange(len(market.requests) + 1))
    best = np.full(len(market.requests), -np.inf)
    np.maximum.at(best, market.pair_request, market.pair_score)

    used_hours = [0.0] * len(market.providers)
    used_packages = [0] * len(market.providers)
    for r, j in chosen.items():
        k = int(market.pair_provider[j])
        used_hours[k] += market.hours[r]
        used_packages[k] += 1
    capacity = market.capacity.tolist()
    max_packages = market.max_packages.tolist()
    hours = market.hours.tolist()
    pair_provider = market.pair_provider.tolist()
    order = order.tolist()
    starts = starts.tolist()
    for r in np.argsort(-best, kind="stable").tolist():
        if r in chosen or starts[r] == starts[r + 1]:
            continue
        for position in range(starts[r], starts[r + 1]):
            j = order[position]
            k = pair_provider[j]
            if (
                used_hours[k] + hours[r] <= capacity[k] + _HOURS_SLACK
                and used_packages[k] < max_packages[k]
            ):
                chosen[r] = j
                used_hours[k] += hours[r]
                used_packages[k] += 1
                break


def _explain(market: _Market, chosen: dict[int, int]) -> tuple[Unallocated, ...]:
    has_pair = np.zeros(len(market.requests), dtype=bool)
    has_pair[market.pair_request] = True
    unallocated = [r for r in range(len(market.requests)) if r not in chosen]
    no_pair = [r for r in unallocated if not has_pair[r]]

    offers_for: dict[int, list[int]] = {r: [] for r in no_pair}
    if no_pair:
        for i in np.flatnonzero(np.isin(market.offer_request, no_pair)).tolist():
            offers_for[int(market.offer_request[i])].append(i)
    pairs_for: dict[int, list[int]] = {}
    if len(unallocated) > len(no_pair):
        wanted = np.isin(market.pair_request, unallocated)
        for j in np.flatnonzero(wanted).tolist():
            pairs_for.setdefault(int(market.pair_request[j]), []).append(j)

    result = []
    for r in unallocated:
        request_id = market.requests[r].id
        if has_pair[r]:
            pairs = sorted(pairs_for[r], key=lambda j: -market.pair_score[j])
            result.append(
                Unallocated(
                    request_id=request_id,
                    reason=UnallocatedReason.CAPACITY,
                    eligible_provider_ids=tuple(
                        market.providers[int(market.pair_provider[j])].id for j in pairs
                    ),
                )
            )
        else:
            result.append(_explain_no_eligible(market, r, offers_for[r]))
    return tuple(result)


def _explain_no_eligible(market: _Market, r: int, offers: list[int]) -> Unallocated:
    lot_ok = market.provider_lot[:, market.request_lot[r]]
    locality_ok = lot_ok & market.provider_locality[:, market.request_locality[r]]
    offered = np.zeros(len(market.providers), dtype=bool)
    within = np.zeros(len(market.providers), dtype=bool)
    over_budget_prices = []
    for i in offers:
        k = int(market.offer_provider[i])
        offered[k] = True
        within[k] = bool(market.offer_within_budget[i])
        if locality_ok[k] and not within[k]:
            over_budget_prices.append(market.offer_price[i])
    excluded = {
        ExclusionFilter.LOT: int((~lot_ok).sum()),
        ExclusionFilter.LOCALITY: int((lot_ok & ~locality_ok).sum()),
        ExclusionFilter.NO_OFFER: int((locality_ok & ~offered).sum()),
        ExclusionFilter.BUDGET: int((locality_ok & offered & ~within).sum()),
    }
    if excluded[ExclusionFilter.BUDGET]:
        last = ExclusionFilter.BUDGET
    elif excluded[ExclusionFilter.NO_OFFER]:
        last = ExclusionFilter.NO_OFFER
    elif excluded[ExclusionFilter.LOCALITY]:
        last = ExclusionFilter.LOCALITY
    else:  # no provider is admitted to the lot, or there are no providers at all
        last = ExclusionFilter.LOT
    return Unallocated(
        request_id=market.requests[r].id,
        reason=UnallocatedReason.NO_ELIGIBLE_PROVIDER,
        filter=last,
        excluded_by=excluded,
        budget_limit=market.budget_limit[r],
        cheapest_offer=min(over_budget_prices) if over_budget_prices else None,
    )


def _check_capacity(market: _Market, chosen: dict[int, int]) -> None:
    """Refuse to hand a broker an allocation that overfills a provider (a solver fault)."""
    pairs = np.fromiter(chosen.values(), np.int64, len(chosen))
    requests = np.fromiter(chosen.keys(), np.int64, len(chosen))
    providers = market.pair_provider[pairs]
    hours = np.bincount(providers, market.hours[requests], len(market.providers))
    packages = np.bincount(providers, minlength=len(market.providers))
    if np.any(hours > market.capacity + _OPTIMALITY_SLACK) or np.any(
        packages > market.max_packages
    ):
        raise RuntimeError("allocation exceeds a provider's capacity")  # pragma: no cover


def _proposal(market, chosen, *, method, status, proved, bound, tie_break, started, solver):
    _check_capacity(market, chosen)
    allocations = []
    for r in sorted(chosen):
        offer = market.pair_offer[chosen[r]]
        allocations.append(
            Allocation(
                request_id=offer.request_id,
                provider_id=offer.provider_id,
                price_per_week=offer.price_per_week,
                score=float(offer.score),
                hours_per_week=float(market.requests[r].hours_per_week),
            )
        )
    objective = math.fsum(a.score for a in allocations)
    gap = None
    if bound is not None:
        gap = max(0.0, bound - objective) / max(1.0, abs(objective))
        proved = proved or bound - objective <= _OPTIMALITY_SLACK
    return Proposal(
        method=method,
        allocations=tuple(allocations),
        unallocated=_explain(market, chosen),
        objective=objective,
        total_price_per_week=sum(
            (_money(a.price_per_week, "price") for a in allocations), Decimal(0)
        ),
        status=status,
        proved_optimal=proved,
        mip_gap=0.0 if proved and gap is not None else gap,
        bound=bound,
        tie_break=tie_break,
        solve_seconds=time.perf_counter() - started,
        solver_seconds=solver,
    )


def greedy(
    requests: Iterable[Request],
    providers: Iterable[Provider],
    offers: Iterable[Offer],
    *,
    budget_tolerance: float = 0.0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
) -> Proposal:
    """The baseline: requests in order of their best eligible score, highest first, each
    taking its best-scoring eligible provider with room left (ties: cheaper, then the
    provider listed first). ``time_limit`` and ``mip_gap`` are accepted so the two functions
    are interchangeable, and ignored."""
    started = time.perf_counter()
    market = _build_market(requests, providers, offers, budget_tolerance)
    chosen: dict[int, int] = {}
    _fill(market, chosen)
    return _proposal(
        market,
        chosen,
        method="greedy",
        status="heuristic",
        proved=False,
        bound=None,
        tie_break=TieBreak.NOT_RUN,
        started=started,
        solver=0.0,
    )


def _csc(n_cols: int, cols: np.ndarray, rows: np.ndarray, values: np.ndarray):
    """Column-wise (CSC) arrays for HiGHS from (column, row, value) triplets."""
    order = np.argsort(cols, kind="stable")
    starts = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=n_cols))[:-1]))
    return starts.astype(np.int32), rows[order].astype(np.int32), values[order].astype(float)


class _Solver:
    """One HiGHS model over the eligible pairs, solved once per objective.

    Each objective is carried by one continuous variable per provider, z[p] <= (or >=) the
    weighted sum of that provider's x, rather than put on the x directly. HiGHS 1.16 starts
    every MIP by partitioning the binaries in the objective into cliques, pairwise and
    without checking the time limit: with the benchmark's 142,000 binaries that took 270 s
    before the first node (and ran straight past a 30 s limit). With the objective on 300
    continuous variables the same model reaches its first node in a few seconds. Presolve
    is off because it substitutes the carriers back into the objective; its main reduction
    here, dropping the package-count rows of providers with no limit, is made when the
    model is built instead.
    """

    def __init__(self, market: _Market, time_limit: float):
        self.market = market
        self.deadline = time.perf_counter() + time_limit
        self.solver_seconds = 0.0
        n, m = market.pair_count, len(market.requests)
        self.active = np.unique(market.pair_provider)  # providers with any eligible pair
        self.carrier_of = np.full(len(market.providers), -1)
        self.carrier_of[self.active] = np.arange(len(self.active))

        # Rows: one per request, one per active provider for hours, and one per active
        # provider with a limit on the number of packages.
        hours_row = m + self.carrier_of
        limited = self.active[np.isfinite(market.max_packages[self.active])]
        count_row = np.full(len(market.providers), -1)
        count_row[limited] = m + len(self.active) + np.arange(len(limited))
        j = np.arange(n)
        with_count = count_row[market.pair_provider] >= 0
        starts, index, value = _csc(
            n,
            np.concatenate((j, j, j[with_count])),
            np.concatenate(
                (
                    market.pair_request,
                    hours_row[market.pair_provider],
                    count_row[market.pair_provider[with_count]],
                )
            ),
            np.concatenate(
                (np.ones(n), market.hours[market.pair_request], np.ones(with_count.sum()))
            ),
        )
        n_rows = m + len(self.active) + len(limited)
        upper = np.concatenate(
            (np.ones(m), market.capacity[self.active], market.max_packages[limited])
        )
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")
        self.highs.passModel(
            n,
            n_rows,
            len(index),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMaximize),
            0.0,
            np.zeros(n),
            np.zeros(n),
            np.ones(n),
            np.full(n_rows, -highspy.kHighsInf),
            upper,
            starts,
            index,
            value,
            np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.int32),
        )
        self.carriers: list[tuple[int, np.ndarray]] = []  # (first column, pair weights)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def set_objective(self, weights: np.ndarray, *, maximise: bool) -> np.ndarray:
        """Optimise sum over providers of (weights . x at that provider); returns the
        carrier columns, for a floor on this objective in a later solve."""
        highs, market = self.highs, self.market
        a = len(self.active)
        first = highs.getNumCol()
        for old, _ in self.carriers:
            highs.changeColsCost(a, np.arange(old, old + a, dtype=np.int32), np.zeros(a))
        highs.addCols(a, np.ones(a), np.zeros(a), np.full(a, highspy.kHighsInf), 0, [], [], [])
        self.carriers.append((first, weights))
        # Row c: z[c] - sum of weights of provider c's pairs * x <= 0 (maximise) or >= 0.
        n = market.pair_count
        carrier = self.carrier_of[market.pair_provider]
        rows = np.concatenate((np.arange(a), carrier))
        cols = np.concatenate((first + np.arange(a), np.arange(n)))
        values = np.concatenate((np.ones(a), -weights))
        order = np.argsort(rows, kind="stable")
        starts = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=a))[:-1]))
        inf = highspy.kHighsInf
        highs.addRows(
            a,
            np.full(a, -inf) if maximise else np.zeros(a),
            np.zeros(a) if maximise else np.full(a, inf),
            len(rows),
            starts.astype(np.int32),
            cols[order].astype(np.int32),
            values[order],
        )
        highs.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        )
        return first + np.arange(a, dtype=np.int32)

    def add_floor(self, columns: np.ndarray, floor: float) -> None:
        self.highs.addRow(floor, highspy.kHighsInf, len(columns), columns, np.ones(len(columns)))

    def relaxation(self) -> np.ndarray | None:
        """x from the LP relaxation (integrality dropped for this one run), or None."""
        highs, n = self.highs, self.market.pair_count
        columns = np.arange(n, dtype=np.int32)
        highs.changeColsIntegrality(n, columns, np.zeros(n, dtype=np.uint8))
        highs.setOptionValue("time_limit", max(self.remaining(), 0.0))
        began = time.perf_counter()
        highs.run()
        self.solver_seconds += time.perf_counter() - began
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        x = np.asarray(highs.getSolution().col_value)[:n] if optimal else None
        highs.changeColsIntegrality(
            n, columns, np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        )
        return x

    def solve(self, *, rel_gap: float, abs_gap: float, start: np.ndarray):
        """Run HiGHS from the 0/1 vector ``start``; returns (status text, finished,
        0/1 solution or None, bound)."""
        highs, market = self.highs, self.market
        highs.setOptionValue("time_limit", max(self.remaining(), 0.0))
        highs.setOptionValue("mip_rel_gap", rel_gap)
        highs.setOptionValue("mip_abs_gap", abs_gap)
        values = [start.astype(float)]
        for _, weights in self.carriers:  # carriers at the value start gives them
            per_provider = np.bincount(
                market.pair_provider[start], weights[start], len(market.providers)
            )
            values.append(per_provider[self.active])
        values = np.concatenate(values)
        highs.setSolution(len(values), np.arange(len(values), dtype=np.int32), values)
        began = time.perf_counter()
        highs.run()
        self.solver_seconds += time.perf_counter() - began
        status = highs.getModelStatus()
        info = highs.getInfo()
        solution = None
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            solution = np.asarray(highs.getSolution().col_value)[: market.pair_count] > 0.5
        finished = status == highspy.HighsModelStatus.kOptimal
        return highs.modelStatusToString(status), finished, solution, info.mip_dual_bound


def propose(
    requests: Iterable[Request],
    providers: Iterable[Provider],
    offers: Iterable[Offer],
    *,
    budget_tolerance: float = 0.0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
) -> Proposal:
    """The allocation with the highest total evaluation score, by integer programming.

    ``budget_tolerance`` is a fraction: 0.05 admits offers up to 5% over a request's budget.
    ``time_limit`` (seconds) bounds HiGHS's time: the starting allocation and all three
    solves; building the model is extra (a few seconds for 10,000 requests). ``mip_gap`` is
    the relative gap at which the score solve may stop (0: prove optimality).

    HiGHS starts from the best of greedy and two roundings of the LP relaxation, so the
    proposal is never worse than :func:`greedy`. If the time limit stops the score solve,
    the best allocation found is returned with its gap to HiGHS's bound, ``proved_optimal``
    False, and no tie-break. See the module docstring for the model and the tie-break.
    """
    started = time.perf_counter()
    mip_gap = _number(mip_gap, "mip_gap")
    if _number(time_limit, "time_limit") <= 0 or mip_gap < 0:
        raise BrokerageInputError(["time_limit must be positive and mip_gap not negative"])
    market = _build_market(requests, providers, offers, budget_tolerance)
    if market.pair_count == 0:
        return _proposal(
            market,
            {},
            method="exact",
            status="nothing to allocate",
            proved=True,
            bound=0.0,
            tie_break=TieBreak.PROVED,
            started=started,
            solver=0.0,
        )

    solver = _Solver(market, time_limit)
    score_columns = solver.set_objective(market.pair_score, maximise=True)
    start = _start(solver, market)
    status, finished, x, bound = solver.solve(
        rel_gap=mip_gap, abs_gap=_OPTIMALITY_SLACK, start=start
    )
    if x is None or market.pair_score[x].sum() < market.pair_score[start].sum():
        x = start  # stopped before HiGHS had taken in the start
    tie_break = TieBreak.NOT_RUN
    if finished and solver.remaining() > 0:
        x, tie_break = _tie_break(solver, market, x, score_columns)

    chosen = {int(market.pair_request[j]): int(j) for j in np.flatnonzero(x)}
    _fill(market, chosen)
    return _proposal(
        market,
        chosen,
        method="exact",
        status=status,
        proved=finished and mip_gap == 0,
        bound=float(bound) if math.isfinite(bound) else None,
        tie_break=tie_break,
        started=started,
        solver=solver.solver_seconds,
    )


# Share of the remaining time limit for the sub-MIP in _start.
_START_SHARE = 0.2


def _start(solver: _Solver, market: _Market) -> np.ndarray:
    """A first allocation for HiGHS: the best of greedy, the LP relaxation rounded down
    then filled greedily, and the LP's whole allocations kept with the rest solved as a
    smaller MIP (``_START_SHARE`` of the time left).

    At scale HiGHS spends its time on cuts at the root and runs few heuristics: on the
    benchmark's 10,000 requests, HiGHS alone had 717,795 after 120 s; this start has
    720,574 (bound 723,666) and HiGHS did not better it in the rest of a 300 s limit. In a
    basic LP solution of a generalised assignment problem few pairs are fractional (656 of
    142,000 there), so keeping its whole allocations loses little, and what is left (about
    750 requests) is small enough to solve almost exactly.
    """
    candidates = [_as_vector(market, _filled(market, {}))]
    x = solver.relaxation()
    if x is not None:
        whole: dict[int, int] = {}
        _take_whole(market, whole, x)
        candidates.append(_as_vector(market, _filled(market, dict(whole))))
        rest = _solve_rest(solver, market, whole)
        if rest is not None:
            candidates.append(rest)
    return max(candidates, key=lambda v: market.pair_score[v].sum())


def _filled(market: _Market, chosen: dict[int, int]) -> dict[int, int]:
    _fill(market, chosen)
    return chosen


def _as_vector(market: _Market, chosen: dict[int, int]) -> np.ndarray:
    vector = np.zeros(market.pair_count, dtype=bool)
    vector[list(chosen.values())] = True
    return vector


def _solve_rest(solver: _Solver, market: _Market, whole: dict[int, int]) -> np.ndarray | None:
    """``whole`` plus the best HiGHS finds for the other requests in the capacity left."""
    taken = np.fromiter(whole.values(), np.int64, len(whole))
    providers = len(market.providers)
    used_hours = np.bincount(
        market.pair_provider[taken], market.hours[market.pair_request[taken]], providers
    )
    used_packages = np.bincount(market.pair_provider[taken], minlength=providers)
    capacity = market.capacity - used_hours
    max_packages = market.max_packages - used_packages
    open_request = np.ones(len(market.requests), dtype=bool)
    open_request[list(whole)] = False
    keep = np.flatnonzero(
        open_request[market.pair_request]
        & (market.hours[market.pair_request] <= capacity[market.pair_provider] + _HOURS_SLACK)
        & (max_packages[market.pair_provider] >= 1)
    )
    if len(keep) == 0 or solver.remaining() <= 0:
        return None
    rest = replace(
        market,
        capacity=np.maximum(capacity, 0.0),
        max_packages=max_packages,
        pair_request=market.pair_request[keep],
        pair_provider=market.pair_provider[keep],
        pair_score=market.pair_score[keep],
        pair_pence=market.pair_pence[keep],
        pair_offer=[market.pair_offer[j] for j in keep],
    )
    sub = _Solver(rest, _START_SHARE * solver.remaining())
    sub.set_objective(rest.pair_score, maximise=True)
    _, _, y, _ = sub.solve(
        rel_gap=0.0, abs_gap=_OPTIMALITY_SLACK, start=_as_vector(rest, _filled(rest, {}))
    )
    solver.solver_seconds += sub.solver_seconds
    if y is None:
        return None
    vector = np.zeros(market.pair_count, dtype=bool)
    vector[taken] = True
    vector[keep[y]] = True
    return vector


def _take_whole(market: _Market, chosen: dict[int, int], x: np.ndarray) -> None:
    """The pairs an LP solution sets to 1, each checked for room (the LP meets capacity
    only to within its tolerance)."""
    used_hours = np.zeros(len(market.providers))
    used_packages = np.zeros(len(market.providers))
    for j in np.flatnonzero(x > 1 - 1e-6).tolist():
        r, k = int(market.pair_request[j]), int(market.pair_provider[j])
        if r in chosen:
            continue
        hours = market.hours[r]
        if (
            used_hours[k] + hours <= market.capacity[k] + _HOURS_SLACK
            and used_packages[k] < market.max_packages[k]
        ):
            chosen[r] = j
            used_hours[k] += hours
            used_packages[k] += 1


def _tie_break(
    solver: _Solver, market: _Market, x: np.ndarray, score_columns: np.ndarray
) -> tuple[np.ndarray, TieBreak]:
    """Most allocations, then the lowest price, keeping the total score (solves 2 and 3).

    The floor's slack only absorbs floating-point rounding of the sum: a real loss of score
    (at least 0.01 for scores given to two decimals) is far larger. Each new solution is
    checked against the floors on its 0/1 values, and dropped if HiGHS bent a floor within
    its own tolerance.
    """
    score, pence = market.pair_score, market.pair_pence
    best_score = math.fsum(score[x])
    score_floor = best_score - (1e-7 + 1e-10 * abs(best_score))
    solver.add_floor(score_columns, score_floor)
    count_columns = solver.set_objective(np.ones(market.pair_count), maximise=True)
    # The count is a whole number, so a gap below 1 proves it.
    _, finished, y, _ = solver.solve(rel_gap=0.0, abs_gap=0.5, start=x)
    if y is not None and math.fsum(score[y]) >= score_floor and y.sum() >= x.sum():
        x = y
    if not finished or solver.remaining() <= 0:
        return x, TieBreak.TIME_LIMIT

    count = int(x.sum())
    solver.add_floor(count_columns, count - 0.5)
    solver.set_objective(pence, maximise=False)
    _, finished, y, _ = solver.solve(rel_gap=0.0, abs_gap=0.5, start=x)
    if (
        y is not None
        and math.fsum(score[y]) >= score_floor
        and int(y.sum()) >= count
        and pence[y].sum() <= pence[x].sum()
    ):
        x = y
    return x, TieBreak.PROVED if finished else TieBreak.TIME_LIMIT
