"""The brokerage optimiser: exact answers on instances small enough to check by hand or by
enumeration, the filters and their reasons, the tie-break, and bad input."""

import ast
import itertools
import random
from decimal import Decimal
from pathlib import Path

import pytest

from placebook.purchasing import brokerage
from placebook.purchasing.brokerage import (
    BrokerageInputError,
    ExclusionFilter,
    Offer,
    Provider,
    Request,
    TieBreak,
    UnallocatedReason,
    greedy,
    propose,
)

SL = "supported living"
CS = "community support"


def request(id, hours=20.0, budget=1000, lot=SL, locality="Bootle"):
    return Request(id, lot, locality, hours, budget)


def provider(id, capacity=100.0, lots=(SL,), localities=("Bootle",), max_new_packages=None):
    return Provider(id, frozenset(lots), frozenset(localities), capacity, max_new_packages)


def allocation_map(proposal):
    return {a.request_id: a.provider_id for a in proposal.allocations}


def reasons(proposal):
    return {u.request_id: u for u in proposal.unallocated}


def hours_by_provider(proposal):
    used = {}
    for a in proposal.allocations:
        used[a.provider_id] = used.get(a.provider_id, 0) + a.hours_per_week
    return used


# --- Greedy is beaten -----------------------------------------------------------------------


def greedy_trap():
    """Greedy gives P's 40 hours to a (score 90), leaving no room for b and c (80 each);
    the optimum gives P to b and c and sends a to Q, whose 30 hours fit a alone."""
    requests = [request("a", hours=30), request("b", hours=20), request("c", hours=20)]
    providers = [provider("P", capacity=40), provider("Q", capacity=30)]
    offers = [
        Offer("a", "P", 600, 90),
        Offer("b", "P", 500, 80),
        Offer("c", "P", 500, 80),
        Offer("a", "Q", 650, 50),
    ]
    return requests, providers, offers


def test_propose_beats_greedy_on_capacity_trap():
    exact = propose(*greedy_trap())

    assert allocation_map(exact) == {"a": "Q", "b": "P", "c": "P"}
    assert exact.objective == 210
    assert exact.total_price_per_week == Decimal(1650)
    assert exact.proved_optimal
    assert exact.mip_gap == 0
    assert exact.bound == pytest.approx(210)
    assert exact.status == "Optimal"
    assert exact.unallocated == ()


def test_greedy_takes_best_score_first_on_capacity_trap():
    baseline = greedy(*greedy_trap())

    # a goes to P first (its best score); then b and c find 10 hours left at P, and Q made
    # them no offer.
    assert allocation_map(baseline) == {"a": "P"}
    assert baseline.objective == 90
    assert baseline.proved_optimal is False
    assert baseline.mip_gap is None
    assert baseline.tie_break is TieBreak.NOT_RUN
    assert {u.request_id: u.reason for u in baseline.unallocated} == {
        "b": UnallocatedReason.CAPACITY,
        "c": UnallocatedReason.CAPACITY,
    }
    assert reasons(baseline)["b"].eligible_provider_ids == ("P",)


def test_propose_beats_greedy_when_best_provider_is_scarce():
    # Both requests rate P highest, but only one fits there; greedy gives P to a (95) and b
    # has nowhere else, whereas a could go to Q.
    requests = [request("a"), request("b")]
    providers = [provider("P", capacity=20), provider("Q", capacity=20)]
    offers = [Offer("a", "P", 500, 95), Offer("a", "Q", 500, 85), Offer("b", "P", 500, 90)]

    assert allocation_map(greedy(requests, providers, offers)) == {"a": "P"}
    exact = propose(requests, providers, offers)
    assert allocation_map(exact) == {"a": "Q", "b": "P"}
    assert exact.objective == 175


# --- Capacity -------------------------------------------------------------------------------


def test_propose_capacity_in_hours_respected():
    requests = [request("a", hours=30), request("b", hours=20), request("c", hours=25)]
    providers = [provider("P", capacity=50)]
    offers = [Offer("a", "P", 500, 70), Offer("b", "P", 500, 60), Offer("c", "P", 500, 75)]

    exact = propose(requests, providers, offers)

    # a + b fill the 50 hours exactly (130); c fits only with b (135) or alone (75).
    assert allocation_map(exact) == {"b": "P", "c": "P"}
    assert exact.objective == 135
    assert hours_by_provider(exact) == {"P": 45}
    unallocated = reasons(exact)["a"]
    assert unallocated.reason is UnallocatedReason.CAPACITY
    assert unallocated.eligible_provider_ids == ("P",)
    assert unallocated.explanation == "capacity taken by higher-scoring allocations (eligible: P)"


