"""Consistency audit: recompute the derived figures a paper prints and find the ones that do
not follow from its own data, or that it prints twice with different values.

A paper is stored as ``IndicatorValue`` rows (every printed figure; a figure printed again
with a different value is kept as a history row, identical re-printings are not stored
twice) and ``PublishedFigure`` rows (ranks, z-scores, arrows, differences, percentages,
ratios, counts of items and the legends, as printed, each with its line). Each rule below
re-derives one kind of figure from what is printed and yields a ``Finding`` where they
disagree. ``audit()`` runs every rule over the database.

Conventions:

* Arithmetic is done on the printed numbers with ``Decimal`` and compared at the printed
  precision: a printed difference of 1.8 is right if the recomputed one, rounded half up to
  one decimal place, is 1.8. Two printings of one figure agree if one rounds to the other
  (34.18 and 34.2).
* Severity "error": a printed figure is wrong, or one of two printings must be. "warning":
  the figure is doubtful, because the check rests on something the paper does not state
  (a group size read off the largest printed rank, a legend taken from the other copy of
  the table, a relation such as "the gap" that the indicator defines differently).
* Ranks run low = best, as the paper's reading guide says (seed 002, line 2508).

The engine reads the ORM only (no requests, no templates), so the command line, the web
report and the tests all call ``audit()``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from placebook.core.models import Area, AreaLink, ComparatorGroup, Source
from placebook.core.periods import PeriodParseError, parse_period
from placebook.indicators.models import (
    FigureKind,
    IndicatorValue,
    Polarity,
    PublishedFigure,
    Release,
    Target,
    TargetKind,
    Unit,
)

__all__ = ["CSV_HEADER", "ERROR", "RULES", "WARNING", "Finding", "Rule", "audit"]

ERROR = "error"
WARNING = "warning"
# The column the extraction gives figures taken from running text.
NARRATIVE = "narrative"
CSV_HEADER = ("release", "source", "location", "printed", "expected", "rule", "severity", "detail")

Span = tuple[date, date]
Id = int | None
Printed = IndicatorValue | PublishedFigure | Target


@dataclass(frozen=True)
class Finding:
    """One figure that does not follow from the data, with where it is printed."""

    release: str
    release_title: str
    source: str
    line: int | None
    location: str
    printed: str
    expected: str
    rule: str
    detail: str
    severity: str
    lines: tuple[int, ...] = ()
    releases: tuple[str, ...] = ()

    def csv_row(self) -> list[str]:
        return [
            self.release,
            self.source,
            self.location,
            self.printed,
            self.expected,
            self.rule,
            self.severity,
            self.detail,
        ]


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    check: Callable[[AuditData], Iterable[Finding]]


RULES: dict[str, Rule] = {}


def _rule(code: str, description: str):
    def register(check):
        RULES[code] = Rule(code, description, check)
        return check

    return register


def audit(releases: Iterable[str | Release] | None = None) -> list[Finding]:
    """Every finding, ordered by source and line. ``releases`` (keys or releases) keeps the
    findings that involve at least one of them; the other releases are still read, because
    "printed twice" and "the text says" checks compare a release with the others."""
    data = AuditData()
    wanted = None
    if releases is not None:
        wanted = {r.key if isinstance(r, Release) else str(r) for r in releases}
    found: set[Finding] = set()
    for rule in RULES.values():
        for finding in rule.check(data):
            if wanted is None or wanted.intersection(finding.releases):
                found.add(finding)
    return sorted(found, key=lambda f: (f.source, f.line or 0, f.rule, f.location, f.printed))


# --- Numbers, periods and words ------------------------------------------------------------

_MINUS = "\u2212\u2013"  # minus sign and en dash, as PDFs print negatives
_NUMBER_RE = re.compile(f"[-{_MINUS}]?" + r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")
_WORD_NUMBERS = {
    "none": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_COUNT_WORD = r"\d+|" + "|".join(_WORD_NUMBERS)


def _number(text: str | None) -> Decimal | None:
    """The first number printed in ``text`` ("-8.8▼", ".5▲", "1,000", "62.5 2009-11")."""
    match = _NUMBER_RE.search(text or "")
    if not match:
        return None
    text = match.group().replace(",", "")
    return Decimal(text[1:] if text[0] in _MINUS else text) * (-1 if text[0] in _MINUS else 1)


def _places(text: str | None, default: int = 0) -> int:
    number = _number(text)
    return default if number is None else max(0, -number.as_tuple().exponent)


def _count(word: str) -> int | None:
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word[:-2].isdigit() and word[-2:] in ("st", "nd", "rd", "th"):
        return int(word[:-2])
    return _WORD_NUMBERS.get(word)


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _show(value: Decimal, places: int) -> str:
    return f"{_round(value, places):f}"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _agree(a: Decimal, a_places: int, b: Decimal, b_places: int) -> bool:
    """Two printings agree if they are equal or one is the other rounded."""
    return a == b or _round(a, b_places) == b or _round(b, a_places) == a


def _hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@lru_cache(maxsize=1024)
def _text_span(text: str) -> Span | None:
    if not text or not text.strip():
        return None
    try:
        period = parse_period(text)
    except (PeriodParseError, ValueError):
        return None
    return (period.start, period.end)


def _span(period) -> Span:
    return (period.start, period.end)


def _figure_span(f) -> Span | None:
    """The span a published figure refers to. A single month printed for an indicator of
    rolling twelve-month rates means the twelve months to that month: the dashboard prints
    under-18 conception ranks as "Dec-21" (seed 002, line 3124) for the year to December."""
    span = _text_span(f.period_text)
    indicator = f.indicator
    if span is None or indicator is None or indicator.period_type != "rolling_12_months":
        return span
    start, end = span
    if (start.year, start.month) != (end.year, end.month):
        return span
    if end.month == 12:
        return (date(end.year, 1, 1), end)
    return (date(end.year - 1, end.month + 1, 1), end)


def _months(period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def _norm(text: str) -> str:
    """A label reduced to its letters and digits, so "Alcohol-related" = "Alcohol related"."""
    text = re.sub(r"\^\w\b", "", text or "")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _short(name: str) -> str:
    return name.split(" (")[0] if name else ""


def _family(key: str) -> str:
    """The edition a release belongs to: its key up to the last all-digit part, so the
    covering report, the Cabinet report and both dashboard copies of "phpf-2023-08-..."
    are read together."""
    parts = key.split("-")
    digits = [i for i, part in enumerate(parts) if part.isdigit()]
    return "-".join(parts[: digits[-1] + 1]) if digits else key


_SCOPE_PATTERNS = {
    "nw": re.compile(r"north\s*-?\s*west|\bNW\b", re.I),
    "sng": re.compile(r"statistical\s+neighbour|\bSNG\b", re.I),
    "lcr": re.compile(r"\bLCR\b|liverpool city region", re.I),
    "national": re.compile(r"\bcountry\b|\bnational\b|\bEngland\b", re.I),
}


def _scopes(text: str) -> list[str]:
    return [scope for scope, pattern in _SCOPE_PATTERNS.items() if pattern.search(text or "")]


def _column_scope(column: str) -> str | None:
    scopes = _scopes(column)
    return scopes[0] if scopes else None


def _better(polarity: str, higher: bool) -> bool | None:
    """Whether a higher (or lower) value is the better one; None when no judgement."""
    if polarity == Polarity.HIGHER_IS_BETTER:
        return higher
    if polarity == Polarity.LOWER_IS_BETTER:
        return not higher
    return None


# --- The data every rule reads -------------------------------------------------------------


def _near_key(obj) -> tuple[int | None, int | None]:
    return (getattr(obj, "release_id", None), getattr(obj, "source_line", None))


class AuditData:
    """Every figure, value, target and comparator group, loaded once: a paper's figures
    number in the hundreds, and the rules look them up many times."""

    def __init__(self) -> None:
        # Public datasets and uploaded files (Fingertips downloads, spreadsheets of figures)
        # are data, not papers: nothing in them is printed twice or derived in a sentence,
        # and they run to a million rows, which took this audit two minutes to read.
        self.values = list(
            IndicatorValue.objects.exclude(
                source__kind__in=[Source.Kind.DATASET, Source.Kind.IMPORT]
            )
            .select_related(
                "indicator",
                "release",
                "release__source",
                "area",
                "organisation",
                "period",
                "source",
            )
            .order_by("source_line", "id")
        )
        self.figures = list(
            PublishedFigure.objects.select_related(
                "release", "release__source", "indicator", "area", "organisation", "source",
                "comparator_group",
            ).order_by("source_line", "id")
        )  # fmt: skip
        self.targets = list(
            Target.objects.select_related("indicator", "area", "organisation", "period", "source")
            .prefetch_related("steps__period")
            .order_by("source_line", "id")
        )
        groups = list(ComparatorGroup.objects.prefetch_related("members"))
        self.members = {g.id: frozenset(a.id for a in g.members.all()) for g in groups}
        self.versions: dict[str, list[ComparatorGroup]] = defaultdict(list)
        for group in groups:
            self.versions[group.slug].append(group)
        # Regions and countries, longest name first so "North West" beats "West".
        self.regions = sorted(
            Area.objects.filter(type__in=["region", "country"]), key=lambda a: -len(a.name)
        )
        self.children: dict[int, set[int]] = defaultdict(set)
        for parent_id, child_id in AreaLink.objects.values_list("parent_id", "child_id"):
            self.children[parent_id].add(child_id)
        self._by_subject: dict[tuple, list[IndicatorValue]] = defaultdict(list)
        self._values_at: dict[tuple, list[IndicatorValue]] = defaultdict(list)
        for value in self.values:
            key = (value.indicator_id, value.area_id, value.organisation_id)
            self._by_subject[key].append(value)
            self._values_at[_near_key(value)].append(value)
        self._figures_at: dict[tuple, list[PublishedFigure]] = defaultdict(list)
        for figure in self.figures:
            self._figures_at[_near_key(figure)].append(figure)

    # Lookups

    def values_of(self, indicator_id: Id, area_id: Id, organisation_id: Id) -> list[IndicatorValue]:
        return self._by_subject.get((indicator_id, area_id, organisation_id), [])

    def values_at(self, obj: Printed) -> list[IndicatorValue]:
        return self._values_at.get(_near_key(obj), [])

    def figures_at(self, obj: Printed) -> list[PublishedFigure]:
        return self._figures_at.get(_near_key(obj), [])

    def _preference(self, near, sex: str | None, age: str | None):
        release_id, line = _near_key(near) if near is not None else (None, None)
        source_id = getattr(near, "source_id", None)

        def order(v: IndicatorValue):
            return (
                not (v.release_id == release_id and v.source_line == line),
                v.release_id != release_id,
                # A paper is checked against itself before any dataset loaded beside it.
                v.source_id != source_id,
                sex is not None and v.sex != sex,
                age is not None and v.age != age,
                not v.is_current,
                v.sex != "Persons",
                v.source_line or 0,
                v.id,
            )

        return order

    def value_for(self, indicator_id: Id, area_id: Id, organisation_id: Id, span: Span | None,
                  *, near: Printed | None = None, sex: str | None = None,
                  age: str | None = None) -> IndicatorValue | None:  # fmt: skip
        """The printing of one figure to use: on the same line if there is one, then in the
        same release, then the current one; Persons before a sex breakdown."""
        if span is None:
            return None
        found = [
            v
            for v in self.values_of(indicator_id, area_id, organisation_id)
            if v.value is not None and _span(v.period) == span
        ]
        return min(found, key=self._preference(near, sex, age)) if found else None

    def previous_value(self, latest: IndicatorValue, *, area_id: Id = None,
                       organisation_id: Id = None,
                       near: Printed | None = None) -> IndicatorValue | None:  # fmt: skip
        """The printing for the period before ``latest`` (the latest one that starts and ends
        earlier, so 2017-19 comes before 2018-20)."""
        if area_id is None and organisation_id is None:
            area_id, organisation_id = latest.area_id, latest.organisation_id
        start, end = _span(latest.period)
        earlier = [
            v
            for v in self.values_of(latest.indicator_id, area_id, organisation_id)
            if v.value is not None
            and v.period.start < start
            and v.period.end < end
            and (v.sex, v.age) == (latest.sex, latest.age)
        ]
        if not earlier:
            return None
        last = max(_span(v.period) for v in earlier)
        return min(
            (v for v in earlier if _span(v.period) == last), key=self._preference(near, None, None)
        )

    def pack_date(self, release: Release, printed: Printed | None = None) -> date | None:
        """The date the paper went to its meeting: the release's own, else that of the
        release's source, else that of the source the figure was read from."""
        if release.published:
            return release.published
        for source in (release.source, getattr(printed, "source", None)):
            if source is not None and source.published:
                return source.published
        return None

    def group_size(self, group: ComparatorGroup, area_id: Id) -> int | None:
        members = self.members.get(group.id, frozenset())
        if not members:
            return None
        return len(members) + (0 if area_id in members else 1)

    def group_version(self, group: ComparatorGroup, on: date | None) -> ComparatorGroup:
        """The version of a group that applied on a date (the latest one begun by then, or
        the earliest one for a date before them all)."""
        dated = []
        for version in self.versions.get(group.slug, [group]):
            start = _version_start(version.version)
            if start is not None and self.members.get(version.id):
                dated.append((start, version.version, version))
        if on is None or not dated:
            return group
        dated.sort(key=lambda item: (item[0], item[1]))
        before = [item for item in dated if item[0] <= on]
        return (before[-1] if before else dated[0])[2]

    def rank_figures(self, indicator_id: Id, area_id: Id, scope: str,
                     span: Span | None) -> list[PublishedFigure]:  # fmt: skip
        """Printed table ranks for one indicator and area in a scope ("nw", "sng"), for a
        period (or the Latest column when the text gives none)."""
        found = []
        for f in self.figures:
            if f.kind != FigureKind.RANK or f.column == NARRATIVE or f.value is None:
                continue
            if (f.indicator_id, f.area_id) != (indicator_id, area_id):
                continue
            if _column_scope(f.column) != scope:
                continue
            if span is None and not f.column.lower().startswith("latest"):
                continue
            if span is not None and _figure_span(f) != span:
                continue
            found.append(f)
        return found

    def max_rank(self, figure: PublishedFigure) -> int:
        """The largest rank printed in the same column of any copy of the table: the group
        ranked there has at least that many members."""
        return max(
            int(f.value)
            for f in self.figures
            if f.kind == FigureKind.RANK
            and f.value is not None
            and f.column == figure.column
            and _norm(f.table) == _norm(figure.table)
        )

    def rank_size(self, figure: PublishedFigure) -> int | None:
        if figure.comparator_group is None:
            return None
        span = _figure_span(figure)
        version = self.group_version(figure.comparator_group, span[1] if span else None)
        return self.group_size(version, figure.area_id)

    # Where a figure is printed

    def where(self, obj: Printed) -> str:
        if isinstance(obj, PublishedFigure):
            if obj.column == NARRATIVE:
                return f"{_line(obj)}, {obj.table}, '{obj.row}'"
            return f"{_line(obj)}, table '{obj.table}', row '{obj.row}', column '{obj.column}'"
        if isinstance(obj, Target):
            return f"{_line(obj)}, target for {obj.indicator.name}: '{obj.printed}'"
        return self._where_value(obj)

    def _where_value(self, value: IndicatorValue) -> str:
        subject = _short(value.subject.name) if value.subject else ""
        label = f"{value.indicator.name}, {subject}, {value.period.label}"
        row = next(
            (f for f in self.figures_at(value) if f.column != NARRATIVE and f.row != "legend"),
            None,
        )
        if row is None:
            return f"{_line(value)}, {label}"
        column = self._dashboard_column(value, row)
        where = f"{_line(value)}, table '{row.table}', row '{row.row}'"
        if column:
            return f"{where}, column '{column}' ({value.period.label})"
        return f"{where}, {subject}, {value.period.label}"

    def _dashboard_column(self, value: IndicatorValue, row: PublishedFigure) -> str | None:
        """Baseline, Previous or Latest for a cell of a trend table, from the periods that the
        row's ranks, arrow and z-score refer to and the periods printed in the row (in any
        copy of the table)."""
        figures = self.figures_at(value)
        latest = {
            _figure_span(f)
            for f in figures
            if f.kind in (FigureKind.DIRECTION, FigureKind.Z_SCORE)
            or f.column.lower().startswith("latest")
        }
        previous = {_figure_span(f) for f in figures if f.column.lower().startswith("prev")}
        if not latest and not previous:
            return None
        anchor = next((f for f in figures if f.kind == FigureKind.DIRECTION), row)
        spans = set(latest | previous)
        for f in self.figures:
            same_row = (
                f.column != NARRATIVE
                and _norm(f.table) == _norm(row.table)
                and (f.indicator_id, f.area_id) == (anchor.indicator_id, anchor.area_id)
            )
            if same_row:
                spans.update(_span(v.period) for v in self.values_at(f))
        spans.discard(None)
        span = _span(value.period)
        if span in latest:
            return "Latest"
        if span in previous:
            return "Previous"
        if len(spans) >= 3 and span == min(spans):
            return "Baseline"
        return None

    # Findings

    def finding(self, rule: str, subject: Printed, *, printed: str, expected: str, detail: str,
                severity: str = ERROR, also: Iterable[Printed] = ()) -> Finding:  # fmt: skip
        involved = [subject, *also]
        lines = sorted({o.source_line for o in involved if getattr(o, "source_line", None)})
        releases = sorted({o.release.key for o in involved if getattr(o, "release", None)})
        release = getattr(subject, "release", None)
        source = getattr(subject, "source", None)
        return Finding(
            release=release.key if release else "",
            release_title=release.title if release else "",
            source=source.reference if source else "Entered in Placebook",
            line=subject.source_line,
            location=self.where(subject),
            printed=printed,
            expected=expected,
            rule=rule,
            detail=detail,
            severity=severity,
            lines=tuple(lines),
            releases=tuple(releases),
        )


