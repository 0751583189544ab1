"""SVG charts for indicator dashboards. Pure functions: no database.

The SVG is parsed with ElementTree, so every test also checks the output is well-formed XML.
"""

import ast
import itertools
import math
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from placebook.indicators import charts
from placebook.indicators.charts import Bar, Point, Series, bar_chart, nice_ticks, trend_chart

NS = "{http://www.w3.org/2000/svg}"
NUMERIC_ATTRIBUTES = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"}

SEFTON = Series(
    "Sefton",
    [
        Point("2016-18", 62.1, 60.0, 64.2),
        Point("2017-19", 62.9, 60.8, 65.0),
        Point("2018-20", 63.6, 61.5, 65.7),
    ],
    "primary",
)
ENGLAND = Series(
    "England",
    [Point("2016-18", 63.0), Point("2017-19", 63.1), Point("2018-20", 63.1)],
    "benchmark",
)
NORTH_WEST = Series(
    "North West",
    [Point("2016-18", 61.0), Point("2017-19", 61.5), Point("2018-20", 61.8)],
    "comparator",
)
LCR = [
    Bar("Liverpool", 58.1, 56.0, 60.2),
    Bar("Sefton", 63.6, 61.5, 65.7, highlight=True),
    Bar("Knowsley", None, note="suppressed"),
    Bar("Wirral", 62.0),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def tick_values(root: ET.Element) -> list[float]:
    return [
        float("".join(el.itertext()).replace(",", "")) for el in with_class(root, "pb-chart__tick")
    ]


def coordinates(root: ET.Element) -> list[str]:
    """Every number the browser will place something at: attributes, path data, polygon points."""
    found = []
    for el in root.iter():
        found += [value for name, value in el.attrib.items() if name in NUMERIC_ATTRIBUTES]
        found += re.findall(r"[^\sA-Za-z,]+", el.get("d", "") + " " + el.get("points", ""))
    return found


def accessible_name_and_description(root: ET.Element) -> tuple[str, str]:
    title_id, desc_id = root.get("aria-labelledby", "").split()
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert by_id[title_id].tag == f"{NS}title"
    assert by_id[desc_id].tag == f"{NS}desc"
    return by_id[title_id].text or "", by_id[desc_id].text or ""


def contrast_with_white(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


# --- nice_ticks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (61.3, 65.7, [61, 62, 63, 64, 65, 66]),
        (-2.5, 1.2, [-3, -2, -1, 0, 1, 2]),
        (0.3, 0.9, [0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 0.6, [0, 0.2, 0.4, 0.6]),
        (1234, 98765, [0, 20000, 40000, 60000, 80000, 100000]),
    ],
)
def test_nice_ticks_round_steps(lo, hi, expected):
    assert nice_ticks(lo, hi) == expected


def test_nice_ticks_have_no_float_noise():
    ticks = nice_ticks(0, 0.7, max_ticks=8)
    assert ticks == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert [repr(t) for t in ticks][3] == "0.3"


@pytest.mark.parametrize("max_ticks", [3, 4, 5, 6, 8, 11])
@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0, 1), (-0.5, 0.5), (0.001, 0.0047), (17, 17.2), (-1234.5, -3), (-7, 93), (1e6, 3.3e7)],
)
def test_nice_ticks_cover_the_range_within_max_ticks(lo, hi, max_ticks):
    ticks = nice_ticks(lo, hi, max_ticks=max_ticks)
    step = ticks[1] - ticks[0]
    assert 2 <= len(ticks) <= max_ticks
    assert ticks[0] <= lo + 1e-12 * abs(lo)
    assert ticks[-1] >= hi - 1e-12 * abs(hi)
    assert all(math.isclose(b - a, step) for a, b in itertools.pairwise(ticks))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, [4.5, 5, 5.5]), (0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (-3, [-3.4, -3.2, -3, -2.8, -2.6])],
)
def test_nice_ticks_equal_values_widen_the_range(value, expected):
    ticks = nice_ticks(value, value)
    assert ticks == pytest.approx(expected)
    assert ticks[0] <= value <= ticks[-1]


