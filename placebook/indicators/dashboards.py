"""The three dashboards of seed 002, built from stored figures (never typed-in tables).

Each builder returns plain rows that the page, the CSV/Excel exports and the charts share,
so what a councillor reads on screen and what they download cannot differ.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Max, Q

from placebook import stats
from placebook.core.models import Area, AuditEvent, ComparatorGroup, Organisation, Period
from placebook.core.periods import parse_period
from placebook.indicators.models import (
    Framework,
    Indicator,
    IndicatorValue,
    Polarity,
    PublishedFigure,
    Release,
    Target,
    TargetStep,
)
from placebook.indicators.presentation import format_number
from placebook.indicators.rag import (
    Rating,
    Status,
    check_target,
    rate_rank_change,
    rate_target,
)

ENGLAND = "E92000001"
NORTH_WEST = "E12000002"
CHESHIRE_AND_MERSEYSIDE = "E54000008"
NWAS = "north-west-ambulance-service"
COMPARATOR_AREAS = {ENGLAND, NORTH_WEST, CHESHIRE_AND_MERSEYSIDE}
UPDATED_COLUMN = "Updated this edition"


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    release_key: str
    purpose: str
    rule: str


DASHBOARDS = {
    d.slug: d
    for d in [
        Dashboard(
            "public-health",
            "Public Health Performance Framework",
            "phpf-2023-08-cabinet-appendix-a",
            "Sefton's public health outcomes over time, with ranks among North West councils "
            "and statistical neighbours as published.",
            "Direction of travel compares the latest figure with the previous one using the "
            "indicator's polarity. Rank colours follow the framework's own rule.",
        ),
        Dashboard(
            "adult-social-care",
            "Adult Social Care Outcomes Framework comparison",
            "asc-performance-review-2024-01",
            "Sefton's in-year ASCOF figures against England, the North West and statistical "
            "neighbours, with the difference and whether it is in the good direction.",
            "A difference is good when Sefton is higher on a higher-is-better measure, or "
            "lower on a lower-is-better one.",
        ),
        Dashboard(
            "provider-performance",
            "Health provider performance",
            "provider-dashboard-2024-01",
            "Sefton's main NHS providers against their targets, Cheshire and Merseyside and "
            "England.",
            "Targets are met or missed as stated; annual caps are tracked year to date "
            "against a straight-line share of the year.",
        ),
    ]
}


@dataclass
class Cell:
    number: float | None
    text: str
    period: str = ""
    source: str = ""


def _cell(indicator: Indicator, value: IndicatorValue | None) -> Cell:
    if value is None:
        return Cell(None, "")
    text = (
        format_number(indicator, value.value) if value.value is not None else value.printed or "-"
    )
    where = f"{value.release or 'entered'}, line {value.source_line}" if value.source_line else ""
    return Cell(value.value, text, value.period.label, where)


class _Figure:
    """The fields of a stored figure a dashboard row shows, read without building a model."""

    KEY = ("indicator_id", "area_id", "sex", "age")
    COLUMNS = ("period_id", "value", "printed", "source_line", "release_id")
    __slots__ = (*KEY, *COLUMNS[:-1], "period", "release")

    def __init__(self, row: tuple, periods: dict[int, Period], releases: dict[int, str]):
        (self.indicator_id, self.area_id, self.sex, self.age, self.period_id, self.value,
         self.printed, self.source_line, release_id) = row  # fmt: skip
        self.period = periods[self.period_id]
        self.release = releases.get(release_id, "")


@dataclass
class Direction:
    arrow: str
    words: str


def direction(indicator: Indicator, previous: float | None, latest: float | None) -> Direction:
    """Change from the previous to the latest figure, said in words and with a shape.

    No confidence intervals are published for these figures, so the words say "increased"
    or "decreased" and whether that is better, not whether it is significant.
    """
    if previous is None or latest is None:
        return Direction("", "No earlier figure to compare")
    if latest == previous:
        return Direction("◀", "No change")
    up = latest > previous
    moved = "Increased" if up else "Decreased"
    if indicator.polarity == Polarity.NO_JUDGEMENT:
        return Direction("▲" if up else "▼", moved)
    better = up == (indicator.polarity == Polarity.HIGHER_IS_BETTER)
    return Direction("▲" if better else "▼", f"{moved}: {'better' if better else 'worse'}")


@dataclass(frozen=True)
class Rank:
    before: int | None
    after: int | None
    rating: Rating
    basis: str


@dataclass
class PublicHealthRow:
    indicator: Indicator
    subject: str
    sex: str
    baseline: Cell
    previous: Cell
    latest: Cell
    direction: Direction
    ranks: dict[str, Rank] = field(default_factory=dict)
    z_score: Cell | None = None
    updated: Cell | None = None
    series: list[tuple[str, float | None]] = field(default_factory=list)
    england: list[tuple[str, float | None]] = field(default_factory=list)


def _any_of(conditions: Iterable[Q]) -> Q:
    """One OR of many conditions, matching nothing if there are none. Built in one go:
    ``q |= ...`` in a loop copies the growing tree each time, which a dashboard with a
    hundred conditions felt."""
    conditions = list(conditions)
    return Q(*conditions, _connector=Q.OR) if conditions else Q(pk__in=[])


def _current_for_each(key_columns: tuple[str, ...], keys: list[tuple], *, select: tuple[str, ...],
                      where: str = "", params: Iterable = (), distinct: bool = False,
                      ) -> list[tuple]:  # fmt: skip
    """(the key, then the ``select`` columns) of each current figure whose ``key_columns`` hold
    one of ``keys``, and which meets ``where`` (about ``v``, the figure, with ``params``);
    each combination once if ``distinct``.

    The keys are joined as a list of VALUES, so the database looks each one up in the
    one-current-figure index. Filtering each column on its own instead made it intersect
    index scans of tens of thousands of figures, and one OR term per key took longer to build
    and plan than to run; this is a fifth of either with a million figures stored."""
    if not keys:
        return []
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in key_columns)
    row = f"({', '.join(['%s'] * len(key_columns))})"
    joined = " AND ".join(f"v.{quote(c)} = w.{quote(c)}" for c in key_columns)
    sql = (
        f"WITH w ({names}) AS (VALUES {', '.join([row] * len(keys))}) "
        f"SELECT {'DISTINCT ' if distinct else ''}"
        f"{', '.join(f'v.{quote(c)}' for c in (*key_columns, *select))} "
        f"FROM {quote(IndicatorValue._meta.db_table)} v JOIN w ON {joined} "
        f"WHERE v.is_current {f'AND {where}' if where else ''}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [part for key in keys for part in key] + list(params))
        return cursor.fetchall()


class _Geography:
    """Which area replaced which, read once: a series follows a former CCG into its
    successor, and dashboards ask this for every printed line."""

    def __init__(self):
        links = Area.replaces.through.objects.values_list("from_area_id", "to_area_id")
        self.successor: dict[int, int] = {}
        self.predecessors: dict[int, list[int]] = defaultdict(list)
        for successor, predecessor in links:
            self.successor[predecessor] = successor
            self.predecessors[successor].append(predecessor)

    def current(self, area_id: int) -> int:
        return self.successor.get(area_id, area_id)

    def covering(self, area_id: int) -> list[int]:
        return [area_id, *self.predecessors.get(area_id, [])]


def _published(release: Release, kinds: set[str], geography: _Geography) -> dict:
    found = defaultdict(dict)
    for figure in PublishedFigure.objects.filter(release=release, kind__in=kinds):
        area = geography.current(figure.area_id) if figure.area_id else None
        found[(figure.indicator_id, area)][figure.column] = figure
    return found


def _row_keys(release: Release, geography: _Geography) -> list[tuple[int, int, tuple | None]]:
    """(indicator id, area id, printed (sex, age)) for each dashboard row, in printed order.

    A row's figures may be stored under an earlier printing (the same figure in the report's
    text), so rows come from the figures printed in this release and from its published
    ranks and z-scores alike.
    """
    lines = [
        (line, indicator, area, (sex, age))
        for line, indicator, area, sex, age in IndicatorValue.objects.filter(release=release)
        .exclude(area__code__in=COMPARATOR_AREAS)
        .exclude(area__isnull=True)
        .values_list("source_line", "indicator_id", "area_id", "sex", "age")
    ]
    lines += [
        (line, indicator, area, None)
        for line, indicator, area in PublishedFigure.objects.filter(
            release=release,
            kind__in=["rank", "z_score", "direction"],
            area__isnull=False,
            indicator__isnull=False,
        ).values_list("source_line", "indicator_id", "area_id")
    ]
    keys: dict[tuple, tuple | None] = {}
    for _line, indicator, area, breakdown in sorted(lines, key=lambda item: item[0] or 0):
        key = (indicator, geography.current(area))
        if keys.get(key) is None:
            keys[key] = breakdown
    return [(indicator, area, breakdown) for (indicator, area), breakdown in keys.items()]


def _choose_breakdown(held: set[tuple[str, str]]) -> tuple[str, str]:
    """The breakdown (sex, age band) for a row known only from its printed ranks: persons of
    all ages where held, else the first persons breakdown, else the first held."""
    preferred = ("Persons", "All ages")
    if preferred in held or not held:
        return preferred
    persons = sorted(b for b in held if b[0] == "Persons")
    return persons[0] if persons else sorted(held)[0]


def _resolve_breakdowns(keys: list, geography: _Geography) -> list[tuple[int, int, tuple]]:
    """Give every row key its breakdown: the printed one, or one chosen from those held.

    Only the rows without a printed breakdown need the database, and only the distinct
    breakdowns held, not the figures."""
    unknown = [(indicator, area) for indicator, area, breakdown in keys if breakdown is None]
    held: dict[tuple[int, int], set] = defaultdict(set)
    covered = {(indicator, a) for indicator, area in unknown for a in geography.covering(area)}
    for indicator, area, sex, age in _current_for_each(
        ("indicator_id", "area_id"), sorted(covered), select=("sex", "age"), distinct=True
    ):
        held[(indicator, geography.current(area))].add((sex, age))
    return [
        (indicator, area, breakdown or _choose_breakdown(held[(indicator, area)]))
        for indicator, area, breakdown in keys
    ]


def _one_series(values: list, area_id: int, breakdown: tuple) -> list:
    """The figures of one breakdown, one per period. Where a period has figures for both an
    area and the area it replaced, the successor's figure is the one shown."""
    by_period = {}
    for v in values:
        if (v.sex, v.age) == breakdown and (v.period_id not in by_period or v.area_id == area_id):
            by_period[v.period_id] = v
    return sorted(by_period.values(), key=lambda v: (v.period.end, v.period.start))


