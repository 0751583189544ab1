"""Reporting periods as printed in council and NHS papers, read into exact date spans.

One parser, ``parse_period``, turns every period form found in the scrutiny packs
("2021/22", "2013/14 Q1", "Qtr 4 Mar-23", "Oct-23", "Jan 22-Dec22", "2018-20",
"20 Jul 23 - 17 Aug 23", ...) into a ``Period``: a type, an inclusive start and end date and
a canonical label, so the same span written two ways compares equal. Anything else raises
``PeriodParseError`` quoting the text, because a silently misread period puts figures in the
wrong year.

Conventions (UK public sector):

* Financial years run 1 April to 31 March; financial quarter 1 is April to June.
* Two-digit years are always 20xx. The packs this system reads date from 2010 to 2024 and
  plan to 2029/30, so no two-digit year in them means 19xx; earlier years (PHOF baselines
  such as 1998) are printed with four digits, and only four-digit years can be 19xx.
* "2023-24" (consecutive years joined by a dash or "to") is a financial year, as GOV.UK
  and NHS tables print it; "2018-20" (three or more years) is a pooled span of calendar
  years, as PHOF prints its three-year averages. So a pool of two calendar years cannot be
  printed unambiguously and is not a valid ``Period``.
* The type records how a figure was published, so "Jan-Dec 22" is a month range and
  "2022" a calendar year: same days, different periods.
* In a month range printed with one year ("Nov - Feb 2024") a start month after the end
  month is in the year before. Day-precise ranges that cover whole months
  ("1 February 2024 - 31 May 2024") are month ranges; others are date ranges.
* Text from PDFs is normalised first: en/em dashes and minus signs read as "-", and
  non-breaking and other odd spaces as plain spaces.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

__all__ = [
    "PERIOD_TYPE_CHOICES",
    "Period",
    "PeriodParseError",
    "PeriodType",
    "financial_quarter_of",
    "financial_year_of",
    "parse_period",
    "rolling_12_months_ending",
    "year_to_date",
]


class PeriodType(StrEnum):
    FINANCIAL_YEAR = "financial_year"
    CALENDAR_YEAR = "calendar_year"
    QUARTER = "quarter"  # a financial quarter: Q1 = April to June
    QUARTER_RANGE = "quarter_range"  # consecutive quarters of one financial year
    MONTH = "month"
    MONTH_RANGE = "month_range"
    YEAR_TO_DATE = "year_to_date"  # from 1 April to the end of a month in that financial year
    ROLLING_12_MONTHS = "rolling_12_months"
    POOLED_YEARS = "pooled_years"  # several calendar or financial years reported as one figure
    DATE_RANGE = "date_range"  # day-precise spans, e.g. trial schedules "20 Jul 23 - 17 Aug 23"


_TYPE_ORDER = {t: i for i, t in enumerate(PeriodType)}
# (value, label) pairs for model fields that store a period type.
PERIOD_TYPE_CHOICES = [(t.value, t.value.replace("_", " ").capitalize()) for t in PeriodType]
_MONTH_ABBR = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_EXAMPLES = (
    "'2021/22', '2021-22', '2013/14 Q1', 'Q3 2023/24', '2022/23 Q1-4', 'Qtr 4 Mar-23', "
    "'Oct-23', 'September 2023', 'Jan 22-Dec22', 'Mar-Aug 2023', '2018-20', "
    "'2019/20 - 2021/22', '2022', 'YTD Oct-23', '12 months to Sep 2023', "
    "'20 Jul 23 - 17 Aug 23'"
)


class PeriodParseError(ValueError):
    """A period string that could not be read; the message quotes the string as given."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        if self.reason is None:
            return f"Unrecognised period {self.text!r}: expected forms like {_EXAMPLES}"
        return f"Invalid period {self.text!r}: {self.reason}"


# --- date arithmetic ---------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _fy_start_year(year: int, month: int) -> int:
    return year if month >= 4 else year - 1


def _fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _month_label(d: date) -> str:
    return f"{_MONTH_ABBR[d.month]} {d.year}"


def _day_label(d: date) -> str:
    return f"{d.day} {_MONTH_ABBR[d.month]} {d.year}"


def _quarter_of_month(month: int) -> int:
    return (month - 4) % 12 // 3 + 1