def test_nice_ticks_reversed_arguments_give_the_same_ticks():
    assert nice_ticks(10, -10) == nice_ticks(-10, 10)


@pytest.mark.parametrize(("lo", "hi"), [(math.nan, 1), (0, math.inf), (-math.inf, 0)])
def test_nice_ticks_non_finite_raises(lo, hi):
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(lo, hi)


def test_nice_ticks_fewer_than_three_ticks_raises():
    with pytest.raises(ValueError, match="at least 3"):
        nice_ticks(0, 1, max_ticks=2)


# --- trend_chart ---------------------------------------------------------------------------------


def trend(series=(SEFTON, ENGLAND), **options) -> str:
    options = {"title": "Healthy life expectancy", "unit_label": "Years", **options}
    return trend_chart(list(series), **options)


def test_trend_chart_is_an_svg_image_named_by_its_title_and_desc():
    svg = trend()
    root = parse(svg)
    assert svg.startswith("<svg")
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert next(iter(root)).tag == f"{NS}title"  # first child, as SVG accessibility expects
    title, desc = accessible_name_and_description(root)
    assert title == "Healthy life expectancy"
    assert desc.startswith("Line chart of Years from 2016-18 to 2018-20.")


def test_trend_chart_desc_states_every_value_in_words():
    _, desc = accessible_name_and_description(parse(trend()))
    assert "Sefton: 62.1 in 2016-18 (95% confidence interval 60.0 to 64.2)" in desc
    assert "63.6 in 2018-20" in desc
    assert "England: 63.0 in 2016-18, 63.1 in 2017-19, 63.1 in 2018-20." in desc


def test_trend_chart_font_is_arial():
    assert parse(trend()).get("font-family").startswith("Arial")


def test_trend_chart_marker_per_value():
    root = parse(trend([SEFTON, ENGLAND, NORTH_WEST]))
    assert len(with_class(root, "pb-chart__marker")) == 9 + 3  # 9 points plus 3 in the legend
    for group in with_class(root, "pb-chart__series"):
        assert len(with_class(group, "pb-chart__marker")) == 3


def test_trend_chart_series_differ_by_dash_and_marker_not_only_colour():
    root = parse(trend([SEFTON, ENGLAND, NORTH_WEST]))
    groups = with_class(root, "pb-chart__series")
    shapes = [{m.get("data-shape") for m in with_class(g, "pb-chart__marker")} for g in groups]
    dashes = [with_class(g, "pb-chart__line")[0].get("stroke-dasharray") for g in groups]
    assert all(len(s) == 1 for s in shapes)
    assert len({next(iter(s)) for s in shapes}) == 3
    assert len(set(dashes)) == 3
    assert {next(iter(s)) for s in shapes} == {"circle", "square", "triangle"}


def test_trend_chart_legend_repeats_marker_and_dash_for_each_series():
    root = parse(trend([SEFTON, ENGLAND, NORTH_WEST]))
    items = with_class(root, "pb-chart__legend-item")
    series_items = {"".join(i.itertext()): i for i in items}
    assert set(series_items) == {"Sefton", "England", "North West", "95% confidence interval"}
    for group in with_class(root, "pb-chart__series"):
        item = series_items[group.get("data-series")]
        line = with_class(group, "pb-chart__line")[0]
        assert item.find(f"{NS}line").get("stroke-dasharray") == line.get("stroke-dasharray")
        legend_shape = with_class(item, "pb-chart__marker")[0].get("data-shape")
        assert legend_shape == with_class(group, "pb-chart__marker")[0].get("data-shape")


