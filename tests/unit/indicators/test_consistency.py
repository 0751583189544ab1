import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from placebook.core.models import AreaLink
from placebook.indicators.consistency import CSV_HEADER, ERROR, RULES, WARNING, audit
from placebook.indicators.models import Release
from tests.factories.core import AreaFactory, ComparatorGroupFactory
from tests.factories.figures import (
    PrintedValueFactory,
    PublishedFigureFactory,
    SourceFactory,
    TargetFactory,
    TargetStepFactory,
)
from tests.factories.indicators import IndicatorFactory, ReleaseFactory, period

pytestmark = pytest.mark.django_db


def findings(rule: str):
    return [f for f in audit() if f.rule == rule]


@pytest.fixture
def sefton():
    return AreaFactory(code="E08000014", name="Sefton", type="local_authority")


@pytest.fixture
def north_west():
    return AreaFactory(code="E12000002", name="North West", type="region")


@pytest.fixture
def release():
    return ReleaseFactory(key="paper-2024-01", published=date(2024, 1, 23))


def printed_twice(first: float, first_text: str, second: float, second_text: str, **kwargs):
    """Two printings of one figure, stored as the loader stores them (history, then current)."""
    old = PrintedValueFactory(
        value=first, printed=first_text, is_current=False, source_line=10, **kwargs
    )
    return old, PrintedValueFactory(
        value=second, printed=second_text, supersedes=old, source_line=20, **kwargs
    )


# --- Registry and ordering -----------------------------------------------------------------


def test_every_rule_has_a_stable_code_and_a_one_line_description():
    assert len(RULES) >= 20
    for code, rule in RULES.items():
        assert code == rule.code
        assert code.replace("-", "").isalpha()
        assert code.islower()
        assert rule.description.endswith(".")
        assert "\n" not in rule.description


def test_findings_are_ordered_by_line_and_filtered_by_release(sefton, release):
    other = ReleaseFactory(key="other-2024-01")
    for line, rel in ((50, release), (30, other)):
        PrintedValueFactory(area=sefton, period=period("2030/31"), release=rel, source_line=line)
    found = findings("period-after-publication")
    assert [f.line for f in found] == [30, 50]
    assert [f.line for f in audit(releases=[release]) if f.rule == found[0].rule] == [50]
    assert [f.release for f in audit(releases=["other-2024-01"])] == ["other-2024-01"]


# --- (a) Printed twice ---------------------------------------------------------------------


def test_same_figure_printed_twice_with_different_values_is_an_error(sefton):
    # Seed 002: Category 4 90th centile 13:21:10 (line 2244) and 13:31:10 (line 2308).
    indicator = IndicatorFactory(unit="duration", value_type="duration")
    printed_twice(48070, "13:21:10", 48670, "13:31:10", indicator=indicator, area=sefton)
    [found] = findings("value-printed-twice")
    assert (found.line, found.lines, found.severity) == (20, (10, 20), ERROR)
    assert found.printed == "13:31:10"
    assert found.expected.startswith("13:21:10")


def test_printings_that_round_to_each_other_are_the_same_figure(sefton):
    printed_twice(34.18, "34.18%", 34.2, "34.2%", area=sefton)
    assert findings("value-printed-twice") == []


def test_undated_figures_are_not_compared(sefton):
    # "grown from 1152 to 1912" (seed 002, line 2840): two counts, both without a period.
    note = "No period printed: read as the in-year position for 2023/24."
    printed_twice(1152, "1152", 1912, "1912", area=sefton, note_text=note)
    assert findings("value-printed-twice") == []


def test_derived_figure_printed_twice_differently(sefton):
    indicator = IndicatorFactory()
    for key, line, z in (("copy-a-2023-08", 3138, "-0.55"), ("copy-b-2023-08", 3284, "-0.75")):
        PublishedFigureFactory(
            release=ReleaseFactory(key=key), kind="z_score", table="Dashboard", column="Z-score",
            row="High anxiety", indicator=indicator, area=sefton, period_text="2021/22",
            printed=z, value=float(z), source_line=line,
        )  # fmt: skip
    [found] = findings("figure-printed-twice")
    assert (found.line, found.printed) == (3284, "-0.75")
    assert "-0.55" in found.expected


def test_derived_figure_printed_at_two_precisions_agrees(sefton):
    indicator = IndicatorFactory()
    for printed, column in (("-2.00", "Z-score"), ("z-score of -2.0", "narrative")):
        PublishedFigureFactory(
            kind="z_score", column=column, indicator=indicator, area=sefton,
            period_text="2022", printed=printed, value=-2.0,
        )  # fmt: skip
    assert findings("figure-printed-twice") == []


def dashboard_row(label: str, indicator, area, release_key: str, line: int):
    return PublishedFigureFactory(
        release=ReleaseFactory(key=release_key), kind="rank", table="Dashboard",
        column="Latest NW Rank", row=label, indicator=indicator, area=area, period_text="2022",
        printed="3", value=3, source_line=line,
    )  # fmt: skip


def test_row_labelled_differently_in_two_copies_is_a_warning(sefton):
    indicator = IndicatorFactory()
    dashboard_row("Self-reported life satisfaction (low)", indicator, sefton, "a-2023-08", 3135)
    dashboard_row("Self-reported wellbeing (low)", indicator, sefton, "b-2023-08", 3281)
    [found] = findings("label-differs")
    assert (found.line, found.severity) == (3281, WARNING)


