"""Indicator values in and out as Fingertips-style CSV and as Excel dashboard tables.

The column set is that of an OHID Fingertips data download, so a file downloaded from
Fingertips loads as it is, and a file we export opens in any tool that reads Fingertips data.
We add two trailing columns, "Value note code" and "Value status", that Fingertips does not
have: without them a provisional figure, or one marked as suppressed, would come back from a
round trip as a final, unmarked figure, which is a revision rather than the same figure.

Imports are all or nothing. Every row is checked first and every problem is reported, by
row (as a spreadsheet numbers it: the header is row 1), column, value and reason; if there
is any problem nothing is written. Otherwise all rows are written in one transaction with
the revision rules of ``services.record_value``: the same figure again is left alone, and a
different figure for the same indicator, subject, period, sex and age supersedes the current
one, which is kept as history.

A Fingertips download can hold millions of rows, so the import streams: rows are read one at
a time, lookups (indicators, areas, periods, ...) are cached by the text as written, and on
PostgreSQL checked rows go straight into a temporary table through COPY while the rest of the
file is still being checked. The revision rules are then applied with three set-based
statements. On other databases (SQLite) the checked rows are kept in memory and written with
the ORM's bulk operations.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import batched
from operator import itemgetter
from typing import Any, BinaryIO, TextIO

import polars as pl
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook, load_workbook

from placebook.core.audit import acting_as, current_actor, record_event
from placebook.core.models import Area, AuditEvent, Organisation, Source, User
from placebook.core.periods import Period, PeriodParseError, parse_period
from placebook.core.permissions import Permission, require
from placebook.core.services import get_or_create_period
from placebook.indicators import bulk_check
from placebook.indicators.models import (
    Indicator,
    IndicatorValue,
    NoteCode,
    Release,
    Sex,
    ValueStatus,
)

# "The same figure" must mean exactly what it means to record_value, so use its definition.
from placebook.indicators.services import COMPARED_FIELDS, same_number

__all__ = [
    "COLUMNS",
    "EXPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "export_fingertips_csv",
    "export_xlsx",
    "import_fingertips_csv",
    "import_xlsx",
    "upload_release",
]

# The columns of a Fingertips data download, in its order. The "Compared to ..." column for
# the parent area is named after the parent type ("Compared to Region value or
# percentiles"); on import it is one of the extra columns, which are ignored.
COLUMNS = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles",
    "Time period Sortable", "New data", "Compared to goal", "Time period range",
)  # fmt: skip
NOTE_CODE = "Value note code"
STATUS = "Value status"
EXPORT_COLUMNS = (*COLUMNS, NOTE_CODE, STATUS)
REQUIRED_COLUMNS = ("Indicator ID", "Area Code", "Time period", "Sex", "Age", "Value")

# The columns the import reads, in the order of a checked row's numbers (``_NUMBERS``).
_IND, _AREA, _PERIOD, _SEX, _AGE = "Indicator ID", "Area Code", "Time period", "Sex", "Age"
_NUMBERS = (
    "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
    "Upper CI 99.8 limit", "Count", "Denominator",
)  # fmt: skip
_READ = (_IND, _AREA, _PERIOD, _SEX, _AGE, *_NUMBERS, "Value note", NOTE_CODE, STATUS)
_KEY_COLUMNS = " / ".join((_IND, _AREA, _PERIOD, _SEX, _AGE))

# A checked row, in the column order of the PostgreSQL staging table. Until the rows are
# written, "period_id" holds a reference to a parsed period, not a stored period's id.
_ROW_FIELDS = (
    "source_line", "indicator_id", "area_id", "organisation_id", "period_id", "sex", "age",
    "value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl", "count",
    "denominator", "note", "note_text", "status",
)  # fmt: skip
_FLOAT_FIELDS = _ROW_FIELDS[7:14]
_KEY_FIELDS = ("indicator_id", "area_id", "organisation_id", "period_id", "sex", "age")
_AGE_MAX = IndicatorValue._meta.get_field("age").max_length
_NOTE_TEXT_MAX = IndicatorValue._meta.get_field("note_text").max_length
_ORM_BATCH = 2_000


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: where it is, what it says, and why it is wrong."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column} {self.value!r}: {self.message}"


class ImportRejected(Exception):
    """The file has problems, listed in ``errors``; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s); nothing was imported. First: {self.errors[0]}"
        )


@dataclass(frozen=True)
class ImportReport:
    created: int
    revised: int
    unchanged: int
    rows: int


# --- reading -------------------------------------------------------------------------------


def _header_key(text: object) -> str:
    # Headers match however they are spaced or capitalised; a BOM is not part of the name.
    return " ".join(str(text or "").replace("\ufeff", "").split()).casefold()


