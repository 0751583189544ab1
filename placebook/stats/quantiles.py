"""Quantiles (deciles, quintiles, ...) the Fingertips way (PHEindicatormethods::phe_quantile)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from placebook.stats._inputs import Groups, fail_where, group_rows, numeric
from placebook.stats._ranking import competition_rank
from placebook.stats.errors import StatsInputError
from placebook.stats.result import StatsResult, text_column

QUANTILE_NAMES = {
    2: "Half",
    3: "Tertile",
    4: "Quartile",
    5: "Quintile",
    6: "Sextile",
    7: "Septile",
    8: "Octile",
    10: "Decile",
    12: "Duo-decile",
    16: "Hexadecile",
    20: "Ventile",
}


def quantiles(
    values: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    nquantiles: int = 10,
    invert: bool | ArrayLike = True,
) -> StatsResult:
    """Assign each value to a quantile 1..nquantiles within its group (e.g. region).

    Method (PHE): rank the N non-missing values in the group ascending, ties taking the lowest
    rank, then quantile = floor(q + 1 - ceiling((N + 1 - rank) / (N / q))), with 0 raised to 1.
    Ties therefore always land in the same quantile, and quantiles can be unequal in size.

    ``invert=True`` (the upstream default) ranks descending, so quantile 1 holds the highest
    values. To make quantile 1 always the worst, pass ``invert=True`` when lower is better and
    ``invert=False`` when higher is better. ``invert`` may also be one flag per row, but must be
    the same for every row of a group.

    Missing values get a NaN quantile; so does every row of a group with fewer than
    ``nquantiles`` values, with statistic "<Name> NA: fewer than q values in group".

    Returns one row per input row: [group], value, quantile, statistic.
    """
    data = numeric("values", values)
    if isinstance(nquantiles, bool) or not isinstance(nquantiles, int | np.integer):
        raise StatsInputError("nquantiles", f"must be a whole number, got {nquantiles!r}")
    if nquantiles < 2:
        raise StatsInputError("nquantiles", f"must be at least 2, got {nquantiles}")
    by = group_rows(groups, len(data))
    flip = _invert_per_row(invert, by, len(data))

    rank, ranked_per_group = competition_rank(np.where(flip, -data, data), by)
    available = ranked_per_group[by.codes].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        quantile = np.floor(
            (nquantiles + 1) - np.ceil(((available + 1) - rank) / (available / nquantiles))
        )
    quantile[quantile == 0] = 1
    too_few = available < nquantiles
    quantile[too_few] = np.nan

    name = QUANTILE_NAMES.get(int(nquantiles), f"{nquantiles}-quantile")
    statistic = text_column(len(data), name)
    statistic[too_few] = f"{name} NA: fewer than {nquantiles} values in group"
    return StatsResult(
        {
            **by.row_label_column(),
            "value": data,
            "quantile": quantile,
            "statistic": statistic,
        }
    )


def _invert_per_row(invert: bool | ArrayLike, by: Groups, rows: int) -> np.ndarray:
    flags = np.asarray(invert)
    if flags.dtype.kind != "b":
        raise StatsInputError("invert", "must be True or False (or one flag per row)")
    if flags.ndim == 0:
        return np.full(rows, bool(flags))
    if flags.shape != (rows,):
        raise StatsInputError("invert", f"has {flags.size} flags for {rows} rows")
    inverted = np.bincount(by.codes, weights=flags, minlength=by.count)
    mixed = (inverted > 0) & (inverted < by.sizes())
    fail_where(mixed[by.codes], "invert", "must be the same for every row of a group")
    return flags