def test_punctuation_alone_does_not_make_labels_differ(sefton):
    indicator = IndicatorFactory()
    dashboard_row("Alcohol-related admissions", indicator, sefton, "a-2023-08", 3132)
    dashboard_row("Alcohol related admissions", indicator, sefton, "b-2023-08", 3278)
    assert findings("label-differs") == []


# --- Legends -------------------------------------------------------------------------------


def key_entry(release_key: str, printed: str, line: int):
    return PublishedFigureFactory(
        release=ReleaseFactory(key=release_key), table="Dashboard key", row="legend",
        column="Key", printed=printed, source_line=line,
    )  # fmt: skip


def test_key_entry_that_lost_its_symbol_in_a_copy():
    key_entry("a-2023-08", "- ▲ Improvement in Sefton Data", 3148)
    key_entry("b-2023-08", "-   Improvement in Sefton Data", 3294)
    [found] = findings("legend-differs")
    assert found.line == 3294
    assert "▲" in found.expected


def test_key_entries_printed_alike_agree():
    key_entry("a-2023-08", "Rank Worsened (Red)", 3152)
    key_entry("b-2023-08", "Rank Worsened (Red)", 3298)
    assert findings("legend-differs") == []


def test_key_giving_one_symbol_several_meanings_when_the_table_uses_it(release):
    PublishedFigureFactory(
        release=release, table="NWAS", row="legend", column="Key",
        printed="Key Risk Data ▲ Low ● Published ▲ Moderate ● Local ▲ High", source_line=2303,
    )  # fmt: skip
    PublishedFigureFactory(
        release=release, table="NWAS", row="Risk", column="Cat 1", kind="rag", printed="▲",
        source_line=2310,
    )  # fmt: skip
    [found] = findings("legend-ambiguous")
    assert (found.line, found.lines) == (2303, (2303, 2310))
    assert "Low / Moderate / High" in found.printed


def test_key_with_one_meaning_per_symbol_is_readable(release):
    PublishedFigureFactory(
        release=release, table="NWAS", row="legend", column="Key",
        printed="▲ High ● Published", source_line=2303,
    )  # fmt: skip
    PublishedFigureFactory(release=release, table="NWAS", row="Risk", kind="rag", printed="▲")
    assert findings("legend-ambiguous") == []


# --- (b) Differences -----------------------------------------------------------------------


@pytest.fixture
def ascof_row(sefton, north_west, release):
    """Seed 002 line 3566: Sefton 88.5, North West 89.3; line 3560 SN average 97.4."""
    indicator = IndicatorFactory()
    for area, value in ((sefton, 88.5), (north_west, 89.3)):
        PrintedValueFactory(
            indicator=indicator, area=area, value=value, printed=f"{value}", release=release,
            source_line=3566,
        )  # fmt: skip
    PublishedFigureFactory(
        release=release, table="ASCOF", column="Statistical Neighbours", printed="82.7",
        value=82.7, indicator=indicator, source_line=3566,
    )  # fmt: skip

    def difference(column: str, printed: str):
        return PublishedFigureFactory(
            release=release, table="ASCOF", column=column, kind="difference", printed=printed,
            value=float(printed.rstrip("▲▼")), indicator=indicator, area=sefton,
            source_line=3566,
        )  # fmt: skip

    return difference


def test_difference_that_does_not_follow_from_the_printed_values(ascof_row):
    ascof_row("North West Dif", "-8.8▼")
    [found] = findings("difference")
    assert (found.line, found.printed, found.expected) == (3566, "-8.8▼", "-0.8")


def test_correct_differences_are_not_reported(ascof_row):
    ascof_row("North West Dif", "-0.8▼")
    ascof_row("Statistical Neighbours Dif", "5.8▲")
    assert findings("difference") == []


def test_difference_against_a_group_average_printed_in_the_table(ascof_row):
    ascof_row("Statistical Neighbours Dif", "5.7▲")
    [found] = findings("difference")
    assert found.expected == "5.8"


def narrative_change(sefton, printed: str):
    indicator = IndicatorFactory()
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2020/21"), value=10.0,
                        printed="10.0%")  # fmt: skip
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2021/22"), value=9.0,
                        printed="9.0%")  # fmt: skip
    PublishedFigureFactory(
        kind="difference", column="narrative", table="report text", indicator=indicator,
        area=sefton, period_text="2021/22", printed=printed, value=_number(printed),
        claim=f"a further {printed} to 9.0% in 2021/22",
    )  # fmt: skip


def _number(text: str) -> float:
    return float(text.split("%")[0])


def test_change_in_the_text_that_the_values_do_not_support(sefton):
    narrative_change(sefton, "1.5% reduction")
    [found] = findings("difference")
    assert found.expected == "fall of 1.0"


def test_change_in_the_text_that_the_values_support(sefton):
    # Seed 002 line 2451: "a further 1.0% reduction to 9.0% in 2021/22" (10.0% in 2020/21).
    narrative_change(sefton, "1.0% reduction")
    assert findings("difference") == []


# --- (c) Percentages, products, ratios, shares, totals, gaps, ranges -----------------------


def percentage(claim: str, value: float, **kwargs):
    return PublishedFigureFactory(
        kind="percentage", column="narrative", table="report text", claim=claim,
        printed=f"{value:g}%", value=value, **kwargs,
    )  # fmt: skip