def test_propose_fills_capacity_exactly():
    requests = [request("a", hours=30), request("b", hours=20)]
    offers = [Offer("a", "P", 500, 70), Offer("b", "P", 500, 60)]
    exact = propose(requests, [provider("P", capacity=50)], offers)
    assert allocation_map(exact) == {"a": "P", "b": "P"}


def test_propose_zero_capacity_allocates_nothing():
    exact = propose([request("a")], [provider("P", capacity=0)], [Offer("a", "P", 500, 70)])
    assert exact.allocations == ()
    assert reasons(exact)["a"].reason is UnallocatedReason.CAPACITY


@pytest.mark.parametrize("method", [propose, greedy])
def test_max_new_packages_limits_count(method):
    requests = [request("a", hours=5), request("b", hours=5), request("c", hours=5)]
    providers = [provider("P", capacity=100, max_new_packages=2), provider("Q", capacity=0)]
    offers = [Offer(r, "P", 100, s) for r, s in (("a", 60), ("b", 70), ("c", 80))]

    result = method(requests, providers, offers)

    assert allocation_map(result) == {"b": "P", "c": "P"}
    assert result.objective == 150
    assert reasons(result)["a"].reason is UnallocatedReason.CAPACITY


def test_max_new_packages_zero_allocates_nothing():
    exact = propose([request("a")], [provider("P", max_new_packages=0)], [Offer("a", "P", 500, 70)])
    assert exact.allocations == ()
    assert reasons(exact)["a"].reason is UnallocatedReason.CAPACITY


# --- Filters and the reasons given ----------------------------------------------------------


@pytest.mark.parametrize("method", [propose, greedy])
def test_wrong_lot_gives_no_eligible_provider_lot(method):
    result = method([request("a", lot=CS)], [provider("P", lots=(SL,))], [Offer("a", "P", 500, 90)])

    unallocated = reasons(result)["a"]
    assert unallocated.reason is UnallocatedReason.NO_ELIGIBLE_PROVIDER
    assert unallocated.filter is ExclusionFilter.LOT
    assert dict(unallocated.excluded_by) == {
        ExclusionFilter.LOT: 1,
        ExclusionFilter.LOCALITY: 0,
        ExclusionFilter.NO_OFFER: 0,
        ExclusionFilter.BUDGET: 0,
    }
    assert result.allocations == ()


def test_wrong_locality_gives_no_eligible_provider_locality():
    result = propose(
        [request("a", locality="Southport")],
        [provider("P", localities=("Bootle",)), provider("Q", lots=(CS,))],
        [Offer("a", "P", 500, 90), Offer("a", "Q", 500, 90)],
    )

    unallocated = reasons(result)["a"]
    assert unallocated.reason is UnallocatedReason.NO_ELIGIBLE_PROVIDER
    assert unallocated.filter is ExclusionFilter.LOCALITY
    assert unallocated.excluded_by[ExclusionFilter.LOT] == 1  # Q
    assert unallocated.excluded_by[ExclusionFilter.LOCALITY] == 1  # P


def test_no_offer_gives_no_eligible_provider_no_offer():
    result = propose([request("a")], [provider("P"), provider("Q")], [])

    unallocated = reasons(result)["a"]
    assert unallocated.filter is ExclusionFilter.NO_OFFER
    assert unallocated.excluded_by[ExclusionFilter.NO_OFFER] == 2
    assert unallocated.explanation == (
        "no eligible provider: excluded by no offer (providers excluded by no offer: 2)"
    )


def test_over_budget_gives_no_eligible_provider_budget_with_cheapest_offer():
    result = propose(
        [request("a", budget=Decimal("500.00"))],
        [provider("P"), provider("Q"), provider("R", lots=(CS,))],
        [
            Offer("a", "P", Decimal("560.00"), 90),
            Offer("a", "Q", Decimal("520.50"), 80),
            Offer("a", "R", Decimal("100.00"), 99),  # cheap, but not admitted to the lot
        ],
    )

    unallocated = reasons(result)["a"]
    assert unallocated.filter is ExclusionFilter.BUDGET
    assert unallocated.cheapest_offer == Decimal("520.50")
    assert unallocated.budget_limit == Decimal("500.00")
    assert dict(unallocated.excluded_by) == {
        ExclusionFilter.LOT: 1,
        ExclusionFilter.LOCALITY: 0,
        ExclusionFilter.NO_OFFER: 0,
        ExclusionFilter.BUDGET: 2,
    }
    assert unallocated.explanation.endswith("cheapest offer £520.50 against £500.00")