def test_trend_chart_repeated_style_gets_a_distinct_look():
    other = Series("Knowsley", NORTH_WEST.points, "comparator")
    root = parse(trend([SEFTON, ENGLAND, NORTH_WEST, other]))
    groups = with_class(root, "pb-chart__series")
    shapes = {with_class(g, "pb-chart__marker")[0].get("data-shape") for g in groups}
    dashes = {with_class(g, "pb-chart__line")[0].get("stroke-dasharray") for g in groups}
    assert len(shapes) == len(dashes) == 4


def test_trend_chart_more_series_than_looks_raises():
    many = [Series(f"Area {i}", SEFTON.points, "comparator") for i in range(6)]
    with pytest.raises(ValueError, match="told apart"):
        trend(many)


def test_trend_chart_unknown_style_raises():
    with pytest.raises(ValueError, match="style"):
        trend([Series("Sefton", SEFTON.points, "bold")])  # type: ignore[arg-type]


def test_trend_chart_repeated_period_in_a_series_raises():
    with pytest.raises(ValueError, match="repeats"):
        trend([Series("Sefton", [Point("2020", 1), Point("2020", 2)])])


def test_trend_chart_missing_value_breaks_the_line():
    gappy = Series(
        "Sefton",
        [
            Point("2016", 1),
            Point("2017", 2),
            Point("2018", None),
            Point("2019", 3),
            Point("2020", 4),
        ],
    )
    root = parse(trend([gappy]))
    (line,) = with_class(root, "pb-chart__line")
    assert line.get("d").count("M") == 2
    assert line.get("d").count("L") == 2
    assert len(with_class(with_class(root, "pb-chart__series")[0], "pb-chart__marker")) == 4
    _, desc = accessible_name_and_description(root)
    assert "no data in 2018" in desc


def test_trend_chart_nan_is_missing_too():
    nan = Series("Sefton", [Point("2016", 1), Point("2017", math.nan), Point("2018", 3)])
    root = parse(trend([nan]))
    assert not with_class(root, "pb-chart__line")  # two isolated points: markers only
    assert len(with_class(with_class(root, "pb-chart__series")[0], "pb-chart__marker")) == 2


def test_trend_chart_period_absent_from_a_series_breaks_its_line():
    england = Series(
        "England", [Point(str(y), 50.0 + y - 2015) for y in range(2015, 2021)], "benchmark"
    )
    sefton = Series("Sefton", [Point("2015", 40), Point("2016", 41), Point("2019", 44)])
    root = parse(trend([sefton, england]))
    group = next(
        g for g in with_class(root, "pb-chart__series") if g.get("data-series") == "Sefton"
    )
    (line,) = with_class(group, "pb-chart__line")
    assert (line.get("d").count("M"), line.get("d").count("L")) == (1, 1)  # 2015-16; 2019 alone
    assert len(with_class(group, "pb-chart__marker")) == 3


def test_trend_chart_periods_merge_in_order():
    england = Series("England", [Point(y, 1.0) for y in ("2015", "2016", "2017")], "benchmark")
    sefton = Series("Sefton", [Point(y, 2.0) for y in ("2014", "2016", "2018")])
    root = parse(trend([sefton, england]))
    labels = ["".join(t.itertext()) for t in with_class(root, "pb-chart__period")]
    assert labels == ["2014", "2015", "2016", "2017", "2018"]


def test_trend_chart_single_point_has_a_marker_and_no_line():
    root = parse(trend([Series("Sefton", [Point("2020/21", 12.5)])]))
    assert not with_class(root, "pb-chart__line")
    assert len(with_class(root, "pb-chart__series")[0]) == 1
    assert "2020/21" in texts(root)


def test_trend_chart_error_bars_only_where_limits_given():
    root = parse(trend())
    assert len(with_class(root, "pb-chart__interval")) == 3  # Sefton's three; England has none
    no_limits = parse(trend([ENGLAND]))
    assert not with_class(no_limits, "pb-chart__interval")
    assert "95% confidence interval" not in texts(no_limits)


