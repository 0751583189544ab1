"""Exact brokerage (HiGHS) against the greedy baseline on a synthetic market.

    uv run python benchmarks/brokerage.py [--requests 10000] [--providers 300] [--seed 2026]
                                          [--time-limit 300]

The market is drawn from a seeded RNG, so the same arguments give the same market. It is a
scaled-up Sefton (seed 003: supported living for ~611 people from ~37 providers, about
£22m a year): four lots and eight localities, supported living with the most hours, hourly
rates of £20 to £30 that rise with quality, budgets that some offers exceed, and provider
capacity that falls short of demand in some localities and not others, so that who gets
which package matters. Each provider offers on about half the requests it could take.

Both methods run in this process, one after the other, on the same input. Peak memory is
the rise in resident memory (VmHWM, reset before each run through /proc/self/clear_refs)
over what the process held before the run, so it includes HiGHS's own C++ allocations,
which tracemalloc cannot see. HiGHS prints its banner once per process; it is not ours.
"""

import argparse
import re
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

from placebook.purchasing.brokerage import Offer, Provider, Request, greedy, propose

# lot: share of requests, hours a week (low, high)
LOTS = {
    "supported living": (0.30, (20.0, 60.0)),
    "community support": (0.40, (5.0, 25.0)),
    "extra care": (0.15, (5.0, 20.0)),
    "day opportunities": (0.15, (6.0, 30.0)),
}
# Sefton's localities: share of requests, and provider capacity against local demand
# (below 1: short of it).
LOCALITIES = {
    "Southport": (0.22, 0.75),
    "Bootle": (0.18, 0.85),
    "Crosby": (0.12, 1.10),
    "Netherton": (0.12, 0.90),
    "Litherland": (0.10, 1.00),
    "Maghull": (0.09, 0.80),
    "Sefton East Parishes": (0.10, 1.15),
    "Formby": (0.07, 0.95),
}
OFFER_RATE = 0.5  # chance that a provider able to take a request offers on it