def _csv_records(file: TextIO) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(file)
    header = next(reader, None)
    if header is None:
        return 1, [], iter(())
    # The reader counts records, not lines, so a quoted cell with a line break in it does not
    # shift the numbers away from what a spreadsheet shows.
    return 1, header, enumerate(reader, start=2)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # An ID typed as a number comes back as 90362.0; it is the indicator 90362.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date):
        # Excel turns "Oct-23" typed in a cell into 1 October 2023 shown as Oct-23.
        if value.day == 1:
            return f"{value:%b %Y}"
        return f"{value.day} {value:%b %Y}"
    return str(value)


def _xlsx_records(sheet) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    rows = sheet.iter_rows(values_only=True)
    # A dashboard table may have a title above it: the header is the first row that names
    # the indicator column, and rows keep the numbers the sheet shows.
    wanted = _header_key(_IND)
    for number, cells in enumerate(rows, start=1):
        if any(_header_key(c) == wanted for c in cells):
            header = [_cell_text(c) for c in cells]
            records = ((n, [_cell_text(c) for c in r]) for n, r in enumerate(rows, number + 1))
            return number, header, records
        if number >= 50:
            break
    return 1, [], iter(())


# --- checking ------------------------------------------------------------------------------


class _Checker:
    """Checks rows and turns them into tuples of ids and numbers, collecting every problem.

    Everything looked up is cached under the text exactly as written, so a million rows
    naming a hundred indicators cost a hundred lookups, and the common case (text seen
    before) is one dictionary probe.
    """

    def __init__(self, header_row: int, header: list[str]) -> None:
        self.errors: list[RowError] = []
        self.header_row = header_row
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            positions.setdefault(_header_key(name), index)
        self.width = len(header)
        missing = [c for c in REQUIRED_COLUMNS if _header_key(c) not in positions]
        for column in missing:
            self.errors.append(RowError(header_row, column, "", "Required column is missing."))
        if not header:
            message = f"No header row naming the columns ({', '.join(REQUIRED_COLUMNS)})."
            self.errors = [RowError(1, _IND, "", message)]
        # Absent optional columns read a blank cell that every row gets at the end.
        self.read_positions = [positions.get(_header_key(c), self.width) for c in _READ]
        self.pick = itemgetter(*self.read_positions)
        self.indicators: dict[str, int] = {}
        self.subjects: dict[str, tuple[int | None, int | None]] = {}
        self.periods: dict[str, int] = {}
        self.period_refs: dict[Period, int] = {}
        self.sexes: dict[str, str] = {}
        self.ages: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.statuses: dict[str, str] = {}
        self.bad_text: dict[tuple[str, str], str] = {}
        self.indicator_ids: dict[str, int] = {}
        self.area_ids: dict[str, int] = {}
        self.organisation_ids: dict[str, int] = {}

    def error(self, row: int, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(row, column, value, message))

    def load(self) -> None:
        """Read every indicator, area and organisation code, one query each.

        Catalogues are small (hundreds of indicators; even every ward and LSOA in England is
        a few tens of thousands of short rows), so reading them whole is cheaper than a
        query per code, and it must happen before COPY takes over the connection.
        """
        self.indicator_ids = {}
        for pk, code, fingertips_id in Indicator.objects.values_list("pk", "code", "fingertips_id"):
            self.indicator_ids.setdefault(code, pk)
            if fingertips_id is not None:
                self.indicator_ids[str(fingertips_id)] = pk
        self.area_ids = dict(Area.objects.values_list("code", "pk"))
        # Fingertips gives NHS trusts and GP practices by their ODS code.
        self.organisation_ids = {}
        for pk, key, gss, ods in Organisation.objects.values_list(
            "pk", "key", "gss_code", "ods_code"
        ):
            for code in (key, gss, ods):
                if code:
                    self.organisation_ids.setdefault(code, pk)

    # Lookups on a cache miss. Each caches and returns what the text names, or returns None
    # and remembers why in bad_text, so later rows with the same text cost one probe.

    def _indicator(self, text: str) -> int | None:
        wanted = text.strip()
        found = self.indicator_ids.get(wanted)
        if found is None:
            self.bad_text[(_IND, text)] = (
                f"Unknown indicator: no indicator has Fingertips ID or code {wanted!r}."
            )
            return None
        self.indicators[text] = found
        return found

    def _subject(self, text: str) -> tuple[int | None, int | None] | None:
        wanted = text.strip()
        found: tuple[int | None, int | None]
        if area := self.area_ids.get(wanted) or self.area_ids.get(wanted.upper()):
            found = (area, None)
        elif org := self.organisation_ids.get(wanted) or self.organisation_ids.get(wanted.upper()):
            found = (None, org)
        else:
            self.bad_text[(_AREA, text)] = f"Unknown area code {wanted!r}."
            return None
        self.subjects[text] = found
        return found

    def _period(self, text: str) -> int | None:
        # Parsed only: the rows are made after the check, so a rejected file makes none,
        # and no query runs while PostgreSQL is taking rows through COPY.
        try:
            parsed = parse_period(text.strip())
        except PeriodParseError as exc:
            self.bad_text[(_PERIOD, text)] = str(exc)
            return None
        ref = self.period_refs.setdefault(parsed, len(self.period_refs) + 1)
        self.periods[text] = ref
        return ref

    def period_ids(self) -> dict[int, int]:
        """Stored period ids for the references in checked rows, creating missing periods."""
        return {
            ref: get_or_create_period(parsed.source_text).pk
            for parsed, ref in self.period_refs.items()
        }

    def _sex(self, text: str) -> str | None:
        return self._choice(
            _SEX, text, self.sexes, Sex.choices, "Sex must be Persons, Male or Female."
        )

    def _note(self, text: str) -> str | None:
        codes = ", ".join(repr(code) for code, _label in NoteCode.choices if code)
        message = f"Unknown note code; expected one of {codes}."
        return self._choice(NOTE_CODE, text, self.notes, NoteCode.choices, message)

    def _status(self, text: str) -> str | None:
        message = "Status must be provisional or final."
        return self._choice(STATUS, text, self.statuses, ValueStatus.choices, message)

    def _choice(self, column: str, text: str, cache: dict, choices, message: str) -> str | None:
        wanted = text.strip().casefold()
        for value, label in choices:
            if wanted in (str(value).casefold(), str(label).casefold()):
                cache[text] = value
                return value
        self.bad_text[(column, text)] = message
        return None

    def _age(self, text: str) -> str | None:
        age = " ".join(text.split())
        if len(age) > _AGE_MAX:
            self.bad_text[(_AGE, text)] = f"Age is longer than {_AGE_MAX} characters."
            return None
        self.ages[text] = age
        return age

    def _miss(self, row: int, column: str, text: str):
        """Look up text not yet in the cache; on failure record the problem, return None."""
        message = self.bad_text.get((column, text))
        if message is None:
            if not text.strip() and column in _KEY:
                message = "A value is required."
            else:
                found = _RESOLVERS[column](self, text)
                if found is not None:
                    return found
                message = self.bad_text[(column, text)]
        self.error(row, column, text, message)
        return None

    def _numbers(self, row: int, texts: Sequence[str]) -> list[float | None] | None:
        """The slow path, for a row whose numbers did not all read: say which and why."""
        numbers: list[float | None] = []
        ok = True
        for column, text in zip(_NUMBERS, texts, strict=True):
            if not text.strip():
                numbers.append(None)
                continue
            try:
                number = float(text)
            except ValueError:
                self.error(row, column, text, f"{text.strip()!r} is not a number.")
                ok = False
                continue
            if not math.isfinite(number):
                self.error(row, column, text, f"{text.strip()!r} is not a finite number.")
                ok = False
            numbers.append(number)
        return numbers if ok else None

    def _limits(self, row: int, texts: Sequence[str], numbers: Sequence[float | None]) -> bool:
        # The same rules, and messages, as services.record_value's checks.
        value, l95, u95, l99, u99, count, denominator = numbers
        ok = True
        for lower, upper, level, at in ((l95, u95, "95.0", 1), (l99, u99, "99.8", 3)):
            if lower is None or upper is None:
                continue
            if lower > upper:
                self.error(
                    row,
                    _NUMBERS[at],
                    texts[at],
                    f"Lower limit {lower} is above upper limit {upper}.",
                )
                ok = False
            elif value is not None and not lower <= value <= upper:
                self.error(
                    row, "Value", texts[0], f"Value {value} lies outside its {level}% limits."
                )
                ok = False
        if count is not None and count < 0:
            self.error(row, "Count", texts[5], f"Count {count} is negative.")
            ok = False
        if denominator is not None and denominator < 0:
            self.error(row, "Denominator", texts[6], f"Denominator {denominator} is negative.")
            ok = False
        return ok

    def _extras(self, row: int, note_text: str, note_t: str, status_t: str):
        """The note code and status of a row that gives either, or a note too long to store.
        Returns (note, status), either None if it is wrong."""
        note: str | None = ""
        status: str | None = ValueStatus.FINAL.value
        if len(note_text) > _NOTE_TEXT_MAX:
            message = f"Value note is longer than {_NOTE_TEXT_MAX} characters."
            self.error(row, "Value note", note_text, message)
            note = None
        if note_t.strip():
            found = self.notes.get(note_t)
            found = found if found is not None else self._miss(row, NOTE_CODE, note_t)
            note = found if note is not None else None
        if status_t.strip():
            status = self.statuses.get(status_t) or self._miss(row, STATUS, status_t)
        return note, status

    def rows(self, records: Iterable[tuple[int, list[str]]]) -> Iterator[tuple]:
        """Checked rows as tuples in ``_ROW_FIELDS`` order; rows with problems are left out
        and their problems added to ``errors``.

        This loop runs once for each of possibly millions of rows, so it binds what it uses
        to locals and keeps the common case (every text seen before, every number reads,
        every limit in order) to dictionary probes and comparisons; anything else drops to
        the methods above, which find and word the problem.
        """
        if self.errors:  # the header is wrong, so the rows cannot be read
            return
        pick, error, miss = self.pick, self.error, self._miss
        indicators, subjects, periods = self.indicators, self.subjects, self.periods
        sexes, ages = self.sexes, self.ages
        final = ValueStatus.FINAL.value
        first_row: dict[tuple, int] = {}
        for row, cells in _padded(records, self.width):
            (ind_t, area_t, period_t, sex_t, age_t, value_t, l95_t, u95_t, l99_t, u99_t,
             count_t, denominator_t, note_text, note_t, status_t) = pick(cells)  # fmt: skip

            # Cached values are never empty (ids start at 1), so "or" means "not cached".
            indicator = indicators.get(ind_t) or miss(row, _IND, ind_t)
            subject = subjects.get(area_t) or miss(row, _AREA, area_t)
            period = periods.get(period_t) or miss(row, _PERIOD, period_t)
            sex = sexes.get(sex_t) or miss(row, _SEX, sex_t)
            age = ages.get(age_t) or miss(row, _AGE, age_t)
            key_ok = ok = bool(indicator and subject and period and sex and age)

            texts = (value_t, l95_t, u95_t, l99_t, u99_t, count_t, denominator_t)
            try:
                numbers = [float(t) if t else None for t in texts]
                # float() also reads "nan", "inf" and "1e999" (inf), none of them a figure,
                # and a decimal of over 308 digits as inf. One test on the row's text sends
                # any number with an n or an e in it, or a row too long to be sure of, to
                # the careful path, which accepts 1.5e-3 and refuses the rest.
                joined = "".join(texts)
                if (
                    "n" in joined or "N" in joined or "e" in joined or "E" in joined
                    or len(joined) > 300
                ):  # fmt: skip
                    raise ValueError
                value, l95, u95, l99, u99, count, denominator = numbers
                if (
                    (l95 is not None and u95 is not None
                     and not (l95 <= u95 and (value is None or l95 <= value <= u95)))
                    or (l99 is not None and u99 is not None
                        and not (l99 <= u99 and (value is None or l99 <= value <= u99)))
                    or (count is not None and count < 0)
                    or (denominator is not None and denominator < 0)
                ):  # fmt: skip
                    self._limits(row, texts, numbers)
                    ok = False
            except ValueError:
                numbers = self._numbers(row, texts)
                if numbers is None or not self._limits(row, texts, numbers):
                    ok = False

            note, status = "", final
            if note_t or status_t or len(note_text) > _NOTE_TEXT_MAX:
                note, status = self._extras(row, note_text, note_t, status_t)
                ok = ok and note is not None and status is not None

            if key_ok:
                first = first_row.setdefault((indicator, subject, period, sex, age), row)
                if first != row:
                    text = " / ".join((ind_t, area_t, period_t, sex_t, age_t))
                    message = (
                        f"Duplicate of row {first}: the same indicator, area, period, sex and age."
                    )
                    error(row, _KEY_COLUMNS, text, message)
                    ok = False
            if ok:
                yield (row, indicator, *subject, period, sex, age, *numbers, note, note_text,
                       status)  # fmt: skip