def test_trend_chart_error_bars_span_the_limits():
    root = parse(trend([Series("Sefton", [Point("2020", 50, 40, 60)])]))
    (bar,) = with_class(root, "pb-chart__interval")
    low, high = re.match(r"M[\d.]+ ([\d.]+)V([\d.]+)", bar.get("d")).groups()
    marker = with_class(with_class(root, "pb-chart__series")[0], "pb-chart__marker")[0]
    assert float(high) < float(marker.get("cy")) < float(low)  # SVG y grows downwards


def test_trend_chart_target_line_only_when_given():
    assert not with_class(parse(trend()), "pb-chart__target")
    root = parse(trend(target=65))
    (target,) = with_class(root, "pb-chart__target")
    assert "".join(target.itertext()) == "Target"
    assert target.find(f"{NS}line").get("stroke") == charts.RED
    _, desc = accessible_name_and_description(root)
    assert desc.endswith("Target: 65.0.")


def test_trend_chart_axis_includes_the_target():
    assert max(tick_values(parse(trend(target=90)))) >= 90


def test_trend_chart_axis_is_padded_around_the_data_not_from_zero():
    ticks = tick_values(parse(trend()))
    assert 50 < ticks[0] < 60
    assert ticks[-1] >= 65.7  # Sefton's highest upper limit


def test_trend_chart_axis_for_non_negative_data_stops_at_zero():
    series = Series("Sefton", [Point("2019", 1.0), Point("2020", 100.0)])
    assert min(tick_values(parse(trend([series])))) == 0


def test_trend_chart_negative_values_draw_a_zero_line():
    zs = Series("Sefton", [Point("2019", -1.5), Point("2020", 0.7), Point("2021", 2.1)])
    root = parse(trend([zs]))
    ticks = tick_values(root)
    assert ticks[0] < -1.5
    assert ticks[-1] > 2.1
    assert with_class(root, "pb-chart__zero")


def test_trend_chart_all_equal_values_render():
    flat = Series("Sefton", [Point(str(y), 7.0) for y in range(2015, 2020)])
    root = parse(trend([flat]))
    ticks = tick_values(root)
    assert ticks[0] < 7 < ticks[-1]
    assert with_class(root, "pb-chart__line")[0].get("d").count("L") == 4


def test_trend_chart_all_zero_values_render():
    root = parse(trend([Series("Sefton", [Point("2019", 0.0), Point("2020", 0.0)])]))
    assert tick_values(root)[0] == 0


@pytest.mark.parametrize(
    "series",
    [[], [Series("Sefton", [])], [Series("Sefton", [Point("2020", None), Point("2021", None)])]],
)
def test_trend_chart_without_values_says_no_data(series):
    svg = trend(series)
    root = parse(svg)
    title, desc = accessible_name_and_description(root)
    assert title == "Healthy life expectancy"
    assert desc.startswith("No data to show")
    assert "No data to show" in texts(root)
    assert not with_class(root, "pb-chart__marker")


def test_trend_chart_y_format_applies_to_ticks_and_desc():
    root = parse(trend(y_format=lambda v: f"{v:.0f} yrs"))
    ticks = ["".join(t.itertext()) for t in with_class(root, "pb-chart__tick")]
    assert ticks
    assert all(t.endswith(" yrs") for t in ticks)
    assert "Sefton: 62 yrs in 2016-18" in accessible_name_and_description(root)[1]


def test_trend_chart_escapes_text():
    name = 'A&E <4 hours> "seen"'
    series = Series(name, [Point("Q1 & Q2", 75.0), Point("<Q3>", 76.0)])
    svg = trend([series], title="Waits & <breaches>", unit_label="% < 4h")
    assert "<breaches>" not in svg
    root = parse(svg)
    title, desc = accessible_name_and_description(root)
    assert title == "Waits & <breaches>"
    assert name in desc
    assert name in texts(root)
    assert with_class(root, "pb-chart__series")[0].get("data-series") == name


