"""Grouped "min" (competition) ranking without a Python loop over rows."""

from __future__ import annotations

import numpy as np

from placebook.stats._inputs import Groups


def competition_rank(key: np.ndarray, by: Groups) -> tuple[np.ndarray, np.ndarray]:
    """Rank ``key`` ascending within each group, ties sharing the lowest rank (1, 2, 2, 4).

    Returns (rank per row as float with NaN where key is NaN, count of ranked rows per group).
    This is R's rank(ties.method = "min", na.last = "keep") applied per group.
    """
    ranked = np.flatnonzero(~np.isnan(key))
    keys = key[ranked]
    codes = by.codes[ranked]
    order = np.lexsort((keys, codes))
    keys, codes = keys[order], codes[order]
    position = np.arange(len(order))
    starts_group = np.ones(len(order), dtype=bool)
    starts_group[1:] = codes[1:] != codes[:-1]
    starts_tie = starts_group.copy()
    starts_tie[1:] |= keys[1:] != keys[:-1]
    group_start = np.maximum.accumulate(np.where(starts_group, position, 0))
    tie_start = np.maximum.accumulate(np.where(starts_tie, position, 0))
    rank = np.full(len(key), np.nan)
    rank[ranked[order]] = tie_start - group_start + 1
    return rank, np.bincount(codes, minlength=by.count)