# The framework's two rank columns: (heading, previous column, latest column, the group used
# when a printed rank does not name its own).
RANK_GROUPS = [
    ("North West", "Prev. NW Rank", "Latest NW Rank", "north-west-councils"),
    ("Statistical neighbours", "Prev. SNG Rank", "Latest SNG Rank",
     "public-health-statistical-neighbours"),
]  # fmt: skip
# A rank is computed only when most of the group's figures are held: "2nd of 5" worked out
# from five of twenty-four councils would look like a ranking and not be one.
RANK_COVERAGE = 0.75


class _GroupFigures:
    """Current figures of every comparator group member, for the periods a dashboard shows,
    read in one query so ranks can be worked out from data rather than copied."""

    def __init__(self, figures: list, published: dict):
        newest = {
            group.slug: group  # ascending versions: the newest is written last
            for group in ComparatorGroup.objects.filter(
                slug__in=[slug for *_columns, slug in RANK_GROUPS]
            ).order_by("slug", "version")
        }
        self.default = {name: newest.get(slug) for name, *_columns, slug in RANK_GROUPS}
        named = {
            f.comparator_group_id
            for columns in published.values()
            for f in columns.values()
            if f.comparator_group_id
        }
        named |= {g.pk for g in self.default.values() if g}
        self.groups: dict[int, set[int]] = defaultdict(set)
        for group, area in ComparatorGroup.members.through.objects.filter(
            comparatorgroup_id__in=named
        ).values_list("comparatorgroup_id", "area_id"):
            self.groups[group].add(area)
        self.values: dict[tuple, dict[int, float]] = defaultdict(dict)
        members = set().union(*self.groups.values())
        if not members or not figures:
            return
        wanted = sorted({(f.indicator_id, f.period_id, f.sex, f.age) for f in figures})
        for indicator, period, sex, age, area, value in _current_for_each(
            ("indicator_id", "period_id", "sex", "age"),
            wanted,
            select=("area_id", "value"),
            where=f"v.value IS NOT NULL AND v.area_id IN ({', '.join(['%s'] * len(members))})",
            params=sorted(members),
        ):
            self.values[(indicator, period, sex, age)][area] = value

    def group_for(self, name: str, figure: PublishedFigure | None) -> int | None:
        if figure and figure.comparator_group_id:
            return figure.comparator_group_id
        default = self.default.get(name)
        return default.pk if default else None

    def rank(self, indicator: Indicator, figure, group_id: int | None):
        """(rank, of how many, group size) of a figure within the group, or None when too
        few of the group's figures are held to rank it."""
        members = self.groups.get(group_id)
        if figure is None or not members or figure.area_id not in members:
            return None
        held = self.values.get((indicator.pk, figure.period_id, figure.sex, figure.age), {})
        ranked = sorted(area for area in members if area in held)
        if len(ranked) < RANK_COVERAGE * len(members):
            return None
        result = stats.rank_within([held[a] for a in ranked], polarity=indicator.stats_polarity)
        return int(result["rank"][ranked.index(figure.area_id)]), len(ranked), len(members)