def test_price_equal_to_budget_is_eligible():
    result = propose([request("a", budget=500)], [provider("P")], [Offer("a", "P", 500, 70)])
    assert allocation_map(result) == {"a": "P"}


@pytest.mark.parametrize(("tolerance", "eligible"), [(0.0, False), (0.19, False), (0.2, True)])
def test_budget_tolerance_is_a_fraction_of_budget(tolerance, eligible):
    # 600 is exactly 500 * 1.2; in binary floating point 500 * 1.2 is 600.0000000000001 and
    # 500 * 1.15 is 574.9999999999999, so the limit is worked out in decimal.
    result = propose(
        [request("a", budget=500)],
        [provider("P")],
        [Offer("a", "P", 600, 70)],
        budget_tolerance=tolerance,
    )
    assert (allocation_map(result) == {"a": "P"}) is eligible


def test_budget_tolerance_boundary_is_exact_in_decimal():
    result = propose(
        [request("a", budget=100)],
        [provider("P")],
        [Offer("a", "P", 115, 70)],
        budget_tolerance=0.15,
    )
    assert allocation_map(result) == {"a": "P"}


def test_requests_with_no_providers_are_all_excluded_by_lot():
    result = propose([request("a"), request("b")], [], [])
    assert [u.filter for u in result.unallocated] == [ExclusionFilter.LOT, ExclusionFilter.LOT]
    assert result.proved_optimal


# --- Tie-break ------------------------------------------------------------------------------


def test_tie_break_prefers_more_allocations_at_equal_score():
    # P's 40 hours go to a (80) or to b and c (40 + 40): equal score, so two packages win,
    # even though a alone is cheaper.
    requests = [request("a", hours=40), request("b", hours=20), request("c", hours=20)]
    offers = [Offer("a", "P", 100, 80), Offer("b", "P", 500, 40), Offer("c", "P", 500, 40)]

    exact = propose(requests, [provider("P", capacity=40)], offers)

    assert allocation_map(exact) == {"b": "P", "c": "P"}
    assert exact.objective == 80
    assert exact.tie_break is TieBreak.PROVED
    # Greedy takes a first (best score 80): the tie-break is the optimiser's.
    assert allocation_map(greedy(requests, [provider("P", capacity=40)], offers)) == {"a": "P"}


def test_tie_break_never_trades_score_for_count():
    requests = [request("a", hours=40), request("b", hours=20), request("c", hours=20)]
    offers = [Offer("a", "P", 100, 81), Offer("b", "P", 500, 40), Offer("c", "P", 500, 40)]
    exact = propose(requests, [provider("P", capacity=40)], offers)
    assert allocation_map(exact) == {"a": "P"}
    assert exact.objective == 81


def test_tie_break_prefers_lower_total_price_at_equal_score_and_count():
    # Every pairing scores 140. Greedy (and so HiGHS's starting point) gives a its cheaper
    # provider, P, leaving b with Q: 400 a week. a-Q with b-P costs 260.
    requests = [request("a"), request("b")]
    providers = [provider("P", max_new_packages=1), provider("Q", max_new_packages=1)]
    offers = [
        Offer("a", "P", 100, 70),
        Offer("a", "Q", 150, 70),
        Offer("b", "P", 110, 70),
        Offer("b", "Q", 300, 70),
    ]
    assert greedy(requests, providers, offers).total_price_per_week == Decimal(400)

    exact = propose(requests, providers, offers)

    assert allocation_map(exact) == {"a": "Q", "b": "P"}
    assert exact.total_price_per_week == Decimal(260)
    assert exact.tie_break is TieBreak.PROVED


def test_tie_break_never_trades_score_for_price():
    offers = [Offer("a", "P", 900, 70.01), Offer("a", "Q", 100, 70)]
    exact = propose([request("a")], [provider("P"), provider("Q")], offers)
    assert allocation_map(exact) == {"a": "P"}


def test_greedy_breaks_provider_ties_by_price():
    offers = [Offer("a", "P", 300, 70), Offer("a", "Q", 200, 70)]
    assert allocation_map(greedy([request("a")], [provider("P"), provider("Q")], offers)) == {
        "a": "Q"
    }


# --- Against enumeration --------------------------------------------------------------------


