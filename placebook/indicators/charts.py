"""Accessible SVG charts for indicator dashboards, rendered on the server as strings.

Why SVG strings built here rather than a charting library in the browser: Placebook pages must
work without JavaScript, and a chart that is part of the HTML prints, caches and archives with the
page (a scrutiny pack is often read as a PDF). Building the markup by hand keeps the module free of
Django and third-party packages, so it can be tested in isolation and reused by exports.

Accessibility choices, each a requirement rather than decoration:

- every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that states the data in words,
  so a screen reader user gets the numbers, not "image";
- colour never carries meaning on its own: trend series differ by dash pattern *and* marker shape,
  the highlighted bar by a hatch, an outline and a text marker, and every line is labelled;
- every colour used for a graphic element has at least 3:1 contrast against white (WCAG 1.4.11),
  and text is near-black or dark grey (at least 4.5:1);
- all text from callers is escaped, so an indicator called "Alcohol & drugs <18s" is safe.

Output is deterministic (same input, same string) so it can be cached and compared in tests:
there is no randomness, clock or memory address in it, and element ids come from a hash of the
chart's text.

Missing numbers (``None``, or NaN/inf as produced by ``placebook.stats``) are shown as missing:
a trend line breaks rather than interpolating across them, and a bar says "no data".
"""

import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

__all__ = ["Bar", "Point", "Series", "SeriesStyle", "bar_chart", "nice_ticks", "trend_chart"]

SeriesStyle = Literal["primary", "benchmark", "comparator"]
Formatter = Callable[[float], str]

# GOV.UK palette. Contrast with white: blue 5.2, black 19.6, dark grey 7.1, green 6.2,
# purple 10.1, red 4.9 - all above the 3:1 WCAG asks of graphics (1.4.11).
BLUE = "#1d70b8"
BLACK = "#0b0c0c"
DARK_GREY = "#505a5f"
GREEN = "#00703c"
PURPLE = "#4c2c92"
RED = "#d4351c"
WHITE = "#ffffff"

FONT_FAMILY = "Arial, sans-serif"  # matches $govuk-font-family in placebook.scss
FONT_SIZE = 14
PAD = 8  # outer margin, px
LEGEND_ROW = 22  # height of one legend row, px
GLYPH_WIDTH = 32  # legend sample line, px
MARKER_SIZE = 5.0  # marker "radius", px
BAR_ROW = 30  # row height of a bar when the chart's height is automatic, px
MIN_PLOT = 60  # smallest plot area, px, before we refuse to draw an unreadable chart
NO_DATA = "no data"
TARGET_LABEL = "Target"
HIGHLIGHT_MARKER = "\u25ba "  # "► " before the highlighted bar's label: a non-colour cue

_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters XML 1.0 cannot carry at all; dropped rather than producing an unparsable document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Point:
    """One period's value in a trend, with an optional confidence interval.

    ``value=None`` (or NaN) means no figure for the period, e.g. suppressed for small numbers; the
    line breaks there. ``lower``/``upper`` are drawn as an error bar only when both are present.
    """

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Series:
    """A named line on a trend chart, e.g. Sefton, or England as the benchmark.

    ``style`` says what the line *is*, and so how it looks: "primary" (the area the page is
    about: solid blue, circles), "benchmark" (dashed black, squares) or "comparator" (dotted dark
    grey, triangles). A second series with a style already taken gets the next unused look, so
    every line stays distinguishable without colour.
    """

    name: str
    points: Sequence[Point]
    style: SeriesStyle = "primary"


@dataclass(frozen=True)
class Bar:
    """One area's value on a comparison bar chart.

    ``highlight`` marks the area the page is about (drawn hatched and outlined, label bold and
    prefixed with a marker); ``note`` is a short caveat printed after the value (or after
    "no data"), e.g. "provisional" or "suppressed".
    """

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    highlight: bool = False
    note: str = ""


@dataclass(frozen=True)
class _Look:
    """How a series is drawn: colour, dash pattern (None for solid) and marker shape."""

    colour: str
    dash: str | None
    marker: str


# Index 0-2 are the looks for the three styles; 3-4 are for a repeated style.
_LOOKS = (
    _Look(BLUE, None, "circle"),
    _Look(BLACK, "9 4", "square"),
    _Look(DARK_GREY, "2 3", "triangle"),
    _Look(GREEN, "9 3 2 3", "diamond"),
    _Look(PURPLE, "14 3 2 3 2 3", "triangle-down"),
)
_STYLE_LOOK: dict[str, int] = {"primary": 0, "benchmark": 1, "comparator": 2}
_SPARE_LOOKS = (3, 4, 0, 1, 2)