def test_percentage_growth_checked_against_the_counts_in_the_sentence(sefton):
    indicator = IndicatorFactory()
    percentage("grown from 1152 to 1912 (a growth of 65.97%)", 65.97, indicator=indicator,
               area=sefton)  # fmt: skip
    percentage("grown from 1152 to 1912 (a growth of 67%)", 67, indicator=indicator, area=sefton)
    [found] = findings("percent-change")
    assert (found.printed, found.expected, found.severity) == ("67%", "66%", ERROR)


def test_percentage_fewer_checked_against_the_count_and_the_change_on_the_line(sefton, release):
    # Seed 002 line 3853: 355 waiting, "11% (55 people) fewer" -> 55 / 410 = 13%.
    indicator = IndicatorFactory(unit="count")
    PrintedValueFactory(indicator=indicator, area=sefton, value=355, release=release,
                        source_line=3853)  # fmt: skip
    PublishedFigureFactory(kind="difference", column="narrative", indicator=indicator,
                           area=sefton, printed="55 people", value=55, release=release,
                           source_line=3853)  # fmt: skip
    percentage("this is 11% (55 people) fewer than the beginning of the year", 11,
               indicator=indicator, area=sefton, release=release, source_line=3853)  # fmt: skip
    percentage("this is 13% (55 people) fewer than the beginning of the year", 13,
               indicator=indicator, area=sefton, release=release, source_line=3853)  # fmt: skip
    [found] = findings("percent-change")
    assert (found.line, found.printed, found.expected) == (3853, "11%", "13%")


HEALTH_CHECKS = {
    "received": "phof-nhs-health-check-received-cumulative",
    "offered": "phof-nhs-health-check-offered-cumulative",
    "uptake": "phof-nhs-health-check-uptake-cumulative",
}


def health_check(name: str, area, value: float, **kwargs):
    return PrintedValueFactory(
        indicator=IndicatorFactory(code=HEALTH_CHECKS[name]), area=area, value=value,
        printed=f"{value}%", period=period("2018/19 to 2022/23"), **kwargs,
    )  # fmt: skip


def test_product_of_offered_and_uptake_equals_received(sefton):
    # Seed 002 line 2894: 3.0% offered x 80.5% uptake = 2.4% received.
    health_check("offered", sefton, 3.0)
    health_check("uptake", sefton, 80.5)
    health_check("received", sefton, 2.4)
    assert findings("product") == []


def test_product_that_does_not_equal_its_factors(sefton):
    health_check("offered", sefton, 3.0)
    health_check("uptake", sefton, 80.5)
    health_check("received", sefton, 3.4)
    [found] = findings("product")
    assert found.expected == "2.4"


def test_figures_entered_by_hand_are_said_to_be_so_not_given_a_missing_line(sefton):
    for name, value in (("offered", 3.0), ("uptake", 80.5), ("received", 3.4)):
        health_check(name, sefton, value, release=None, source=None, source_line=None)
    [found] = findings("product")
    assert found.location.startswith("entered in Placebook, ")
    assert "(entered in Placebook) x uptake 80.5% (entered in Placebook)" in found.detail
    assert "None" not in found.location + found.detail


@pytest.mark.parametrize("kind", ["import", "dataset"])
def test_figures_from_uploaded_files_and_datasets_are_data_not_papers(sefton, kind):
    upload = SourceFactory(key=f"an-{kind}", kind=kind)
    for name, value in (("offered", 3.0), ("uptake", 80.5), ("received", 3.4)):
        health_check(name, sefton, value, source=upload)
    assert findings("product") == []


def test_uptake_printed_as_received_is_found_from_the_product(north_west):
    # Seed 002: England 42.3% "received" (line 2890) is 27.4% received / 64.7% offered.
    health_check("offered", north_west, 64.7)
    old = health_check("received", north_west, 42.3, is_current=False, source_line=2890)
    health_check("received", north_west, 27.4, supersedes=old, source_line=2894)
    [found] = findings("product")
    assert found.line == 2890
    assert found.printed.startswith("42.3%")


def smoking_by_class(sefton, row: str, printed: str, value: float):
    routine = IndicatorFactory(name="Smoking prevalence in routine and manual occupations")
    managerial = IndicatorFactory(
        name="Smoking prevalence in managerial and professional occupations"
    )
    PrintedValueFactory(indicator=routine, area=sefton, period=period("2022"), value=17.3,
                        printed="17.3%", source_line=2623)  # fmt: skip
    PrintedValueFactory(indicator=managerial, area=sefton, period=period("2022"), value=4.8,
                        printed="4.8%", source_line=2622)  # fmt: skip
    PublishedFigureFactory(
        kind="ratio", column="narrative", table="report text", row=row, indicator=routine,
        area=sefton, period_text="2022", printed=printed, value=value,
        claim=f"which is {printed}",
    )  # fmt: skip


def test_ratio_that_is_not_the_ratio_of_the_values_it_names(sefton):
    # Seed 002 line 2623: 17.3 / 4.8 = 3.6, printed "3.5 times".
    smoking_by_class(sefton, "smoking: routine and manual vs highest income group",
                     "3.5 times the rate in the highest income group", 3.5)  # fmt: skip
    [found] = findings("ratio")
    assert found.expected == "3.6 times"
    assert "4.8" in found.detail


def test_ratio_that_is_right(sefton):
    smoking_by_class(sefton, "smoking: routine and manual vs managerial and professional",
                     "3.6-fold difference", 3.6)  # fmt: skip
    assert findings("ratio") == []