def _padded(records: Iterable[tuple[int, list[str]]], width: int) -> Iterator[tuple[int, list]]:
    """Rows of the header's width plus one blank cell, which absent optional columns read;
    blank rows (as at the foot of a spreadsheet) are not data and are skipped."""
    for row, cells in records:
        # Data rows are nearly always full and start with a cell: test for blank rows only
        # when a row is short or its first cell empty.
        if len(cells) != width or not cells[0]:
            if not any(c.strip() for c in cells):
                continue
            cells = (cells + [""] * width)[:width]
        cells.append("")
        yield row, cells


_KEY = frozenset((_IND, _AREA, _PERIOD, _SEX, _AGE))
_RESOLVERS = {
    _IND: _Checker._indicator,
    _AREA: _Checker._subject,
    _PERIOD: _Checker._period,
    _SEX: _Checker._sex,
    _AGE: _Checker._age,
    NOTE_CODE: _Checker._note,
    STATUS: _Checker._status,
}

# Where each field compared by record_value sits in a checked row. Importing fails loudly if
# record_value starts comparing a field the file does not carry.
_COMPARED_AT = [_ROW_FIELDS.index(field) for field in COMPARED_FIELDS]


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stamp:
    """What every row written by one import shares."""

    release: Release
    source: Source | None
    user_id: int | None
    now: datetime