def _version_start(label: str) -> date | None:
    """The start of a comparator group version: "2021/22" is a financial year, "2023-08" a
    month (the form comparator groups are versioned in)."""
    span = _text_span(label)
    if span is not None:
        return span[0]
    match = re.fullmatch(r"(\d{4})-(\d{2})", label.strip())
    return date(int(match[1]), int(match[2]), 1) if match else None


def _is_duration(value: IndicatorValue) -> bool:
    return value.indicator.unit == Unit.DURATION


def _line(figure) -> str:
    """Where a figure is, for a message: its line in the paper or file, or, for one entered
    by hand (which has none), that it was."""
    if figure.source_line is None:
        return "entered in Placebook"
    return f"line {figure.source_line}"


def _shown(value: IndicatorValue) -> str:
    if value.printed:
        return value.printed
    return _hms(value.value) if _is_duration(value) else f"{value.value:g}"


def _value_places(value: IndicatorValue) -> int:
    return _places(value.printed, default=max(0, -_dec(value.value).as_tuple().exponent))


def _values_agree(a: IndicatorValue, b: IndicatorValue) -> bool:
    if _is_duration(a):
        return round(a.value) == round(b.value)
    return _agree(_dec(a.value), _value_places(a), _dec(b.value), _value_places(b))


def _figures_agree(a: PublishedFigure, b: PublishedFigure) -> bool:
    if a.value is not None and b.value is not None:
        return _agree(_dec(a.value), _places(a.printed), _dec(b.value), _places(b.printed))
    if _glyphs(a.printed) and _glyphs(b.printed):
        # Arrows and RAG marks are printed as symbols, not numbers.
        return _glyphs(a.printed) == _glyphs(b.printed)
    # Claims in words ("lowest in the North West") are compared by the rank rules instead.
    return True


