import pytest

from placebook.core.periods import parse_period
from placebook.indicators.rag import (
    Status,
    check_target,
    rate_against_england,
    rate_quartile,
    rate_rank_change,
    rate_target,
)


def test_threshold_target_met_and_missed():
    assert check_target(kind="threshold", operator=">=", value=78.5, threshold=85).met is False
    assert check_target(kind="threshold", operator=">=", value=90.23, threshold=85).met is True


def test_duration_target_in_seconds():
    # Ambulance category 1 mean 00:10:25 against <= 00:07:00 (seed 002, line 2239)
    check = check_target(kind="duration", operator="<=", value=625, threshold=420)
    assert check.met is False


def test_zero_tolerance_breached_by_one_case():
    assert check_target(kind="zero_tolerance", operator="<=", value=0, threshold=0).met is True
    breached = check_target(kind="zero_tolerance", operator="<=", value=1, threshold=0)
    assert breached.met is False
    assert "zero tolerance" in breached.text


def test_annual_cap_tracked_against_straight_line_year_to_date():
    # C. difficile: 24 cases April-October 2023 against <= 39 a year (seed 002, line 2235):
    # seven months allow 39 * 7 / 12 = 22.75, so 24 is above trajectory though under the cap.
    october = parse_period("Oct-23")
    check = check_target(kind="annual_cap", operator="<=", value=24, threshold=39, period=october)
    assert check.met is False
    assert "7-month trajectory of 22.8" in check.text
    luhft = check_target(kind="annual_cap", operator="<=", value=93, threshold=133, period=october)
    assert luhft.met is False  # 133 * 7 / 12 = 77.6 (seed 002, line 2266)
    within = check_target(kind="annual_cap", operator="<=", value=20, threshold=39, period=october)
    assert within.met is True
    assert "within" in within.text


def test_annual_cap_exceeded_outright():
    check = check_target(
        kind="annual_cap", operator="<=", value=40, threshold=39, period=parse_period("Dec-23")
    )
    assert check.met is False
    assert "exceeds the annual cap" in check.text


def test_annual_cap_needs_a_period():
    with pytest.raises(ValueError, match="period"):
        check_target(kind="annual_cap", operator="<=", value=1, threshold=39)


def test_missing_figure_is_not_rated():
    rating = rate_target(check_target(kind="threshold", operator=">=", value=None, threshold=60))
    assert rating.status == Status.GREY
    assert rating.shape == "-"


def test_every_rating_has_a_word_a_shape_and_a_rule():
    ratings = [
        rate_target(check_target(kind="threshold", operator=">=", value=1, threshold=2)),
        rate_against_england("better"),
        rate_rank_change(6, 5),
        rate_quartile(4),
    ]
    for rating in ratings:
        assert rating.label
        assert rating.shape
        assert len(rating.rule) > 40


def test_rank_change_rule_of_seed_002():
    assert rate_rank_change(6, 5).status == Status.GREEN
    assert rate_rank_change(6, 7).status == Status.RED
    assert rate_rank_change(1, 1).status == Status.YELLOW
    assert rate_rank_change(None, 3).status == Status.GREY


def test_england_significance_words():
    assert rate_against_england("worse").status == Status.RED
    assert rate_against_england("similar").status == Status.AMBER
    assert rate_against_england("not compared").status == Status.GREY


def test_quartiles():
    assert [rate_quartile(q).status for q in (1, 2, 3, 4)] == [
        Status.GREEN,
        Status.AMBER,
        Status.AMBER,
        Status.RED,
    ]
