"""Sefton's indicator figures from seed 002 (items 8, 9 and 10), loaded by ``load_demo``.

Every figure keeps its release and the line it is printed on. Figures printed more than
once are loaded from each release in turn, so a later printing that differs becomes a
revision (and the consistency audit reports the disagreement).
"""

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError

from placebook.core.demo import DemoDataError
from placebook.core.models import Area, ComparatorGroup, Organisation, Source
from placebook.core.periods import PeriodParseError, financial_year_of
from placebook.core.services import get_or_create_period
from placebook.indicators.definitions import DefinitionError, load_definitions
from placebook.indicators.models import (
    Indicator,
    IndicatorValue,
    PublishedFigure,
    Release,
    Target,
    TargetStep,
)
from placebook.indicators.services import record_value, same_figure

DATA_DIR = Path(__file__).parent / "demo_data" / "sefton"

_VALUE_FIELDS = ["value", "count", "denominator", "lower95_0cl", "upper95_0cl"]
# The pack was published for the committee of 23 January 2024 (seed 002, line 9).
PACK_DATE = date(2024, 1, 23)
# The adult social care table prints Sefton's figures as "Current", and some narrative
# figures have no period at all. Both are read as the in-year (provisional) position for the
# financial year the report was written in, and say so in their note.
_UNDATED = {"", "current"}
_NOTE_CODES = {"c": "too_few_cases", "b": "not_meaningful"}


def _read(name: str) -> list[dict]:
    try:
        return json.loads((DATA_DIR / name).read_text())
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"{name}: not valid JSON ({exc})") from exc


