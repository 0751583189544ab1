"""Age-standardised rates: DSR (Dobson), indirectly standardised rates and ratios (ISR, SMR).

Mirrors PHEindicatormethods::calculate_dsr, calculate_ISRate and calculate_ISRatio. Rows are
strata (usually age bands) and ``groups`` says which area/period/sex each stratum belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from placebook.stats._inputs import (
    Groups,
    confidence_levels,
    fail_where,
    format_number,
    group_rows,
    numeric,
    numeric_matrix,
    per_row,
    positive_scalar,
    same_length,
)
from placebook.stats.errors import StatsInputError
from placebook.stats.intervals import byars_limits, exact_poisson_method, poisson_limits, z_value
from placebook.stats.result import StatsResult, confidence_columns, limit_columns, text_column

# European Standard Population 2013, 19 five-year bands 0-4 ... 85-89, 90+ (Eurostat 2013).
ESP2013 = np.array(
    [
        *(5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000),  # 0-4 ... 45-49
        *(7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000),  # 50-54 ... 90+
    ],
    dtype=np.float64,
)
ESP2013.flags.writeable = False

# Fingertips suppresses DSRs on fewer events: Byar's interval is unreliable there.
DSR_MINIMUM_COUNT = 10
DSR_SUPPRESSED = "dsr NA for total count < 10"
DOBSON = "Dobson"
DOBSON_NON_INDEPENDENT = "Dobson, with confidence adjusted for non-independent events"


def dsr(
    x: ArrayLike,
    n: ArrayLike,
    stdpop: ArrayLike | None = None,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    persons_by_events: ArrayLike | None = None,
) -> StatsResult:
    """Directly standardised rate per ``multiplier`` with Dobson confidence limits.

    value = sum(w * x / n) / sum(w), where w is the standard population of each stratum. The
    limits use Dobson's method: the DSR is a weighted sum of Poisson counts, so its interval is
    the interval of the total count O (Byar's) mapped through the DSR's own variance:
    DSR + sqrt(var / O) * (limit(O) - O), with var = sum(w^2 * x / n^2) / sum(w)^2.

    ``stdpop`` is one weight per row, e.g. ``ESP2013[band_index]`` for 19 age bands. It is not
    recycled by position: PHEindicatormethods 2.1 dropped that because a group with a band
    missing or out of order silently gets the wrong weights. A missing x counts as zero, as
    upstream; missing n or stdpop is an error.

    Non-independent events (one person can have several events, e.g. admissions):
    ``persons_by_events`` is a (rows, k) table whose column j holds the number of persons with
    exactly j + 1 events in that stratum (f1..fk; missing = 0). ``x`` must then equal
    sum((j + 1) * f_j) per row. The value is unchanged but the variance becomes
    sum_j (j + 1)^2 * var(f_j), which widens the interval (Fingertips technical guidance, DSR
    chapter).

    Groups whose total count is below 10 get NaN value and limits, with statistic
    "dsr NA for total count < 10".

    Columns: [group], total_count, total_pop, value, limits, statistic ("dsr per 100000"),
    method ("Dobson" or "Dobson, with confidence adjusted for non-independent events").
    """
    levels = confidence_levels(confidence)
    scale = positive_scalar("multiplier", multiplier)
    count = numeric("x", x)
    population = numeric("n", n, allow_missing=False)
    rows = same_length({"x": len(count), "n": len(population)})
    by = group_rows(groups, rows)
    weight = _standard_population(stdpop, by)
    fail_where(count < 0, "x", "numerators must be greater than or equal to zero")
    fail_where(population <= 0, "n", "denominators must be greater than zero")
    count = np.nan_to_num(count, nan=0.0)

    weight_sum = by.sum(weight)
    rate_weight = weight / population
    total_count = by.sum(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = by.sum(count * rate_weight) / weight_sum * scale
        if persons_by_events is None:
            variance = by.sum(count * rate_weight**2) / weight_sum**2
        else:
            variance = _non_independent_variance(persons_by_events, count, rate_weight, by)
            variance /= weight_sum**2
        spread = np.sqrt(variance / total_count)

    def limits(level: float) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = byars_limits(total_count, z_value(level))
        return (
            value + spread * (lower - total_count) * scale,
            value + spread * (upper - total_count) * scale,
        )

    columns = {
        **by.label_column(),
        "total_count": total_count,
        "total_pop": by.sum(population),
        "value": value,
        **limit_columns(levels, limits),
    }
    suppressed = total_count < DSR_MINIMUM_COUNT
    for name in ("value", *(name for level in levels for name in confidence_columns(level))):
        columns[name][suppressed] = np.nan
    statistic = text_column(by.count, f"dsr per {format_number(scale)}")
    statistic[suppressed] = DSR_SUPPRESSED
    method = DOBSON if persons_by_events is None else DOBSON_NON_INDEPENDENT
    columns["statistic"] = statistic
    columns["method"] = text_column(by.count, method)
    return StatsResult(columns, confidence=levels)


def _standard_population(stdpop: ArrayLike | None, by: Groups) -> np.ndarray:
    if stdpop is None:
        raise StatsInputError("stdpop", "a standard population is required (e.g. ESP2013)")
    weight = numeric("stdpop", stdpop, allow_missing=False)
    if len(weight) != len(by.codes):
        raise StatsInputError(
            "stdpop",
            f"has {len(weight)} values for {len(by.codes)} rows; give one per row "
            "(e.g. ESP2013[band_index])",
        )
    fail_where(weight < 0, "stdpop", "standard populations must be greater than or equal to zero")
    return weight


def _non_independent_variance(
    persons_by_events: ArrayLike, count: np.ndarray, rate_weight: np.ndarray, by: Groups
) -> np.ndarray:
    persons = numeric_matrix("persons_by_events", persons_by_events, len(count))
    fail_where((persons < 0).any(axis=1), "persons_by_events", "person counts must be >= 0")
    persons = np.nan_to_num(persons, nan=0.0)
    events_per_person = np.arange(1, persons.shape[1] + 1, dtype=np.float64)
    implied = persons @ events_per_person
    fail_where(
        ~np.isclose(implied, count, rtol=1e-12, atol=0),
        "persons_by_events",
        "sum of (events per person x persons) must equal x in every row",
    )
    # Each person's k events move together, so a stratum's variance is k^2 times that of a
    # Poisson count of persons: sum over k of k^2 * f_k * (w / n)^2.
    return by.sum((persons @ events_per_person**2) * rate_weight**2)


def isr(
    x: ArrayLike,
    n: ArrayLike,
    x_ref: ArrayLike,
    n_ref: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> StatsResult:
    """Indirectly standardised rate per ``multiplier``: (observed / expected) * reference rate.

    expected = sum(n * x_ref / n_ref) over strata, i.e. the events the group would have had at
    the reference population's stratum rates; the reference rate is sum(x_ref) / sum(n_ref).
    Limits are the Poisson interval of the observed count (exact below 10, Byar's above)
    scaled the same way, so expected is treated as fixed. Use this rather than a DSR when the
    group's own stratum counts are small or unknown.

    ``x_ref`` and ``n_ref`` are per row or one per stratum recycled for every group. Missing x,
    n or x_ref count as zero, as upstream.

    Columns: [group], observed, expected, ref_rate, value, limits, statistic, method.
    """
    levels = confidence_levels(confidence)
    scale = positive_scalar("multiplier", multiplier)
    parts = _indirect_parts(x, n, x_ref, n_ref, groups)
    observed, expected, by = parts.observed, parts.expected, parts.groups
    ref_rate = by.sum(parts.x_ref) / by.sum(parts.n_ref) * scale
    return _indirect_result(
        by,
        {"observed": observed, "expected": expected, "ref_rate": ref_rate},
        ref_rate,
        levels,
        f"indirectly standardised rate per {format_number(scale)}",
    )


def smr(
    x: ArrayLike,
    n: ArrayLike,
    x_ref: ArrayLike,
    n_ref: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    confidence: float | Sequence[float] = 0.95,
    refvalue: float = 1,
) -> StatsResult:
    """Indirectly standardised ratio (SMR when the events are deaths): observed / expected.

    ``refvalue`` scales the ratio (1, or 100 for the "SMR x 100" convention); it is
    PHEindicatormethods' ``refvalue``. Expected counts and limits are as in :func:`isr`.

    Columns: [group], observed, expected, value, limits, statistic, method.
    """
    levels = confidence_levels(confidence)
    scale = positive_scalar("refvalue", refvalue)
    parts = _indirect_parts(x, n, x_ref, n_ref, groups)
    return _indirect_result(
        parts.groups,
        {"observed": parts.observed, "expected": parts.expected},
        np.full(parts.groups.count, scale),
        levels,
        f"indirectly standardised ratio x {format_number(scale)}",
    )


class _IndirectParts(NamedTuple):
    groups: Groups
    observed: np.ndarray
    expected: np.ndarray
    x_ref: np.ndarray
    n_ref: np.ndarray


def _indirect_parts(
    x: ArrayLike, n: ArrayLike, x_ref: ArrayLike, n_ref: ArrayLike, groups: ArrayLike | None
) -> _IndirectParts:
    count = numeric("x", x)
    population = numeric("n", n)
    rows = same_length({"x": len(count), "n": len(population)})
    by = group_rows(groups, rows)
    fail_where(count < 0, "x", "numerators must be greater than or equal to zero")
    fail_where(population < 0, "n", "denominators must be greater than or equal to zero")
    # Checked before recycling, so a reported row is a position in x_ref / n_ref as given.
    ref_count = numeric("x_ref", x_ref)
    ref_population = numeric("n_ref", n_ref, allow_missing=False)
    fail_where(ref_count < 0, "x_ref", "reference counts must be greater than or equal to zero")
    fail_where(ref_population <= 0, "n_ref", "reference populations must be greater than zero")
    ref_count = per_row("x_ref", ref_count, by)
    ref_population = per_row("n_ref", ref_population, by)
    ref_count = np.nan_to_num(ref_count, nan=0.0)
    expected = by.sum(ref_count / ref_population * np.nan_to_num(population, nan=0.0))
    observed = by.sum(np.nan_to_num(count, nan=0.0))
    return _IndirectParts(by, observed, expected, ref_count, ref_population)


def _indirect_result(
    by: Groups,
    totals: dict[str, np.ndarray],
    scale: np.ndarray,
    levels: tuple[float, ...],
    statistic: str,
) -> StatsResult:
    observed, expected = totals["observed"], totals["expected"]

    def limits(level: float) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = poisson_limits(observed, level)
        with np.errstate(divide="ignore", invalid="ignore"):
            return lower / expected * scale, upper / expected * scale

    with np.errstate(divide="ignore", invalid="ignore"):
        value = observed / expected * scale
    return StatsResult(
        {
            **by.label_column(),
            **totals,
            "value": value,
            **limit_columns(levels, limits),
            "statistic": text_column(by.count, statistic),
            "method": exact_poisson_method(observed),
        },
        confidence=levels,
    )