def test_trend_chart_drops_characters_xml_cannot_hold():
    root = parse(trend([Series("Sef\x00ton\x1b", [Point("2020", 1.0)])], title="T\x07"))
    assert accessible_name_and_description(root)[0] == "T"
    assert "Sefton" in texts(root)


def test_trend_chart_coordinates_are_finite():
    tiny = Series("Sefton", [Point("2020", 1e-9), Point("2021", 2e-9, 0, 3e-9)])
    for svg in (trend(target=65), trend([tiny]), trend([SEFTON], target=math.inf)):
        values = coordinates(parse(svg))
        assert values
        assert all(math.isfinite(float(v)) for v in values)


def test_trend_chart_is_deterministic():
    assert trend(target=65) == trend(target=65)
    root = parse(trend())
    assert root.get("aria-labelledby") == parse(trend()).get("aria-labelledby")


def test_trend_chart_ids_differ_between_charts():
    first = parse(trend([SEFTON])).get("aria-labelledby")
    second = parse(trend([ENGLAND])).get("aria-labelledby")
    assert first != second


def test_trend_chart_chart_id_sets_the_ids():
    root = parse(trend(chart_id="hle-trend"))
    assert root.get("aria-labelledby") == "hle-trend-title hle-trend-desc"


@pytest.mark.parametrize("chart_id", ["", "1abc", "two words", 'x"y'])
def test_trend_chart_bad_chart_id_raises(chart_id):
    with pytest.raises(ValueError, match="chart_id"):
        trend(chart_id=chart_id)


def test_trend_chart_too_small_raises():
    with pytest.raises(ValueError, match="at least"):
        trend(width=100)


def test_trend_chart_many_periods_thin_their_labels_but_keep_the_latest():
    long = Series(
        "Sefton", [Point(f"{y}/{(y + 1) % 100:02d}", float(y)) for y in range(2000, 2024)]
    )
    root = parse(trend([long], width=400))
    shown = ["".join(t.itertext()) for t in with_class(root, "pb-chart__period")]
    assert 1 < len(shown) < 24
    assert shown[-1] == "2023/24"


# --- bar_chart -----------------------------------------------------------------------------------


def bars(items=LCR, **options) -> str:
    options = {"title": "Healthy life expectancy", "unit_label": "Years", **options}
    return bar_chart(list(items), **options)


def test_bar_chart_is_an_svg_image_named_by_its_title_and_desc():
    svg = bars(benchmark=63.1)
    root = parse(svg)
    assert svg.startswith("<svg")
    assert root.get("role") == "img"
    title, desc = accessible_name_and_description(root)
    assert title == "Healthy life expectancy"
    assert desc == (
        "Bar chart of Years, 4 bars. "
        "Liverpool: 58.1 (95% confidence interval 56.0 to 60.2); "
        "Sefton (highlighted): 63.6 (95% confidence interval 61.5 to 65.7); "
        "Knowsley: no data (suppressed); Wirral: 62.0. Vertical line: England 63.1."
    )


def test_bar_chart_one_row_per_bar_and_a_rect_per_value():
    root = parse(bars())
    rows = with_class(root, "pb-chart__bar")
    assert [r.get("data-label") for r in rows] == ["Liverpool", "Sefton", "Knowsley", "Wirral"]
    assert len(with_class(root, "pb-chart__bar-rect")) == 3


def test_bar_chart_value_labels_at_the_end_of_each_bar():
    root = parse(bars())
    labels = ["".join(t.itertext()) for t in with_class(root, "pb-chart__value")]
    assert labels == ["58.1", "63.6", "62.0"]
    wirral = with_class(with_class(root, "pb-chart__bar")[3], "pb-chart__bar-rect")[0]
    end = float(wirral.get("x")) + float(wirral.get("width"))
    assert float(with_class(root, "pb-chart__value")[2].get("x")) > end


def test_bar_chart_missing_value_says_no_data_with_its_note():
    root = parse(bars())
    (no_data,) = with_class(root, "pb-chart__no-data")
    assert "".join(no_data.itertext()) == "no data (suppressed)"