def _checked(checker: _Checker, records, frame: pl.DataFrame | None):
    """(the rows the vectorised first pass passed, as a frame, or None where there was no
    first pass; the rows the row-by-row checker passes, as they come)."""
    if frame is None or checker.errors:
        return None, checker.rows(records)
    good, rest = bulk_check.first_pass(checker, frame, checker.header_row + 1)
    return good, checker.rows(rest)


def _kept(checker: _Checker, rows: Iterable[tuple]) -> list[tuple]:
    """The checked rows, all of them; raises ImportRejected if the checker found any problem."""
    kept = []
    for row in rows:
        if not checker.errors:  # after the first problem, only look for more
            kept.append(row)
    if checker.errors:
        raise ImportRejected(checker.errors)
    return kept


def _write_orm(checker: _Checker, records, frame, stamp: _Stamp) -> tuple[int, int, int]:
    """The fallback for SQLite: keep the checked rows, then bulk update and bulk create."""
    good, checked = _checked(checker, records, frame)
    rows = _kept(checker, checked)
    if good is not None:
        rows.extend(good.iter_rows())
    period_ids = checker.period_ids()  # a row holds its period's reference until here

    # _base_manager is a plain manager: its bulk writes skip the per-row audit events,
    # which the single event on the release replaces (see _import).
    base = IndicatorValue._base_manager
    current = {}
    for pk, *key, value, l95, u95, l99, u99, count, denominator, note, status in base.filter(
        is_current=True,
        indicator_id__in={r[1] for r in rows},
        period_id__in=set(period_ids.values()),
    ).values_list("pk", *_KEY_FIELDS, *COMPARED_FIELDS):
        current[tuple(key)] = (pk, (value, l95, u95, l99, u99, count, denominator, note, status))
    retired: list[int] = []
    new: list[tuple[tuple, int | None]] = []
    unchanged = 0
    for row in rows:
        found = current.get((*row[1:4], period_ids[row[4]], *row[5:7]))
        if found is None:
            new.append((row, None))
        elif all(same_number(old, row[at]) for old, at in zip(found[1], _COMPARED_AT, strict=True)):
            unchanged += 1
        else:
            retired.append(found[0])
            new.append((row, found[0]))
    del rows, current
    # Retire first: the database allows one current value per figure at any moment.
    for pks in batched(retired, 500):
        base.filter(pk__in=pks).update(
            is_current=False, updated_at=stamp.now, updated_by_id=stamp.user_id
        )
    common = {
        "release": stamp.release, "source": stamp.source, "created_by_id": stamp.user_id,
        "updated_by_id": stamp.user_id, "created_at": stamp.now, "updated_at": stamp.now,
        "is_current": True,
    }  # fmt: skip
    for chunk in batched(new, _ORM_BATCH):
        objs = []
        for row, old in chunk:
            fields = dict(zip(_ROW_FIELDS, row, strict=True))
            fields["period_id"] = period_ids[row[4]]
            objs.append(IndicatorValue(**fields, **common, supersedes_id=old))
        base.bulk_create(objs)
    return len(new) - len(retired), len(retired), unchanged