@pytest.mark.parametrize(("rest", "expected"), [(35, []), (30, ["shares-total"])])
def test_parts_of_a_whole_add_up_to_100(release, rest, expected):
    # Seed 002 line 3788: 50% + 15% + "the remaining 35%".
    for claim, value in (("now around 50%", 50), ("makes up 15%", 15), ("remaining", rest)):
        percentage(claim, value, release=release, source_line=3788)
    assert [f.rule for f in findings("shares-total")] == expected


@pytest.mark.parametrize(("total", "expected"), [(30, []), (31, ["total"])])
def test_total_is_the_sum_of_its_column(release, total, expected):
    for value in (10, 20):
        PublishedFigureFactory(release=release, table="T", column="Count", value=value)
    PublishedFigureFactory(release=release, table="T", column="Count", kind="total", value=total)
    assert [f.rule for f in findings("total")] == expected


@pytest.mark.parametrize(("gap", "expected"), [(12.3, ["gap-extremes"]), (12.0, [])])
def test_gap_against_the_printed_extremes(sefton, gap, expected):
    # Seed 002 lines 3092-3093: gap 12.3 years, deciles 76.2 and 88.2 years.
    indicator = IndicatorFactory(unit="years")
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2018-20"), value=gap,
                        printed=f"{gap} years")  # fmt: skip
    for row, value in (("most deprived 10%", 76.2), ("least deprived 10%", 88.2)):
        PublishedFigureFactory(indicator=indicator, area=sefton, period_text="2018-20",
                               row=f"life expectancy, {row}", value=value,
                               printed=f"{value} years")  # fmt: skip
    found = findings("gap-extremes")
    assert [f.rule for f in found] == expected
    assert all(f.severity == WARNING for f in found)


@pytest.mark.parametrize(("own", "expected"), [(17.62, ["range-extremes"]), (20.0, [])])
def test_value_outside_the_range_the_text_gives_for_the_region(sefton, north_west, own, expected):
    # Seed 002 line 2834: "top and bottom ranked authorities (Trafford, 51.0% vs Rochdale
    # 18.6%)", but Sefton's own rate is 17.62%.
    AreaLink.objects.create(parent=north_west, child=sefton, hierarchy="administrative")
    indicator = IndicatorFactory()
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2022"), value=own,
                        printed=f"{own}%")  # fmt: skip
    PublishedFigureFactory(
        kind="ratio", column="narrative", indicator=indicator, area=north_west,
        period_text="Jan 22-Dec22", printed="nearly a three-fold difference",
        claim="the top and bottom ranked authorities (Trafford, 51.0% vs Rochdale 18.6%)",
    )  # fmt: skip
    assert [f.rule for f in findings("range-extremes")] == expected


# --- (d) Direction of travel ---------------------------------------------------------------


def dashboard(sefton, arrow: str, *, before=10.0, after=7.9, polarity="lower_is_better",
              key=True, release_key="a-2023-08"):  # fmt: skip
    indicator = IndicatorFactory(polarity=polarity)
    release = ReleaseFactory(key=release_key)
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2021"), value=before,
                        printed=f"{before}%")  # fmt: skip
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2022"), value=after,
                        printed=f"{after}%")  # fmt: skip
    if key:
        for line, entry in ((3148, "- ▲ Improvement in Sefton Data"),
                            (3149, "- ▼ Sefton Data Worsened"),
                            (3150, "- ◀ No change in Sefton Data")):  # fmt: skip
            PublishedFigureFactory(release=release, table="Dashboard key", row="legend",
                                   column="Key", printed=entry, source_line=line)  # fmt: skip
    return PublishedFigureFactory(
        release=release, table="Dashboard", column="Dir of Travel", kind="direction",
        row="Smoking prevalence", indicator=indicator, area=sefton, period_text="2022",
        printed=arrow, source_line=3121,
    )  # fmt: skip


def test_arrow_that_contradicts_the_key_read_with_polarity(sefton):
    # Seed 002 line 3121: smoking 10.0% -> 7.9% (lower is better) printed ▼, key ▲ = improved.
    dashboard(sefton, "▼")
    [found] = findings("direction-legend")
    assert (found.line, found.printed, found.expected) == (3121, "▼", "▲")
    assert findings("direction-change") == []


def test_arrow_that_agrees_with_the_key(sefton):
    dashboard(sefton, "▲")
    assert findings("direction-legend") == []


def test_arrow_with_a_higher_is_better_indicator(sefton):
    dashboard(sefton, "▼", before=64.2, after=63.8, polarity="higher_is_better")
    assert findings("direction-legend") == []


def test_copy_without_arrows_in_its_key_is_read_with_the_other_copys_key(sefton):
    dashboard(sefton, "▼")
    dashboard(sefton, "▼", key=False, release_key="b-2023-08")
    found = findings("direction-legend")
    assert len(found) == 2
    assert "key of the other copy" in found[1].detail or "key of the other copy" in found[0].detail


def test_arrow_that_does_not_follow_the_raw_change(sefton):
    dashboard(sefton, "▲", key=False)
    [found] = findings("direction-change")
    assert (found.printed, found.expected) == ("▲", "▼")


def test_arrow_for_no_change(sefton):
    dashboard(sefton, "◀", before=7.9, after=7.9, key=False)
    assert findings("direction-change") == []