def test_bar_chart_note_follows_the_value():
    root = parse(bars([Bar("Sefton", 12.5, note="provisional")]))
    assert "12.5 (provisional)" in texts(root)


def test_bar_chart_highlight_is_not_only_colour():
    root = parse(bars())
    sefton, liverpool = with_class(root, "pb-chart__bar")[1], with_class(root, "pb-chart__bar")[0]
    assert sefton.get("data-highlight") == "true"
    assert liverpool.get("data-highlight") is None
    rect = with_class(sefton, "pb-chart__bar-rect")[0]
    pattern_id = re.fullmatch(r"url\(#(.+)\)", rect.get("fill")).group(1)
    assert root.find(f".//{NS}pattern[@id='{pattern_id}']") is not None
    assert rect.get("stroke") == charts.BLACK
    assert with_class(liverpool, "pb-chart__bar-rect")[0].get("stroke") is None
    label = sefton.find(f"{NS}text")
    assert label.text == "\u25ba Sefton"
    assert label.get("font-weight") == "bold"


def test_bar_chart_benchmark_line_only_when_given():
    assert not with_class(parse(bars()), "pb-chart__benchmark")
    root = parse(bars(benchmark=63.1, benchmark_label="North West"))
    (benchmark,) = with_class(root, "pb-chart__benchmark")
    assert "".join(benchmark.itertext()) == "North West: 63.1"


def test_bar_chart_benchmark_line_sits_at_its_value():
    root = parse(bars([Bar("A", 50.0), Bar("B", 100.0)], benchmark=50.0))
    rect = with_class(root, "pb-chart__bar-rect")[0]
    line = with_class(root, "pb-chart__benchmark")[0].findall(f"{NS}line")[-1]
    assert float(line.get("x1")) == pytest.approx(float(rect.get("x")) + float(rect.get("width")))


def test_bar_chart_axis_includes_zero_for_non_negative_data():
    assert tick_values(parse(bars()))[0] == 0


def test_bar_chart_bar_lengths_are_proportional_to_values():
    root = parse(bars([Bar("A", 50.0), Bar("B", 100.0)]))
    a, b = (float(r.get("width")) for r in with_class(root, "pb-chart__bar-rect"))
    assert a / b == pytest.approx(0.5, abs=0.001)


def test_bar_chart_negative_values_extend_left_of_zero():
    zs = [Bar("Liverpool", -1.8), Bar("Sefton", 0.4, highlight=True), Bar("Knowsley", -2.5)]
    root = parse(bars(zs, unit_label="z-score"))
    ticks = tick_values(root)
    assert ticks[0] <= -2.5
    assert ticks[-1] >= 0.4
    (zero,) = with_class(root, "pb-chart__zero")
    rects = with_class(root, "pb-chart__bar-rect")
    zero_x = float(zero.get("x1"))
    assert float(rects[0].get("x")) + float(rects[0].get("width")) == pytest.approx(zero_x)
    assert float(rects[1].get("x")) == pytest.approx(zero_x)
    assert "-1.8" in texts(root)


def test_bar_chart_all_equal_values_render():
    root = parse(bars([Bar("A", 5.0), Bar("B", 5.0)]))
    widths = {r.get("width") for r in with_class(root, "pb-chart__bar-rect")}
    assert len(widths) == 1
    assert float(widths.pop()) > 0


def test_bar_chart_all_values_missing_render_no_data_rows():
    root = parse(bars([Bar("A", None), Bar("B", math.nan)]))
    assert len(with_class(root, "pb-chart__no-data")) == 2
    assert not with_class(root, "pb-chart__bar-rect")
    assert all(math.isfinite(float(v)) for v in coordinates(root))


def test_bar_chart_all_zero_values_render():
    root = parse(bars([Bar("A", 0.0), Bar("B", 0.0)]))
    assert tick_values(root)[0] == 0
    assert all(math.isfinite(float(v)) for v in coordinates(root))