_STAGING = "placebook_import_values"
_MATCHES = "placebook_import_matches"
_PERIODS = "placebook_import_periods"
_STAGING_TYPES = (
    "integer", "bigint", "bigint", "bigint", "integer", "text", "text", "float8", "float8",
    "float8", "float8", "float8", "float8", "float8", "text", "text", "text",
)  # fmt: skip
# The checked row's period reference stands where the period id will go.
_STAGING_COLUMNS = [f if f != "period_id" else "period_ref" for f in _ROW_FIELDS]
# Loads of at least this many new rows, and no fewer than the table holds, rebuild the
# table's indexes afterwards instead of maintaining them row by row (_set_indexes_aside).
BULK_LOAD_ROWS = 100_000
# Rows turned into CSV for COPY at a time: about 15 MB of text.
_COPY_SLICE_ROWS = 100_000
_BULK_INDEX_MEMORY = "256MB"
# Imports take this lock before they compare with current values, so two imports of the same
# figures queue instead of both superseding one row (one would then fail on the unique index).
_IMPORT_LOCK = 0x706C6163_65626B  # "placebk"


def _same_sql(field: str) -> str:
    """SQL for services.same_number on one compared field of staging row s and current row v."""
    s, v = f"s.{field}", f"v.{field}"
    if field in _FLOAT_FIELDS:
        # math.isclose(a, b, rel_tol=1e-12, abs_tol=0), with None equal only to None. The
        # CASE keeps a NULL from turning the whole comparison NULL (neither same nor not).
        return (
            f"(CASE WHEN {s} IS NULL OR {v} IS NULL THEN {s} IS NULL AND {v} IS NULL "
            f"ELSE abs({s} - {v}) <= 1e-12 * greatest(abs({s}), abs({v})) END)"
        )
    return f"({s} IS NOT DISTINCT FROM {v})"


def _copy_rows(cursor, checker: _Checker, statement: str, types, rows: Iterable[tuple]) -> int:
    """Send checked rows by binary COPY as they come, so numbers cross as 8 bytes rather than
    as text to parse again, and the server stores them while Python reads on. Returns how
    many were sent; raises ImportRejected if the checker found any problem."""
    errors, written = checker.errors, 0
    with cursor.copy(statement) as copy:
        copy.set_types(types)
        write = copy.write_row
        for row in rows:
            if not errors:  # after the first problem, only look for more
                write(row)
                written += 1
    if errors:
        raise ImportRejected(errors)
    return written