def _quarter_start(fy_start_year: int, quarter: int) -> date:
    year, month = _add_months(fy_start_year, 4, 3 * (quarter - 1))
    return date(year, month, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _is_whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end == _month_end(end.year, end.month)


# --- shape rules: each type checks its span and names it --------------------------------


class _ShapeError(ValueError):
    pass


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _ShapeError(message)


def _label_financial_year(start: date, end: date) -> str:
    _require(
        start.month == 4 and end == date(start.year + 1, 3, 31),
        "a financial year runs from 1 April to 31 March",
    )
    return _fy_label(start.year)


def _label_calendar_year(start: date, end: date) -> str:
    _require(
        (start.month, end.month, end.year) == (1, 12, start.year),
        "a calendar year runs from 1 January to 31 December",
    )
    return str(start.year)


def _quarter_bounds(start: date, end: date) -> tuple[int, int, int]:
    fy = _fy_start_year(start.year, start.month)
    months = _months_between(start, end)
    _require(
        start.month in (1, 4, 7, 10) and months % 3 == 0 and end <= date(fy + 1, 3, 31),
        "financial quarters start in April, July, October or January and stay in one year",
    )
    first = _quarter_of_month(start.month)
    return fy, first, first + months // 3 - 1


def _label_quarter(start: date, end: date) -> str:
    fy, first, last = _quarter_bounds(start, end)
    _require(first == last, "a quarter is three months")
    return f"{_fy_label(fy)} Q{first}"


def _label_quarter_range(start: date, end: date) -> str:
    fy, first, last = _quarter_bounds(start, end)
    _require(last > first, "a quarter range covers two or more quarters")
    return f"{_fy_label(fy)} Q{first}-{last}"


def _label_month(start: date, end: date) -> str:
    _require(_months_between(start, end) == 1, "a month period covers one calendar month")
    return _month_label(start)


def _label_month_range(start: date, end: date) -> str:
    _require(_months_between(start, end) > 1, "a month range covers two or more months")
    return f"{_month_label(start)} - {_month_label(end)}"


def _label_year_to_date(start: date, end: date) -> str:
    _require(
        start.month == 4 and end <= date(start.year + 1, 3, 31),
        "a year to date starts on 1 April and ends within that financial year",
    )
    return f"{_fy_label(start.year)} YTD to {_month_label(end)}"


def _label_rolling_12_months(start: date, end: date) -> str:
    _require(_months_between(start, end) == 12, "a rolling year covers twelve months")
    return f"12 months to {_month_label(end)}"


def _label_pooled_years(start: date, end: date) -> str:
    if start.month == 4:
        _require(end.month == 3 and end.year >= start.year + 2, "pools two or more financial years")
        return f"{_fy_label(start.year)} - {_fy_label(end.year - 1)}"
    # Two calendar years would print as "2018-19", which reads as a financial year.
    _require(
        start.month == 1 and end.month == 12 and end.year >= start.year + 2,
        "pooled years are three or more calendar years or two or more financial years",
    )
    if start.year // 100 == end.year // 100:
        return f"{start.year}-{end.year % 100:02d}"
    return f"{start.year}-{end.year}"


def _label_date_range(start: date, end: date) -> str:
    return f"{_day_label(start)} - {_day_label(end)}"


_LABELLERS: dict[PeriodType, Callable[[date, date], str]] = {
    PeriodType.FINANCIAL_YEAR: _label_financial_year,
    PeriodType.CALENDAR_YEAR: _label_calendar_year,
    PeriodType.QUARTER: _label_quarter,
    PeriodType.QUARTER_RANGE: _label_quarter_range,
    PeriodType.MONTH: _label_month,
    PeriodType.MONTH_RANGE: _label_month_range,
    PeriodType.YEAR_TO_DATE: _label_year_to_date,
    PeriodType.ROLLING_12_MONTHS: _label_rolling_12_months,
    PeriodType.POOLED_YEARS: _label_pooled_years,
    PeriodType.DATE_RANGE: _label_date_range,
}


def _check_date(value: object, name: str) -> None:
    # datetime is a date subclass but compares unequal to dates; refuse it outright.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"Period {name} must be a datetime.date, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive span of dates of a known kind.

    Equality and hashing use (type, start, end): the label is derived from them and
    ``source_text`` only records how the period was written.
    """

    type: PeriodType
    start: date
    end: date
    label: str = field(init=False, compare=False)
    source_text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", PeriodType(self.type))
        _check_date(self.start, "start")
        _check_date(self.end, "end")
        if self.end < self.start:
            raise ValueError(f"Period end {self.end} is before its start {self.start}")
        if self.type is not PeriodType.DATE_RANGE and not _is_whole_months(self.start, self.end):
            raise ValueError(f"A {self.type} period runs from the 1st to the end of a month")
        try:
            label = _LABELLERS[self.type](self.start, self.end)
        except _ShapeError as exc:
            raise ValueError(
                f"{self.start} to {self.end} is not a valid {self.type}: {exc}"
            ) from None
        object.__setattr__(self, "label", label)
        if not self.source_text:
            object.__setattr__(self, "source_text", label)

    def __str__(self) -> str:
        return self.label

    @property
    def months(self) -> int:
        """Number of calendar months covered; a date range must be whole months to have one."""
        if not _is_whole_months(self.start, self.end):
            raise ValueError(f"{self.label} is not a whole number of months")
        return _months_between(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        _check_date(d, "date to test")
        return self.start <= d <= self.end

    def __contains__(self, d: date) -> bool:
        return self.contains(d)

    # Ordered by time, then by type so the order is total and stable.
    def _sort_key(self) -> tuple[date, date, int]:
        return self.start, self.end, _TYPE_ORDER[self.type]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()


# --- helpers for the rest of the system --------------------------------------------------


def _financial_year(start_year: int) -> tuple[PeriodType, date, date]:
    return PeriodType.FINANCIAL_YEAR, date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_year_of(d: date) -> Period:
    """The UK financial year (1 April to 31 March) containing ``d``."""
    _check_date(d, "date")
    return Period(*_financial_year(_fy_start_year(d.year, d.month)))


def financial_quarter_of(d: date) -> Period:
    """The financial quarter containing ``d`` (Q1 = April to June)."""
    _check_date(d, "date")
    start = date(d.year, d.month - (d.month - 1) % 3, 1)
    return Period(PeriodType.QUARTER, start, _month_end(*_add_months(start.year, start.month, 2)))


def rolling_12_months_ending(d: date) -> Period:
    """The twelve whole calendar months ending with the month that contains ``d``."""
    _check_date(d, "date")
    year, month = _add_months(d.year, d.month, -11)
    return Period(PeriodType.ROLLING_12_MONTHS, date(year, month, 1), _month_end(d.year, d.month))


def year_to_date(fy_start_year: int, through_month_end: date) -> Period:
    """Financial year ``fy_start_year``/next from 1 April to ``through_month_end`` inclusive."""
    _check_date(through_month_end, "through_month_end")
    d = through_month_end
    if d != _month_end(d.year, d.month):
        raise ValueError(f"year_to_date runs to the end of a month, not {d}")
    if _fy_start_year(d.year, d.month) != fy_start_year:
        raise ValueError(f"{d} is not in financial year {_fy_label(fy_start_year)}")
    return Period(PeriodType.YEAR_TO_DATE, date(fy_start_year, 4, 1), d)


# --- the parser --------------------------------------------------------------------------


class _Invalid(Exception):
    """The text has a known form but impossible values; the message says why."""


class _NotThisForm(Exception):
    """The pattern matched by accident (e.g. a non-month word); try the next form."""


# Spelt out rather than taken from calendar.month_name, which follows the locale.
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    **{abbr.lower(): i for i, abbr in enumerate(_MONTH_ABBR) if abbr},
    "sept": 9,
}

# PDF-to-text output uses every dash and space variant; NFKC folds the spaces, this the dashes.
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u02bc", "'"),
        "\u200b": None,
        "\ufeff": None,
    }
)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(folded.split()).lower()


def _year4(digits: str) -> int:
    year = int(digits)
    if not 1900 <= year <= 2099:
        raise _Invalid(f"year {year} is outside 1900-2099")
    return year


def _year(digits: str) -> int:
    # Two-digit years are 20xx: see the module docstring.
    return _year4(digits) if len(digits) == 4 else 2000 + int(digits)


def _end_year(start: int, digits: str) -> int:
    """The closing year of "2018-20": same century, except 90s into 00s ("1998-01")."""
    if len(digits) == 4:
        return _year4(digits)
    end = start - start % 100 + int(digits)
    if end < start and start % 100 >= 90 and int(digits) < 10:
        end += 100
    return end


def _month_number(word: str) -> int:
    number = _MONTHS.get(word.rstrip("."))
    if number is not None:
        return number
    close = difflib.get_close_matches(word, _MONTHS, n=1, cutoff=0.6)
    if close:
        raise _Invalid(f"{word!r} is not a month name (did you mean {close[0].title()!r}?)")
    raise _NotThisForm


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Invalid(f"{day} {_MONTH_ABBR[month]} {year} is not a date") from None


# Building blocks, applied to normalised lower-case text.
_SEP = r"(?:\s*-\s*|\s+(?:to|through|until)\s+)"
_FY_SLASH = r"(?:fy\s*)?\d{2}(?:\d{2})?\s*/\s*\d{2}(?:\d{2})?"
_FY_ANY = rf"(?:{_FY_SLASH}|\d{{4}}\s*-\s*\d{{2}}(?:\d{{2}})?)"
_QWORD = r"(?:q|qtr|quarter)\.?\s*"
_QSPEC = rf"{_QWORD}\d(?:\s*-\s*(?:{_QWORD})?\d)?"
_MON_YEAR = r"[a-z]+\.?[\s-]*'?\d{2}(?:\d{2})?"
_YTD = r"(?:ytd|year[\s-]+to[\s-]+date)"
_DAY = r"\d{1,2}\s*(?:st|nd|rd|th)?"

# "2007/8" (one-digit second year) is printed in seed 002 (line 2716).
_FY_SLASH_RE = re.compile(r"(?:fy\s*)?(?P<a>\d{4}|\d{2})\s*/\s*(?P<b>\d{4}|\d{2}|\d)", re.ASCII)
_FY_DASH_RE = re.compile(r"(?P<a>\d{4})\s*-\s*(?P<b>\d{4}|\d{2})", re.ASCII)
_QSPEC_RE = re.compile(rf"{_QWORD}(?P<a>\d)(?:\s*-\s*(?:{_QWORD})?(?P<b>\d))?", re.ASCII)
_MON_YEAR_RE = re.compile(r"(?P<m>[a-z]+)\.?[\s-]*'?(?P<y>\d{4}|\d{2})", re.ASCII)


def _fy_from_slash(a: str, b: str) -> int:
    start = _year(a)
    second = int(b)
    expected = start + 1 if len(b) == 4 else (start + 1) % 10 ** len(b)
    if second != expected:
        raise _Invalid(
            f"a financial year's second year must follow the first (e.g. {_fy_label(start)})"
        )
    return start


def _fy_of_text(text: str) -> int:
    """Start year of a financial year written '2021/22', '21/22', 'FY2021/22' or '2021-22'."""
    if m := _FY_SLASH_RE.fullmatch(text):
        return _fy_from_slash(m["a"], m["b"])
    m = _FY_DASH_RE.fullmatch(text)
    assert m is not None  # only called on text matched by _FY_ANY
    start = _year4(m["a"])
    if _end_year(start, m["b"]) != start + 1:
        raise _Invalid(f"{text!r} is not a financial year (e.g. {_fy_label(start)})")
    return start


def _quarters_of_text(text: str) -> tuple[int, int]:
    m = _QSPEC_RE.fullmatch(text)
    assert m is not None  # only called on text matched by _QSPEC
    first = int(m["a"])
    last = int(m["b"]) if m["b"] else first
    for q in (first, last):
        if not 1 <= q <= 4:
            raise _Invalid(f"there is no quarter {q}: financial quarters are Q1 to Q4")
    if last < first:
        raise _Invalid(f"quarter range Q{first}-{last} ends before it starts")
    return first, last


def _month_year_of_text(text: str) -> tuple[int, int]:
    m = _MON_YEAR_RE.fullmatch(text)
    assert m is not None  # only called on text matched by _MON_YEAR
    return _year(m["y"]), _month_number(m["m"])


_Span = tuple[PeriodType, date, date]


def _quarter_span(fy: int, first: int, last: int) -> _Span:
    start = _quarter_start(fy, first)
    end_year, end_month = _add_months(start.year, start.month, 3 * (last - first) + 2)
    kind = PeriodType.QUARTER if first == last else PeriodType.QUARTER_RANGE
    return kind, start, _month_end(end_year, end_month)


def _build_fy_slash(m: re.Match[str]) -> _Span:
    return _financial_year(_fy_from_slash(m["a"], m["b"]))


def _build_year_to_year(m: re.Match[str]) -> _Span:
    start = _year4(m["a"])
    end = _end_year(start, m["b"])
    if end <= start:
        raise _Invalid(f"the end year {end} is not after the start year {start}")
    if end == start + 1:
        return _financial_year(start)
    return PeriodType.POOLED_YEARS, date(start, 1, 1), date(end, 12, 31)


def _build_pooled_fy(m: re.Match[str]) -> _Span:
    first, last = _fy_of_text(m["a"]), _fy_of_text(m["b"])
    if last <= first:
        raise _Invalid(f"{_fy_label(last)} is not after {_fy_label(first)}")
    return PeriodType.POOLED_YEARS, date(first, 4, 1), date(last + 1, 3, 31)


def _build_quarter(m: re.Match[str]) -> _Span:
    return _quarter_span(_fy_of_text(m["fy"]), *_quarters_of_text(m["q"]))


def _build_quarter_month(m: re.Match[str]) -> _Span:
    # "Qtr 4 Mar-23": the month says which financial year the quarter belongs to.
    first, last = _quarters_of_text(m["q"])
    year, month = _month_year_of_text(m["my"])
    if first != last:
        raise _Invalid("a quarter range needs a financial year, e.g. '2023/24 Q1-2'")
    if _quarter_of_month(month) != first:
        raise _Invalid(f"{_MONTH_ABBR[month]} {year} is not in financial quarter {first}")
    return _quarter_span(_fy_start_year(year, month), first, first)


def _reject_calendar_quarter(m: re.Match[str]) -> _Span:
    raise _Invalid("quarters are financial quarters: give a financial year, e.g. 'Q1 2023/24'")


def _reject_quarter_without_year(m: re.Match[str]) -> _Span:
    raise _Invalid("a quarter needs its financial year, e.g. '2023/24 Q1'")


def _build_ytd(m: re.Match[str]) -> _Span:
    year, month = _month_year_of_text(m["my"])
    fy = _fy_start_year(year, month)
    stated = m.groupdict().get("fy")
    if stated and _fy_of_text(stated) != fy:
        raise _Invalid(f"{_MONTH_ABBR[month]} {year} is not in {_fy_label(_fy_of_text(stated))}")
    return PeriodType.YEAR_TO_DATE, date(fy, 4, 1), _month_end(year, month)


def _reject_ytd_without_month(m: re.Match[str]) -> _Span:
    raise _Invalid("a year to date needs the month it runs to, e.g. '2023/24 YTD to Oct 2023'")


def _build_rolling(m: re.Match[str]) -> _Span:
    year, month = _month_year_of_text(m["my"])
    end = _month_end(year, month)
    if m["d"] is not None and _make_date(year, month, int(m["d"])) != end:
        raise _Invalid("a rolling year runs to the end of a month")
    start_year, start_month = _add_months(year, month, -11)
    return PeriodType.ROLLING_12_MONTHS, date(start_year, start_month, 1), end


def _build_range(m: re.Match[str]) -> _Span:
    end_year, end_month = _year(m["y2"]), _month_number(m["m2"])
    start_month = _month_number(m["m1"])
    if m["y1"] is not None:
        start_year = _year(m["y1"])
    else:
        # "Nov - Feb 2024" crosses the new year; "Mar-Aug 2023" does not.
        start_year = end_year if start_month <= end_month else end_year - 1
    start = _make_date(start_year, start_month, int(m["d1"] or 1))
    end_month_end = _month_end(end_year, end_month)
    end = _make_date(end_year, end_month, int(m["d2"])) if m["d2"] else end_month_end
    if end < start:
        raise _Invalid(f"it ends ({_day_label(end)}) before it starts ({_day_label(start)})")
    if start.day != 1 or end != end_month_end:
        return PeriodType.DATE_RANGE, start, end
    if (start.year, start.month) == (end_year, end_month):
        return PeriodType.MONTH, start, end
    return PeriodType.MONTH_RANGE, start, end


def _build_month(m: re.Match[str]) -> _Span:
    year, month = _month_year_of_text(m["my"])
    return PeriodType.MONTH, date(year, month, 1), _month_end(year, month)


def _reject_single_date(m: re.Match[str]) -> _Span:
    _month_year_of_text(m["my"])  # only dates are rejected; other words fall through
    raise _Invalid("a single date is not a period; give a month such as 'Jan 2024' or a range")


def _build_calendar_year(m: re.Match[str]) -> _Span:
    year = _year4(m["y"])
    return PeriodType.CALENDAR_YEAR, date(year, 1, 1), date(year, 12, 31)


_ENDPOINT = r"(?:(?P<d{n}>\d{{1,2}})\s*(?:st|nd|rd|th)?\s+)?(?P<m{n}>[a-z]+)\.?"
_RANGE = (
    _ENDPOINT.format(n=1)
    + r"(?:[\s-]*'?(?P<y1>\d{4}|\d{2}))?"
    + _SEP
    + _ENDPOINT.format(n=2)
    + r"[\s-]*'?(?P<y2>\d{4}|\d{2})"
)

# Tried in order; each pattern must match the whole normalised text.
_FORMS: list[tuple[str | re.Pattern[str], Callable[[re.Match[str]], _Span]]] = [
    (_FY_SLASH_RE, _build_fy_slash),
    (rf"(?P<a>\d{{4}}){_SEP}(?P<b>\d{{4}}|\d{{2}})", _build_year_to_year),
    (rf"(?P<a>{_FY_ANY}){_SEP}(?P<b>{_FY_ANY})", _build_pooled_fy),
    (rf"(?P<fy>{_FY_ANY})\s*,?\s*(?P<q>{_QSPEC})", _build_quarter),
    (rf"(?P<q>{_QSPEC})\s*,?\s*(?P<fy>{_FY_ANY})", _build_quarter),
    (rf"(?P<q>{_QSPEC})\s+(?P<my>{_MON_YEAR})", _build_quarter_month),
    (rf"{_QSPEC}\s+\d{{4}}|\d{{4}}\s+{_QSPEC}", _reject_calendar_quarter),
    (_QSPEC, _reject_quarter_without_year),
    (
        rf"(?:(?P<fy>{_FY_ANY})\s+)?{_YTD}(?:\s+(?:to|through|until))?\s+(?P<my>{_MON_YEAR})",
        _build_ytd,
    ),
    (rf"(?P<my>{_MON_YEAR})\s+{_YTD}", _build_ytd),
    (rf"(?:{_FY_ANY}\s+)?{_YTD}", _reject_ytd_without_month),
    (
        # "12 months to Sep 2023"; also "year to December 2022" (seed 002, line 2464)
        rf"(?:rolling\s+)?(?:(?:12|twelve)\s+months?|year)\s+(?:to|ending)\s+"
        rf"(?:(?P<d>\d{{1,2}})\s*(?:st|nd|rd|th)?\s+)?(?P<my>{_MON_YEAR})",
        _build_rolling,
    ),
    (_RANGE, _build_range),
    (rf"(?P<my>{_MON_YEAR})", _build_month),
    (rf"{_DAY}\s+(?P<my>{_MON_YEAR})", _reject_single_date),
    (r"(?:cy\s*)?(?P<y>\d{4})", _build_calendar_year),
]
_COMPILED = [
    (p if isinstance(p, re.Pattern) else re.compile(p, re.ASCII), build) for p, build in _FORMS
]


def parse_period(text: str) -> Period:
    """Read a printed period into a ``Period``; raise ``PeriodParseError`` quoting the text."""
    if not isinstance(text, str):
        raise TypeError(f"parse_period() takes a str, not {type(text).__name__}")
    normalised = _normalise(text)
    for pattern, build in _COMPILED:
        match = pattern.fullmatch(normalised)
        if match is None:
            continue
        try:
            kind, start, end = build(match)
        except _NotThisForm:
            continue
        except _Invalid as exc:
            raise PeriodParseError(text, str(exc)) from None
        return Period(kind, start, end, source_text=text)
    raise PeriodParseError(text)