def _ranks(indicator, history, published: dict, groups: _GroupFigures) -> dict:
    latest = history[-1] if history else None
    previous = history[-2] if len(history) > 1 else None
    ranks = {}
    for name, prev_col, latest_col, _slug in RANK_GROUPS:
        group = groups.group_for(name, published.get(latest_col) or published.get(prev_col))
        worked = [groups.rank(indicator, f, group) for f in (previous, latest)]
        if worked[1] is not None:
            before, after = (w[0] if w else None for w in worked)
            basis = f"Worked out from {worked[1][1]} of the group's {worked[1][2]} figures"
        else:
            before, after = (
                int(f.value) if f and f.value is not None else None
                for f in (published.get(prev_col), published.get(latest_col))
            )
            basis = "As published" if after is not None else ""
        ranks[name] = Rank(before, after, rate_rank_change(before, after), basis)
    return ranks


def public_health(release: Release) -> list[PublicHealthRow]:
    geography = _Geography()
    keys = _resolve_breakdowns(_row_keys(release, geography), geography)
    figures = _published(release, {"rank", "z_score", "updated"}, geography)
    indicators = Indicator.objects.in_bulk({i for i, _a, _s in keys})
    areas = list(
        Area.objects.filter(
            Q(pk__in={area for _i, area, _s in keys}) | Q(code=ENGLAND)
        ).values_list("pk", "code", "name")
    )
    area_names = {pk: name for pk, _code, name in areas}
    england = next((pk for pk, code, _name in areas if code == ENGLAND), None)
    # Only the breakdown each row shows: an indicator can hold many more (every sex and age
    # band), and reading them all was most of the page's time with a million figures stored.
    wanted = {
        (indicator, subject, sex, age)
        for indicator, area, (sex, age) in keys
        for subject in (*geography.covering(area), england)
        if subject is not None
    }
    found = _current_for_each(_Figure.KEY, sorted(wanted), select=_Figure.COLUMNS)
    periods = Period.objects.only("label", "start", "end").in_bulk({row[4] for row in found})
    releases = dict(
        Release.objects.filter(pk__in={row[-1] for row in found}).values_list("pk", "title")
    )
    series = defaultdict(list)
    for row in found:
        figure = _Figure(row, periods, releases)
        series[(figure.indicator_id, geography.current(figure.area_id))].append(figure)
    histories = [
        _one_series(series[(indicator_id, area_id)], area_id, breakdown)
        for indicator_id, area_id, breakdown in keys
    ]
    groups = _GroupFigures([f for h in histories for f in h[-2:]], figures)
    rows = []
    for (indicator_id, area_id, breakdown), history in zip(keys, histories, strict=True):
        indicator = indicators[indicator_id]
        latest = history[-1] if history else None
        previous = history[-2] if len(history) > 1 else None
        baseline = history[0] if len(history) > 2 else None
        published = figures.get((indicator_id, area_id), {})
        z = published.get("Z-score")
        # The edition's own marking (its shading): which rows it updated is the publisher's
        # statement about its edition, kept with the line that evidences it.
        marked = published.get(UPDATED_COLUMN)
        rows.append(
            PublicHealthRow(
                indicator=indicator,
                subject=area_names[area_id],
                sex=history[-1].sex if history else "",
                baseline=_cell(indicator, baseline),
                previous=_cell(indicator, previous),
                latest=_cell(indicator, latest),
                direction=direction(
                    indicator,
                    previous.value if previous else None,
                    latest.value if latest else None,
                ),
                ranks=_ranks(indicator, history, published, groups),
                z_score=Cell(z.value, z.printed, source=f"line {z.source_line}") if z else None,
                updated=Cell(1, "Updated", source=f"line {marked.source_line}") if marked else None,
                series=[(v.period.label, v.value) for v in history],
                england=[
                    (v.period.label, v.value)
                    for v in _one_series(
                        series[(indicator_id, england)],
                        england,
                        breakdown,
                    )
                ],
            )
        )
    return rows


