"""Means with Student's t confidence limits (PHEindicatormethods::phe_mean)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as _dist

from placebook.stats._inputs import confidence_levels, group_rows, numeric
from placebook.stats.result import StatsResult, limit_columns, text_column


def mean(
    x: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
) -> StatsResult:
    """Mean of ``x`` per group with limits mean +/- t(n - 1) * sd / sqrt(n).

    The t distribution rather than the normal is used because indicator means are often over a
    handful of values (the upstream test has 8). ``sd`` is the sample standard deviation
    (n - 1 denominator), computed in two passes for accuracy. A group with any missing value
    gives NaN throughout (as R's sum() does without na.rm), and a group of one value has NaN
    limits (no spread to estimate).

    Columns: [group], value_sum, value_count, stdev, value, limits, statistic ("mean"), method.
    Without ``groups`` the whole of ``x`` is one group and there is no group column.
    """
    levels = confidence_levels(confidence)
    values = numeric("x", x)
    by = group_rows(groups, len(values))

    total = by.sum(values)
    count = by.sizes().astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        average = total / count
        squares = by.sum((values - average[by.codes]) ** 2)
        stdev = np.sqrt(squares / (count - 1))
        standard_error = stdev / np.sqrt(count)

    def limits(level: float) -> tuple[np.ndarray, np.ndarray]:
        tail = (1 - level) / 2
        with np.errstate(invalid="ignore"):
            half_width = np.abs(_dist.t.ppf(tail, count - 1)) * standard_error
        return average - half_width, average + half_width

    return StatsResult(
        {
            **by.label_column(),
            "value_sum": total,
            "value_count": count.astype(np.int64),
            "stdev": stdev,
            "value": average,
            **limit_columns(levels, limits),
            "statistic": text_column(by.count, "mean"),
            "method": text_column(by.count, "Student's t-distribution"),
        },
        confidence=levels,
    )