# --- (e) Ranks -----------------------------------------------------------------------------


@pytest.fixture
def neighbours():
    group = ComparatorGroupFactory(slug="neighbours", version="2023-08")
    group.members.set(AreaFactory.create_batch(5))
    return group


@pytest.mark.parametrize(("rank", "expected"), [(7, ["rank-out-of-range"]), (6, [])])
def test_rank_larger_than_the_group(sefton, neighbours, rank, expected):
    # Five neighbours and Sefton: six areas to rank.
    PublishedFigureFactory(kind="rank", column="Latest SNG Rank", area=sefton,
                           comparator_group=neighbours, value=rank)  # fmt: skip
    assert [f.rule for f in findings("rank-out-of-range")] == expected


def rank_cell(indicator, area, column: str, value: int, line: int = 3121, period_text="2022"):
    dashboard, _ = Release.objects.get_or_create(key="dash-2023-08", defaults={"title": "Dash"})
    return PublishedFigureFactory(
        release=dashboard, kind="rank", table="Dashboard", column=column, indicator=indicator,
        area=area, period_text=period_text, value=value, printed=str(value), source_line=line,
    )  # fmt: skip


def text_claim(indicator, area, claim: str, kind="rank", row="rank", period_text="2022"):
    return PublishedFigureFactory(
        kind=kind, column="narrative", table="report text", row=row, indicator=indicator,
        area=area, period_text=period_text, printed=claim, claim=claim,
    )  # fmt: skip


@pytest.mark.parametrize(("printed_rank", "expected"), [(2, ["rank-claim"]), (1, [])])
def test_lowest_in_the_region_against_the_printed_rank(sefton, printed_rank, expected):
    # Seed 002 line 2450 against line 3121: "lowest ... in the North West", NW rank 2.
    smoking = IndicatorFactory(polarity="lower_is_better")
    rank_cell(smoking, sefton, "Latest NW Rank", printed_rank)
    text_claim(smoking, sefton, "Sefton has the lowest adult prevalence of smoking in the North "
                                "West and amongst statistical neighbours")  # fmt: skip
    assert [f.rule for f in findings("rank-claim")] == expected


def test_ordinal_claim_scoped_to_its_own_group(sefton):
    # Seed 002 line 3082: "middle-ranked amongst statistical neighbours and fifth highest
    # amongst the 23 local authorities in the North West": the fifth is the NW rank only.
    hle = IndicatorFactory(polarity="higher_is_better")
    rank_cell(hle, sefton, "Latest NW Rank", 5)
    rank_cell(hle, sefton, "Latest SNG Rank", 3, line=3122)
    claim = (
        "Sefton is middle-ranked amongst statistical neighbours and fifth highest amongst the 23 "
        "local authorities in the North West"
    )
    text_claim(hle, sefton, claim)
    assert findings("rank-claim") == []


@pytest.mark.parametrize(("printed_rank", "expected"), [(20, ["rank-claim"]), (10, [])])
def test_count_of_areas_with_lower_rates_implies_a_rank(sefton, printed_rank, expected):
    # Seed 002 line 3037: "Nine local authorities including Wirral have lower rates than
    # Sefton" (lower is better) is rank 10; the dashboard prints 20 (line 3142).
    liver = IndicatorFactory(polarity="lower_is_better")
    rank_cell(liver, sefton, "Latest NW Rank", printed_rank, period_text="2021")
    text_claim(liver, sefton, "Nine local authorities including Wirral have lower rates than "
               "Sefton", kind="count_of", row="liver NW position", period_text="2021")  # fmt: skip
    assert [f.rule for f in findings("rank-claim")] == expected


def test_last_place_claim_against_a_rank_below_the_largest_printed(sefton):
    # Seed 002 line 2465: "lowest in the North West" with NW rank 23 while the same column
    # prints 36: a doubt (the group is not recorded), so a warning.
    completion = IndicatorFactory(polarity="higher_is_better")
    rank_cell(completion, sefton, "Latest NW Rank", 23)
    rank_cell(IndicatorFactory(), sefton, "Latest NW Rank", 36, line=3132)
    text_claim(completion, sefton, "Sefton's rate is lowest in the North West")
    [found] = findings("rank-claim")
    assert found.severity == WARNING


@pytest.mark.parametrize(("latest", "expected"), [(22, []), (20, ["rank-change"])])
def test_change_of_rank_in_the_text(sefton, latest, expected):
    # Seed 002 line 2464: "dropped down 6 places in the North West rankings": 16 -> 22.
    opiates = IndicatorFactory(polarity="higher_is_better")
    release = ReleaseFactory(key="dash-2023-08")
    for column, value, period_text in (("Prev. NW Rank", 16, "2021"), ("Latest NW Rank", latest,
                                                                       "2022")):  # fmt: skip
        PublishedFigureFactory(release=release, kind="rank", table="Dashboard", column=column,
                               indicator=opiates, area=sefton, period_text=period_text,
                               value=value, printed=str(value), source_line=3130)  # fmt: skip
    text_claim(opiates, sefton, "Sefton has dropped down 6 places in the North West rankings",
               kind="difference")  # fmt: skip
    assert [f.rule for f in findings("rank-change")] == expected


# --- (f) z-scores --------------------------------------------------------------------------