@dataclass
class Comparison:
    name: str
    value: Cell
    difference: float | None
    good: bool | None


@dataclass
class AscofRow:
    indicator: Indicator
    sefton: Cell
    comparisons: list[Comparison]


def _difference(indicator: Indicator, mine: float | None, theirs: float | None):
    if mine is None or theirs is None:
        return None, None
    difference = round(mine - theirs, 6)
    if indicator.polarity == Polarity.NO_JUDGEMENT or difference == 0:
        return difference, None
    return difference, (difference > 0) == (indicator.polarity == Polarity.HIGHER_IS_BETTER)


def adult_social_care(release: Release) -> list[AscofRow]:
    seftons: dict[int, IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.filter(
            release=release, indicator__framework=Framework.ASCOF, area__code="E08000014"
        )
        .select_related("indicator", "area", "period", "release")
        .order_by("source_line")
    ):
        seftons.setdefault(value.indicator_id, value)
    # The latest comparator figure of the same breakdown as Sefton's, read in one query that
    # leaves the other breakdowns in the database.
    same_breakdown = _any_of(
        Q(indicator_id=mine.indicator_id, sex=mine.sex, age=mine.age) for mine in seftons.values()
    )
    comparators: dict[tuple, IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.current()
        .filter(same_breakdown, area__code__in=[ENGLAND, NORTH_WEST])
        .select_related("area", "period", "release")
        .order_by("period__end")
    ):
        comparators[(value.indicator_id, value.area.code)] = value
    neighbours = {
        f.indicator_id: f
        for f in PublishedFigure.objects.filter(
            release=release, column="Statistical Neighbours", kind="other"
        )
    }
    rows = []
    for indicator_id, sefton in seftons.items():
        indicator = sefton.indicator
        comparisons = []
        for name, code in [("England", ENGLAND), ("North West", NORTH_WEST)]:
            theirs = comparators.get((indicator_id, code))
            difference = _difference(indicator, sefton.value, theirs.value if theirs else None)
            comparisons.append(Comparison(name, _cell(indicator, theirs), *difference))
        sn = neighbours.get(indicator_id)
        sn_cell = (
            Cell(sn.value, sn.printed, sn.period_text, f"line {sn.source_line}")
            if sn
            else Cell(None, "")
        )
        comparisons.append(
            Comparison(
                "Statistical neighbours (as published)",
                sn_cell,
                *_difference(indicator, sefton.value, sn_cell.number),
            )
        )
        rows.append(AscofRow(indicator, _cell(indicator, sefton), comparisons))
    return rows


