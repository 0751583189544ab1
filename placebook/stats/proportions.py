"""Proportions with Wilson score confidence limits (PHEindicatormethods::phe_proportion)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from placebook.stats._inputs import (
    confidence_levels,
    format_number,
    group_rows,
    numeric,
    positive_scalar,
    same_length,
)
from placebook.stats.intervals import check_proportion_inputs, wilson_limits, z_value
from placebook.stats.result import StatsResult, limit_columns, text_column


def proportion(
    x: ArrayLike,
    n: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 1,
) -> StatsResult:
    """Proportion x / n times ``multiplier`` (1 = proportion, 100 = percentage), Wilson limits.

    Without ``groups`` there is one output row per input row. With ``groups`` the numerators and
    denominators are summed per group first (one row per group, first-seen order), as
    phe_proportion does for grouped data. A missing x or n gives NaN in that row (or group), not
    an error, because a missing count is a data gap to show, not a programming mistake.

    Columns: [group], x, n, value, limits, statistic ("proportion of 1" or "percentage"), method.
    Raises StatsInputError for x < 0, n <= 0, x > n (checked per input row), non-numeric input,
    a non-positive multiplier, or a confidence other than 0.95 / 0.998.
    """
    levels = confidence_levels(confidence)
    scale = positive_scalar("multiplier", multiplier)
    x_arr = numeric("x", x)
    n_arr = numeric("n", n)
    rows = same_length({"x": len(x_arr), "n": len(n_arr)})
    check_proportion_inputs(x_arr, n_arr)

    by = group_rows(groups, rows) if groups is not None else None
    if by is not None:
        x_arr, n_arr = by.sum(x_arr), by.sum(n_arr)
    statistic = "percentage" if scale == 100 else f"proportion of {format_number(scale)}"

    def limits(level: float) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = wilson_limits(x_arr, n_arr, z_value(level))
        return lower * scale, upper * scale

    return StatsResult(
        {
            **(by.label_column() if by is not None else {}),
            "x": x_arr,
            "n": n_arr,
            "value": x_arr / n_arr * scale,
            **limit_columns(levels, limits),
            "statistic": text_column(len(x_arr), statistic),
            "method": text_column(len(x_arr), "Wilson"),
        },
        confidence=levels,
    )