def z_table(sefton, north_west, z: float, *, polarity="higher_is_better", ours=17.62,
            theirs=31.6):  # fmt: skip
    indicator = IndicatorFactory(polarity=polarity)
    release = ReleaseFactory(key="dash-2023-08")
    PublishedFigureFactory(
        release=release, table="Dashboard key", row="legend", column="Key",
        printed="The z-score provides a measure of how Sefton deviates when compared with the "
        "rest of the North West.",
    )  # fmt: skip
    for area, value in ((sefton, ours), (north_west, theirs)):
        if value is not None:
            PrintedValueFactory(indicator=indicator, area=area, period=period("2022"),
                                value=value, printed=f"{value}%")  # fmt: skip
    return release, PublishedFigureFactory(
        release=release, table="Dashboard", column="Z-score", kind="z_score",
        indicator=indicator, area=sefton, period_text="2022", printed=f"{z:.2f}", value=z,
        source_line=3131,
    )  # fmt: skip


def test_z_score_agreeing_with_the_printed_comparator(sefton, north_west):
    # Seed 002 line 3131: 17.62% against the North West's 31.6% is worse: z -2.00.
    z_table(sefton, north_west, -2.0)
    assert findings("z-score-sign") == []


def test_z_score_with_the_wrong_sign_for_the_printed_comparator(sefton, north_west):
    z_table(sefton, north_west, 2.0)
    [found] = findings("z-score-sign")
    assert found.severity == ERROR
    assert found.expected.startswith("negative")


def test_z_score_against_the_rank_when_no_comparator_value_is_printed(sefton, north_west):
    # Seed 002 line 3121: smoking (lower is better), NW rank 2, z -1.55.
    release, z = z_table(sefton, north_west, -1.55, polarity="lower_is_better", theirs=None)
    for value, line in ((2, 3131), (36, 3132)):
        PublishedFigureFactory(release=release, kind="rank", table="Dashboard",
                               column="Latest NW Rank", indicator=z.indicator, area=sefton,
                               period_text="2022", value=value, printed=str(value),
                               source_line=line)  # fmt: skip
    [found] = findings("z-score-sign")
    assert (found.line, found.severity) == (3131, ERROR)


# --- (g) Counts ----------------------------------------------------------------------------


def trend_table(sefton):
    release = ReleaseFactory(key="phpf-2023-08-appendix")
    for line, arrow in ((3119, "▲"), (3120, "▼"), (3121, None)):
        kind, printed = ("direction", arrow) if arrow else ("z_score", "0.1")
        PublishedFigureFactory(release=release, table="Dashboard", kind=kind, printed=printed,
                               value=None if arrow else 0.1, area=sefton,
                               column="Dir of Travel" if arrow else "Z-score",
                               source_line=line)  # fmt: skip
    return ReleaseFactory(key="phpf-2023-08-report")


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("One out of the 3 indicators lack trend data", []),
        ("One out of the 2 indicators lack trend data", ["3 indicators"]),
        ("Two out of the 3 indicators lack trend data", ["1 without an arrow"]),
    ],
)
def test_count_of_indicators_against_the_dashboard_rows(sefton, claim, expected):
    # Seed 002 line 2584: "Seven out of the 23 indicators lack trend data"; 26 rows.
    report = trend_table(sefton)
    PublishedFigureFactory(release=report, kind="count_of", column="narrative", claim=claim,
                           printed=claim, source_line=2584)  # fmt: skip
    assert [f.expected for f in findings("count-of-items")] == expected


@pytest.mark.parametrize(
    ("claimed", "severity"), [(23, [WARNING]), (24, []), (22, [ERROR])]
)  # fmt: skip
def test_count_of_a_comparator_group_at_the_date_of_the_paper(release, claimed, severity):
    # Seed 002 line 3501: "23 local authorities" in the North West in January 2024 (24 then;
    # 23 before Cumbria was split in April 2023).
    old = ComparatorGroupFactory(slug="north-west", version="2021/22")
    new = ComparatorGroupFactory(slug="north-west", version="2023/24")
    areas = AreaFactory.create_batch(24)
    old.members.set(areas[:23])
    new.members.set(areas)
    PublishedFigureFactory(release=release, kind="count_of", column="narrative",
                           comparator_group=new, value=claimed,
                           claim=f"{claimed} local authorities")  # fmt: skip
    assert [f.severity for f in findings("group-size")] == severity


# --- (h) Standards and targets -------------------------------------------------------------


def label_standard(sefton, standard: str):
    indicator = IndicatorFactory(unit="duration", value_type="duration")
    TargetFactory(indicator=indicator, area=sefton, kind="duration", operator="<=", value=1800,
                  printed="<=30 Minutes", source_line=2241)  # fmt: skip
    PublishedFigureFactory(
        table="KPI", column="Key Performance Area", indicator=indicator, area=sefton,
        row=f"Ambulance Category 2 Mean {standard} response time (NS Place Level)",
        printed=standard, value=float(standard.split()[0]), source_line=2241,
    )  # fmt: skip


def test_standard_in_a_row_label_against_the_target(sefton):
    # Seed 002 line 2241: "Category 2 Mean 18 minute" with a target of <=30 minutes.
    label_standard(sefton, "18 minute")
    [found] = findings("label-standard")
    assert (found.printed, found.expected, found.severity) == ("18 minute", "30 minutes", ERROR)


def test_standard_in_a_row_label_that_matches_the_target(sefton):
    label_standard(sefton, "30 minute")
    assert findings("label-standard") == []