@dataclass
class ProviderRow:
    indicator: Indicator
    provider: str
    performance: Cell
    cheshire_and_merseyside: Cell
    england: Cell
    target: str
    rating: Rating


def _target_for(indicator: Indicator, value: IndicatorValue) -> Target | None:
    targets = [t for t in indicator.targets.all()]
    for target in targets:
        if (target.organisation_id, target.area_id) == (value.organisation_id, value.area_id):
            return target
    return next((t for t in targets if not t.organisation_id and not t.area_id), None)


def provider_performance(release: Release) -> list[ProviderRow]:
    printed = list(
        IndicatorValue.objects.filter(release=release, is_current=True)
        .select_related("indicator", "area", "organisation", "period", "release")
        .prefetch_related("indicator__targets__steps__period")
        .order_by("source_line")
    )
    comparators = {}
    for v in printed:
        if (v.area and v.area.code in COMPARATOR_AREAS) or (
            v.organisation and v.organisation.key == NWAS
        ):
            role = "england" if v.area and v.area.code == ENGLAND else "cm"
            comparators[(v.indicator_id, v.period_id, role)] = v
    rows = []
    for v in printed:
        if (v.area and v.area.code in COMPARATOR_AREAS) or (
            v.organisation and v.organisation.key == NWAS
        ):
            continue
        target = _target_for(v.indicator, v)
        threshold = target.value if target else None
        if target and target.kind == "trajectory":
            step = next(
                (s for s in target.steps.all() if s.period.start <= v.period.start <= s.period.end),
                None,
            )
            threshold = step.value if step else None
        check = check_target(
            kind=target.kind if target else "threshold",
            operator=target.operator if target else ">=",
            value=v.value,
            threshold=threshold,
            period=parse_period(v.period.label) if target and target.kind == "annual_cap" else None,
        )
        rows.append(
            ProviderRow(
                indicator=v.indicator,
                provider=v.subject.name,
                performance=_cell(v.indicator, v),
                cheshire_and_merseyside=_cell(
                    v.indicator, comparators.get((v.indicator_id, v.period_id, "cm"))
                ),
                england=_cell(
                    v.indicator, comparators.get((v.indicator_id, v.period_id, "england"))
                ),
                target=target.printed if target else "",
                rating=rate_target(check),
            )
        )
    return rows