@dataclass(frozen=True)
class _Scale:
    """A linear map from data values (d0..d1, d1 > d0) to pixels (p0..p1)."""

    d0: float
    d1: float
    p0: float
    p1: float

    def __call__(self, value: float) -> float:
        return self.p0 + (value - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)


# --- public API ----------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, max_ticks: int = 6) -> list[float]:
    """Round axis ticks (steps of 1, 2 or 5 times a power of ten) covering ``lo``..``hi``.

    The first tick is at or below ``lo`` and the last at or above ``hi``, so the ticks double as
    the axis range; there are at least 2 and at most ``max_ticks``. ``lo == hi`` is widened (by 10%
    of the value, or to 0..1 for zero) so an all-equal series still gets a usable axis. Ticks are
    computed as integer multiples divided by a power of ten, so 0.1 + 0.2 noise never shows up in
    a label. ``max_ticks`` must be at least 3: a range straddling a step boundary can always need 3.
    """
    if max_ticks < 3:
        raise ValueError("max_ticks must be at least 3")
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("nice_ticks needs finite numbers")
    lo, hi = min(lo, hi), max(lo, hi)
    if lo == hi:
        pad = abs(lo) * 0.1
        lo, hi = (lo - pad, hi + pad) if pad else (0.0, 1.0)
    span = hi - lo
    exponent = math.floor(math.log10(span / (max_ticks - 1)))
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**exponent
            first = math.floor(lo / step + 1e-9)
            last = max(math.ceil(hi / step - 1e-9), first + 1)
            if last - first + 1 <= max_ticks:
                return [_decimal(k * mantissa, exponent) for k in range(first, last + 1)]
        exponent += 1


