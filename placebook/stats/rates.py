"""Crude rates with Byar's / exact Poisson confidence limits (PHEindicatormethods::phe_rate)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from placebook.stats._inputs import (
    confidence_levels,
    fail_where,
    format_number,
    group_rows,
    numeric,
    positive_scalar,
    same_length,
)
from placebook.stats.intervals import exact_poisson_method, poisson_limits
from placebook.stats.result import StatsResult, limit_columns, text_column


def crude_rate(
    x: ArrayLike,
    n: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> StatsResult:
    """Events x per ``multiplier`` population n, with Poisson limits on the count.

    Limits use the exact Poisson interval when x < 10 and Byar's method otherwise (method column
    "Exact" or "Byars", None where x is missing); the count's interval is divided by n, so the
    population is treated as fixed. x may exceed n (a rate is not a proportion). Without
    ``groups`` one row per input row; with ``groups`` x and n are summed per group first.
    Missing x or n gives NaN.

    Columns: [group], x, n, value, limits, statistic ("rate per 100000"), method.
    Raises StatsInputError for x < 0, n <= 0, non-numeric input, a non-positive multiplier, or a
    confidence other than 0.95 / 0.998.
    """
    levels = confidence_levels(confidence)
    scale = positive_scalar("multiplier", multiplier)
    x_arr = numeric("x", x)
    n_arr = numeric("n", n)
    rows = same_length({"x": len(x_arr), "n": len(n_arr)})
    fail_where(x_arr < 0, "x", "numerators must be greater than or equal to zero")
    fail_where(n_arr <= 0, "n", "denominators must be greater than zero")

    by = group_rows(groups, rows) if groups is not None else None
    if by is not None:
        x_arr, n_arr = by.sum(x_arr), by.sum(n_arr)

    def limits(level: float) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = poisson_limits(x_arr, level)
        return lower / n_arr * scale, upper / n_arr * scale

    return StatsResult(
        {
            **(by.label_column() if by is not None else {}),
            "x": x_arr,
            "n": n_arr,
            "value": x_arr / n_arr * scale,
            **limit_columns(levels, limits),
            "statistic": text_column(len(x_arr), f"rate per {format_number(scale)}"),
            "method": exact_poisson_method(x_arr),
        },
        confidence=levels,
    )