def test_annual_standard_against_a_monthly_trajectory_is_a_warning(sefton):
    # Seed 002 line 2245: "IAPT 16.8% Access" beside 1.59% a month (Q1-3) and 1.83% (Q4).
    indicator = IndicatorFactory()
    target = TargetFactory(indicator=indicator, area=sefton, kind="trajectory", value=None,
                           printed="1.59% per month Qtr 1-3 1.83% per month Qtr 4")  # fmt: skip
    TargetStepFactory(target=target, period=period("2023/24 Q1-3"), value=1.59)
    TargetStepFactory(target=target, period=period("2023/24 Q4"), value=1.83)
    PublishedFigureFactory(table="KPI", indicator=indicator, area=sefton, printed="16.8%",
                           value=16.8, row="Mental Health: IAPT 16.8% Access")  # fmt: skip
    [found] = findings("label-standard")
    assert (found.expected, found.severity) == ("19.8%", WARNING)


@pytest.mark.parametrize(("general", "expected"), [(1800, []), (1500, ["target-disagrees"])])
def test_one_target_printed_twice(sefton, general, expected):
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator, area=sefton, kind="duration", value=1800)
    TargetFactory(indicator=indicator, kind="duration", value=general)
    assert [f.rule for f in findings("target-disagrees")] == expected


# --- (i) Dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "expected"), [(2023, ["meeting-date"]), (2024, [])])
def test_date_on_a_slide_title_against_the_meeting(release, year, expected):
    # Seed 002 line 3454: "Overview and Scrutiny Committee January 2023" for 23 January 2024.
    PublishedFigureFactory(release=release, column="narrative",
                           printed=f"Overview and Scrutiny Committee January {year}")  # fmt: skip
    assert [f.rule for f in findings("meeting-date")] == expected


@pytest.mark.parametrize(("text", "expected"), [("2024/25", ["period-after-publication"]),
                                                ("2023/24", [])])  # fmt: skip
def test_figure_for_a_period_after_the_meeting(sefton, release, text, expected):
    PrintedValueFactory(area=sefton, release=release, period=period(text))
    assert [f.rule for f in findings("period-after-publication")] == expected


@pytest.mark.parametrize(
    ("other", "expected"), [("Nov 10 - Oct 11", ["period-label-differs"]), ("Dec 2010", [])]
)
def test_same_value_printed_for_two_overlapping_periods(sefton, other, expected):
    # Seed 002: opiate baseline "8.6% in 2010/11" (line 2816) and "Nov 10 - Oct 11" (3130).
    indicator = IndicatorFactory()
    PrintedValueFactory(indicator=indicator, area=sefton, period=period("2010/11"), value=8.6)
    PrintedValueFactory(indicator=indicator, area=sefton, period=period(other), value=8.6)
    assert [f.rule for f in findings("period-label-differs")] == expected


# --- Words and labels ----------------------------------------------------------------------


@pytest.mark.parametrize(("area_type", "expected"), [("health_locality", ["geography-label"]),
                                                     ("ccg", [])])  # fmt: skip
def test_row_labelled_ccg_for_a_figure_that_is_not(area_type, expected):
    area = AreaFactory(type=area_type)
    PublishedFigureFactory(table="KPI", area=area, row="Category 3 90th Percentile (CCG Level)")
    assert [f.rule for f in findings("geography-label")] == expected


@pytest.mark.parametrize(("words", "expected"), [("males", ["sex-label"]), ("females", [])])
def test_text_naming_the_other_sex(sefton, words, expected):
    # Seed 002 line 3094: "health life expectancy in males" in the female section.
    indicator = IndicatorFactory()
    PrintedValueFactory(indicator=indicator, area=sefton, sex="Female")
    PublishedFigureFactory(indicator=indicator, claim=f"health life expectancy in {words} ...")
    assert [f.rule for f in findings("sex-label")] == expected


@pytest.mark.parametrize(
    ("claim", "expected"),
    [("a shallow rise amongst females, falling by 1.3 years", ["wording-contradiction"]),
     ("falling by 1.3 years to 88.2 years", [])],
)  # fmt: skip
def test_one_phrase_calling_a_change_a_rise_and_a_fall(claim, expected):
    PublishedFigureFactory(column="narrative", claim=claim)
    assert [f.rule for f in findings("wording-contradiction")] == expected


# --- The command ---------------------------------------------------------------------------