def _classes(items: list, agree: Callable) -> list[list]:
    """Printings grouped by value, in line order: each group agrees with its first member."""
    classes: list[list] = []
    for item in sorted(items, key=lambda o: (o.source_line or 0, o.id)):
        for group in classes:
            if agree(group[0], item):
                group.append(item)
                break
        else:
            classes.append([item])
    return classes


def _key(obj) -> str:
    release = getattr(obj, "release", None)
    return release.key if release is not None else "no release"


def _undated(value: IndicatorValue) -> bool:
    # The loader records "No period printed" in the note of a figure printed without one
    # (demo.py). Two undated figures are not the same figure: "grown from 1152 to 1912"
    # (seed 002, line 2840) prints the start and the end of a period.
    return value.note_text.startswith("No period printed")


# --- (a) Printed twice with different values -----------------------------------------------


@_rule(
    "value-printed-twice",
    "The same figure (indicator, subject, period, sex and age) is printed in two places "
    "with different values.",
)
def _value_printed_twice(data: AuditData) -> Iterator[Finding]:
    groups: dict[tuple, list[IndicatorValue]] = defaultdict(list)
    for v in data.values:
        if v.value is not None and not _undated(v):
            # Within one source (one paper or pack): a later edition or a dataset that
            # revises a figure is a revision, not an inconsistency.
            key = (v.source_id, v.indicator_id, v.area_id, v.organisation_id, _span(v.period),
                   v.sex, v.age)  # fmt: skip
            groups[key].append(v)
    for printings in groups.values():
        classes = _classes(printings, _values_agree)
        first = classes[0][0]
        for group in classes[1:]:
            later = group[0]
            breakdown = "" if later.sex == "Persons" else f" ({later.sex})"
            yield data.finding(
                "value-printed-twice",
                later,
                also=[first],
                printed=_shown(later),
                expected=f"{_shown(first)} (as printed at {_line(first)})",
                detail=(
                    f"{later.indicator.name}, {_short(later.subject.name)}, "
                    f"{later.period.label}{breakdown} is printed as {_shown(first)} at line "
                    f"{first.source_line} ({_key(first)}) and as {_shown(later)} at line "
                    f"{later.source_line} ({_key(later)}): at most one is right."
                ),
            )


def _figure_key(f: PublishedFigure) -> tuple | None:
    if f.row == "legend":
        return None
    span = _figure_span(f) or f.period_text.strip().lower()
    base = (f.source_id, f.kind, f.indicator_id, f.area_id, f.organisation_id,
            f.comparator_group_id, span)  # fmt: skip
    if f.kind == FigureKind.Z_SCORE:
        # A z-score means one thing wherever it is printed (table or text).
        return base
    if f.column == NARRATIVE:
        return (*base, NARRATIVE, _norm(f.row))
    return (*base, _norm(f.table), f.column)


@_rule(
    "figure-printed-twice",
    "The same derived figure (rank, z-score, arrow, difference, ...) is printed in two "
    "places, such as the two copies of a dashboard, with different values.",
)
def _figure_printed_twice(data: AuditData) -> Iterator[Finding]:
    groups: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        key = _figure_key(f)
        if key is not None:
            groups[key].append(f)
    for printings in groups.values():
        classes = _classes(printings, _figures_agree)
        first = classes[0][0]
        for group in classes[1:]:
            later = group[0]
            yield data.finding(
                "figure-printed-twice",
                later,
                also=[first],
                printed=later.printed,
                expected=f"{first.printed} (as printed at {_line(first)})",
                detail=(
                    f"{later.row} / {later.column}: {first.printed} at line "
                    f"{first.source_line} ({first.release.key}) but {later.printed} at line "
                    f"{later.source_line} ({later.release.key})."
                ),
            )


@_rule(
    "label-differs",
    "The same row of a table is labelled differently in two copies of the table.",
)
def _label_differs(data: AuditData) -> Iterator[Finding]:
    rows: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        if f.column == NARRATIVE or f.row == "legend" or f.indicator_id is None:
            continue
        span = _figure_span(f) or f.period_text
        rows[(f.source_id, _norm(f.table), f.column, f.kind, f.indicator_id, f.area_id,
              f.organisation_id, f.comparator_group_id, span)].append(f)  # fmt: skip
    seen = set()
    for printings in rows.values():
        first = printings[0]
        for later in printings[1:]:
            pair = (first.source_line, later.source_line)
            if later.release_id == first.release_id or _norm(later.row) == _norm(first.row):
                continue
            if pair in seen:
                continue
            seen.add(pair)
            yield data.finding(
                "label-differs",
                later,
                also=[first],
                severity=WARNING,
                printed=later.row,
                expected=f"{first.row} (as labelled at {_line(first)})",
                detail=(
                    f"The row printed at {_line(later)} ({later.release.key}) is "
                    f"the row printed at {_line(first)} ({first.release.key}) "
                    "(same indicator, subject and period) under another label."
                ),
            )


# --- Legends -------------------------------------------------------------------------------

_GLYPHS = "▲▼◀▶►◄●■◆✗✓"
_GLYPH_RE = re.compile(f"([{_GLYPHS}])\\s*([^{_GLYPHS}]*)")
_COLOUR_RE = re.compile(r"\(([A-Za-z ]+)\)\s*$")


def _glyphs(text: str) -> str:
    return "".join(c for c in text or "" if c in _GLYPHS)


def _legend_entries(figures: Iterable[PublishedFigure]) -> list[tuple[str, str, PublishedFigure]]:
    """(symbol, meaning, figure) for every symbol a key prints."""
    entries = []
    for f in figures:
        for glyph, meaning in _GLYPH_RE.findall(f.printed):
            meaning = meaning.strip(" -*").strip()
            if meaning:
                entries.append((glyph, meaning, f))
    return entries


def _legends(data: AuditData, release_id: Id, table: str) -> list[PublishedFigure]:
    """The key of a table: legend rows of the same release whose table is the table or
    "<table> key"."""
    name = _norm(table)
    return [
        f
        for f in data.figures
        if f.release_id == release_id and f.row == "legend" and _norm(f.table).startswith(name)
    ]


def _markers(text: str) -> frozenset[str]:
    colour = _COLOUR_RE.search(text or "")
    return frozenset(_glyphs(text)) | (frozenset([colour[1].lower()]) if colour else frozenset())


def _legend_text(figure: PublishedFigure) -> str:
    return "".join(c for c in figure.printed if c not in _GLYPHS).strip(" -*")


def _legend_key(text: str) -> str:
    return _norm(_COLOUR_RE.sub("", "".join(c for c in text if c not in _GLYPHS)))


@_rule(
    "legend-differs",
    "A key entry printed in two copies of a table has its symbol or colour in one copy and "
    "not in the other.",
)
def _legend_differs(data: AuditData) -> Iterator[Finding]:
    entries: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        if f.row == "legend":
            entries[(f.source_id, _norm(f.table), _legend_key(f.printed))].append(f)
    for printings in entries.values():
        best = max(printings, key=lambda f: (len(_markers(f.printed)), -(f.source_line or 0)))
        for f in printings:
            if f.release_id == best.release_id or _markers(f.printed) >= _markers(best.printed):
                continue
            yield data.finding(
                "legend-differs",
                f,
                also=[best],
                severity=WARNING,
                printed=f.printed,
                expected=f"{best.printed} (as printed at {_line(best)})",
                detail=(
                    "This copy of the key prints the entry without the symbol or colour that "
                    f"says which mark it explains; the copy at {_line(best)} "
                    f"({best.release.key}) prints it."
                ),
            )


@_rule(
    "legend-ambiguous",
    "A key uses one symbol for more than one meaning, and the table uses that symbol.",
)
def _legend_ambiguous(data: AuditData) -> Iterator[Finding]:
    legends: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        if f.row == "legend":
            legends[(f.release_id, _norm(f.table))].append(f)
    for (release_id, table), figures in legends.items():
        meanings: dict[str, list[str]] = defaultdict(list)
        for glyph, meaning, _f in _legend_entries(figures):
            if meaning not in meanings[glyph]:
                meanings[glyph].append(meaning)
        for glyph, said in meanings.items():
            users = [
                f
                for f in data.figures
                if f.release_id == release_id
                and f.row != "legend"
                and _norm(f.table).startswith(table)
                and glyph in f.printed
            ]
            if len(said) < 2 or not users:
                continue
            legend = next(f for f in figures if glyph in f.printed)
            cells = ", ".join(f"{f.row} / {f.column}" for f in users)
            yield data.finding(
                "legend-ambiguous",
                legend,
                also=users,
                severity=WARNING,
                printed=f"{glyph} = " + " / ".join(said),
                expected=f"one meaning per symbol for {glyph}",
                detail=(
                    f"The key gives {glyph} {len(said)} meanings ({', '.join(said)}), so the "
                    f"cells that print it cannot be read: {cells} (line "
                    f"{users[0].source_line})."
                ),
            )


# --- (b) Differences -----------------------------------------------------------------------

_DIF_SUFFIX_RE = re.compile(r"\s*(?:dif|diff|difference)\.?\s*$", re.I)
_DOWN_WORDS = re.compile(
    r"\b(fall|falling|fell|fallen|decline[sd]?|declining|reduction|reduced|drop(?:ped)?|"
    r"down|decrease[sd]?|fewer|less)\b",
    re.I,
)
_UP_WORDS = re.compile(
    r"\b(rise|rising|risen|rose|increase[sd]?|increasing|grow|grown|growth|grew|more)\b", re.I
)
_APPROXIMATE = re.compile(r"\b(around|almost|nearly|about|approximately|roughly|over|under|"
                          r"at least|just)\b", re.I)  # fmt: skip