def random_market(rng: random.Random, n_requests: int, n_providers: int):
    lots, localities = ["L1", "L2"], ["X", "Y"]
    requests = [
        Request(f"r{i}", rng.choice(lots), rng.choice(localities), rng.randint(5, 40), budget)
        for i, budget in enumerate(rng.randint(300, 900) for _ in range(n_requests))
    ]
    providers = [
        Provider(
            f"p{k}",
            frozenset(rng.sample(lots, rng.randint(1, 2))),
            frozenset(rng.sample(localities, rng.randint(1, 2))),
            rng.randint(10, 60),
            rng.choice([None, 1, 2]),
        )
        for k in range(n_providers)
    ]
    offers = [
        # Few distinct scores, so that ties (and the tie-break) come up.
        Offer(r.id, p.id, rng.randint(250, 950), rng.choice([50, 60]))
        for r in requests
        for p in providers
        if rng.random() < 0.7
    ]
    return requests, providers, offers


def best_by_enumeration(requests, providers, offers):
    """Lexicographic best (score, count, -price) over every feasible allocation."""
    by_provider = {p.id: p for p in providers}
    choices = []
    for r in requests:
        eligible = [
            o
            for o in offers
            if o.request_id == r.id
            and r.lot in by_provider[o.provider_id].lots
            and r.locality in by_provider[o.provider_id].localities
            and o.price_per_week <= r.budget_per_week
        ]
        choices.append([None, *eligible])
    best = None
    for pick in itertools.product(*choices):
        hours, count = {}, {}
        for r, o in zip(requests, pick, strict=True):
            if o is not None:
                hours[o.provider_id] = hours.get(o.provider_id, 0) + r.hours_per_week
                count[o.provider_id] = count.get(o.provider_id, 0) + 1
        if any(
            hours[k] > by_provider[k].capacity_hours_per_week
            or (by_provider[k].max_new_packages or 10**9) < count[k]
            for k in hours
        ):
            continue
        chosen = [o for o in pick if o is not None]
        key = (sum(o.score for o in chosen), len(chosen), -sum(o.price_per_week for o in chosen))
        if best is None or key > best:
            best = key
    return best


@pytest.mark.parametrize("seed", range(12))
def test_propose_matches_enumeration_including_tie_break(seed):
    market = random_market(random.Random(seed), n_requests=7, n_providers=3)

    exact = propose(*market)
    baseline = greedy(*market)

    key = (exact.objective, exact.allocated_count, -exact.total_price_per_week)
    assert key == best_by_enumeration(*market)
    assert exact.proved_optimal
    assert exact.tie_break is TieBreak.PROVED
    assert baseline.objective <= exact.objective


def test_unallocated_with_eligible_providers_always_have_full_providers():
    requests, providers, offers = random_market(random.Random(99), n_requests=60, n_providers=6)
    by_id = {p.id: p for p in providers}
    hours_of = {r.id: r.hours_per_week for r in requests}

    for result in (propose(requests, providers, offers), greedy(requests, providers, offers)):
        used = hours_by_provider(result)
        count = {}
        for a in result.allocations:
            count[a.provider_id] = count.get(a.provider_id, 0) + 1
        for provider_id, hours in used.items():
            assert hours <= by_id[provider_id].capacity_hours_per_week
        for u in result.unallocated:
            if u.reason is not UnallocatedReason.CAPACITY:
                continue
            assert u.eligible_provider_ids
            for provider_id in u.eligible_provider_ids:
                p = by_id[provider_id]
                room = p.capacity_hours_per_week - used.get(provider_id, 0)
                full_count = (
                    p.max_new_packages is not None
                    and count.get(provider_id, 0) >= p.max_new_packages
                )
                assert full_count or room < hours_of[u.request_id]


def test_propose_stopped_by_time_limit_reports_gap_not_optimality():
    requests, providers, offers = random_market(random.Random(7), n_requests=400, n_providers=25)

    result = propose(requests, providers, offers, time_limit=1e-6)

    assert result.status == "Time limit reached"
    assert result.proved_optimal is False
    assert result.tie_break is TieBreak.NOT_RUN
    assert result.mip_gap is None or result.mip_gap > 0
    # What HiGHS did not allocate in time is filled greedily, so the proposal is no worse
    # than the baseline.
    assert result.objective >= greedy(requests, providers, offers).objective


# --- Money ----------------------------------------------------------------------------------


