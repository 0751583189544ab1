"""Raw confidence intervals for counts and proportions.

These are the building blocks the statistic functions share. The formulas are the ones in the
Fingertips technical guidance and PHEindicatormethods' internal byars_* and wilson_* helpers:

- Wilson score interval for a proportion (Wilson 1927; Newcombe and Altman 2000);
- Byar's approximation to the Poisson interval for a count (Breslow and Day 1987);
- the exact Poisson interval, from chi-squared quantiles, which Fingertips uses instead of Byar's
  when the count is below 10 because Byar's is poor (and can go negative) for small counts.

The critical value is z = Phi^-1(c + (1 - c) / 2), written in exactly that form so the floating
point argument is bit-for-bit the one R computes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as _dist

from placebook.stats._inputs import confidence_levels, fail_where, numeric, same_length

# Below this many events an exact Poisson interval replaces Byar's (Fingertips guidance).
EXACT_POISSON_BELOW = 10


class Interval(NamedTuple):
    """Lower and upper limits, each an array with one element per input row."""

    lower: np.ndarray
    upper: np.ndarray


def z_value(confidence: float) -> float:
    """Two-sided standard normal critical value for a confidence level (0.95 -> 1.959963...)."""
    return float(_dist.norm.ppf(confidence + (1 - confidence) / 2))


def wilson_ci(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion x / n, on the 0-1 scale.

    Chosen over the normal ("Wald") interval because it stays inside [0, 1] and keeps close to
    nominal coverage for proportions near 0 or 1 and for small n. ``x`` need not be whole (the
    upstream tests use 0.445 of 1). Missing x or n give NaN limits.

    Raises StatsInputError for x < 0, n <= 0, x > n, or a confidence other than 0.95 / 0.998.
    """
    (level,) = confidence_levels(confidence, single=True)
    x_arr = numeric("x", x)
    n_arr = numeric("n", n)
    same_length({"x": len(x_arr), "n": len(n_arr)})
    check_proportion_inputs(x_arr, n_arr)
    return wilson_limits(x_arr, n_arr, z_value(level))


def check_proportion_inputs(x: np.ndarray, n: np.ndarray) -> None:
    fail_where(x < 0, "x", "numerators must be greater than or equal to zero")
    fail_where(n <= 0, "n", "denominators must be greater than zero")
    fail_where(x > n, "x", "numerators must be less than or equal to the denominator")


def wilson_limits(x: np.ndarray, n: np.ndarray, z: float) -> Interval:
    z2 = z * z
    half_width = z * np.sqrt(z2 + 4 * x * (1 - (x / n)))
    centre = 2 * x + z2
    scale = 2 * (n + z2)
    return Interval((centre - half_width) / scale, (centre + half_width) / scale)


def byars_ci(x: ArrayLike, confidence: float = 0.95) -> Interval:
    """Byar's approximate Poisson interval for observed counts ``x`` (no exact switch).

    Byar's lower limit goes negative for very small counts at high confidence (x = 1 at 99.8%);
    like PHEindicatormethods that limit is returned as NaN rather than a negative count. Use
    :func:`poisson_ci` for the Fingertips rule that swaps in the exact interval below 10.
    """
    (level,) = confidence_levels(confidence, single=True)
    x_arr = numeric("x", x)
    fail_where(x_arr < 0, "x", "observed events must be greater than or equal to zero")
    return byars_limits(x_arr, z_value(level))


def byars_limits(x: np.ndarray, z: float) -> Interval:
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    lower[lower < 0] = np.nan
    above = x + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    return Interval(lower, upper)


def poisson_ci(x: ArrayLike, confidence: float = 0.95) -> Interval:
    """Poisson interval for counts: exact (chi-squared) below 10 events, Byar's from 10 up.

    This is the interval behind Fingertips crude rates and indirectly standardised ratios.
    The exact limits are chi2(alpha/2, 2x)/2 and chi2(1 - alpha/2, 2x + 2)/2, with the lower
    limit 0 when x = 0.
    """
    (level,) = confidence_levels(confidence, single=True)
    x_arr = numeric("x", x)
    fail_where(x_arr < 0, "x", "observed events must be greater than or equal to zero")
    return poisson_limits(x_arr, level)


def poisson_limits(x: np.ndarray, confidence: float) -> Interval:
    lower, upper = byars_limits(x, z_value(confidence))
    small = x < EXACT_POISSON_BELOW
    if small.any():
        lower[small], upper[small] = _exact_poisson(x[small], confidence)
    return Interval(lower, upper)


def _exact_poisson(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    # Counts are nearly always whole, so there are only ten distinct small-count intervals:
    # look them up instead of inverting the chi-squared distribution once per row.
    whole = x == np.floor(x)
    lower = np.empty_like(x)
    upper = np.empty_like(x)
    table_lower, table_upper = _exact_limits(
        np.arange(EXACT_POISSON_BELOW, dtype=float), confidence
    )
    index = x[whole].astype(np.intp)
    lower[whole], upper[whole] = table_lower[index], table_upper[index]
    lower[~whole], upper[~whole] = _exact_limits(x[~whole], confidence)
    return lower, upper


def _exact_limits(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - confidence) / 2
    lower = np.zeros_like(x)
    some = x > 0
    lower[some] = _dist.chi2.ppf(tail, 2 * x[some]) / 2
    upper = _dist.chi2.ppf(confidence + tail, 2 * x + 2) / 2
    return lower, upper


def exact_poisson_method(x: np.ndarray) -> np.ndarray:
    """Per-row method label matching :func:`poisson_ci`: "Exact", "Byars", or None if x is NaN."""
    labels = np.array([None, "Exact", "Byars"], dtype=object)
    return labels[(x < EXACT_POISSON_BELOW) + 2 * (x >= EXACT_POISSON_BELOW)]