def _comparator_value(
    data: AuditData, f: PublishedFigure, name: str
) -> tuple[Decimal, object] | None:
    """The value a difference column is taken from: a figure printed in the column named
    ``name`` on the same line (a group average), or a value on the same line for the area or
    organisation of that name."""
    for other in data.figures_at(f):
        if other.column.strip().lower() == name.lower() and other.value is not None:
            return _dec(other.value), other
    for v in data.values_at(f):
        named = v.subject is not None and _short(v.subject.name).lower() == name.lower()
        if named and v.indicator_id == f.indicator_id and v.value is not None:
            return _dec(v.value), v
    return None


def _table_difference(data: AuditData, f: PublishedFigure) -> Iterator[Finding]:
    name = _DIF_SUFFIX_RE.sub("", f.column)
    if name == f.column:
        return
    subject = next(
        (
            v
            for v in data.values_at(f)
            if v.indicator_id == f.indicator_id
            and (v.area_id, v.organisation_id) == (f.area_id, f.organisation_id)
            and v.value is not None
        ),
        None,
    )
    comparator = _comparator_value(data, f, name)
    if subject is None or comparator is None:
        return
    places = _places(f.printed)
    expected = _round(_dec(subject.value) - comparator[0], places)
    printed = _number(f.printed)
    glyph = _glyphs(f.printed)
    if printed != expected:
        yield data.finding(
            "difference",
            f,
            also=[subject, comparator[1]],
            printed=f.printed,
            expected=_show(expected, places),
            detail=(
                f"{_short(subject.subject.name)} {_shown(subject)} minus {name} "
                f"{comparator[0]:f} is {_show(expected, places)} at the printed precision, "
                f"not {printed:f}."
            ),
        )
    elif (glyph == "▲" and printed < 0) or (glyph == "▼" and printed > 0):
        yield data.finding(
            "difference",
            f,
            also=[subject],
            printed=f.printed,
            expected=f"{printed:f}{'▼' if printed < 0 else '▲'}",
            detail="The arrow beside the difference points the other way from its sign.",
        )


def _narrative_difference(data: AuditData, f: PublishedFigure) -> Iterator[Finding]:
    claim = f.claim or f.printed
    if re.search(r"\b(place|rank)", claim, re.I) or _APPROXIMATE.search(claim):
        return
    latest = data.value_for(f.indicator_id, f.area_id, f.organisation_id, _figure_span(f), near=f)
    previous = data.previous_value(latest, near=f) if latest else None
    if previous is None:
        return
    places = _places(f.printed)
    change = _dec(latest.value) - _dec(previous.value)
    said_down, said_up = bool(_DOWN_WORDS.search(claim)), bool(_UP_WORDS.search(claim))
    wrong_size = _round(abs(change), places) != _dec(f.value)
    wrong_way = (said_down and change > 0) or (said_up and change < 0)
    if wrong_size or wrong_way:
        yield data.finding(
            "difference",
            f,
            also=[latest, previous],
            printed=f.printed,
            expected=f"{'fall' if change < 0 else 'rise'} of {_show(abs(change), places)}",
            detail=f"{latest.indicator.name} went from {_change_text(previous, latest)}.",
        )


