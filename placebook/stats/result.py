"""StatsResult: the table every public function in placebook.stats returns.

A result is a read-only mapping of column name -> 1-D numpy array, all of the same length (one
element per output row). Keeping columns as arrays, rather than a list of row objects, means a
million-row result costs a handful of allocations and can be handed straight to numpy again; use
``to_rows()`` when you need dictionaries for a template, a serializer or a CSV writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class StatsResult(Mapping[str, np.ndarray]):
    """An immutable table: ``result["value"]`` is a numpy array, ``result.columns`` the names.

    Shape, common to every function (only the columns that apply are present, in this order):

    - ``group``: the group label, one row per distinct label in first-seen order (grouped
      functions only);
    - input totals, e.g. ``x``/``n``, ``total_count``/``total_pop``, ``observed``/``expected``;
    - ``value``: the statistic, already multiplied by ``multiplier``;
    - ``lower95_0cl``, ``upper95_0cl``, ``lower99_8cl``, ``upper99_8cl``: the limits for the
      requested confidence levels only;
    - ``statistic`` and ``method``: per-row descriptions (strings, or None where the input was
      missing), e.g. "dsr per 100000" / "Dobson", or the note "dsr NA for total count < 10".

    Missing or suppressed numbers are NaN. ``confidence`` holds the levels that were computed.
    Being a Mapping, ``len(result)`` is the number of columns; use ``nrows`` for rows.
    """

    data: Mapping[str, np.ndarray]
    confidence: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        columns: dict[str, np.ndarray] = {}
        length: int | None = None
        for name, values in self.data.items():
            array = np.array(values)  # a private copy, so freezing it cannot affect the caller
            if array.ndim != 1:
                raise ValueError(f"column {name!r} must be one-dimensional")
            if length is None:
                length = len(array)
            elif len(array) != length:
                raise ValueError(f"column {name!r} has {len(array)} rows, expected {length}")
            array.flags.writeable = False
            columns[name] = array
        object.__setattr__(self, "data", MappingProxyType(columns))
        object.__setattr__(self, "confidence", tuple(self.confidence))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatsResult):
            return NotImplemented
        return (
            self.columns == other.columns
            and self.confidence == other.confidence
            and all(_same(self[name], other[name]) for name in self.columns)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StatsResult(columns={list(self.columns)}, nrows={self.nrows})"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.data)

    @property
    def nrows(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per row with plain Python values (float NaN stays NaN)."""
        lists = [column.tolist() for column in self.data.values()]
        return [dict(zip(self.columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _same(left: np.ndarray, right: np.ndarray) -> bool:
    if left.dtype.kind == "f" and right.dtype.kind == "f":
        return bool(np.array_equal(left, right, equal_nan=True))
    return bool(np.array_equal(left, right))


def confidence_columns(level: float) -> tuple[str, str]:
    """Column names for one confidence level, as PHEindicatormethods names them."""
    return _CI_COLUMNS[level]


_CI_COLUMNS = {0.95: ("lower95_0cl", "upper95_0cl"), 0.998: ("lower99_8cl", "upper99_8cl")}


def limit_columns(
    levels: tuple[float, ...], limits_for: Callable[[float], tuple[np.ndarray, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Build the ``lowerNN_Ncl``/``upperNN_Ncl`` columns by calling ``limits_for(level)``."""
    columns: dict[str, np.ndarray] = {}
    for level in levels:
        lower_name, upper_name = confidence_columns(level)
        columns[lower_name], columns[upper_name] = limits_for(level)
    return columns


def text_column(length: int, text: str | None) -> np.ndarray:
    """An object array of ``length`` references to one string.

    Built with empty + fill because np.full on object dtype is ~30x slower, which dominated the
    row-wise functions on a million rows; object (not fixed-width unicode) keeps it at 8 bytes
    a row and allows None.
    """
    column = np.empty(length, dtype=object)
    column.fill(text)
    return column