def test_bar_chart_without_bars_says_no_data():
    root = parse(bars([]))
    title, desc = accessible_name_and_description(root)
    assert (title, desc) == ("Healthy life expectancy", "No data to show.")
    assert "No data to show" in texts(root)


def test_bar_chart_single_bar_renders():
    root = parse(bars([Bar("Sefton", 3.2, highlight=True)]))
    assert len(with_class(root, "pb-chart__bar-rect")) == 1
    assert accessible_name_and_description(root)[1].startswith("Bar chart of Years, 1 bar.")


def test_bar_chart_error_bars_only_where_limits_given():
    root = parse(bars())
    assert len(with_class(root, "pb-chart__interval")) == 2
    assert "95% confidence interval" in texts(root)
    assert "95% confidence interval" not in texts(parse(bars([Bar("A", 1.0)])))


def test_bar_chart_height_grows_with_the_number_of_bars():
    short = int(parse(bars(LCR[:2])).get("height"))
    tall = int(parse(bars(LCR)).get("height"))
    assert tall - short == 2 * charts.BAR_ROW


def test_bar_chart_fixed_height_too_small_raises():
    with pytest.raises(ValueError, match="height"):
        bars([Bar(f"Area {i}", float(i)) for i in range(40)], height=200)


def test_bar_chart_long_labels_are_shortened_on_screen_but_not_in_desc():
    name = "Cheshire West and Chester, with a very long suffix for testing purposes"
    root = parse(bars([Bar(name, 1.0)]))
    label = with_class(root, "pb-chart__bar")[0].find(f"{NS}text").text
    assert label.endswith("\u2026")
    assert name in accessible_name_and_description(root)[1]


def test_bar_chart_y_format_applies_to_values_ticks_and_desc():
    root = parse(bars(y_format=lambda v: f"{v:.0f}%"))
    assert "64%" in texts(root)
    assert all(
        t.endswith("%") for t in ["".join(e.itertext()) for e in with_class(root, "pb-chart__tick")]
    )
    assert "Sefton (highlighted): 64%" in accessible_name_and_description(root)[1]


def test_bar_chart_escapes_text():
    items = [Bar("Brighton & Hove", 2.5), Bar('<script>"x"</script>', 3.0, note="a & b")]
    svg = bars(items, title="Drugs & alcohol", unit_label="Rate <per 100,000>")
    assert "<script>" not in svg
    root = parse(svg)
    assert accessible_name_and_description(root)[0] == "Drugs & alcohol"
    assert [r.get("data-label") for r in with_class(root, "pb-chart__bar")][1] == items[1].label
    assert "Rate <per 100,000>" in texts(root)
    assert "3.0 (a & b)" in texts(root)


def test_bar_chart_is_deterministic():
    assert bars(benchmark=63.1) == bars(benchmark=63.1)


def test_bar_chart_coordinates_are_finite():
    for svg in (bars(benchmark=math.nan), bars([Bar("A", -1e-12), Bar("B", 1e12)], benchmark=0)):
        assert all(math.isfinite(float(v)) for v in coordinates(parse(svg)))


# --- both ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        trend([SEFTON, ENGLAND, NORTH_WEST, Series("Wirral", SEFTON.points, "primary")], target=64),
        bars(benchmark=63.1),
    ],
    ids=["trend", "bar"],
)
def test_charts_colours_have_contrast_against_white(svg):
    root = parse(svg)
    for el in root.iter():
        for attribute in ("fill", "stroke"):
            colour = el.get(attribute)
            if colour in (None, "none", charts.WHITE) or colour.startswith("url("):
                continue
            minimum = 4.5 if el.tag == f"{NS}text" and attribute == "fill" else 3.0
            assert contrast_with_white(colour) >= minimum, (el.tag, attribute, colour)


def test_charts_module_imports_only_the_standard_library():
    tree = ast.parse(Path(charts.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names)