def trend_chart(
    series: Sequence[Series],
    *,
    title: str,
    unit_label: str,
    y_format: Formatter | None = None,
    target: float | None = None,
    width: int = 640,
    height: int = 320,
    x_label: str = "Period",
    interval_label: str = "95% confidence interval",
    chart_id: str | None = None,
) -> str:
    """A line chart of values over periods, e.g. Sefton against England, as an SVG string.

    Periods run left to right in the order the series give them (a series with extra periods
    slots them in next to its neighbours). Confidence intervals are error bars; a missing value
    breaks the line; ``target`` adds a horizontal red line labelled "Target". The y axis is padded
    around the data and target, and only crosses zero when the data do. ``y_format`` formats
    values and tick labels (default: thousands separators, and the same number of decimals for
    every value, at most 3). ``chart_id`` sets the prefix of the ids inside the SVG; by default it
    is derived from the chart's text.

    Raises ValueError for an unknown style, a period repeated within a series, more than five
    series (no more can be told apart) or a size too small for the labels.
    """
    series = list(series)
    _check_size(width, height)
    looks = _assign_looks(series)
    periods = _merge_periods(series)
    goal = _finite(target)
    fmt = y_format or _value_formatter(_trend_numbers(series, goal))
    if not any(_finite(p.value) is not None for s in series for p in s.points):
        names = " or ".join(s.name for s in series)
        desc = f"No data to show for {names}." if names else "No data to show."
        return _placeholder("trend", title, desc, width, height, chart_id)

    desc = _trend_desc(series, periods, unit_label, fmt, goal, interval_label)
    entries: list[tuple[Callable[[float, float], str], str]] = [
        (_series_glyph(look), s.name) for s, look in zip(series, looks, strict=True)
    ]
    if any(_interval(p.lower, p.upper) for s in series for p in s.points):
        entries.append((_interval_glyph, interval_label))
    legend, legend_bottom = _legend(entries, top=PAD, width=width)

    unit_y = legend_bottom + 16
    top, bottom = unit_y + 12, height - PAD - 44
    if bottom - top < MIN_PLOT:
        raise ValueError("height too small for the legend and axes")
    max_ticks = max(3, min(6, int((bottom - top) // 30) + 1))
    ticks = nice_ticks(*_padded_range(_trend_numbers(series, goal)), max_ticks=max_ticks)
    tick_fmt = y_format or _tick_formatter(ticks)
    tick_labels = [tick_fmt(t) for t in ticks]
    left = PAD + max(_text_width(t) for t in tick_labels) + 8
    right = width - PAD - (_text_width(TARGET_LABEL) + 8 if goal is not None else 0)
    if right - left < MIN_PLOT:
        raise ValueError("width too small for the axis labels")

    y = _Scale(ticks[0], ticks[-1], bottom, top)
    slot = (right - left) / len(periods)
    xs = {label: left + (i + 0.5) * slot for i, label in enumerate(periods)}

    body = [*legend, _text(PAD, unit_y, unit_label, cls="pb-chart__axis-label")]
    body += _y_axis(ticks, tick_labels, y, left, right)
    body += _x_axis(periods, xs, slot, left, right, bottom, x_label)
    if goal is not None:
        body += _target_line(y(goal), left, right)
    for s, look in reversed(list(zip(series, looks, strict=True))):  # first series on top
        body.append(_series_group(s, look, xs, y, fmt))
    cid = _chart_id(chart_id, "trend", title, desc)
    return _document(cid, title, desc, body, width, height)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit_label: str,
    benchmark: float | None = None,
    benchmark_label: str = "England",
    y_format: Formatter | None = None,
    width: int = 640,
    height: int | None = None,
    interval_label: str = "95% confidence interval",
    chart_id: str | None = None,
) -> str:
    """Horizontal bars comparing areas, e.g. the Liverpool City Region councils, as an SVG string.

    Bars appear in the order given (sort them first if rank matters). The value axis always
    includes zero, so bar lengths are honest; negative values (z-scores) extend left of a zero
    line. Each bar ends in its value label; a bar without a value says "no data". A highlighted
    bar is hatched, outlined and its label bold with a marker. ``benchmark`` draws a vertical
    dashed line labelled "<benchmark_label>: <value>". ``height=None`` sizes the chart to the
    number of bars. ``y_format`` formats values and tick labels; ``chart_id`` as for trend_chart.

    Raises ValueError if the chart is too small for its bars or labels.
    """
    bars = list(bars)
    mark = _finite(benchmark)
    _check_size(width, height or 160)
    if not bars:
        return _placeholder("bar", title, "No data to show.", width, height or 160, chart_id)
    values = [_finite(b.value) for b in bars]
    intervals = [
        _interval(b.lower, b.upper) if v is not None else None
        for b, v in zip(bars, values, strict=True)
    ]
    numbers = [0.0, *(v for v in values if v is not None)]
    numbers += [bound for i in intervals if i for bound in i]
    numbers += [mark] if mark is not None else []
    fmt = y_format or _value_formatter(numbers)
    desc = _bar_desc(
        bars, values, intervals, unit_label, fmt, mark, benchmark_label, interval_label
    )
    cid = _chart_id(chart_id, "bar", title, desc)

    legend, top = _legend(
        [(_interval_glyph, interval_label)] if any(intervals) else [], top=PAD, width=width
    )
    top += 24 if mark is not None else 8
    if height is None:
        row = float(BAR_ROW)
        height = math.ceil(top + row * len(bars) + 50)
    else:
        row = (height - 50 - top) / len(bars)
        if row < 14:
            raise ValueError("height too small for this many bars")
    bottom = top + row * len(bars)

    value_texts = [_bar_value_text(b, v, fmt) for b, v in zip(bars, values, strict=True)]
    negative, positive = [0.0], [0.0]  # widths of the labels left and right of the bars
    for bar, value, text in zip(bars, values, value_texts, strict=True):
        side = negative if value is not None and value < 0 else positive
        side.append(_text_width(text, bold=bar.highlight) + 6)
    label_width = min(max(_category_width(b) for b in bars), width * 0.4)
    left = PAD + label_width + 10 + max(negative)
    right = width - PAD - max(positive)
    if right - left < MIN_PLOT:
        raise ValueError("width too small for the labels")

    ticks = nice_ticks(
        min(numbers), max(numbers), max_ticks=max(3, min(7, int((right - left) // 60)))
    )
    tick_fmt = y_format or _tick_formatter(ticks)
    x = _Scale(ticks[0], ticks[-1], left, right)

    body = [*legend, _hatch_pattern(cid)]
    body += _value_axis(ticks, [tick_fmt(t) for t in ticks], x, top, bottom, unit_label)
    end_labels = []
    for i, bar in enumerate(bars):
        geometry = (x, top + (i + 0.5) * row, row * 0.6, PAD + label_width)
        group, end_label = _bar_group(bar, values[i], intervals[i], value_texts[i], geometry, cid)
        body.append(group)
        end_labels.append(end_label)
    body.append(_line(x(0), top, x(0), bottom, BLACK, 1.5, cls="pb-chart__zero"))
    if mark is not None:
        body.append(_benchmark_line(x(mark), top, bottom, f"{benchmark_label}: {fmt(mark)}", width))
    body.append(f'<g class="pb-chart__values">{"".join(end_labels)}</g>')
    return _document(cid, title, desc, body, width, height)


# --- numbers and text ----------------------------------------------------------------------------


def _decimal(multiple: int, exponent: int) -> float:
    """``multiple * 10**exponent`` without binary-fraction noise (6/10 is 0.6, not 0.6000000001)."""
    return float(multiple * 10**exponent) if exponent >= 0 else multiple / 10**-exponent


def _finite(value: float | None) -> float | None:
    """The value as a float, or None when missing or not finite (NaN is how stats says missing)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _interval(lower: float | None, upper: float | None) -> tuple[float, float] | None:
    """Both limits as (low, high), or None unless both are present and finite."""
    lo, hi = _finite(lower), _finite(upper)
    if lo is None or hi is None:
        return None
    return min(lo, hi), max(lo, hi)


def _value_formatter(numbers: Iterable[float]) -> Formatter:
    """The default value format for one chart: thousands separators and the same number of
    decimals for every value (as many as the most precise value needs, at most 3), so 63 and 63.6
    on one chart read as "63.0" and "63.6" rather than looking differently precise."""
    decimals = 0
    for number in numbers:
        text = f"{number:.3f}".rstrip("0")
        decimals = max(decimals, len(text) - text.index(".") - 1)
    return _fixed(decimals)


def _fixed(decimals: int) -> Formatter:
    def fmt(value: float) -> str:
        text = f"{value:,.{decimals}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0"

    return fmt


def _tick_formatter(ticks: Sequence[float]) -> Formatter:
    """Tick labels with as many decimals as the step needs, the same for every tick (0.0, 0.5)."""
    return _fixed(max(0, -math.floor(math.log10(ticks[1] - ticks[0]) + 1e-9)))


def _number(value: float) -> str:
    """A coordinate: 2 decimals at most, never "-0", never NaN or infinity."""
    if not math.isfinite(value):
        raise ValueError("a chart coordinate was not finite")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def _text_width(text: str, bold: bool = False) -> float:
    """Rough rendered width of Arial at FONT_SIZE: 0.6em a character errs on the wide side."""
    return len(text) * FONT_SIZE * (0.65 if bold else 0.6)


def _fit(text: str, width: float, bold: bool = False) -> str:
    """Shorten text with an ellipsis to fit; the full text stays in the desc and tooltip."""
    if _text_width(text, bold) <= width:
        return text
    keep = max(1, int(width / (FONT_SIZE * (0.65 if bold else 0.6))) - 1)
    return text[:keep].rstrip() + "\u2026"


# --- SVG elements --------------------------------------------------------------------------------


# What quoteattr escapes, always in double quotes: a chart has over a thousand attributes,
# and quoteattr's general-purpose replace chain was a fifth of a cold dashboard's time.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)  # fmt: skip


def _attribute(value: object) -> str:
    if isinstance(value, str):
        return _text_attribute(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'"{_number(float(value))}"'  # digits, "." and "-": nothing to escape
    return _text_attribute(str(value))


# Most text attributes are the same few colours and class names in every chart: escaped
# once, not a thousand times a dashboard.
@functools.lru_cache(maxsize=4096)
def _text_attribute(text: str) -> str:
    return f'"{_clean(text).translate(_ATTRIBUTE_ESCAPES)}"'


def _el(tag: str, attrs: dict[str, object], content: str = "") -> str:
    """An element; attribute values are escaped here, ``content`` must already be markup."""
    pairs = [f"{name}={_attribute(value)}" for name, value in attrs.items() if value is not None]
    opening = " ".join([tag, *pairs])
    return f"<{opening}>{content}</{tag}>" if content else f"<{opening}/>"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    bold: bool = False,
    fill: str = BLACK,
    halo: bool = False,
    cls: str | None = None,
) -> str:
    """Text; ``halo`` outlines it in white so it stays legible where it crosses a line."""
    attrs: dict[str, object] = {"class": cls, "x": x, "y": y, "fill": fill}
    attrs["text-anchor"] = None if anchor == "start" else anchor
    attrs["font-weight"] = "bold" if bold else None
    if halo:
        attrs |= {"stroke": WHITE, "stroke-width": 3, "paint-order": "stroke"}
    return _el("text", attrs, escape(_clean(text)))


def _tooltip(text: str) -> str:
    """A ``<title>`` child: shown on hover, for sighted mouse users who want the exact figure."""
    return f"<title>{escape(_clean(text))}</title>"


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    colour: str,
    stroke_width: float,
    *,
    dash: str | None = None,
    cls: str | None = None,
) -> str:
    attrs: dict[str, object] = {"class": cls, "x1": x1, "y1": y1, "x2": x2, "y2": y2}
    attrs |= {"stroke": colour, "stroke-width": stroke_width, "stroke-dasharray": dash}
    return _el("line", attrs)


def _marker(shape: str, x: float, y: float, colour: str, tooltip: str = "") -> str:
    """A point marker; the shape, not the colour, is what tells series apart."""
    s = MARKER_SIZE
    common: dict[str, object] = {"class": "pb-chart__marker", "data-shape": shape, "fill": colour}
    common |= {"stroke": WHITE, "stroke-width": 1}
    content = _tooltip(tooltip) if tooltip else ""
    if shape == "circle":
        return _el("circle", {"cx": x, "cy": y, "r": s, **common}, content)
    if shape == "square":
        side = s * 1.7
        return _el(
            "rect",
            {"x": x - side / 2, "y": y - side / 2, "width": side, "height": side, **common},
            content,
        )
    corners = {
        "triangle": [(0, -1.3), (1.2, 0.9), (-1.2, 0.9)],
        "diamond": [(0, -1.4), (1.4, 0), (0, 1.4), (-1.4, 0)],
        "triangle-down": [(0, 1.3), (1.2, -0.9), (-1.2, -0.9)],
    }[shape]
    points = " ".join(f"{_number(x + dx * s)},{_number(y + dy * s)}" for dx, dy in corners)
    return _el("polygon", {"points": points, **common}, content)


def _document(cid: str, title: str, desc: str, body: Iterable[str], width: int, height: int) -> str:
    """The outer ``<svg>``: role="img", named and described by its own title and desc."""
    root = _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "pb-chart",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{cid}-title {cid}-desc",
            "font-family": FONT_FAMILY,
            "font-size": FONT_SIZE,
        },
    )[:-2]  # "<svg .../>" less its "/>": the opening tag
    lines = [
        f"{root}>",
        _el("title", {"id": f"{cid}-title"}, escape(_clean(title))),
        _el("desc", {"id": f"{cid}-desc"}, escape(_clean(desc))),
        *body,
        "</svg>",
    ]
    return "\n".join(lines)


def _chart_id(chart_id: str | None, kind: str, title: str, desc: str) -> str:
    """The prefix for ids in the SVG. Derived from the text by default, so it is deterministic
    and two different charts on one page do not share ids (aria-labelledby needs unique ids)."""
    if chart_id is not None:
        if not _ID_PATTERN.fullmatch(chart_id):
            raise ValueError("chart_id must be a letter followed by letters, digits, - or _")
        return chart_id
    digest = hashlib.sha256("\x1f".join([kind, _clean(title), _clean(desc)]).encode())
    return f"pb-chart-{digest.hexdigest()[:12]}"


def _placeholder(
    kind: str, title: str, desc: str, width: int, height: int, chart_id: str | None
) -> str:
    """A chart with nothing to plot still has its title and says so, in words and on screen."""
    cid = _chart_id(chart_id, kind, title, desc)
    body = [
        _text(width / 2, height / 2, "No data to show", anchor="middle", cls="pb-chart__no-data")
    ]
    return _document(cid, title, desc, body, width, height)


def _check_size(width: int, height: int) -> None:
    if width < 200 or height < 120:
        raise ValueError("charts must be at least 200 wide and 120 high")


def _legend(
    entries: Sequence[tuple[Callable[[float, float], str], str]], *, top: float, width: int
) -> tuple[list[str], float]:
    """Legend entries left to right, wrapping onto new rows; returns them and their bottom edge."""
    parts: list[str] = []
    x, row = float(PAD), 0
    for glyph, label in entries:
        item = GLYPH_WIDTH + 6 + _text_width(label)
        if x > PAD and x + item > width - PAD:
            x, row = float(PAD), row + 1
        y = top + row * LEGEND_ROW + LEGEND_ROW / 2
        text = _text(x + GLYPH_WIDTH + 6, y + 5, label)
        parts.append(f'<g class="pb-chart__legend-item">{glyph(x, y)}{text}</g>')
        x += item + 18
    return parts, (top + (row + 1) * LEGEND_ROW if entries else top)


def _series_glyph(look: _Look) -> Callable[[float, float], str]:
    """Legend sample for a series: its dash pattern and its marker, as on the chart."""

    def glyph(x: float, y: float) -> str:
        line = _line(x, y, x + GLYPH_WIDTH, y, look.colour, 3, dash=look.dash)
        return line + _marker(look.marker, x + GLYPH_WIDTH / 2, y, look.colour)

    return glyph


def _interval_glyph(x: float, y: float) -> str:
    """Legend sample for an error bar."""
    middle = x + GLYPH_WIDTH / 2
    d = f"M{_number(middle)} {_number(y - 8)}V{_number(y + 8)}"
    d += f"M{_number(middle - 4)} {_number(y - 8)}h8M{_number(middle - 4)} {_number(y + 8)}h8"
    return _el("path", {"d": d, "stroke": BLACK, "stroke-width": 1.5, "fill": "none"})


def _gridline(x1: float, y1: float, x2: float, y2: float) -> str:
    """Dotted dark grey: light enough to read through, still 3:1 against white."""
    return _line(x1, y1, x2, y2, DARK_GREY, 1, dash="1 3", cls="pb-chart__gridline")


# --- trend chart ---------------------------------------------------------------------------------


def _assign_looks(series: Sequence[Series]) -> list[_Look]:
    """Each series' look: its style's look if still free, else the next unused one."""
    chosen: list[int | None] = [None] * len(series)
    for i, s in enumerate(series):
        if s.style not in _STYLE_LOOK:
            raise ValueError(f"unknown series style {s.style!r}")
        if _STYLE_LOOK[s.style] not in chosen:
            chosen[i] = _STYLE_LOOK[s.style]
    for i, index in enumerate(chosen):
        if index is None:
            spare = [look for look in _SPARE_LOOKS if look not in chosen]
            if not spare:
                raise ValueError(f"at most {len(_LOOKS)} series can be told apart")
            chosen[i] = spare[0]
    return [_LOOKS[index] for index in chosen if index is not None]


def _merge_periods(series: Sequence[Series]) -> list[str]:
    """Period labels in order: each series' periods keep their order and slot in beside the
    neighbours already placed, so England 2015-2020 and Sefton 2016-2021 give 2015-2021."""
    merged: list[str] = []
    for s in series:
        labels = [str(p.label) for p in s.points]
        if len(set(labels)) != len(labels):
            raise ValueError(f"series {s.name!r} repeats a period")
        cursor: int | None = None
        for i, label in enumerate(labels):
            if label in merged:
                cursor = merged.index(label)
                continue
            if cursor is None:
                later = [merged.index(other) for other in labels[i + 1 :] if other in merged]
                cursor = (later[0] if later else len(merged)) - 1
            cursor += 1
            merged.insert(cursor, label)
    return merged


def _trend_numbers(series: Sequence[Series], target: float | None) -> list[float]:
    """Every number the y axis must show: values, drawn interval limits and the target."""
    numbers = [target] if target is not None else []
    for s in series:
        for p in s.points:
            value = _finite(p.value)
            if value is not None:
                numbers.append(value)
                numbers.extend(_interval(p.lower, p.upper) or ())
    return numbers


def _padded_range(numbers: Sequence[float]) -> tuple[float, float]:
    """The data range plus 10% each side (so points do not sit on the frame), not crossing zero
    unless the data do: a rate of 1 to 100 gets an axis from 0, not from -20."""
    lo, hi = min(numbers), max(numbers)
    pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
    low, high = lo - pad, hi + pad
    if lo >= 0 > low:
        low = 0.0
    if hi <= 0 < high:
        high = 0.0
    return low, high


def _trend_desc(
    series: Sequence[Series],
    periods: Sequence[str],
    unit_label: str,
    fmt: Formatter,
    target: float | None,
    interval_label: str,
) -> str:
    span = f"from {periods[0]} to {periods[-1]}" if len(periods) > 1 else f"for {periods[0]}"
    sentences = [f"Line chart of {unit_label} {span}."]
    for s in series:
        readings = []
        for p in s.points:
            value = _finite(p.value)
            if value is None:
                readings.append(f"{NO_DATA} in {p.label}")
                continue
            limits = _interval(p.lower, p.upper)
            ci = f" ({interval_label} {fmt(limits[0])} to {fmt(limits[1])})" if limits else ""
            readings.append(f"{fmt(value)} in {p.label}{ci}")
        sentences.append(f"{s.name}: {', '.join(readings) or NO_DATA}.")
    if target is not None:
        sentences.append(f"{TARGET_LABEL}: {fmt(target)}.")
    return " ".join(sentences)


def _y_axis(
    ticks: Sequence[float], labels: Sequence[str], y: _Scale, left: float, right: float
) -> list[str]:
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        parts.append(_gridline(left, y(tick), right, y(tick)))
        parts.append(_text(left - 6, y(tick) + 5, label, anchor="end", cls="pb-chart__tick"))
    parts.append(_line(left, y(ticks[0]), left, y(ticks[-1]), BLACK, 1, cls="pb-chart__axis"))
    if ticks[0] < 0 < ticks[-1]:
        parts.append(_line(left, y(0), right, y(0), BLACK, 1, cls="pb-chart__zero"))
    return parts


def _x_axis(
    periods: Sequence[str],
    xs: dict[str, float],
    slot: float,
    left: float,
    right: float,
    bottom: float,
    x_label: str,
) -> list[str]:
    """Period labels, thinned when they would overlap; the latest period is always labelled."""
    parts = [_line(left, bottom, right, bottom, BLACK, 1, cls="pb-chart__axis")]
    every = max(1, math.ceil((max(_text_width(p) for p in periods) + 8) / slot))
    for i, period in enumerate(periods):
        x = xs[period]
        parts.append(_line(x, bottom, x, bottom + 5, BLACK, 1))
        if (len(periods) - 1 - i) % every == 0:
            parts.append(_text(x, bottom + 20, period, anchor="middle", cls="pb-chart__period"))
    parts.append(
        _text((left + right) / 2, bottom + 40, x_label, anchor="middle", cls="pb-chart__axis-label")
    )
    return parts


def _target_line(y: float, left: float, right: float) -> list[str]:
    """The target: solid red and, so colour is not the only cue, labelled in words."""
    line = _line(left, y, right, y, RED, 2)
    label = _text(right + 4, y + 5, TARGET_LABEL)
    return [f'<g class="pb-chart__target">{line}{label}</g>']


def _series_group(
    series: Series, look: _Look, xs: dict[str, float], y: _Scale, fmt: Formatter
) -> str:
    """One series: error bars, then the line (broken at gaps), then markers on top."""
    intervals, markers, segments, run = [], [], [], []
    previous_index = None
    order = list(xs)
    for point in series.points:
        label, value = str(point.label), _finite(point.value)
        if value is None:
            run = []
            continue
        index = order.index(label)
        if previous_index is None or index != previous_index + 1:
            run = []  # a period absent from this series is a gap as well
        if not run:
            segments.append(run)
        run.append((xs[label], y(value)))
        previous_index = index
        limits = _interval(point.lower, point.upper)
        if limits:
            intervals.append(_error_bar(xs[label], y(limits[0]), y(limits[1]), look.colour))
        tooltip = f"{series.name}, {label}: {fmt(value)}"
        markers.append(_marker(look.marker, xs[label], y(value), look.colour, tooltip))
    paths = []
    d = "".join(_polyline(seg) for seg in segments if len(seg) > 1)
    if d:
        attrs: dict[str, object] = {"class": "pb-chart__line", "d": d, "fill": "none"}
        attrs |= {"stroke": look.colour, "stroke-width": 3, "stroke-dasharray": look.dash}
        attrs["stroke-linejoin"] = "round"
        paths.append(_el("path", attrs))
    inner = "".join([*intervals, *paths, *markers])
    return f'<g class="pb-chart__series" data-series={_attribute(series.name)}>{inner}</g>'


def _polyline(points: Sequence[tuple[float, float]]) -> str:
    head, *tail = points
    return f"M{_number(head[0])} {_number(head[1])}" + "".join(
        f"L{_number(x)} {_number(y)}" for x, y in tail
    )


def _error_bar(x: float, y_low: float, y_high: float, colour: str) -> str:
    d = f"M{_number(x)} {_number(y_low)}V{_number(y_high)}"
    d += f"M{_number(x - 4)} {_number(y_low)}h8M{_number(x - 4)} {_number(y_high)}h8"
    attrs = {"class": "pb-chart__interval", "d": d, "stroke": colour, "stroke-width": 1.5}
    return _el("path", {**attrs, "fill": "none"})


# --- bar chart -----------------------------------------------------------------------------------


def _category_label(bar: Bar) -> str:
    return f"{HIGHLIGHT_MARKER}{bar.label}" if bar.highlight else bar.label


def _category_width(bar: Bar) -> float:
    return _text_width(_category_label(bar), bold=bar.highlight)


def _bar_value_text(bar: Bar, value: float | None, fmt: Formatter) -> str:
    text = fmt(value) if value is not None else NO_DATA
    return f"{text} ({bar.note})" if bar.note else text


def _bar_desc(
    bars: Sequence[Bar],
    values: Sequence[float | None],
    intervals: Sequence[tuple[float, float] | None],
    unit_label: str,
    fmt: Formatter,
    benchmark: float | None,
    benchmark_label: str,
    interval_label: str,
) -> str:
    count = f"{len(bars)} bar" if len(bars) == 1 else f"{len(bars)} bars"
    readings = []
    for bar, value, limits in zip(bars, values, intervals, strict=True):
        name = f"{bar.label} (highlighted)" if bar.highlight else bar.label
        reading = f"{name}: {_bar_value_text(bar, value, fmt)}"
        if limits:
            reading += f" ({interval_label} {fmt(limits[0])} to {fmt(limits[1])})"
        readings.append(reading)
    desc = f"Bar chart of {unit_label}, {count}. {'; '.join(readings)}."
    if benchmark is not None:
        desc += f" Vertical line: {benchmark_label} {fmt(benchmark)}."
    return desc


def _hatch_pattern(cid: str) -> str:
    """Diagonal white stripes on blue: the highlighted bar differs in texture, not just hue."""
    stripes = _line(0, 0, 0, 6, WHITE, 2.5)
    fill = _el("rect", {"width": 6, "height": 6, "fill": BLUE})
    attrs = {"id": f"{cid}-hatch", "width": 6, "height": 6, "patternUnits": "userSpaceOnUse"}
    pattern = _el("pattern", {**attrs, "patternTransform": "rotate(45)"}, fill + stripes)
    return f"<defs>{pattern}</defs>"


def _value_axis(
    ticks: Sequence[float],
    labels: Sequence[str],
    x: _Scale,
    top: float,
    bottom: float,
    unit_label: str,
) -> list[str]:
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        parts.append(_gridline(x(tick), top, x(tick), bottom))
        parts.append(_text(x(tick), bottom + 18, label, anchor="middle", cls="pb-chart__tick"))
    parts.append(_line(x(ticks[0]), bottom, x(ticks[-1]), bottom, BLACK, 1, cls="pb-chart__axis"))
    middle = (x(ticks[0]) + x(ticks[-1])) / 2
    parts.append(
        _text(middle, bottom + 40, unit_label, anchor="middle", cls="pb-chart__axis-label")
    )
    return parts


def _bar_group(
    bar: Bar,
    value: float | None,
    limits: tuple[float, float] | None,
    value_text: str,
    geometry: tuple[_Scale, float, float, float],
    cid: str,
) -> tuple[str, str]:
    """One row: the category label, bar and error bar as a group, and separately the value (or
    "no data") for the bar's end, which is drawn last so no line crosses it."""
    x, centre, thickness, label_right = geometry
    label = _fit(_category_label(bar), label_right - PAD, bold=bar.highlight)
    category = _text(label_right, centre + 5, label, anchor="end", bold=bar.highlight)
    parts = [_tooltip(f"{bar.label}: {value_text}"), category]
    if value is None:
        end_label = _text(
            x(0) + 4, centre + 5, value_text, fill=DARK_GREY, halo=True, cls="pb-chart__no-data"
        )
    else:
        start, end = sorted((x(0), x(value)))
        rect: dict[str, object] = {"class": "pb-chart__bar-rect", "x": start}
        rect |= {"y": centre - thickness / 2, "width": end - start, "height": thickness}
        if bar.highlight:
            rect |= {"fill": f"url(#{cid}-hatch)", "stroke": BLACK, "stroke-width": 2}
        else:
            rect["fill"] = DARK_GREY
        parts.append(_el("rect", rect))
        reach = value  # the label goes beyond the bar and its error bar, whichever is longer
        if limits:
            parts.append(_whisker(x(limits[0]), x(limits[1]), centre))
            reach = max(value, limits[1]) if value >= 0 else min(value, limits[0])
        anchor, offset = ("start", 4) if value >= 0 else ("end", -4)
        end_label = _text(
            x(reach) + offset,
            centre + 5,
            value_text,
            anchor=anchor,
            bold=bar.highlight,
            halo=True,
            cls="pb-chart__value",
        )
    attrs: dict[str, object] = {"class": "pb-chart__bar", "data-label": bar.label}
    attrs["data-highlight"] = "true" if bar.highlight else None
    return _el("g", attrs, "".join(parts)), end_label


def _whisker(x_low: float, x_high: float, y: float) -> str:
    """A horizontal error bar, black on a white halo so it shows on any bar fill."""
    d = f"M{_number(x_low)} {_number(y)}H{_number(x_high)}"
    d += f"M{_number(x_low)} {_number(y - 5)}v10M{_number(x_high)} {_number(y - 5)}v10"
    halo = _el("path", {"d": d, "stroke": WHITE, "stroke-width": 4, "fill": "none"})
    attrs = {"class": "pb-chart__interval", "d": d, "stroke": BLACK, "stroke-width": 1.5}
    return halo + _el("path", {**attrs, "fill": "none"})


def _benchmark_line(x: float, top: float, bottom: float, label: str, width: int) -> str:
    """Dashed black on a white halo across the bars, labelled above; the label stays in frame."""
    halo = _line(x, top - 4, x, bottom, WHITE, 4)
    line = _line(x, top - 4, x, bottom, BLACK, 2, dash="6 3")
    half = _text_width(label) / 2
    if x - half < PAD:
        text = _text(PAD, top - 8, label)
    elif x + half > width - PAD:
        text = _text(width - PAD, top - 8, label, anchor="end")
    else:
        text = _text(x, top - 8, label, anchor="middle")
    return f'<g class="pb-chart__benchmark">{halo}{line}{text}</g>'
