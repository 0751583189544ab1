"""Rows per second for placebook.stats against a plain per-row Python loop of the same formulas.

    uv run python benchmarks/stats_throughput.py [--rows 1000000] [--loop-rows 100000]

Both run in this process on the same synthetic data. The per-row loop is timed on the first
--loop-rows rows and reported as rows per second (a full million-row loop of the exact
Poisson limits takes minutes). Peak memory of each vectorised call is measured with
tracemalloc, so "memory-bounded" is a figure, not a claim.
"""

import argparse
import math
import time
import tracemalloc

import numpy as np
from scipy import stats as sps

from placebook import stats

Z95 = sps.norm.ppf(0.975)


def wilson_loop(x, n):
    out = []
    for xi, ni in zip(x, n, strict=True):
        p = xi / ni
        centre = (2 * xi + Z95**2) / (2 * (ni + Z95**2))
        half = Z95 * math.sqrt(Z95**2 + 4 * xi * (1 - p)) / (2 * (ni + Z95**2))
        out.append((p, centre - half, centre + half))
    return out


def byars_loop(x, n, multiplier=100_000):
    out = []
    for xi, ni in zip(x, n, strict=True):
        if xi < 10:  # exact Poisson limits, as the vectorised function does
            lower = sps.chi2.ppf(0.025, 2 * xi) / 2 if xi > 0 else 0.0
            upper = sps.chi2.ppf(0.975, 2 * xi + 2) / 2
        else:
            lower = xi * (1 - 1 / (9 * xi) - Z95 / (3 * math.sqrt(xi))) ** 3
            upper = (xi + 1) * (1 - 1 / (9 * (xi + 1)) + Z95 / (3 * math.sqrt(xi + 1))) ** 3
        out.append((xi / ni * multiplier, lower / ni * multiplier, upper / ni * multiplier))
    return out


def dsr_loop(x, n, w, groups):
    totals = {}
    for xi, ni, wi, g in zip(x, n, w, groups, strict=True):
        acc = totals.setdefault(g, [0.0, 0.0, 0.0, 0.0])
        acc[0] += wi * xi / ni
        acc[1] += wi
        acc[2] += wi**2 * xi / ni**2
        acc[3] += xi
    out = {}
    for g, (weighted, wsum, variance, count) in totals.items():
        value = weighted / wsum
        se = math.sqrt(variance) / wsum / math.sqrt(count) if count else math.nan
        lower = sps.chi2.ppf(0.025, 2 * count) / 2 if count else 0.0
        upper = sps.chi2.ppf(0.975, 2 * count + 2) / 2
        out[g] = (
            value * 100_000,
            (value + se * (lower - count)) * 100_000,
            (value + se * (upper - count)) * 100_000,
        )
    return out


def timed(function, *args, **kwargs):
    tracemalloc.start()
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    rows, loop_rows = args.rows, min(args.loop_rows, args.rows)
    n = rng.integers(100, 100_000, rows).astype(float)
    x = rng.binomial(n.astype(int), 0.05).astype(float)
    small = rng.integers(0, 30, rows).astype(float)  # many counts below 10: exact limits
    bands = 19
    groups = np.repeat(np.arange(rows // bands + 1), bands)[:rows]
    weights = np.tile(np.asarray(stats.ESP2013, dtype=float), rows // bands + 1)[:rows]

    cases = [
        (
            "proportion (Wilson)",
            lambda: stats.proportion(x, n, confidence=(0.95, 0.998)),
            lambda: wilson_loop(x[:loop_rows].tolist(), n[:loop_rows].tolist()),
        ),
        (
            "crude_rate (Byar's / exact)",
            lambda: stats.crude_rate(small, n, confidence=(0.95, 0.998)),
            lambda: byars_loop(small[:loop_rows].tolist(), n[:loop_rows].tolist()),
        ),
        (
            "dsr (Dobson, 19 age bands)",
            lambda: stats.dsr(x, n, stdpop=weights, groups=groups, confidence=(0.95, 0.998)),
            lambda: dsr_loop(
                x[:loop_rows].tolist(),
                n[:loop_rows].tolist(),
                weights[:loop_rows].tolist(),
                groups[:loop_rows].tolist(),
            ),
        ),
    ]
    print(f"rows: {rows:,} (loop timed on {loop_rows:,})")
    columns = ("vectorised rows/s", "loop rows/s", "speed-up", "peak MiB")
    print(f"{'statistic':<30}{columns[0]:>20}{columns[1]:>14}{columns[2]:>10}{columns[3]:>10}")
    for name, vectorised, loop in cases:
        _result, seconds, peak = timed(vectorised)
        _loop, loop_seconds, _ = timed(loop)
        fast, slow = rows / seconds, loop_rows / loop_seconds
        print(f"{name:<30}{fast:>20,.0f}{slow:>14,.0f}{fast / slow:>9.0f}x{peak / 2**20:>10.0f}")


if __name__ == "__main__":
    main()