class _Lookups:
    def __init__(self):
        self.sources = {s.key: s for s in Source.objects.all()}
        self.areas = {a.code: a for a in Area.objects.all()}
        self.organisations = {o.key: o for o in Organisation.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.releases = {r.key: r for r in Release.objects.all()}
        # "slug@version" names one version; a bare slug means its newest version.
        self.groups = {}
        for group in ComparatorGroup.objects.order_by("slug", "version"):
            self.groups[group.slug] = group
            self.groups[f"{group.slug}@{group.version}"] = group
        self.periods = {}

    def get(self, table: dict, key: str, what: str):
        if not key:
            return None
        try:
            return table[key]
        except KeyError:
            raise ValidationError(f"Unknown {what} '{key}'.") from None

    def period(self, text: str):
        if not text:
            return None
        if text not in self.periods:
            self.periods[text] = get_or_create_period(text)
        return self.periods[text]

    def provenance(self, record: dict) -> dict:
        return {
            "source": self.get(self.sources, record.get("source", "seed-002"), "source"),
            "source_line": record.get("line"),
        }


def _each(name, records, write):
    for index, record in enumerate(records, start=1):
        try:
            write(record)
        except (ValidationError, PeriodParseError, KeyError, ValueError) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise DemoDataError(
                f"{name} record {index} (line {record.get('line')}): {detail}"
            ) from exc
    return len(records)


def load_releases(lookups: _Lookups) -> int:
    def write(r):
        release, _ = Release.objects.get_or_create(
            key=r["key"],
            defaults={
                "title": r["title"],
                "published": date.fromisoformat(r["published"]) if r.get("published") else None,
                **lookups.provenance(r),
            },
        )
        lookups.releases[release.key] = release

    return _each("releases.json", _read("releases.json"), write)


def _prepared(record: dict, lookups: _Lookups) -> dict:
    """The keyword arguments for record_value, from one values.json record."""
    note = record.get("note", "")
    code = _NOTE_CODES.get(note.split(":")[0].strip(), "") if note else ""
    release = lookups.get(lookups.releases, record["release"], "release")
    period_text, status = record["period"], "final"
    if period_text.strip().lower() in _UNDATED:
        year = financial_year_of(release.published or PACK_DATE)
        undated = f"Printed as '{period_text}'" if period_text else "No period printed"
        note = f"{undated}: read as the in-year position for {year.label}. {note}".strip()
        period_text, status = year.label, "provisional"
    return {
        "indicator": lookups.get(lookups.indicators, record["indicator"], "indicator"),
        "period": lookups.period(period_text),
        "area": lookups.get(lookups.areas, record.get("area", ""), "area"),
        "organisation": lookups.get(
            lookups.organisations, record.get("organisation", ""), "organisation"
        ),
        "release": release,
        "sex": record.get("sex", "Persons"),
        "age": record.get("age", "All ages"),
        "status": status,
        "note": code,
        "note_text": note[:300],
        "printed": record.get("printed", "")[:60],
        **{f: record.get(f) for f in _VALUE_FIELDS},
        **lookups.provenance(record),
    }


def load_values(lookups: _Lookups, by) -> int:
    """Record every printed figure in file order, narrative before tables.

    Where the text and a table disagree, the table (the data the text describes) becomes
    the current figure and the text's is kept as history. A figure whose current row
    already says what the file's last printing says is left alone, so loading again changes
    nothing.
    """
    records = sorted(_read("values.json"), key=lambda r: r.get("column") != "narrative")
    groups: dict[tuple, list[tuple[dict, dict]]] = {}

    def prepare(record):
        args = _prepared(record, lookups)
        key = tuple(args[k] for k in ("indicator", "period", "area", "organisation", "sex", "age"))
        groups.setdefault(key, []).append((record, args))

    _each("values.json", records, prepare)
    for printings in groups.values():
        last = printings[-1][1]
        key = {k: last[k] for k in ("indicator", "period", "area", "organisation", "sex", "age")}
        current = IndicatorValue.objects.current().filter(**key).first()
        if current and same_figure(current, IndicatorValue(**last)):
            continue
        _each(
            "values.json",
            [r for r, _ in printings],
            lambda r: record_value(by=by, **_prepared(r, lookups)),
        )
    return len(records)


def load_targets(lookups: _Lookups) -> int:
    def write(r):
        indicator = lookups.get(lookups.indicators, r["indicator"], "indicator")
        target, created = Target.objects.get_or_create(
            indicator=indicator,
            area=lookups.get(lookups.areas, r.get("area", ""), "area"),
            organisation=lookups.get(
                lookups.organisations, r.get("organisation", ""), "organisation"
            ),
            kind=r["kind"],
            period=lookups.period(r.get("period", "")),
            defaults={
                "operator": r["operator"],
                "value": r.get("value"),
                "printed": r.get("printed", "")[:200],
                **lookups.provenance(r),
            },
        )
        if created:
            target.full_clean()
            for step in r.get("steps", []):
                TargetStep.objects.create(
                    target=target, period=lookups.period(step["period"]), value=step["value"]
                )

    return _each("targets.json", _read("targets.json"), write)


def load_published_figures(lookups: _Lookups) -> int:
    records = _read("published_figures.json")
    # Figures are facts about a paper: reload the whole set so the file is the truth.
    PublishedFigure.objects.filter(release__key__in={r["release"] for r in records}).delete()

    def write(r):
        refers = r.get("refers_to", {})
        PublishedFigure.objects.create(
            release=lookups.get(lookups.releases, r["release"], "release"),
            table=r.get("table", "")[:120],
            row=r.get("row", "")[:300],
            column=r.get("column", "")[:120],
            printed=r.get("printed", "")[:300],
            value=r.get("value"),
            kind=r["kind"],
            indicator=lookups.get(lookups.indicators, refers.get("indicator", ""), "indicator"),
            area=lookups.get(lookups.areas, refers.get("area", ""), "area"),
            organisation=lookups.get(
                lookups.organisations, refers.get("organisation", ""), "organisation"
            ),
            period_text=refers.get("period", ""),
            comparator_group=lookups.get(
                lookups.groups, refers.get("comparator_group", ""), "comparator group"
            ),
            claim=r.get("claim", ""),
            **lookups.provenance(r),
        )

    return _each("published_figures.json", records, write)


def load(*, by, with_users: bool) -> dict[str, int]:
    try:
        definitions = load_definitions()
    except DefinitionError as exc:
        raise DemoDataError(str(exc)) from exc
    lookups = _Lookups()
    return {
        "indicators": definitions.created + definitions.updated + definitions.unchanged,
        "releases": load_releases(lookups),
        "figures": load_values(lookups, by),
        "targets": load_targets(lookups),
        "published figures": load_published_figures(lookups),
    }