@_rule(
    "difference",
    "A printed difference (a Dif column, or a change in the text) is not the difference of "
    "the printed values at the printed precision.",
)
def _difference(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.kind != FigureKind.DIFFERENCE or f.value is None or f.indicator_id is None:
            continue
        if f.column == NARRATIVE:
            yield from _narrative_difference(data, f)
        else:
            yield from _table_difference(data, f)


# --- (c) Percentages, products, ratios, shares, totals, gaps, ranges -----------------------

_FROM_TO_RE = re.compile(
    r"from\s+(?P<a>[\d,]+(?:\.\d+)?)\s*%?\s+to\s+(?P<b>[\d,]+(?:\.\d+)?)", re.I
)


def _from_to(claim: str) -> tuple[Decimal, Decimal] | None:
    match = _FROM_TO_RE.search(claim or "")
    if not match:
        return None
    return _number(match["a"]), _number(match["b"])


def _change_operands(
    data: AuditData, f: PublishedFigure
) -> tuple[Decimal, Decimal, str, str, list] | None:
    """(old, new, severity, how, involved) for a percentage change, or None."""
    claim = f.claim or f.printed
    pair = _from_to(claim)
    if pair and pair[0]:
        return pair[0], pair[1], ERROR, f"from {_plain(pair[0])} to {_plain(pair[1])}", []
    difference = next(
        (
            o
            for o in data.figures_at(f)
            if o.kind == FigureKind.DIFFERENCE and o.indicator_id == f.indicator_id and o.value
        ),
        None,
    )
    current = next((v for v in data.values_at(f) if v.indicator_id == f.indicator_id), None)
    if difference and current and current.value is not None:
        now, step = _dec(current.value), _dec(difference.value)
        old = now + step if _DOWN_WORDS.search(claim) else now - step
        how = f"{_plain(step)} of {_plain(old)} ({_shown(current)} now, {_line(current)})"
        return old, now, ERROR, how, [difference, current]
    for other in data.figures:
        same = (other.indicator_id, other.area_id) == (f.indicator_id, f.area_id)
        if other is not f and same and other.kind == FigureKind.PERCENTAGE:
            pair = _from_to(other.claim)
            if pair and pair[0]:
                how = f"from {_plain(pair[0])} to {_plain(pair[1])} ({_line(other)})"
                return pair[0], pair[1], WARNING, how, [other]
    return None


@_rule(
    "percent-change",
    "A printed percentage change ('a growth of 65.97%', '11% (55 people) fewer') does not "
    "follow from the printed counts.",
)
def _percent_change(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        claim = f.claim or f.printed
        if f.kind != FigureKind.PERCENTAGE or f.value is None or f.indicator_id is None:
            continue
        if not (_DOWN_WORDS.search(claim) or _UP_WORDS.search(claim)) or _APPROXIMATE.search(claim):
            continue
        operands = _change_operands(data, f)
        if operands is None:
            continue
        old, new, severity, how, involved = operands
        if not old:
            continue
        places = _places(f.printed)
        expected = _round(abs(new - old) / old * 100, places)
        if expected != _round(_dec(f.value), places):
            yield data.finding(
                "percent-change",
                f,
                also=involved,
                severity=severity,
                printed=f.printed,
                expected=f"{_show(expected, places)}%",
                detail=f"The change is {how}: {abs(new - old) / old * 100:.2f}%.",
            )


# received = offered x uptake: the share of the eligible population who had a check is the
# share offered one times the share of those offered who took it up (seed 002, lines
# 2889-2894; the extraction README records all three products for Sefton, England and the
# North West).
PRODUCT_RELATIONS: tuple[tuple[str, str, str], ...] = (
    (
        "phof-nhs-health-check-received-cumulative",
        "phof-nhs-health-check-offered-cumulative",
        "phof-nhs-health-check-uptake-cumulative",
    ),
)


def _product_findings(
    data: AuditData,
    offered: IndicatorValue,
    uptake: IndicatorValue | None,
    printings: list[IndicatorValue],
) -> Iterator[Finding]:
    o = _dec(offered.value)
    if uptake is not None:
        u = _dec(uptake.value)
        for r in printings:
            places = _value_places(r)
            expected = _round(o * u / 100, places)
            if expected != _dec(r.value):
                yield data.finding(
                    "product",
                    r,
                    also=[offered, uptake],
                    printed=_shown(r),
                    expected=f"{_show(expected, places)}",
                    detail=(
                        f"{r.indicator.name} = offered {_shown(offered)} ({_line(offered)}) "
                        f"x uptake {_shown(uptake)} ({_line(uptake)}) = {o * u / 100:f}."
                    ),
                )
        return
    # No uptake printed: a "received" figure that times the offer gives another printing of
    # received is the uptake under the wrong name (64.7% x 42.3% = 27.4%, seed 002 line 2890).
    for a in printings:
        for b in printings:
            product = _round(o * _dec(a.value) / 100, _value_places(b))
            if a is not b and product == _dec(b.value) and not _values_agree(a, b):
                yield data.finding(
                    "product",
                    a,
                    also=[b, offered],
                    printed=f"{_shown(a)} (printed as the share received)",
                    expected=f"{_amount(b)} (as printed at {_line(b)})",
                    detail=(
                        f"{_shown(a)} is the uptake (received ÷ offered), not the share "
                        f"received: offered {_amount(offered)} x {_amount(a)} = {_amount(b)}, "
                        f"which {_line(b)} prints as the share received."
                    ),
                )


@_rule(
    "product",
    "A printed product does not equal its printed factors (received = offered x uptake).",
)
def _product(data: AuditData) -> Iterator[Finding]:
    codes = {v.indicator.code: v.indicator_id for v in data.values}
    for result_code, offered_code, uptake_code in PRODUCT_RELATIONS:
        if result_code not in codes or offered_code not in codes:
            continue
        groups: dict[tuple, list[IndicatorValue]] = defaultdict(list)
        for v in data.values:
            if v.indicator_id == codes[result_code] and v.value is not None:
                groups[(v.area_id, v.organisation_id, _span(v.period))].append(v)
        for (area_id, org_id, span), printings in groups.items():
            offered = data.value_for(codes[offered_code], area_id, org_id, span)
            uptake = data.value_for(codes.get(uptake_code), area_id, org_id, span)
            if offered is not None:
                yield from _product_findings(data, offered, uptake, printings)


# "The highest income group" is the managerial and professional class (NS-SEC 1-2): seed 002
# prints the two side by side at lines 2622-2623.
_SYNONYMS = {"highest income group": "managerial and professional"}
_STOP_WORDS = {"with", "from", "group", "groups", "rate", "rates", "adults", "people", "that"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP_WORDS}


def _denominator(
    data: AuditData, f: PublishedFigure, numerator: IndicatorValue
) -> IndicatorValue | None:
    match = re.search(r"\bvs\.?\s+(.+)$", f.row)
    if not match:
        return None
    named = match[1]
    for phrase, meaning in _SYNONYMS.items():
        named = named.replace(phrase, meaning)
    wanted = _words(named)
    scored = []
    for v in data.values:
        if v.indicator_id == numerator.indicator_id or v.value is None:
            continue
        if (v.area_id, v.organisation_id, _span(v.period)) != (
            numerator.area_id, numerator.organisation_id, _span(numerator.period),
        ):  # fmt: skip
            continue
        score = len(wanted & _words(v.indicator.name))
        if score:
            scored.append((-score, v.source_line or 0, v.id, v))
    return min(scored)[3] if scored else None


@_rule(
    "ratio",
    "A printed ratio ('3.5 times', '3.5-fold') is not the ratio of the printed values it names.",
)
def _ratio(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        text = f"{f.printed} {f.claim}"
        if f.kind != FigureKind.RATIO or f.value is None or not re.search(r"times|fold", text):
            continue
        span = _figure_span(f)
        numerator = data.value_for(f.indicator_id, f.area_id, f.organisation_id, span, near=f)
        denominator = _denominator(data, f, numerator) if numerator else None
        if denominator is None or not denominator.value:
            continue
        places = _places(f.printed)
        ratio = _dec(numerator.value) / _dec(denominator.value)
        if _round(ratio, places) != _round(_dec(f.value), places):
            yield data.finding(
                "ratio",
                f,
                also=[numerator, denominator],
                printed=f.printed,
                expected=f"{_show(ratio, places)} times",
                detail=(
                    f"{numerator.indicator.name} {_shown(numerator)} ({_line(numerator)}) "
                    f"÷ {denominator.indicator.name} "
                    f"{_shown(denominator)} ({_line(denominator)}) = {ratio:.3f}."
                ),
            )


@_rule(
    "shares-total",
    "Percentages printed as the parts of a whole ('the remaining 35%') do not add up to 100.",
)
def _shares_total(data: AuditData) -> Iterator[Finding]:
    lines: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        if f.kind == FigureKind.PERCENTAGE and f.value is not None:
            lines[_near_key(f)].append(f)
    for shares in lines.values():
        rest = next((f for f in shares if re.search(r"remain|the rest", f.claim, re.I)), None)
        if rest is None or len(shares) < 2:
            continue
        total = sum(_dec(f.value) for f in shares)
        if total != 100:
            yield data.finding(
                "shares-total",
                rest,
                also=shares,
                printed=" + ".join(f.printed for f in shares) + f" = {total:f}%",
                expected="100%",
                detail="The text gives these as the parts of one whole.",
            )


@_rule("total", "A printed total is not the sum of the parts printed in its column.")
def _total(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.kind != FigureKind.TOTAL or f.value is None:
            continue
        parts = [
            o
            for o in data.figures
            if o.release_id == f.release_id
            and o.table == f.table
            and o.column == f.column
            and o.kind != FigureKind.TOTAL
            and o.value is not None
        ]
        if len(parts) < 2:
            continue
        places = _places(f.printed)
        total = _round(sum(_dec(o.value) for o in parts), places)
        if total != _round(_dec(f.value), places):
            yield data.finding(
                "total",
                f,
                also=parts,
                printed=f.printed,
                expected=_show(total, places),
                detail=f"Sum of the {len(parts)} rows of '{f.column}': "
                + " + ".join(o.printed for o in parts),
            )


@_rule(
    "gap-extremes",
    "A printed gap (inequality in life expectancy) differs from the difference of the "
    "printed values for the most and least deprived groups.",
)
def _gap_extremes(data: AuditData) -> Iterator[Finding]:
    ends: dict[tuple, dict[str, PublishedFigure]] = defaultdict(dict)
    for f in data.figures:
        row = f.row.lower()
        if f.kind != FigureKind.OTHER or f.value is None or f.indicator_id is None:
            continue
        for end in ("most deprived", "least deprived"):
            if end in row:
                key = (f.indicator_id, f.area_id, _figure_span(f))
                ends[key].setdefault(end, f)
    for (indicator_id, area_id, span), pair in ends.items():
        if len(pair) < 2 or span is None:
            continue
        most, least = pair["most deprived"], pair["least deprived"]
        gap = data.value_for(indicator_id, area_id, None, span, near=most)
        if gap is None:
            continue
        places = _value_places(gap)
        expected = _dec(least.value) - _dec(most.value)
        if _round(expected, places) != _dec(gap.value):
            yield data.finding(
                "gap-extremes",
                gap,
                also=[most, least],
                severity=WARNING,
                printed=_shown(gap),
                expected=_show(expected, places),
                detail=(
                    f"The text gives the gap as {_shown(gap)} and the two ends as "
                    f"{least.printed} (least deprived) and {most.printed} (most deprived, "
                    f"{_line(most)}), which are {_show(expected, places)} apart. The "
                    "indicator is a slope index, not the difference of the extremes, but the "
                    "text presents it as that gap."
                ),
            )


_RANGE_RE = re.compile(r"\brange\b|top and bottom|highest and lowest|lowest and highest", re.I)


@_rule(
    "range-extremes",
    "A value printed elsewhere lies outside the range, or beyond the top or bottom area, that "
    "the text gives for a group of areas.",
)
def _range_extremes(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        claim = f.claim or ""
        span = _figure_span(f)
        if not _RANGE_RE.search(claim) or f.indicator_id is None or span is None:
            continue
        bounds = [Decimal(n) for n in re.findall(r"(\d+(?:\.\d+)?)\s*%", claim)]
        if len(bounds) < 2:
            continue
        low, high = min(bounds), max(bounds)
        for area_id in sorted(data.children.get(f.area_id, ())):
            v = data.value_for(f.indicator_id, area_id, None, span)
            if v is None or low <= _dec(v.value) <= high:
                continue
            yield data.finding(
                "range-extremes",
                f,
                also=[v],
                printed=claim,
                expected=f"a range that includes {_amount(v)} ({_short(v.subject.name)})",
                detail=(
                    f"{_short(v.subject.name)} is printed as {_amount(v)} at line "
                    f"{v.source_line} for the same indicator and period, outside "
                    f"{low:f}-{high:f}."
                ),
            )


# --- (d) Direction of travel ---------------------------------------------------------------

_RAW_GLYPH = {1: "▲", -1: "▼", 0: "◀"}
_ARROWS = "▲▼◀▶►◄"


def _meaning(text: str) -> str | None:
    text = text.lower()
    if "improv" in text:
        return "improved"
    if "wors" in text or "deteriorat" in text:
        return "worsened"
    if "no change" in text or "same" in text or "unchanged" in text:
        return "unchanged"
    return None


def _direction_key(
    data: AuditData, f: PublishedFigure
) -> tuple[dict[str, tuple[str, PublishedFigure]], bool]:
    """({meaning: (symbol, key entry)}, borrowed) for the table of a direction arrow: its own
    key, or, when that prints no arrows (seed 002, lines 3294-3296), the key of another copy
    of the table."""
    own = _legends(data, f.release_id, f.table)
    mapping = {_meaning(m): (g, lf) for g, m, lf in _legend_entries(own) if g in _ARROWS}
    mapping.pop(None, None)
    if mapping:
        return mapping, False
    copies = {
        other.release_id
        for other in data.figures
        if other.kind == FigureKind.DIRECTION
        and other.release_id != f.release_id
        and _norm(other.table) == _norm(f.table)
    }
    for release_id in sorted(copies):
        legend = _legends(data, release_id, f.table)
        found = {_meaning(m): (g, lf) for g, m, lf in _legend_entries(legend) if g in _ARROWS}
        found.pop(None, None)
        if found:
            return found, True
    return {}, False


def _direction_values(
    data: AuditData, f: PublishedFigure
) -> tuple[IndicatorValue, IndicatorValue] | None:
    """(previous, latest) printed values that a direction arrow compares."""
    latest = data.value_for(f.indicator_id, f.area_id, f.organisation_id, _figure_span(f), near=f)
    if latest is None:
        return None
    prev_rank = next(
        (
            r
            for r in data.figures_at(f)
            if r.kind == FigureKind.RANK and r.column.lower().startswith("prev")
        ),
        None,
    )
    if prev_rank is not None and _figure_span(prev_rank):
        previous = data.value_for(
            f.indicator_id, prev_rank.area_id, prev_rank.organisation_id,
            _figure_span(prev_rank), near=f, sex=latest.sex, age=latest.age,
        )  # fmt: skip
    else:
        previous = data.previous_value(latest, near=f)
    return (previous, latest) if previous is not None else None


def _trend(previous: IndicatorValue, latest: IndicatorValue) -> int:
    places = max(_value_places(previous), _value_places(latest))
    change = _round(_dec(latest.value), places) - _round(_dec(previous.value), places)
    return (change > 0) - (change < 0)


def _amount(value: IndicatorValue) -> str:
    """A value as a number and unit, without the words or period printed around it."""
    if _is_duration(value):
        return _hms(value.value)
    number = _number(value.printed)
    shown = f"{number:f}" if number is not None else f"{value.value:g}"
    return f"{shown}%" if value.indicator.unit == Unit.PERCENTAGE else shown


def _change_text(previous: IndicatorValue, latest: IndicatorValue) -> str:
    return (
        f"{_amount(previous)} ({previous.period.label}, {_line(previous)}) to "
        f"{_amount(latest)} ({latest.period.label}, {_line(latest)})"
    )


def _direction_figures(data: AuditData) -> Iterator[tuple[PublishedFigure, str, tuple]]:
    for f in data.figures:
        glyph = _glyphs(f.printed)[:1]
        if f.kind != FigureKind.DIRECTION or glyph not in _ARROWS or not glyph:
            continue
        pair = _direction_values(data, f)
        if pair is not None:
            yield f, glyph, pair


@_rule(
    "direction-change",
    "A direction-of-travel arrow does not follow the printed change from the previous to the "
    "latest value (▲ up, ▼ down, ◀ no change).",
)
def _direction_change(data: AuditData) -> Iterator[Finding]:
    for f, glyph, (previous, latest) in _direction_figures(data):
        raw = _RAW_GLYPH[_trend(previous, latest)]
        if glyph != raw:
            yield data.finding(
                "direction-change",
                f,
                also=[previous, latest],
                printed=glyph,
                expected=raw,
                detail=f"{latest.indicator.name} went from {_change_text(previous, latest)}.",
            )


@_rule(
    "direction-legend",
    "A direction-of-travel arrow contradicts the table's key ('▲ Improvement') read with the "
    "indicator's polarity.",
)
def _direction_legend(data: AuditData) -> Iterator[Finding]:
    for f, glyph, (previous, latest) in _direction_figures(data):
        trend = _trend(previous, latest)
        if trend == 0:
            meaning = "unchanged"
        else:
            better = _better(latest.indicator.polarity, trend > 0)
            if better is None:
                continue
            meaning = "improved" if better else "worsened"
        key, borrowed = _direction_key(data, f)
        if meaning not in key or key[meaning][0] == glyph:
            continue
        expected, legend = key[meaning]
        polarity = latest.indicator.get_polarity_display().lower()
        borrowed_note = (
            f" This copy's key prints no arrows, so the key of the other copy (line "
            f"{legend.source_line}) is used."
            if borrowed
            else ""
        )
        yield data.finding(
            "direction-legend",
            f,
            also=[previous, latest, legend],
            printed=glyph,
            expected=expected,
            detail=(
                f"The key ({_line(legend)}) says {expected} = '{_legend_text(legend)}'."
                f" {latest.indicator.name} went from {_change_text(previous, latest)}, and "
                f"{polarity}, so it {meaning}.{borrowed_note}"
            ),
        )


# --- (e) Ranks -----------------------------------------------------------------------------


@_rule(
    "rank-out-of-range",
    "A printed rank is below 1 or larger than the number of areas in its comparator group.",
)
def _rank_out_of_range(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.kind != FigureKind.RANK or f.value is None or f.comparator_group is None:
            continue
        if f.column == NARRATIVE:
            continue
        sizes = [
            size
            for g in data.versions.get(f.comparator_group.slug, [f.comparator_group])
            if (size := data.group_size(g, f.area_id)) is not None
        ]
        if sizes and not 1 <= f.value <= max(sizes):
            yield data.finding(
                "rank-out-of-range",
                f,
                printed=f.printed,
                expected=f"1 to {max(sizes)}",
                detail=(
                    f"{f.comparator_group.name} has at most {max(sizes)} areas to rank "
                    "(counting the subject)."
                ),
            )


_SUPERLATIVE_RE = re.compile(
    r"\b(?:(?P<ord>\d+(?:st|nd|rd|th)|" + "|".join(_ORDINALS) + r")\s+)?"
    r"(?P<end>highest|lowest|best|worst)\b(?P<next>[^,.;]*,\s*followed by)?",
    re.I,
)
_COMPARATIVE_RE = re.compile(r"\b(?P<cmp>lower|higher)\s+rates?\b", re.I)
_COUNT_MENTION_RE = re.compile(
    r"\b(?P<n>" + _COUNT_WORD + r")\s+(?:other\s+)?(?:local authorities|authorities|councils|"
    r"in the)\b",
    re.I,
)


def _rank_claims(f: PublishedFigure) -> Iterator[tuple[str, str, int]]:
    """(scope, kind, n) for each rank a claim implies: kind "best"/"worst" with the place
    from that end, or "count_lower"/"count_higher" for "nine authorities have lower rates"."""
    claim = f.claim or f.printed
    comparative = _COMPARATIVE_RE.search(claim)
    matches = list(_COUNT_MENTION_RE.finditer(claim)) if comparative else []
    kind = f"count_{comparative['cmp'].lower()}" if matches else ""
    if not matches:
        matches = list(_SUPERLATIVE_RE.finditer(claim))
    for i, match in enumerate(matches):
        after = claim[match.start() : matches[i + 1].start() if i + 1 < len(matches) else None]
        scopes = _scopes(after) or _scopes(f.row)
        if kind:
            n = _count(match["n"])
        else:
            n = _count(match["ord"]) if match["ord"] else 1
            n += 1 if match["next"] else 0
        for scope in scopes:
            yield scope, kind or match["end"].lower(), n


def _expected_rank(
    data: AuditData, f: PublishedFigure, rank: PublishedFigure, kind: str, n: int
) -> tuple[int | None, int | None, int | None]:
    """(expected rank or None, lower bound or None, size) from a claim's kind and n."""
    polarity = f.indicator.polarity
    if kind.startswith("count_"):
        better = _better(polarity, kind == "count_higher")
        size = data.rank_size(rank)
        if better is None:
            return None, None, size
        if better:
            return n + 1, None, size
        return (size - n if size else None), None, size
    if kind in ("highest", "lowest"):
        better = _better(polarity, kind == "highest")
        if better is None:
            return None, None, None
        kind = "best" if better else "worst"
    if kind == "best":
        return n, None, None
    size = data.rank_size(rank)
    if size:
        return size - n + 1, None, size
    return None, data.max_rank(rank) - n + 1, None


@_rule(
    "rank-claim",
    "The text's ranking ('lowest in the North West', 'fifth highest', 'nine authorities have "
    "lower rates') contradicts the rank printed in the table.",
)
def _rank_claim(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.column != NARRATIVE or f.kind not in (FigureKind.RANK, FigureKind.COUNT_OF):
            continue
        if f.indicator_id is None or f.area_id is None:
            continue
        for scope, kind, n in _rank_claims(f):
            span = _figure_span(f)
            ranks = data.rank_figures(f.indicator_id, f.area_id, scope, span)
            for rank in {int(r.value): r for r in ranks}.values():
                yield from _judge_rank_claim(data, f, rank, ranks, kind, n)


def _judge_rank_claim(
    data: AuditData,
    f: PublishedFigure,
    rank: PublishedFigure,
    ranks: list[PublishedFigure],
    kind: str,
    n: int,
) -> Iterator[Finding]:
    expected, bound, size = _expected_rank(data, f, rank, kind, n)
    printed = int(rank.value)
    same = [r for r in ranks if int(r.value) == printed]
    claim = f.claim or f.printed
    if expected is not None and expected != printed:
        of = f" of {size}" if size else ""
        yield data.finding(
            "rank-claim",
            f,
            also=same,
            printed=claim,
            expected=f"rank {expected}{of} ({rank.column} is {printed})",
            detail=(
                f"The text implies rank {expected}{of} (ranks run low = best); the table "
                f"prints {rank.column} {printed} at line "
                + ", ".join(str(r.source_line) for r in same)
                + "."
            ),
        )
    elif bound is not None and printed < bound:
        top = data.max_rank(rank)
        yield data.finding(
            "rank-claim",
            f,
            also=same,
            severity=WARNING,
            printed=claim,
            expected=f"rank {bound} or more ({rank.column} is {printed})",
            detail=(
                f"The claim puts {_short(f.area.name)} at place {n} from the bottom, which is "
                f"rank {printed} only if {printed + n - 1} areas are ranked; the same column "
                f"prints ranks up to "
                f"{top}, so that group has at least {top} areas. The group itself is not "
                "recorded, so this is a doubt, not a proof."
            ),
        )


_PLACES_RE = re.compile(
    r"\b(?P<verb>dropped|fallen|fell|slipped|risen|rose|climbed|moved up|gone up|moved down|"
    r"gone down)\s+(?:down\s+|up\s+)?(?P<n>" + _COUNT_WORD + r")\s+places?",
    re.I,
)
_RANK_TREND_RE = re.compile(r"rank\w*\b[^.]*?\b(?P<word>improved|worsened|deteriorated)", re.I)


def _claimed_rank_change(claim: str) -> tuple[int, int | None] | None:
    """(direction, places) a claim gives: +1 worse (a larger rank), -1 better."""
    match = _PLACES_RE.search(claim)
    if match:
        worse = match["verb"].lower() in ("dropped", "fallen", "fell", "slipped", "moved down",
                                         "gone down")  # fmt: skip
        return (1 if worse else -1), _count(match["n"])
    match = _RANK_TREND_RE.search(claim)
    if match:
        return (-1 if match["word"].lower() == "improved" else 1), None
    return None


@_rule(
    "rank-change",
    "The text's change of rank ('dropped down 6 places', 'rankings have improved') "
    "contradicts the previous and latest ranks printed in the table.",
)
def _rank_change(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        claimed = _claimed_rank_change(f.claim or "") if f.column == NARRATIVE else None
        if claimed is None or f.indicator_id is None:
            continue
        for scope in _scopes(f.claim) or _scopes(f.row):
            for latest in data.rank_figures(f.indicator_id, f.area_id, scope, _figure_span(f)):
                previous = next(
                    (
                        r
                        for r in data.figures_at(latest)
                        if r.kind == FigureKind.RANK
                        and r.value is not None
                        and r.column.lower().startswith("prev")
                        and _column_scope(r.column) == scope
                    ),
                    None,
                )
                if previous is None:
                    continue
                moved = int(latest.value) - int(previous.value)
                direction, places = claimed
                if (moved > 0) - (moved < 0) == direction and places in (None, abs(moved)):
                    continue
                yield data.finding(
                    "rank-change",
                    f,
                    also=[latest, previous],
                    printed=f.claim,
                    expected=f"rank {int(previous.value)} to {int(latest.value)}",
                    detail=(
                        f"The table prints {previous.column} {previous.printed} and "
                        f"{latest.column} {latest.printed} ({_line(latest)}); ranks "
                        "run low = best."
                    ),
                )


# --- (f) z-scores --------------------------------------------------------------------------


def _z_comparator(data: AuditData, f: PublishedFigure) -> Area | None:
    """The area a table's z-scores compare with, named in its key ("compared with the rest
    of the North West", seed 002 line 3181)."""
    for legend in _legends(data, f.release_id, f.table):
        if "z-score" not in legend.printed.lower():
            continue
        for area in data.regions:
            if area.name in legend.printed:
                return area
    return None


def _z_evidence(
    data: AuditData, f: PublishedFigure, area: Area
) -> tuple[bool | None, bool, str, list] | None:
    """(better: bool, certain: bool, evidence text, involved) for Sefton against the
    comparator, from the printed comparator value or else from the printed rank."""
    span = _figure_span(f)
    own = data.value_for(f.indicator_id, f.area_id, f.organisation_id, span, near=f)
    other = data.value_for(f.indicator_id, area.id, None, span) if own else None
    if own is not None and other is not None and own.value != other.value:
        better = _better(f.indicator.polarity, own.value > other.value)
        text = f"{_shown(own)} against {area.name} {_shown(other)} ({_line(other)})"
        return better, True, text, [own, other]
    abbreviation = "".join(word[0] for word in area.name.split()).upper()
    rank = next(
        (
            r
            for r in data.figures_at(f)
            if r.kind == FigureKind.RANK
            and r.value is not None
            and r.column.lower().startswith("latest")
            and (abbreviation in r.column.split() or area.name in r.column)
        ),
        None,
    )
    if rank is None:
        return None
    size, top = data.rank_size(rank), data.max_rank(rank)
    position = int(rank.value)
    if position * 2 <= (size or top):
        return True, True, f"{rank.column} {position} of {size or f'at least {top}'}", [rank]
    if size and position * 2 > size + 1:
        return False, True, f"{rank.column} {position} of {size}", [rank]
    if size is None and position * 2 > top:
        return False, False, f"{rank.column} {position} (ranks up to {top} printed)", [rank]
    return None


def _z_convention(data: AuditData, f: PublishedFigure) -> str:
    """Where the paper states that positive z-scores are better (seed 002, line 3244)."""
    for legend in data.figures:
        same = _family(legend.release.key) == _family(f.release.key)
        if same and legend.row == "legend" and re.search(r"positive", legend.printed, re.I):
            return f"Line {legend.source_line}: '{legend.printed}'."
    return "The paper reads positive z-scores as better."


@_rule(
    "z-score-sign",
    "A z-score's sign contradicts the paper's convention (positive = better) given the "
    "indicator's polarity and where the printed values or rank put the subject.",
)
def _z_score_sign(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.kind != FigureKind.Z_SCORE or f.value is None or f.column == NARRATIVE:
            continue
        if f.indicator is None or f.value == 0:
            continue
        area = _z_comparator(data, f)
        convention = _z_convention(data, f)
        evidence = _z_evidence(data, f, area) if area is not None else None
        if evidence is None or evidence[0] is None:
            continue
        better, certain, text, involved = evidence
        if better == (f.value > 0):
            continue
        if not certain and abs(f.value) < 1:
            continue
        severity = ERROR if certain and abs(f.value) >= 1 else WARNING
        subject = _short(f.area.name) if f.area else "the subject"
        # The subject minus the comparator is positive when the subject is better on a
        # higher-is-better indicator or worse on a lower-is-better one.
        raw_sign = better == (f.indicator.polarity == Polarity.HIGHER_IS_BETTER)
        follows_raw = (
            f" The printed sign is that of {subject} minus {area.name} instead."
            if raw_sign == (f.value > 0)
            else ""
        )
        yield data.finding(
            "z-score-sign",
            f,
            also=involved,
            severity=severity,
            printed=f.printed,
            expected=f"{'positive' if better else 'negative'} ({subject} is "
            f"{'better' if better else 'worse'} than {area.name})",
            detail=(
                f"{convention} {f.indicator.name} "
                f"({f.indicator.get_polarity_display().lower()}): {text}.{follows_raw}"
            ),
        )


# --- (g) Counts of items -------------------------------------------------------------------

_OUT_OF_RE = re.compile(
    r"\b(?P<n>" + _COUNT_WORD + r")\s+(?:out\s+)?of\s+(?:the\s+)?(?P<m>\d+)\D{0,2}\s+"
    r"(?P<updated>updated\s+)?indicators",
    re.I,
)
_NO_TREND_RE = re.compile(r"lack\w*\s+trend|no trend|without (?:a |any )?(?:change )?arrow", re.I)


def _dashboards(data: AuditData, release: Release) -> list[tuple[Release, list[int], set[int]]]:
    """(release, row lines, lines with an arrow) for each trend table of the edition."""
    tables: dict[tuple, list[PublishedFigure]] = defaultdict(list)
    for f in data.figures:
        trend = f.kind in (FigureKind.DIRECTION, FigureKind.Z_SCORE, FigureKind.RANK)
        if trend and f.column != NARRATIVE and _family(f.release.key) == _family(release.key):
            tables[(f.release_id, f.table)].append(f)
    found = []
    for figures in tables.values():
        lines = sorted({f.source_line for f in figures})
        arrows = {f.source_line for f in figures if f.kind == FigureKind.DIRECTION}
        found.append((figures[0].release, lines, arrows))
    return found


@_rule(
    "count-of-items",
    "A count of items in the text ('Seven out of the 23 indicators lack trend data') differs "
    "from the number of rows (or rows without an arrow) in the table it describes.",
)
def _count_of_items(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        match = _OUT_OF_RE.search(f.claim or "") if f.column == NARRATIVE else None
        if match is None or match["updated"]:
            continue
        n, m = _count(match["n"]), int(match["m"])
        rows: dict[int, list[str]] = defaultdict(list)
        bare: dict[int, list[str]] = defaultdict(list)
        for release, lines, arrows in _dashboards(data, f.release):
            where = f"lines {lines[0]}-{lines[-1]} ({release.key})"
            rows[len(lines)].append(where)
            bare[len(set(lines) - arrows)].append(where)
        for total, where in sorted(rows.items()):
            if total != m:
                yield data.finding(
                    "count-of-items",
                    f,
                    printed=match.group(),
                    expected=f"{total} indicators",
                    detail=f"The dashboard has {total} rows: {'; '.join(where)}.",
                )
        for missing, where in sorted(bare.items()):
            if _NO_TREND_RE.search(f.claim) and n != missing:
                yield data.finding(
                    "count-of-items",
                    f,
                    printed=match.group(),
                    expected=f"{missing} without an arrow",
                    detail=f"The dashboard prints no direction arrow on {missing} rows: "
                    f"{'; '.join(where)}.",
                )


def _reference_date(data: AuditData, f: PublishedFigure) -> date | None:
    span = _figure_span(f)
    return span[1] if span else data.pack_date(f.release, f)


_GROUP_COUNT_RE = re.compile(
    r"(?:the|amongst|among|against|of)\s+(?P<n>" + _COUNT_WORD + r")\s+(?:local authorities|"
    r"councils|authorities)|(?P<k>" + _COUNT_WORD + r")\s+(?:closest\s+)?statistical neighbours",
    re.I,
)


def _claimed_group_count(f: PublishedFigure) -> int | None:
    if f.kind == FigureKind.COUNT_OF and f.value is not None:
        return int(f.value)
    match = _GROUP_COUNT_RE.search(f.claim or "")
    if match is None:
        return None
    return _count(match["n"] or match["k"])


@_rule(
    "group-size",
    "A count of the areas in a comparator group ('151 councils', 'the 23 local authorities') "
    "differs from the group's membership at the time.",
)
def _group_size(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        if f.comparator_group is None or f.column != NARRATIVE:
            continue
        claimed = _claimed_group_count(f)
        on = _reference_date(data, f)
        version = data.group_version(f.comparator_group, on)
        members = data.members.get(version.id)
        if claimed is None or not members or claimed == len(members):
            continue
        others = [
            g.version
            for g in data.versions.get(version.slug, [])
            if len(data.members.get(g.id, ())) == claimed
        ]
        when = f"on {on:%d %B %Y}" if on else "now"
        yield data.finding(
            "group-size",
            f,
            severity=WARNING if others else ERROR,
            printed=f.claim or f.printed,
            expected=f"{len(members)} ({version.name}, {version.version})",
            detail=(
                f"{version.name} had {len(members)} members {when} (version "
                f"{version.version})."
                + (
                    f" {claimed} is the membership of version {', '.join(others)}."
                    if others
                    else ""
                )
            ),
        )


# --- (h) Standards in labels and targets ---------------------------------------------------


def _label_standard(f: PublishedFigure) -> tuple[Decimal, str] | None:
    """A standard printed inside a row label ("Mean 18 minute response"): (value in the
    target's units, unit)."""
    if f.kind != FigureKind.OTHER or f.value is None or not f.printed:
        return None
    if _norm(f.printed) not in _norm(f.row) or f.indicator_id is None:
        return None
    text = f.printed.lower()
    if "minute" in text:
        return _dec(f.value) * 60, "seconds"
    if "hour" in text:
        return _dec(f.value) * 3600, "seconds"
    if "%" in text:
        return _dec(f.value), "%"
    return None


def _target_value(target: Target) -> tuple[Decimal, str, str] | None:
    """(value, unit, how) for a target, with a per-month trajectory made annual."""
    if target.kind == TargetKind.DURATION and target.value is not None:
        return _dec(target.value), "seconds", f"'{target.printed}'"
    if target.kind == TargetKind.TRAJECTORY and "month" in target.printed.lower():
        steps = list(target.steps.all())
        if steps:
            total = sum(_dec(s.value) * _months(s.period) for s in steps)
            parts = " + ".join(f"{s.value:g} x {_months(s.period)}" for s in steps)
            return total, "%", f"'{target.printed}' ({parts} = {_plain(total)} a year)"
    percentage = target.indicator.unit == Unit.PERCENTAGE
    if target.kind == TargetKind.THRESHOLD and target.value is not None and percentage:
        return _dec(target.value), "%", f"'{target.printed}'"
    return None


def _show_standard(value: Decimal, unit: str) -> str:
    if unit == "seconds":
        return f"{(value / 60).normalize():f} minutes"
    return f"{value.normalize():f}%"


@_rule(
    "label-standard",
    "A standard printed in a row label ('Category 2 Mean 18 minute') differs from the target "
    "printed for that indicator.",
)
def _label_standard_rule(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        standard = _label_standard(f)
        if standard is None:
            continue
        said, unit = standard
        mismatched, trajectory = [], False
        for target in data.targets:
            applies = (target.area_id, target.organisation_id) in (
                (f.area_id, f.organisation_id), (None, None),
            )  # fmt: skip
            value = (
                _target_value(target) if applies and target.indicator_id == f.indicator_id else None
            )
            if value is None or value[1] != unit:
                continue
            if _round(value[0], 2) != _round(said, 2):
                mismatched.append((target, value))
                trajectory = trajectory or target.kind == TargetKind.TRAJECTORY
        if mismatched:
            yield data.finding(
                "label-standard",
                f,
                also=[t for t, _ in mismatched],
                severity=WARNING if trajectory else ERROR,
                printed=f.printed,
                expected=_show_standard(mismatched[0][1][0], unit),
                detail="The target printed for this indicator is "
                + "; ".join(f"{how} at {_line(t)}" for t, (_, _, how) in mismatched)
                + ".",
            )


@_rule(
    "target-disagrees",
    "One target (indicator, kind, period and subject) is printed twice with different values.",
)
def _target_disagrees(data: AuditData) -> Iterator[Finding]:
    groups: dict[tuple, list[Target]] = defaultdict(list)
    for t in data.targets:
        if t.value is not None:
            groups[(t.indicator_id, t.kind, t.period_id)].append(t)
    for targets in groups.values():
        for i, first in enumerate(targets):
            for later in targets[i + 1 :]:
                subjects = {
                    (first.area_id, first.organisation_id),
                    (later.area_id, later.organisation_id),
                }
                overlaps = len(subjects) == 1 or (None, None) in subjects
                if overlaps and first.value != later.value:
                    yield data.finding(
                        "target-disagrees",
                        later,
                        also=[first],
                        printed=later.printed or f"{later.value:g}",
                        expected=f"{first.printed or first.value} ({_line(first)})",
                        detail=f"Two targets for {later.indicator.name} that apply to the same "
                        "figures disagree.",
                    )


# --- (i) Dates -----------------------------------------------------------------------------

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_TITLE_DATE_RE = re.compile(
    r"^\s*[A-Z][\w&,() -]*\b(?:Committee|Board|Cabinet|Council|Meeting)\s+"
    r"(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<year>\d{4})\s*$",
    re.I,
)


@_rule(
    "meeting-date",
    "A date printed as the paper's own (a slide title 'Committee January 2023') contradicts "
    "the date of the meeting the paper is for.",
)
def _meeting_date(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        match = _TITLE_DATE_RE.match(f.printed or "")
        meeting = data.pack_date(f.release, f) if match else None
        if meeting is None:
            continue
        month = _MONTHS.index(match["month"].lower()) + 1
        if (int(match["year"]), month) != (meeting.year, meeting.month):
            yield data.finding(
                "meeting-date",
                f,
                printed=f.printed,
                expected=f"{meeting:%B %Y}",
                detail=f"The paper is for the meeting of {meeting:%d %B %Y}.",
            )


@_rule(
    "period-after-publication",
    "A figure is for a period that had not begun when the paper was published.",
)
def _period_after_publication(data: AuditData) -> Iterator[Finding]:
    for obj in [*data.values, *data.figures]:
        published = data.pack_date(obj.release, obj) if obj.release_id else None
        if isinstance(obj, IndicatorValue):
            span, label = _span(obj.period), obj.period.label
        else:
            span, label = _figure_span(obj), obj.period_text
        if published is None or span is None or span[0] <= published:
            continue
        yield data.finding(
            "period-after-publication",
            obj,
            printed=label,
            expected=f"a period begun by {published:%d %B %Y}",
            detail=f"The paper went to its meeting on {published:%d %B %Y}.",
        )


@_rule(
    "period-label-differs",
    "The same value for the same subject is printed with two period labels that overlap "
    "without one containing the other ('2010/11' and 'Nov 10 - Oct 11').",
)
def _period_label_differs(data: AuditData) -> Iterator[Finding]:
    groups: dict[tuple, list[IndicatorValue]] = defaultdict(list)
    for v in data.values:
        if v.value is not None and not _undated(v):
            groups[(v.indicator_id, v.area_id, v.organisation_id, v.sex, v.age)].append(v)
    for printings in groups.values():
        for i, a in enumerate(printings):
            for b in printings[i + 1 :]:
                (a0, a1), (b0, b1) = _span(a.period), _span(b.period)
                partial = a0 <= b1 and b0 <= a1 and not (a0 <= b0 and b1 <= a1)
                partial = partial and not (b0 <= a0 and a1 <= b1)
                if partial and _values_agree(a, b):
                    yield data.finding(
                        "period-label-differs",
                        b,
                        also=[a],
                        severity=WARNING,
                        printed=f"{_amount(b)} for {b.period.label}",
                        expected=f"{a.period.label} (as printed at {_line(a)})",
                        detail=(
                            f"{b.indicator.name}: {_shown(a)} is printed for "
                            f"{a.period.label} at {_line(a)} and for "
                            f"{b.period.label} at {_line(b)}; the periods overlap "
                            "but are not the same."
                        ),
                    )


# --- Words ---------------------------------------------------------------------------------


@_rule(
    "geography-label",
    "A row label names a geography ('CCG Level') that the figure's area is not.",
)
def _geography_label(data: AuditData) -> Iterator[Finding]:
    seen = set()
    for f in data.figures:
        area = f.area
        if area is None or f.column == NARRATIVE or not re.search(r"\bCCG\b", f.row):
            continue
        if area.type == "ccg" or _near_key(f) in seen:
            continue
        seen.add(_near_key(f))
        span = _figure_span(f)
        closed = [
            old
            for old in area.replaces.all()
            if old.type == "ccg" and old.valid_to and span and old.valid_to < span[0]
        ]
        note = (
            f" The CCG it replaced closed on {closed[0].valid_to:%d %B %Y}, before the period."
            if closed
            else ""
        )
        yield data.finding(
            "geography-label",
            f,
            severity=WARNING,
            printed=f.row,
            expected=f"a label for {_short(area.name)} ({area.get_type_display().lower()})",
            detail=f"The figure is for {_short(area.name)}, not a CCG.{note}",
        )


_MALE_RE = re.compile(r"\b(males?|men|boys)\b", re.I)
_FEMALE_RE = re.compile(r"\b(females?|women|girls)\b", re.I)


def _indicator_sexes(data: AuditData) -> dict[int, set[str]]:
    sexes: dict[int, set[str]] = defaultdict(set)
    for v in data.values:
        sexes[v.indicator_id].add(v.sex)
    return sexes


@_rule(
    "sex-label",
    "Text attached to a figure for one sex talks about the other sex.",
)
def _sex_label(data: AuditData) -> Iterator[Finding]:
    sexes = _indicator_sexes(data)
    for f in data.figures:
        own = sexes.get(f.indicator_id, set())
        if len(own) != 1 or own == {"Persons"} or not f.claim:
            continue
        sex = next(iter(own))
        says_male, says_female = bool(_MALE_RE.search(f.claim)), bool(_FEMALE_RE.search(f.claim))
        wrong = (sex == "Female" and says_male and not says_female) or (
            sex == "Male" and says_female and not says_male
        )
        if wrong:
            yield data.finding(
                "sex-label",
                f,
                severity=WARNING,
                printed=f.claim,
                expected=f"{sex.lower()}s",
                detail=f"The figure is for {f.indicator.name}, but the text names the other sex.",
            )


_RISE_RE = re.compile(r"\b(rise|rising|risen|rose|increase[sd]?|increasing|grew|growth)\b", re.I)
_FALL_RE = re.compile(r"\b(fall|falling|fell|fallen|decline[sd]?|declining|drop(?:ped)?)\b", re.I)


@_rule(
    "wording-contradiction",
    "One phrase describes the same change as both a rise and a fall.",
)
def _wording_contradiction(data: AuditData) -> Iterator[Finding]:
    for f in data.figures:
        rise, fall = _RISE_RE.search(f.claim or ""), _FALL_RE.search(f.claim or "")
        if rise and fall:
            yield data.finding(
                "wording-contradiction",
                f,
                severity=WARNING,
                printed=f.claim,
                expected=f"either '{rise.group()}' or '{fall.group()}'",
                detail="The same phrase calls the change both a rise and a fall.",
            )
