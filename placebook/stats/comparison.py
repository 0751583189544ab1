"""Judging values: against a benchmark, against peers (z-scores, ranks) and over time.

Sign conventions, once for the whole module (see README.md):

- ``polarity`` is one of "higher is better", "lower is better", "no judgement" (:class:`Polarity`).
- compare_to_benchmark: "better"/"similar"/"worse"; with no judgement "higher"/"similar"/"lower".
- z_scores: positive = better (for "no judgement", positive = higher).
- rank_within: rank 1 = best (for "no judgement", rank 1 = highest value).
- direction_of_travel: "increasing"/"decreasing" describe the value; "better"/"worse" apply
  polarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as _dist

from placebook.stats._inputs import (
    Groups,
    confidence_levels,
    fail_where,
    group_rows,
    numeric,
    same_length,
)
from placebook.stats._ranking import competition_rank
from placebook.stats.errors import StatsInputError
from placebook.stats.result import StatsResult, confidence_columns, text_column

NOT_COMPARED = "not compared"
NO_SIGNIFICANT_CHANGE = "no significant change"
NOT_CALCULATED = "not calculated"


class Polarity(StrEnum):
    """Which direction is good for an indicator (Fingertips' "polarity")."""

    HIGHER_IS_BETTER = "higher is better"
    LOWER_IS_BETTER = "lower is better"
    NO_JUDGEMENT = "no judgement"


def _polarity(polarity: object) -> Polarity:
    try:
        return Polarity(polarity)
    except ValueError:
        allowed = ", ".join(repr(p.value) for p in Polarity)
        raise StatsInputError("polarity", f"must be one of {allowed}, got {polarity!r}") from None


def _good_sign(polarity: Polarity) -> float:
    """+1 if a higher value is the good (or, with no judgement, the reported) direction."""
    return -1.0 if polarity is Polarity.LOWER_IS_BETTER else 1.0


def compare_to_benchmark(
    limits: Mapping[str, ArrayLike],
    benchmark: ArrayLike,
    *,
    polarity: str,
) -> StatsResult:
    """Fingertips' benchmark comparison: does the confidence interval exclude the benchmark?

    ``limits`` is a result from this package (or any mapping with ``lower95_0cl``/``upper95_0cl``
    and/or ``lower99_8cl``/``upper99_8cl``); ``benchmark`` is one value (e.g. England) or one per
    row. For each level present a column ``compared95_0`` / ``compared99_8`` holds "better" when
    the whole interval is on the good side of the benchmark, "worse" when on the bad side, and
    "similar" when the interval contains it (touching counts as containing). With
    "no judgement" the words are "higher", "similar", "lower". A missing limit or benchmark
    gives "not compared". A ``group`` column in ``limits`` is carried through.
    """
    judged = _polarity(polarity)
    levels = [
        level for level in (0.95, 0.998) if set(confidence_columns(level)) <= set(limits.keys())
    ]
    if not levels:
        raise StatsInputError("limits", "needs lower95_0cl/upper95_0cl or lower99_8cl/upper99_8cl")
    high_word, low_word = {
        Polarity.HIGHER_IS_BETTER: ("better", "worse"),
        Polarity.LOWER_IS_BETTER: ("worse", "better"),
        Polarity.NO_JUDGEMENT: ("higher", "lower"),
    }[judged]
    columns: dict[str, np.ndarray] = {}
    if "group" in limits:
        columns["group"] = np.asarray(limits["group"])
    for level in levels:
        lower_name, upper_name = confidence_columns(level)
        lower = numeric(lower_name, limits[lower_name])
        upper = numeric(upper_name, limits[upper_name])
        rows = same_length({lower_name: len(lower), upper_name: len(upper)})
        target = numeric("benchmark", benchmark)
        if len(target) not in (1, rows):
            raise StatsInputError("benchmark", f"must be one value or one per row ({rows})")
        target = np.broadcast_to(target, (rows,))
        words = text_column(rows, "similar")
        words[lower > target] = high_word
        words[upper < target] = low_word
        words[np.isnan(lower) | np.isnan(upper) | np.isnan(target)] = NOT_COMPARED
        columns["compared" + lower_name.removeprefix("lower").removesuffix("cl")] = words
    return StatsResult(columns, confidence=tuple(levels))


def z_scores(
    values: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    comparator: ArrayLike | None = None,
    polarity: str,
) -> StatsResult:
    """Standardised distance of each value from its comparator group, positive = better.

    z = s * (value - mean) / sd, where mean and sd (sample, n - 1) are over the comparator rows of
    the same group (``comparator`` is a boolean mask; default every row), and s is +1 when
    higher is better (or no judgement) and -1 when lower is better, so that a positive z always
    means "better than the comparators" whatever the indicator's direction. Rows with a missing
    value, and groups with fewer than two comparator values or no spread, get NaN.

    Returns one row per input row: [group], value, z.
    """
    judged = _polarity(polarity)
    data = numeric("values", values)
    by = group_rows(groups, len(data))
    if comparator is None:
        in_reference = ~np.isnan(data)
    else:
        mask = np.asarray(comparator)
        if mask.dtype.kind != "b" or mask.shape != data.shape:
            raise StatsInputError("comparator", f"must be {len(data)} True/False flags")
        in_reference = mask & ~np.isnan(data)
    reference = np.where(in_reference, data, 0.0)
    count = by.sum(in_reference.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = by.sum(reference) / count
        squares = by.sum(np.where(in_reference, (data - centre[by.codes]) ** 2, 0.0))
        spread = np.sqrt(squares / (count - 1))
        spread[(count < 2) | (spread == 0)] = np.nan
        z = _good_sign(judged) * (data - centre[by.codes]) / spread[by.codes]
    return StatsResult({**by.row_label_column(), "value": data, "z": z})


def rank_within(
    values: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    polarity: str,
) -> StatsResult:
    """Rank values within each group, 1 = best, ties by the competition method (1, 2, 2, 4).

    Competition ranking keeps "ranked 2nd of 10" honest when two areas tie for 2nd: the next
    area is 4th, not 3rd. Higher is better ranks the highest value 1; lower is better ranks the
    lowest value 1; no judgement ranks the highest value 1 (a position, not a verdict). Missing
    values get NaN and are not counted. ``rank_of`` is the number of ranked values in the group.

    Returns one row per input row: [group], value, rank, rank_of.
    """
    judged = _polarity(polarity)
    data = numeric("values", values)
    by = group_rows(groups, len(data))
    rank, ranked = competition_rank(-_good_sign(judged) * data, by)
    return StatsResult(
        {**by.row_label_column(), "value": data, "rank": rank, "rank_of": ranked[by.codes]}
    )


def direction_of_travel(
    x: ArrayLike,
    n: ArrayLike,
    period: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    polarity: str,
    confidence: float | Sequence[float] = 0.998,
    min_periods: int = 2,
) -> StatsResult:
    """Has a proportion x / n changed over time by more than chance? (chi-squared test for trend)

    Uses the chi-squared test for linear trend in proportions (Cochran-Armitage, as the
    Fingertips "recent trend" method does), not overlapping confidence intervals: overlapping
    intervals miss real changes, and a trend test uses every period, not just the first and
    last. With two periods it equals the ordinary 2x2 chi-squared test (no continuity
    correction). For each group, with p = sum(x) / sum(n) and weighted mean period tbar,

        T = sum(x * (t - tbar)),  chi2 = T^2 / (p * (1 - p) * sum(n * (t - tbar)^2)),  1 df.

    The change is significant when the p-value is below 1 - ``confidence`` (0.998 by default,
    Fingertips' recent-trend level; 0.95 also allowed). ``direction`` is "increasing",
    "decreasing" or "no significant change"; ``judgement`` is "better"/"worse" by polarity
    ("no judgement" when polarity is no judgement), or "no significant change". Groups with
    fewer than ``min_periods`` non-missing periods (Fingertips uses 5), or where the test is
    undefined (every x zero, or every x equal to n), are "not calculated". Missing x or n rows
    are left out.

    Returns one row per group: [group], periods, chi_squared, p_value, direction, judgement.
    """
    judged = _polarity(polarity)
    (level,) = confidence_levels(confidence, single=True)
    if isinstance(min_periods, bool) or not isinstance(min_periods, int) or min_periods < 2:
        raise StatsInputError("min_periods", f"must be a whole number >= 2, got {min_periods!r}")
    events, trials, time = _trend_inputs(x, n, period)
    by = group_rows(groups, len(events))
    periods, chi_squared, slope = _trend_test(events, trials, time, by)
    p_value = _dist.chi2.sf(chi_squared, 1)

    direction = text_column(by.count, NO_SIGNIFICANT_CHANGE)
    significant = p_value < 1 - level
    direction[significant & (slope > 0)] = "increasing"
    direction[significant & (slope < 0)] = "decreasing"
    judgement = text_column(by.count, NO_SIGNIFICANT_CHANGE)
    if judged is Polarity.NO_JUDGEMENT:
        judgement[significant] = "no judgement"
    else:
        good = significant & (np.sign(slope) == _good_sign(judged))
        judgement[significant] = "worse"
        judgement[good] = "better"
    undefined = (periods < min_periods) | np.isnan(chi_squared)
    direction[undefined] = NOT_CALCULATED
    judgement[undefined] = NOT_CALCULATED
    return StatsResult(
        {
            **by.label_column(),
            "periods": periods,
            "chi_squared": chi_squared,
            "p_value": p_value,
            "direction": direction,
            "judgement": judgement,
        },
        confidence=(level,),
    )


def _trend_inputs(
    x: ArrayLike, n: ArrayLike, period: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    events = numeric("x", x)
    trials = numeric("n", n)
    time = numeric("period", period, allow_missing=False)
    same_length({"x": len(events), "n": len(trials), "period": len(time)})
    fail_where(events < 0, "x", "numerators must be greater than or equal to zero")
    fail_where(trials <= 0, "n", "denominators must be greater than zero")
    fail_where(events > trials, "x", "numerators must be less than or equal to the denominator")
    return events, trials, time


def _trend_test(
    events: np.ndarray, trials: np.ndarray, time: np.ndarray, by: Groups
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    present = ~(np.isnan(events) | np.isnan(trials))
    events = np.where(present, events, 0.0)
    trials = np.where(present, trials, 0.0)
    periods = by.sum(present.astype(np.float64)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        total_trials = by.sum(trials)
        pooled = by.sum(events) / total_trials
        centre = by.sum(trials * time) / total_trials
        offset = time - centre[by.codes]
        slope = by.sum(events * offset)
        spread = by.sum(trials * offset**2)
        variance = pooled * (1 - pooled) * spread
        chi_squared = slope**2 / variance
    chi_squared[~(variance > 0)] = np.nan
    return periods, chi_squared, slope
