"""The first, vectorised pass over a Fingertips CSV: which rows are certainly fine.

Read and checked one row at a time in Python, a million-row download spends about 6 µs a row
before the database sees it, more than PostgreSQL takes to copy the whole file into a bare
table. Here polars reads the file (in Rust, on every core) and each check runs over whole
columns. Rows that pass every check are converted here and go to the database as they are.
Every other row, and every row this pass cannot be sure of, goes to the row-by-row checker
in ``fingertips.py``, which is the one place the rules and their messages are written.

So this pass may send a good row the long way (it is conservative: ``1.5e-3`` goes there),
but it must never pass a row that the row-by-row checker would refuse, nor convert a cell to
a different number. ``tests/unit/indicators/test_bulk_check.py`` holds it to that.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

import polars as pl

if TYPE_CHECKING:
    from placebook.indicators.fingertips import _Checker

# Plain decimals only. float() reads more ("1e3", " 2", "1_000", "nan"), which the
# row-by-row checker sorts out; these it reads exactly as polars does.
_DECIMAL = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_UTF8 = {"utf-8", "utf_8", "utf8", "utf-8-sig", "utf_8_sig"}


def read_frame(file: TextIO) -> pl.DataFrame | None:
    """Every cell of the CSV as text (blank cells empty), or None where polars would not
    read the file as Python's csv module does: rows longer than the header, a quote in the
    middle of a cell, text that is not UTF-8. The file is left at its start either way."""
    if not file.seekable():
        return None
    binary = getattr(file, "buffer", None)
    encoding = (getattr(file, "encoding", "") or "").lower()
    # The bytes beneath a UTF-8 text stream save decoding and re-encoding the whole file.
    source = binary if binary is not None and encoding in _UTF8 and binary.seekable() else file
    source.seek(0)
    try:
        # Blank cells, and those a short row lacks, read as empty text, as the csv module
        # gives them: no null to fill in afterwards, which copied the whole frame.
        return pl.read_csv(
            source, has_header=True, infer_schema=False, encoding="utf8", empty_string_is_null=False
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    finally:
        file.seek(0)


def first_pass(
    checker: _Checker, frame: pl.DataFrame, first_row: int
) -> tuple[pl.DataFrame, Iterator[tuple[int, list[str]]]]:
    """(the rows certainly fine, in the staging table's columns; every other row as
    ``(row number, cells)`` for ``checker.rows``, in file order)."""
    from placebook.indicators import fingertips as ft

    names = frame.columns
    cell = {
        column: pl.col(names[at]) if at < len(names) else pl.lit("")
        for column, at in zip(ft._READ, checker.read_positions, strict=True)
    }
    resolved = {
        column: _resolve(cell[column], frame, names, checker, column)
        for column in (ft._IND, ft._AREA, ft._PERIOD, ft._SEX, ft._AGE)
    }
    numbers = [cell[column] for column in ft._NUMBERS]
    note = _resolve(cell[ft.NOTE_CODE], frame, names, checker, ft.NOTE_CODE, blank="")
    status = _resolve(
        cell[ft.STATUS], frame, names, checker, ft.STATUS, blank=ft.ValueStatus.FINAL.value
    )
    subject = resolved[ft._AREA]
    keys = [
        resolved[ft._IND],
        subject.struct.field("area"),
        subject.struct.field("organisation"),
        resolved[ft._PERIOD],
        resolved[ft._SEX],
        resolved[ft._AGE],
    ]
    checked = frame.with_row_index("source_line", offset=first_row).select(
        pl.col("source_line").cast(pl.Int64),
        *(key.alias(field) for key, field in zip(keys, ft._KEY_FIELDS, strict=True)),
        *(
            _number(text).alias(field)
            for text, field in zip(numbers, ft._FLOAT_FIELDS, strict=True)
        ),
        note.alias("note"),
        cell["Value note"].alias("note_text"),
        status.alias("status"),
        # The row-by-row checker looks for blank rows among those with an empty first cell.
        (pl.col(names[0]) == "").alias("first_blank"),
        pl.any_horizontal((text != "") & ~text.str.contains(_DECIMAL) for text in numbers).alias(
            "unreadable"
        ),
        (cell["Value note"].str.len_chars() > ft._NOTE_TEXT_MAX).alias("long_note"),
    )
    key_ok = pl.all_horizontal(pl.col(f).is_not_null() for f in ("indicator_id", "period_id",
                                                                  "sex", "age"))  # fmt: skip
    key_ok = key_ok & (pl.col("area_id").is_not_null() | pl.col("organisation_id").is_not_null())
    value, l95, u95, l99, u99, count, denominator = (pl.col(f) for f in ft._FLOAT_FIELDS)
    fine = (
        key_ok
        # Every row of a repeated figure goes the long way, which names the first of them.
        & ~(key_ok & pl.struct(ft._KEY_FIELDS).is_duplicated())
        & ~pl.col("first_blank")
        & ~pl.col("unreadable")
        & ~pl.col("long_note")
        & pl.col("note").is_not_null()
        & pl.col("status").is_not_null()
        & pl.all_horizontal(pl.col(f).is_null() | pl.col(f).is_finite() for f in ft._FLOAT_FIELDS)
        & _within(l95, u95, value)
        & _within(l99, u99, value)
        & ~(count < 0).fill_null(False)
        & ~(denominator < 0).fill_null(False)
    )
    checked = checked.with_columns(fine.alias("fine"))
    good = checked.filter("fine").select(
        "source_line", *ft._KEY_FIELDS[:3], pl.col("period_id").alias("period_ref"),
        *ft._KEY_FIELDS[4:], *ft._FLOAT_FIELDS, "note", "note_text", "status",
    )  # fmt: skip
    rows = pl.Series(checked["fine"]).not_()
    flagged = frame.with_row_index("row", offset=first_row).filter(rows)
    return good, ((row, list(cells)) for row, *cells in flagged.iter_rows())


def _within(lower: pl.Expr, upper: pl.Expr, value: pl.Expr) -> pl.Expr:
    """Limits in order with the value between them, where both limits are given."""
    given = lower.is_not_null() & upper.is_not_null()
    inside = (lower <= upper) & (value.is_null() | ((lower <= value) & (value <= upper)))
    return ~given | inside.fill_null(False)


def _number(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.contains(_DECIMAL)).then(text.cast(pl.Float64, strict=False))


def _resolve(
    text: pl.Expr,
    frame: pl.DataFrame,
    names: list[str],
    checker: _Checker,
    column: str,
    *,
    blank: object = None,
) -> pl.Expr:
    """What each distinct text of a column names, looked up once by the row-by-row checker's
    own lookups (which cache it for that checker too); null where the text names nothing, so
    the row goes the long way and the checker words the problem. Blank cells read ``blank``
    (null for the key columns, which need a value)."""
    from placebook.indicators import fingertips as ft

    lookup: Callable = ft._RESOLVERS[column]
    distinct = frame.select(text.unique().alias("text"))["text"].to_list()
    found: dict[str, object] = {}
    for value in distinct:
        if not value.strip():
            found[value] = blank
        elif (resolved := lookup(checker, value)) is not None:
            found[value] = resolved
    if column == ft._AREA:  # an area or an organisation: two columns
        area = {t: s[0] for t, s in found.items() if s is not None}
        organisation = {t: s[1] for t, s in found.items() if s is not None}
        return pl.struct(
            area=text.replace_strict(area, default=None, return_dtype=pl.Int64),
            organisation=text.replace_strict(organisation, default=None, return_dtype=pl.Int64),
        )
    dtype = pl.Int64 if column in (ft._IND, ft._PERIOD) else pl.String
    return text.replace_strict(found, default=None, return_dtype=dtype)


def csv_bytes(good: pl.DataFrame) -> memoryview:
    """The rows as CSV for COPY: nulls unquoted and empty, empty text quoted, and numbers in
    the shortest form that reads back as the same double. A view of the written buffer, not
    a copy of it."""
    buffer = io.BytesIO()
    good.write_csv(buffer, include_header=False)
    return buffer.getbuffer()