def _copy_frame(cursor, table: str, frame: pl.DataFrame, *columns: pl.Expr) -> None:
    """COPY the rows of a frame, by column name, with ``columns`` added to it, as CSV: polars
    writes it far faster than Python could send the rows one by one. It goes a slice at a
    time, so the file's rows are never held twice over as text."""
    if not frame.height:
        return
    schema = frame.head(0).with_columns(*columns).schema
    text = [c for c, dtype in schema.items() if dtype == pl.String]
    statement = (
        f"COPY {table} ({', '.join(schema)}) FROM STDIN "
        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(text)}))"  # empty text is '', not NULL
    )
    with cursor.copy(statement) as copy:
        for part in frame.iter_slices(_COPY_SLICE_ROWS):
            copy.write(bulk_check.csv_bytes(part.with_columns(*columns)))


def _stage(cursor, checker: _Checker, good: pl.DataFrame | None, rows: Iterable[tuple]) -> int:
    """Put the checked rows in a temporary table, and the stored ids of their periods in
    another; return how many rows. Raises ImportRejected, having sent no more, if any row
    is bad."""
    columns = ", ".join(f"{c} {t}" for c, t in zip(_STAGING_COLUMNS, _STAGING_TYPES, strict=True))
    # ON COMMIT DROP cleans up after the import's transaction; the explicit DROP covers a
    # second import in one transaction (a dry run, or a test).
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}, {_MATCHES}, {_PERIODS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_STAGING} ({columns}) ON COMMIT DROP")
    binary = f"COPY {_STAGING} FROM STDIN (FORMAT BINARY)"
    written = _copy_rows(cursor, checker, binary, _STAGING_TYPES, rows)
    if good is not None:
        _copy_frame(cursor, _STAGING, good)
        written += good.height
    cursor.execute(f"CREATE TEMPORARY TABLE {_PERIODS} (ref integer, id bigint) ON COMMIT DROP")
    if periods := checker.period_ids():
        cursor.execute(
            f"INSERT INTO {_PERIODS} VALUES " + ", ".join(["(%s, %s)"] * len(periods)),
            [n for pair in periods.items() for n in pair],
        )
    # Temporary tables are never analysed automatically. Without statistics the planner
    # misjudges their sizes and, for a million rows, picks a plan over twice as slow.
    cursor.execute(f"ANALYZE {_STAGING}, {_PERIODS}")
    return written


@contextmanager
def _without_jit(cursor):
    """JIT compiling the import's statements costs over a second each and saves nothing on
    expressions this simple; the setting is put back afterwards."""
    cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    jit = cursor.fetchone()[0]
    yield
    cursor.execute("SELECT set_config('jit', %s, true)", [jit])