def pounds(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def make_market(n_requests: int, n_providers: int, seed: int):
    rng = np.random.default_rng(seed)
    lot_names, lot_specs = list(LOTS), list(LOTS.values())
    loc_names, loc_specs = list(LOCALITIES), list(LOCALITIES.values())
    lot_share = np.array([s for s, _ in lot_specs])
    loc_share = np.array([s for s, _ in loc_specs])
    loc_share /= loc_share.sum()

    req_lot = rng.choice(len(lot_names), n_requests, p=lot_share)
    req_loc = rng.choice(len(loc_names), n_requests, p=loc_share)
    low = np.array([h[0] for _, h in lot_specs])[req_lot]
    high = np.array([h[1] for _, h in lot_specs])[req_lot]
    hours = np.round(rng.uniform(low, high) * 2) / 2  # to the half hour
    budget = hours * rng.uniform(22.0, 30.0, n_requests)

    quality = rng.uniform(45.0, 90.0, n_providers)
    rate = np.clip(20 + (quality - 45) / 45 * 8 + rng.normal(0, 1, n_providers), 19.5, 31.0)
    prov_lots = [
        rng.choice(len(lot_names), rng.choice([1, 2], p=[0.6, 0.4]), replace=False, p=lot_share)
        for _ in range(n_providers)
    ]
    prov_locs = [
        rng.choice(
            len(loc_names), rng.choice([1, 2, 3, 4], p=[0.1, 0.3, 0.35, 0.25]), False, loc_share
        )
        for _ in range(n_providers)
    ]
    covers = np.zeros((n_providers, len(lot_names), len(loc_names)), dtype=bool)
    for k in range(n_providers):
        covers[k][np.ix_(prov_lots[k], prov_locs[k])] = True

    demand = np.zeros((len(lot_names), len(loc_names)))
    np.add.at(demand, (req_lot, req_loc), hours)
    counts = np.zeros_like(demand)
    np.add.at(counts, (req_lot, req_loc), 1)
    sharing = np.maximum(covers.sum(axis=0), 1)
    tightness = np.array([t for _, t in loc_specs])
    # Each provider's fair share of each cell's demand it covers, times the locality's
    # tightness and its own appetite.
    share = (demand / sharing * tightness)[None, :, :] * covers
    appetite = rng.uniform(0.5, 1.5, n_providers)
    capacity = np.round(share.sum(axis=(1, 2)) * appetite)
    mean_hours = (demand / np.maximum(counts, 1))[None, :, :] * covers
    mean_hours = mean_hours.sum(axis=(1, 2)) / np.maximum(covers.sum(axis=(1, 2)), 1)

    requests = [
        Request(f"R{r:05d}", lot_names[req_lot[r]], loc_names[req_loc[r]], float(hours[r]),
                pounds(budget[r]))
        for r in range(n_requests)
    ]  # fmt: skip
    providers = []
    for k in range(n_providers):
        limit = None
        if rng.random() < 0.3:  # some providers also cap the number of new packages
            limit = max(1, int(capacity[k] / max(mean_hours[k], 1) * rng.uniform(0.6, 1.0)))
        providers.append(
            Provider(
                f"P{k:03d}",
                frozenset(lot_names[i] for i in prov_lots[k]),
                frozenset(loc_names[i] for i in prov_locs[k]),
                float(capacity[k]),
                limit,
            )
        )

    offers = []
    for lot in range(len(lot_names)):
        for loc in range(len(loc_names)):
            in_cell = np.flatnonzero((req_lot == lot) & (req_loc == loc))
            able = np.flatnonzero(covers[:, lot, loc])
            if not len(in_cell) or not len(able):
                continue
            r_idx, k_idx = np.nonzero(rng.random((len(in_cell), len(able))) < OFFER_RATE)
            r_idx, k_idx = in_cell[r_idx], able[k_idx]
            price = hours[r_idx] * rate[k_idx] * rng.uniform(0.95, 1.08, len(r_idx))
            score = np.clip(quality[k_idx] + rng.normal(0, 6, len(r_idx)), 0, 100)
            offers.extend(
                Offer(requests[r].id, providers[k].id, pounds(p), round(float(s), 2))
                for r, k, p, s in zip(
                    r_idx.tolist(), k_idx.tolist(), price.tolist(), score.tolist(), strict=True
                )
            )
    return requests, providers, offers


def memory_kb() -> tuple[int, int]:
    status = Path("/proc/self/status").read_text()
    return (
        int(re.search(r"VmRSS:\s+(\d+)", status).group(1)),
        int(re.search(r"VmHWM:\s+(\d+)", status).group(1)),
    )


def measured(method, *args, **kwargs):
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before, _ = memory_kb()
    started = time.perf_counter()
    result = method(*args, **kwargs)
    seconds = time.perf_counter() - started
    _, peak = memory_kb()
    return result, seconds, (peak - before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for HiGHS")
    args = parser.parse_args()

    started = time.perf_counter()
    requests, providers, offers = make_market(args.requests, args.providers, args.seed)
    demand = sum(r.hours_per_week for r in requests)
    capacity = sum(p.capacity_hours_per_week for p in providers)
    print(
        f"market: {len(requests):,} requests, {len(providers):,} providers, "
        f"{len(offers):,} offers (seed {args.seed}, made in "
        f"{time.perf_counter() - started:.1f} s)\n"
        f"demand {demand:,.0f} h/week against capacity {capacity:,.0f} h/week "
        f"({capacity / demand:.2f}); limit on new packages at "
        f"{sum(p.max_new_packages is not None for p in providers)} providers\n"
    )

    runs = {
        "greedy": measured(greedy, requests, providers, offers),
        "exact": measured(propose, requests, providers, offers, time_limit=args.time_limit),
    }
    rows = [
        ("allocated", lambda p, s, m: f"{p.allocated_count:,}"),
        ("total score", lambda p, s, m: f"{p.objective:,.2f}"),
        ("weekly cost (£)", lambda p, s, m: f"{p.total_price_per_week:,.2f}"),
        ("seconds", lambda p, s, m: f"{s:.2f}"),
        ("of which HiGHS", lambda p, s, m: f"{p.solver_seconds:.2f}"),
        ("peak memory (MB)", lambda p, s, m: f"{m:.0f}"),
        ("status", lambda p, s, m: p.status),
        ("proved optimal", lambda p, s, m: "yes" if p.proved_optimal else "no"),
        ("bound on score", lambda p, s, m: "-" if p.bound is None else f"{p.bound:,.2f}"),
        ("MIP gap", lambda p, s, m: "-" if p.mip_gap is None else f"{p.mip_gap:.2e}"),
        ("tie-break", lambda p, s, m: str(p.tie_break)),
    ]
    print(f"{'':18} {'greedy':>20} {'exact':>32}")
    for label, show in rows:
        print(f"{label:18} {show(*runs['greedy']):>20} {show(*runs['exact']):>32}")

    (g, g_seconds, _), (e, e_seconds, _) = runs["greedy"], runs["exact"]
    print(
        f"\nscore exact/greedy {e.objective / g.objective:.4f}; "
        f"allocated exact/greedy {e.allocated_count / g.allocated_count:.4f}; "
        f"time exact/greedy {e_seconds / g_seconds:.1f}"
    )
    reasons = {}
    for u in e.unallocated:
        key = f"{u.reason}" + (f" ({u.filter})" if u.filter else "")
        reasons[key] = reasons.get(key, 0) + 1
    print("exact, unallocated: " + "; ".join(f"{k}: {n:,}" for k, n in sorted(reasons.items())))


if __name__ == "__main__":
    main()
