"""Input checking and grouping shared by the public functions.

Every check is a vectorised mask; only when a mask has a True do we look up the first offending
row, so valid million-row inputs pay for a few comparisons and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from placebook.stats.errors import StatsInputError

ALLOWED_CONFIDENCE = (0.95, 0.998)


def _is_number_or_missing(value: object) -> bool:
    if value is None or isinstance(value, Decimal):
        return True
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


_number_or_missing = np.frompyfunc(_is_number_or_missing, 1, 1)


def numeric(argument: str, values: ArrayLike, *, allow_missing: bool = True) -> np.ndarray:
    """A 1-D float64 array from numbers; None (in object input) becomes NaN.

    Decimals are accepted because the ORM hands them over for DecimalFields. Strings, booleans
    and infinities are rejected: each is far more likely a bug upstream than a real count.
    """
    array = _one_dimensional(argument, values)
    kind = array.dtype.kind
    if kind == "O":
        ok = _number_or_missing(array).astype(bool) if array.size else np.ones(0, bool)
        fail_where(~ok, argument, "must be numeric")
        array = array.astype(np.float64)
    elif kind in "iuf":
        array = array.astype(np.float64, copy=False)
    else:
        raise StatsInputError(
            argument, f"must be numeric, not {array.dtype}", 0 if len(array) else None
        )
    fail_where(np.isinf(array), argument, "must be finite")
    if not allow_missing:
        fail_where(np.isnan(array), argument, "cannot have missing values")
    return array


def _one_dimensional(argument: str, values: ArrayLike) -> np.ndarray:
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested sequences
        raise StatsInputError(argument, f"must be a flat sequence of numbers ({error})") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise StatsInputError(argument, f"must be one-dimensional, got shape {array.shape}")
    return array


def numeric_matrix(argument: str, values: ArrayLike, rows: int) -> np.ndarray:
    """A (rows, k) float64 array, checked column by column with :func:`numeric`."""
    try:
        array = np.asarray(values)
    except ValueError as error:
        raise StatsInputError(argument, f"must be a rectangular table ({error})") from None
    if array.ndim != 2 or array.shape[0] != rows or array.shape[1] == 0:
        raise StatsInputError(
            argument, f"must have shape ({rows}, k) with k >= 1, got {array.shape}"
        )
    return np.column_stack([numeric(argument, array[:, k]) for k in range(array.shape[1])])


def fail_where(mask: np.ndarray, argument: str, message: str) -> None:
    """Raise for the first True in ``mask`` (NaN comparisons are False, so NaN never trips)."""
    if mask.any():
        raise StatsInputError(argument, message, int(mask.argmax()))


def same_length(lengths: dict[str, int]) -> int:
    names = list(lengths)
    first = lengths[names[0]]
    for name in names[1:]:
        if lengths[name] != first:
            raise StatsInputError(
                name, f"has {lengths[name]} rows but {names[0]} has {first}; they must match"
            )
    return first


def confidence_levels(confidence: object, *, single: bool = False) -> tuple[float, ...]:
    """Normalise ``confidence`` to a sorted tuple drawn from (0.95, 0.998).

    Only the two levels Fingertips publishes are allowed, so every result has a fixed set of
    possible column names. Percent forms (95, 99.8) are refused rather than guessed at.
    """
    if isinstance(confidence, str | bytes):
        levels: tuple[object, ...] = (confidence,)
    elif isinstance(confidence, Real | Decimal):
        levels = (confidence,)
    else:
        try:
            levels = tuple(confidence)  # type: ignore[call-overload]
        except TypeError:
            levels = (confidence,)
    most = 1 if single else 2
    if not 1 <= len(levels) <= most:
        raise StatsInputError("confidence", f"give {'one level' if single else '1 or 2 levels'}")
    parsed = []
    for position, level in enumerate(levels):
        if not _is_number_or_missing(level) or level is None:
            raise StatsInputError("confidence", f"must be numeric, got {level!r}", position)
        value = float(level)
        if value not in ALLOWED_CONFIDENCE:
            raise StatsInputError(
                "confidence", f"must be 0.95 or 0.998 (or both), got {level!r}", position
            )
        parsed.append(value)
    if len(set(parsed)) != len(parsed):
        raise StatsInputError("confidence", "the same level was given twice")
    return tuple(sorted(parsed))


def positive_scalar(argument: str, value: object) -> float:
    if not _is_number_or_missing(value) or value is None:
        raise StatsInputError(argument, f"must be a number, got {value!r}")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number <= 0:
        raise StatsInputError(argument, f"must be greater than zero, got {value!r}")
    return number


def format_number(value: float) -> str:
    """100000 -> "100000" (never "1e+05"), 2.5 -> "2.5", as R's format(scientific = FALSE)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class Groups:
    """Row -> group mapping with groups numbered in first-seen order.

    ``labels`` is None when no grouping was asked for (everything is one group).
    """

    codes: np.ndarray
    labels: np.ndarray | None
    count: int

    def sum(self, weights: np.ndarray) -> np.ndarray:
        """Per-group sums; a NaN anywhere in a group makes that group's sum NaN."""
        return np.bincount(self.codes, weights=weights, minlength=self.count)

    def sizes(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=self.count)

    def label_column(self) -> dict[str, np.ndarray]:
        """``{"group": labels}`` for one-row-per-group results (nothing if ungrouped)."""
        return {} if self.labels is None else {"group": self.labels}

    def row_label_column(self) -> dict[str, np.ndarray]:
        """``{"group": label of each row}`` for one-row-per-input-row results."""
        return {} if self.labels is None else {"group": self.labels[self.codes]}

    def position_within(self) -> np.ndarray:
        """0-based position of each row among the rows of its group, in input order."""
        order = np.argsort(self.codes, kind="stable")
        starts = np.zeros(self.count + 1, dtype=np.intp)
        np.cumsum(self.sizes(), out=starts[1:])
        position = np.empty(len(self.codes), dtype=np.intp)
        position[order] = np.arange(len(self.codes)) - starts[self.codes[order]]
        return position


def group_rows(groups: ArrayLike | None, rows: int) -> Groups:
    if groups is None:
        return Groups(np.zeros(rows, dtype=np.intp), None, 1 if rows else 0)
    labels = _one_dimensional("groups", groups)
    if len(labels) != rows:
        raise StatsInputError(
            "groups", f"has {len(labels)} labels for {rows} rows; they must match"
        )
    try:
        unique, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    except TypeError:
        raise StatsInputError("groups", "labels must be of one comparable type") from None
    order = np.argsort(first)
    renumber = np.empty(len(order), dtype=np.intp)
    renumber[order] = np.arange(len(order))
    return Groups(renumber[inverse.reshape(-1)], unique[order], len(order))


def per_row(argument: str, values: np.ndarray, groups: Groups) -> np.ndarray:
    """Expand a per-row or per-stratum array (ISR reference counts/populations) to rows.

    PHEindicatormethods' ISR functions take the reference either as columns of the data or as
    one vector recycled for every group (refpoptype = "vector"). Both are accepted; recycling
    needs every group to have exactly that many rows, and any other length is an error.
    """
    rows = len(groups.codes)
    if len(values) == rows:
        return values
    sizes = groups.sizes()
    if len(values) == 0 or not np.all(sizes == len(values)):
        wrong = int(np.argmax(sizes != len(values))) if len(values) else 0
        raise StatsInputError(
            argument,
            f"has {len(values)} values; it must have one per row ({rows}) or one per row of "
            f"each group, but group {wrong} has {int(sizes[wrong]) if rows else 0} rows",
        )
    return values[groups.position_within()]