def test_command_prints_findings_as_csv(sefton, release):
    PrintedValueFactory(area=sefton, release=release, period=period("2030/31"), source_line=7)
    out = io.StringIO()
    call_command("audit_figures", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_HEADER
    assert (rows[1][0], rows[1][5]) == ("paper-2024-01", "period-after-publication")
    assert rows[1][2].startswith("line 7")


def test_command_limits_to_a_release_and_lists_rules(release):
    out = io.StringIO()
    call_command("audit_figures", "--release", release.key, stdout=out)
    assert out.getvalue().splitlines() == [",".join(CSV_HEADER)]
    out = io.StringIO()
    call_command("audit_figures", "--rules", stdout=out)
    listed = [row[0] for row in csv.reader(io.StringIO(out.getvalue()))][1:]
    assert listed == list(RULES)
    with pytest.raises(CommandError, match="Unknown release"):
        call_command("audit_figures", "--release", "no-such-release", stdout=io.StringIO())


# --- The Sefton demo (seed 002) ------------------------------------------------------------


@pytest.fixture(scope="module")
def sefton_findings(django_db_setup, django_db_blocker):
    """The audit of the Sefton demo, loaded once and rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        found = audit()
        transaction.set_rollback(True)
    return found


def at(found, rule: str) -> dict[int, list]:
    lines: dict[int, list] = {}
    for f in found:
        if f.rule == rule:
            lines.setdefault(f.line, []).append(f)
    return lines


def test_demo_finds_values_printed_twice_with_different_values(sefton_findings):
    twice = at(sefton_findings, "value-printed-twice")
    assert twice[2308][0].lines == (2244, 2308)  # Category 4: 13:21:10 and 13:31:10
    assert twice[3279][0].lines == (3133, 3279)  # Health Check baseline: 6.3% and 6.1%
    assert twice[3141][0].lines == (3021, 3141)  # cancer mortality: 135.1 and 135.5
    assert "135.1" in twice[3141][0].expected
    # 98% (line 3654) is 97.7 (line 3563) rounded; 34.2% is 34.18%: the same figures.
    assert not {3563, 3654, 3131} & set(twice)


def test_demo_finds_the_ascof_differences_and_only_those(sefton_findings):
    ascof = {f.line: f for f in sefton_findings if f.rule == "difference" and "ASCOF" in f.location}
    assert set(ascof) == {3560, 3566}  # the other 34 differences check
    assert (ascof[3566].printed, ascof[3566].expected) == ("-8.8▼", "-0.8")
    assert (ascof[3560].printed, ascof[3560].expected) == ("1.8▲", "1.9")
    assert all(f.severity == ERROR for f in ascof.values())


def test_demo_finds_the_arrows_that_contradict_the_key(sefton_findings):
    copy_1 = {3121, 3122, 3123, 3124, 3125, 3126, 3127, 3129, 3135, 3137, 3138, 3144}
    copy_2 = {line + 146 for line in copy_1}  # the second copy starts at line 3265
    assert set(at(sefton_findings, "direction-legend")) == copy_1 | copy_2
    # Every arrow follows the raw change: the key is what they contradict.
    assert at(sefton_findings, "direction-change") == {}


def test_demo_finds_counts_ratios_and_percentages(sefton_findings):
    [count] = at(sefton_findings, "count-of-items")[2584]
    assert count.printed.startswith("Seven out of the 23")
    assert count.expected == "26 indicators"
    ratios = at(sefton_findings, "ratio")
    assert set(ratios) == {2470, 2537, 2623}
    assert ratios[2623][0].expected == "3.6 times"
    [fewer] = at(sefton_findings, "percent-change")[3853]
    assert (fewer.printed, fewer.expected) == ("11%", "13%")
    assert set(at(sefton_findings, "percent-change")) == {2465, 2549, 3853}
    # The three Health Check products for Sefton hold; England and the North West print the
    # uptake as "received" at line 2890.
    assert set(at(sefton_findings, "product")) == {2890}
    assert at(sefton_findings, "shares-total") == {}


def test_demo_finds_ranks_z_scores_and_copies_that_disagree(sefton_findings):
    claims = at(sefton_findings, "rank-claim")
    assert {2450, 2529, 2607, 3037} <= set(claims)  # smoking "lowest"; liver "nine lower"
    assert claims[3037][0].expected.startswith("rank 10")
    assert at(sefton_findings, "rank-change") == {}  # "dropped down 6 places" holds
    z_errors = {f.line for f in sefton_findings if f.rule == "z-score-sign" and f.severity == ERROR}
    assert z_errors == {3121, 3123, 3267, 3269}
    assert {3127, 3132} <= set(at(sefton_findings, "z-score-sign"))
    assert set(at(sefton_findings, "figure-printed-twice")) == {3284, 3285}


def test_demo_finds_labels_keys_dates_and_standards(sefton_findings):
    assert set(at(sefton_findings, "label-standard")) == {2241, 2245, 2272, 2276}
    assert at(sefton_findings, "label-standard")[2241][0].expected == "30 minutes"
    assert set(at(sefton_findings, "legend-ambiguous")) == {2303}
    assert set(at(sefton_findings, "legend-differs")) == {
        3294, 3295, 3296, 3298, 3299, 3300, 3302, 3303
    }  # fmt: skip
    assert set(at(sefton_findings, "label-differs")) == {
        3276, 3277, 3279, 3280, 3281, 3282, 3283
    }  # fmt: skip
    assert set(at(sefton_findings, "meeting-date")) == {3454}
    assert set(at(sefton_findings, "group-size")) == {3495, 3501}
    assert set(at(sefton_findings, "range-extremes")) == {2834}
    assert set(at(sefton_findings, "gap-extremes")) == {3092}
    assert set(at(sefton_findings, "sex-label")) == {3094}
    assert set(at(sefton_findings, "wording-contradiction")) == {3093}
    assert set(at(sefton_findings, "period-label-differs")) == {3130}
    assert set(at(sefton_findings, "geography-label")) == {2243}


def test_demo_findings_carry_their_provenance(sefton_findings):
    assert sefton_findings == sorted(sefton_findings, key=lambda f: (f.source, f.line))
    for f in sefton_findings:
        assert f.source == "002_4e363bc55a2032c6.txt"
        assert f.release
        assert f.location.startswith(f"line {f.line}")
        assert f.severity in (ERROR, WARNING)
        assert f.rule in RULES