def test_total_price_is_exact_decimal_from_float_prices():
    requests = [request("a"), request("b")]
    offers = [Offer("a", "P", 100.10, 70), Offer("b", "P", 200.20, 70)]
    exact = propose(requests, [provider("P")], offers)
    assert exact.total_price_per_week == Decimal("300.30")
    assert {a.price_per_week for a in exact.allocations} == {100.10, 200.20}


# --- Empty and invalid input ----------------------------------------------------------------


@pytest.mark.parametrize("method", [propose, greedy])
def test_empty_input_gives_empty_proposal(method):
    result = method([], [], [])
    assert result.allocations == ()
    assert result.unallocated == ()
    assert result.objective == 0
    assert result.total_price_per_week == 0


def test_propose_empty_input_is_trivially_optimal():
    result = propose([], [], [])
    assert result.proved_optimal
    assert result.status == "nothing to allocate"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: request("a", hours=-1), "request 'a': hours_per_week must not be negative"),
        (lambda: request("a", hours=float("nan")), "request 'a': hours_per_week must be finite"),
        (lambda: request("a", hours="20"), "request 'a': hours_per_week must be a number"),
        (lambda: request("a", budget=-5), "request 'a': budget_per_week must not be negative"),
        (lambda: request("a", budget=Decimal("NaN")), "budget_per_week must be finite"),
        (lambda: provider("P", capacity=-1), "provider 'P': capacity_hours_per_week must not"),
        (lambda: provider("P", max_new_packages=-1), "max_new_packages must not be negative"),
        (lambda: provider("P", max_new_packages=True), "max_new_packages must be a whole"),
        (lambda: Provider("P", SL, {"Bootle"}, 10), "provider 'P': lots must be a set"),
        (lambda: Offer("a", "P", 500, 101), "score must be between 0 and 100"),
        (lambda: Offer("a", "P", 500, -1), "score must be between 0 and 100"),
        (lambda: Offer("a", "P", -500, 50), "price_per_week must not be negative"),
    ],
)
def test_invalid_record_raises(make, message):
    with pytest.raises(BrokerageInputError, match=message):
        make()


@pytest.mark.parametrize("method", [propose, greedy])
@pytest.mark.parametrize(
    ("requests", "providers", "offers", "message"),
    [
        ([request("a"), request("a")], [], [], "duplicate request id 'a'"),
        ([], [provider("P"), provider("P")], [], "duplicate provider id 'P'"),
        (
            [request("a")],
            [provider("P")],
            [Offer("z", "P", 500, 50)],
            "offer from provider 'P' names unknown request 'z'",
        ),
        (
            [request("a")],
            [provider("P")],
            [Offer("a", "Z", 500, 50)],
            "offer for request 'a' names unknown provider 'Z'",
        ),
        (
            [request("a")],
            [provider("P")],
            [Offer("a", "P", 500, 50), Offer("a", "P", 400, 50)],
            "provider 'P' made more than one offer for request 'a'",
        ),
    ],
)
def test_invalid_market_raises(method, requests, providers, offers, message):
    with pytest.raises(BrokerageInputError, match=message):
        method(requests, providers, offers)


def test_invalid_market_lists_every_problem():
    with pytest.raises(BrokerageInputError) as raised:
        propose(
            [request("a"), request("a")],
            [provider("P")],
            [Offer("a", "Z", 500, 50), Offer("y", "P", 500, 50)],
        )
    assert raised.value.problems == (
        "duplicate request id 'a'",
        "offer for request 'a' names unknown provider 'Z'",
        "offer from provider 'P' names unknown request 'y'",
    )


def test_many_repeated_offers_are_counted_after_the_first_ten():
    requests = [request(f"r{i}") for i in range(12)]
    offers = [Offer(r.id, "P", 500, 50) for r in requests for _ in range(2)]
    with pytest.raises(BrokerageInputError) as raised:
        propose(requests, [provider("P")], offers)
    assert len(raised.value.problems) == 11
    assert raised.value.problems[-1] == "and 2 more requests with repeated offers"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"budget_tolerance": -0.1}, "budget_tolerance must not be negative"),
        ({"time_limit": 0}, "time_limit must be positive"),
        ({"mip_gap": -0.01}, "mip_gap not negative"),
    ],
)
def test_invalid_options_raise(options, message):
    with pytest.raises(BrokerageInputError, match=message):
        propose([request("a")], [provider("P")], [], **options)


# --- Purity ---------------------------------------------------------------------------------


def test_brokerage_does_not_import_django():
    tree = ast.parse(Path(brokerage.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "django" not in imported
    assert "placebook" not in imported