def _write_postgresql(checker: _Checker, records, frame, stamp: _Stamp) -> tuple[int, int, int]:
    """Load the checked rows by COPY. Figures of indicators the table holds no current value
    for go straight in; otherwise the rows go to a temporary table first and the revision
    rules are applied with set-based SQL: find current values, retire the changed ones,
    insert the new ones."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor, _without_jit(cursor):
        good, rows = _checked(checker, records, frame)
        if good is None:
            # Row by row: staged as they are checked, so the file is never all in memory.
            written = _stage(cursor, checker, None, rows)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        else:
            careful = _kept(checker, rows)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
            indicators = {*good["indicator_id"].unique().to_list(), *(r[1] for r in careful)}
            cursor.execute(
                f"SELECT EXISTS (SELECT FROM {table} WHERE is_current AND indicator_id = ANY(%s))",
                [list(indicators)],
            )
            if not cursor.fetchone()[0]:
                return _load_new(cursor, table, checker, good, careful, stamp), 0, 0
            written = _stage(cursor, checker, good, careful)
        same = " AND ".join(_same_sql(f) for f in COMPARED_FIELDS)
        match = (
            f"SELECT s.source_line, v.id AS current_id, {same} AS same "
            f"FROM {_STAGING} s JOIN {_PERIODS} p ON p.ref = s.period_ref "
            f"JOIN {table} v ON v.is_current AND v.indicator_id = s.indicator_id "
            "AND v.period_id = p.id AND v.sex = s.sex AND v.age = s.age "
            "AND v.{subject} = s.{subject}"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_MATCHES} ON COMMIT DROP AS "
            f"{match.format(subject='area_id')} UNION ALL "
            f"{match.format(subject='organisation_id')}"
        )
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same) FROM {_MATCHES}"
        )
        unchanged, revised = cursor.fetchone()
        if revised:
            # Retire first: the database allows one current value per figure at any moment.
            cursor.execute(
                f"UPDATE {table} v SET is_current = false, updated_at = %s, updated_by_id = %s "
                f"FROM {_MATCHES} m WHERE v.id = m.current_id AND NOT m.same",
                [stamp.now, stamp.user_id],
            )
        if written > unchanged:
            indexes = _set_indexes_aside(cursor, table, written - unchanged)
            _insert_new(cursor, table, stamp, matched=bool(unchanged or revised))
            _rebuild_indexes(cursor, table, indexes)
        cursor.execute(f"DROP TABLE {_STAGING}, {_MATCHES}, {_PERIODS}")
    return written - unchanged - revised, revised, unchanged


def _stamp_columns(stamp: _Stamp) -> dict[str, object]:
    """What every new row of an import holds beside its checked fields."""
    return {
        "supersedes_id": None, "release_id": stamp.release.pk,
        "source_id": stamp.source.pk if stamp.source else None,
        "created_by_id": stamp.user_id, "updated_by_id": stamp.user_id,
        "created_at": stamp.now, "updated_at": stamp.now, "is_current": True, "printed": "",
    }  # fmt: skip


_STAMP_TYPES = ("bigint", "bigint", "bigint", "bigint", "bigint", "timestamptz", "timestamptz",
                "boolean", "text")  # fmt: skip


def _load_new(cursor, table: str, checker: _Checker, good: pl.DataFrame, careful: list,
              stamp: _Stamp) -> int:  # fmt: skip
    """COPY rows that supersede nothing straight into the values table; return how many."""
    period_ids = checker.period_ids()  # only now: a rejected file makes no periods
    stamped = _stamp_columns(stamp)
    created = good.height + len(careful)
    indexes = _set_indexes_aside(cursor, table, created)
    columns = ", ".join([*_ROW_FIELDS, *stamped])
    _copy_rows(
        cursor, checker, f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)",
        (*_STAGING_TYPES[:4], "bigint", *_STAGING_TYPES[5:], *_STAMP_TYPES),
        ((*row[:4], period_ids[row[4]], *row[5:], *stamped.values()) for row in careful),
    )  # fmt: skip
    constants = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stamped.items()}
    _copy_frame(
        cursor,
        table,
        good.rename({"period_ref": "period_id"}),
        pl.col("period_id").replace_strict(period_ids, return_dtype=pl.Int64),
        *(pl.lit(value).alias(name) for name, value in constants.items()),
    )
    _rebuild_indexes(cursor, table, indexes)
    return created


def _set_indexes_aside(cursor, table: str, inserting: int) -> list[str]:
    """Drop the values table's secondary indexes before a bulk load; return how to rebuild them.

    Building an index once from a million rows takes a fraction of what maintaining it row
    by row does (benchmarks/README.md), so a load of at least ``BULK_LOAD_ROWS`` rows and of
    at least as many rows as the table holds goes in without them, as PostgreSQL's own
    advice on populating a database says. Smaller loads keep them: rebuilding an index
    costs in proportion to the whole table. Dropping an index locks the table against
    readers until the import commits; the load being larger than the table, that is its
    first load or a reload.
    """
    if inserting < BULK_LOAD_ROWS:
        return []
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) held", [inserting])
    if cursor.fetchone()[0] >= inserting:
        return []
    # Not the primary key, nor an index behind a table constraint (DROP INDEX refuses those).
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [table],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def _rebuild_indexes(cursor, table: str, definitions: list[str]) -> None:
    """Build the indexes set aside, then refresh the table's statistics: the planner would
    otherwise go on planning for the table as it was before the load."""
    if not definitions:
        return
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [_BULK_INDEX_MEMORY])
    for definition in definitions:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {table}")


def _insert_new(cursor, table: str, stamp: _Stamp, *, matched: bool) -> None:
    """Insert the staged rows that are not unchanged, each superseding its current value."""
    staged = [c for c in _ROW_FIELDS if c != "period_id"]
    stamped = _stamp_columns(stamp)
    joins, where = "", ""
    if matched:  # else skip the join: a first load has nothing to compare with
        joins = f"LEFT JOIN {_MATCHES} m ON m.source_line = s.source_line"
        where = "WHERE m.same IS NOT TRUE"
    values = [
        "m.current_id" if matched and name == "supersedes_id" else f"%({name})s" for name in stamped
    ]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(staged)}, period_id, {', '.join(stamped)}) "
        f"SELECT {', '.join(f's.{c}' for c in staged)}, p.id, {', '.join(values)} "
        f"FROM {_STAGING} s JOIN {_PERIODS} p ON p.ref = s.period_ref {joins} {where}",
        stamped,
    )


def _import(*, by, header_row: int, header: list[str], records, release: Release,
            source: Source | None, use_copy: bool | None,
            frame: pl.DataFrame | None = None) -> ImportReport:  # fmt: skip
    require(by, Permission.REFERENCE_DATA_EDIT)
    with transaction.atomic(), acting_as(by):
        checker = _Checker(header_row, header)
        checker.load()
        actor = current_actor()
        stamp = _Stamp(
            release=release,
            source=source if source is not None else release.source,
            user_id=actor.pk if isinstance(actor, User) and actor.is_authenticated else None,
            now=timezone.now(),
        )
        if use_copy is None:
            use_copy = connection.vendor == "postgresql"
        write = _write_postgresql if use_copy else _write_orm
        created, revised, unchanged = write(checker, records, frame, stamp)
        # One event for the whole import, not one per value. The audit trail would otherwise
        # be as large as the data (a million-row download means a million events, doubling
        # the write and the table), and what a reader of the trail wants to know is that
        # this release was loaded, by whom, with how many new, revised and unchanged figures;
        # each value row still carries who created it, when, and its source file and row,
        # and a revised value keeps the one it superseded.
        counts = {"created": created, "revised": revised, "unchanged": unchanged}
        record_event(release, AuditEvent.Action.CREATE, {"values": counts}, verb="import")
    return ImportReport(created, revised, unchanged, created + revised + unchanged)


def import_fingertips_csv(
    *,
    by,
    file: TextIO,
    release: Release,
    source: Source | None = None,
    use_copy: bool | None = None,
) -> ImportReport:
    """Load a Fingertips-style CSV (a text stream) into ``release``, all or nothing.

    Raises ``ImportRejected`` listing every problem, having written nothing. ``source``
    (default: the release's source) and the row number become each value's provenance.
    ``use_copy`` forces the PostgreSQL COPY path on or off; by default it is used on PostgreSQL.
    """
    frame = bulk_check.read_frame(file)
    header_row, header, records = _csv_records(file)
    if frame is not None and frame.width != len(header):
        frame = None  # polars saw the header differently: check row by row
    return _import(by=by, header_row=header_row, header=header, records=records,
                   release=release, source=source, use_copy=use_copy, frame=frame)  # fmt: skip


def import_xlsx(
    *,
    by,
    file: BinaryIO | str,
    release: Release,
    source: Source | None = None,
    use_copy: bool | None = None,
) -> ImportReport:
    """Load an Excel dashboard table (its first sheet) as ``import_fingertips_csv`` loads a
    CSV. Above the header row there may be a title; rows are numbered as the sheet shows."""
    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        header_row, header, records = _xlsx_records(workbook.worksheets[0])
        return _import(by=by, header_row=header_row, header=header, records=records,
                       release=release, source=source, use_copy=use_copy)  # fmt: skip
    finally:
        workbook.close()


def upload_release(*, by, key: str, file_name: str, title: str = "") -> tuple[Release, Source]:
    """The release an uploaded file is loaded into, made if new (titled ``title``, else its
    key; an existing release keeps its title), and the source that names the file as the
    values' provenance."""
    require(by, Permission.REFERENCE_DATA_EDIT)
    with transaction.atomic(), acting_as(by):
        source, _ = Source.objects.get_or_create(
            key=slugify(f"{key} {file_name}")[:80],
            defaults={"kind": Source.Kind.IMPORT, "title": file_name, "reference": file_name},
        )
        release = Release.objects.filter(key=key).first()
        if release is None:
            release = Release(key=key, title=title or key, source=source)
            release.full_clean()
            release.save()
    return release, source


# --- export --------------------------------------------------------------------------------

_EXPORT_FIELDS = (
    "indicator__fingertips_id", "indicator__code", "indicator__name", "area__code", "area__name",
    "area__type", "organisation__ods_code", "organisation__gss_code", "organisation__key",
    "organisation__name", "organisation__kind", "sex", "age", "period__label", "value",
    "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl", "count", "denominator",
    "note_text", "note", "status",
)  # fmt: skip


def _export_rows(queryset: QuerySet, number) -> Iterator[list]:
    area_types = dict(Area._meta.get_field("type").choices)
    kinds = dict(Organisation._meta.get_field("kind").choices)
    for (fingertips_id, code, name, area_code, area_name, area_type, ods, gss, key, org_name,
         kind, sex, age, period, *numbers, note_text, note, status) in queryset.values_list(
        *_EXPORT_FIELDS
    ).iterator(chunk_size=5_000):  # fmt: skip
        if area_code is not None:
            subject = (area_code, area_name, area_types.get(area_type, area_type))
        else:
            subject = (ods or gss or key, org_name, kinds.get(kind, kind))
        yield [
            fingertips_id if fingertips_id is not None else code, name, "", "", *subject,
            sex, age, "", "", period, *(number(n) for n in numbers), note_text,
            "", "", "", "", "", "", "", note, status,
        ]  # fmt: skip


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    # repr gives the shortest text that reads back as the same float, so a round trip is
    # exact; whole numbers are written as Fingertips writes them (1234, not 1234.0).
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def export_fingertips_csv(queryset: QuerySet, out: TextIO) -> int:
    """Write ``queryset``'s values to ``out`` as a Fingertips-style CSV; return the row count.

    Rows stream from the database in chunks, so an export of millions of rows runs in
    constant memory. Columns Placebook does not hold (parent, category, comparisons, trend)
    are left blank.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for count, row in enumerate(_export_rows(queryset, _csv_number), start=1):  # noqa: B007
        writer.writerow(row)
    return count


def export_xlsx(queryset: QuerySet) -> bytes:
    """``queryset``'s values as an Excel workbook with the same columns as the CSV."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Values")
    sheet.append(list(EXPORT_COLUMNS))
    for row in _export_rows(queryset, lambda n: n):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