BUILDERS = {
    "public-health": public_health,
    "adult-social-care": adult_social_care,
    "provider-performance": provider_performance,
}


# The audited models whose writes can change what a dashboard shows.
_SHOWN_MODELS = (IndicatorValue, Indicator, Target, Release, Area, Organisation, ComparatorGroup)


def data_version() -> str:
    """A key that changes whenever anything a dashboard shows may have changed, and only then.

    Every write to figures, indicators, targets, releases, areas, organisations and
    comparator groups leaves an audit event (a bulk import leaves one for the whole file), so
    the newest event of those kinds moves with them; printed figures and target steps are
    not audited and are counted instead. Events of other kinds (a referral, a purchase) leave
    the key alone: the whole application writes audit events all day, and keying on the
    newest of them all left the dashboards cold for almost every visitor. Each part is one
    index lookup (the audit trail's (content type, id) index), far cheaper than a rebuild.
    """
    kinds = ContentType.objects.get_for_models(*_SHOWN_MODELS).values()
    latest_event = max(
        AuditEvent.objects.filter(content_type=kind).aggregate(latest=Max("id"))["latest"] or 0
        for kind in kinds
    )
    parts = [str(latest_event)]
    for model in (PublishedFigure, TargetStep):
        counted = model.objects.aggregate(rows=Count("id"), latest=Max("id"))
        parts.append(f"{counted['rows']}.{counted['latest'] or 0}")
    return "-".join(parts)


def release_of(dashboard: Dashboard) -> Release | None:
    return Release.objects.filter(key=dashboard.release_key).first()


def build(slug: str):
    dashboard = DASHBOARDS[slug]
    release = release_of(dashboard)
    rows = BUILDERS[slug](release) if release else []
    return dashboard, release, rows


__all__ = ["BUILDERS", "DASHBOARDS", "Status", "build", "data_version", "direction", "release_of"]
