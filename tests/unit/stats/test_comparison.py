import numpy as np
import pytest
from scipy import stats

from placebook.stats import (
    Polarity,
    compare_to_benchmark,
    direction_of_travel,
    proportion,
    rank_within,
    z_scores,
)
from tests.unit.stats.helpers import raises

# Intervals: clearly above 50, clearly below, containing, touching from above, touching below.
LIMITS = {"lower95_0cl": [55, 40, 45, 50, 30], "upper95_0cl": [60, 45, 55, 60, 50]}


@pytest.mark.parametrize(
    ("polarity", "words"),
    [
        ("higher is better", ["better", "worse", "similar", "similar", "similar"]),
        ("lower is better", ["worse", "better", "similar", "similar", "similar"]),
        ("no judgement", ["higher", "lower", "similar", "similar", "similar"]),
        (Polarity.LOWER_IS_BETTER, ["worse", "better", "similar", "similar", "similar"]),
    ],
)
def test_compare_to_benchmark_by_polarity(polarity, words):
    result = compare_to_benchmark(LIMITS, 50, polarity=polarity)
    assert result.columns == ("compared95_0",)
    assert result["compared95_0"].tolist() == words


def test_compare_to_benchmark_both_levels_from_a_result_with_groups():
    result = proportion(
        [30, 45, 60], [100, 100, 100], groups=["a", "b", "c"], confidence=(0.95, 0.998)
    )
    # 0.45 +/- ~0.1: similar to 0.5 at both levels; 0.30 worse at both; 0.60: 95% interval
    # (0.502, 0.691) excludes 0.5 but the 99.8% one (0.447, 0.737) does not.
    compared = compare_to_benchmark(result, 0.5, polarity="higher is better")
    assert compared["group"].tolist() == ["a", "b", "c"]
    assert compared["compared95_0"].tolist() == ["worse", "similar", "better"]
    assert compared["compared99_8"].tolist() == ["worse", "similar", "similar"]
    assert compared.confidence == (0.95, 0.998)


def test_compare_to_benchmark_per_row_benchmark_and_missing_values():
    limits = {"lower99_8cl": [1, np.nan, 1], "upper99_8cl": [2, 2, 2]}
    result = compare_to_benchmark(limits, [0, 0, np.nan], polarity="lower is better")
    assert result["compared99_8"].tolist() == ["worse", "not compared", "not compared"]


@pytest.mark.parametrize(
    ("limits", "benchmark", "polarity", "argument"),
    [
        ({"value": [1]}, 0, "higher is better", "limits"),
        ({"lower95_0cl": [1]}, 0, "higher is better", "limits"),
        (LIMITS, [1, 2], "higher is better", "benchmark"),
        (LIMITS, 50, "high is good", "polarity"),
        ({"lower95_0cl": [1, 2], "upper95_0cl": [3]}, 0, "no judgement", "upper95_0cl"),
    ],
)
def test_compare_to_benchmark_errors(limits, benchmark, polarity, argument):
    with raises(argument, None):
        compare_to_benchmark(limits, benchmark, polarity=polarity)


def test_z_scores_positive_means_better():
    # mean 2, sample sd 1
    higher = z_scores([1, 2, 3], polarity="higher is better")
    lower = z_scores([1, 2, 3], polarity="lower is better")
    neutral = z_scores([1, 2, 3], polarity="no judgement")
    assert higher["z"].tolist() == [-1, 0, 1]
    assert lower["z"].tolist() == [1, 0, -1]
    assert neutral["z"].tolist() == [-1, 0, 1]


def test_z_scores_against_a_comparator_subset_within_groups():
    # Group a's comparators are 1 and 3 (mean 2, sd sqrt 2); 10 is scored but not a comparator.
    result = z_scores(
        [1, 3, 10, 5, 5, 7],
        groups=["a", "a", "a", "b", "b", "b"],
        comparator=[True, True, False, True, True, False],
        polarity="higher is better",
    )
    assert result["group"].tolist() == ["a", "a", "a", "b", "b", "b"]
    assert result["z"][2] == pytest.approx(8 / np.sqrt(2))
    assert np.isnan(result["z"][3:]).all()  # group b's comparators have no spread


def test_z_scores_missing_value_and_lone_comparator_are_nan():
    result = z_scores([1, np.nan, 4], groups=["a", "a", "b"], polarity="higher is better")
    assert np.isnan(result["z"]).all()


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"comparator": [1, 0, 1]}, "comparator"),
        ({"comparator": [True, False]}, "comparator"),
        ({"polarity": "up"}, "polarity"),
    ],
)
def test_z_scores_errors(kwargs, argument):
    arguments = {"values": [1, 2, 3], "polarity": "higher is better", **kwargs}
    with raises(argument, None):
        z_scores(**arguments)


def test_rank_within_uses_competition_ranking_with_one_as_best():
    values = [10, 20, 20, 5]
    assert rank_within(values, polarity="higher is better")["rank"].tolist() == [3, 1, 1, 4]
    assert rank_within(values, polarity="lower is better")["rank"].tolist() == [2, 3, 3, 1]
    assert rank_within(values, polarity="no judgement")["rank"].tolist() == [3, 1, 1, 4]


def test_rank_within_groups_skips_missing_values():
    result = rank_within(
        [3, np.nan, 1, 2, 2], groups=["a", "a", "a", "b", "b"], polarity="lower is better"
    )
    np.testing.assert_array_equal(result["rank"], [2, np.nan, 1, 1, 1])
    assert result["rank_of"].tolist() == [2, 2, 2, 2, 2]


def test_rank_within_rejects_unknown_polarity():
    with raises("polarity", None):
        rank_within([1], polarity="best")


def test_direction_of_travel_two_periods_hand_worked():
    # 50/100 then 80/100: p = 0.65, T = 15, var = 0.65 * 0.35 * 50, chi2 = 225 / 11.375
    result = direction_of_travel([50, 80], [100, 100], [2023, 2024], polarity="higher is better")
    assert result["chi_squared"][0] == pytest.approx(225 / 11.375, rel=1e-12)
    assert result["periods"][0] == 2
    assert result["direction"][0] == "increasing"
    assert result["judgement"][0] == "better"
    # With two periods the trend test is the 2x2 chi-squared test without continuity correction.
    chi2, p_value, _, _ = stats.chi2_contingency([[50, 50], [80, 20]], correction=False)
    assert result["chi_squared"][0] == pytest.approx(chi2, rel=1e-12)
    assert result["p_value"][0] == pytest.approx(p_value, rel=1e-9)


def test_direction_of_travel_five_periods_decreasing_judged_by_polarity():
    # p = 0.6, tbar = 2, T = -100, sum n (t - tbar)^2 = 1000, chi2 = 10000 / 240
    args = ([80, 70, 60, 50, 40], [100] * 5, [0, 1, 2, 3, 4])
    lower_better = direction_of_travel(*args, polarity="lower is better", min_periods=5)
    higher_better = direction_of_travel(*args, polarity="higher is better")
    neutral = direction_of_travel(*args, polarity="no judgement")
    assert lower_better["chi_squared"][0] == pytest.approx(10000 / 240, rel=1e-12)
    assert lower_better["direction"][0] == "decreasing"
    assert lower_better["judgement"][0] == "better"
    assert higher_better["judgement"][0] == "worse"
    assert neutral["direction"][0] == "decreasing"
    assert neutral["judgement"][0] == "no judgement"


def test_direction_of_travel_confidence_level_separates_change_from_noise():
    # 50 -> 65 of 100: chi2 = 56.25 / 12.21875 = 4.60, p = 0.032
    args = ([50, 65], [100, 100], [1, 2])
    at_95 = direction_of_travel(*args, polarity="higher is better", confidence=0.95)
    at_998 = direction_of_travel(*args, polarity="higher is better")
    assert at_95["chi_squared"][0] == pytest.approx(56.25 / 12.21875, rel=1e-12)
    assert at_95["direction"][0] == "increasing"
    assert at_998["direction"][0] == "no significant change"
    assert at_998["judgement"][0] == "no significant change"
    assert at_998.confidence == (0.998,)


def test_direction_of_travel_not_calculated_cases_per_group():
    result = direction_of_travel(
        [0, 0, 5, 10, 20, 7, np.nan],
        [100, 100, 100, 100, 100, 100, 100],
        [1, 2, 1, 2, 3, 1, 2],
        groups=["none", "none", "few", "few", "few", "one", "one"],
        polarity="higher is better",
        min_periods=3,
    )
    assert result["group"].tolist() == ["none", "few", "one"]
    assert result["periods"].tolist() == [2, 3, 1]
    assert result["direction"].tolist() == ["not calculated", "increasing", "not calculated"]
    assert result["judgement"].tolist() == ["not calculated", "better", "not calculated"]


@pytest.mark.parametrize(
    ("kwargs", "argument", "index"),
    [
        ({"x": [1, 120]}, "x", 1),
        ({"x": [-1, 1]}, "x", 0),
        ({"n": [100, 0]}, "n", 1),
        ({"period": [1, np.nan]}, "period", 1),
        ({"period": [1]}, "period", None),
        ({"min_periods": 1}, "min_periods", None),
        ({"min_periods": True}, "min_periods", None),
        ({"confidence": (0.95, 0.998)}, "confidence", None),
        ({"polarity": "higher"}, "polarity", None),
    ],
)
def test_direction_of_travel_errors(kwargs, argument, index):
    arguments = {"x": [1, 2], "n": [100, 100], "period": [1, 2], "polarity": "higher is better"}
    with raises(argument, index):
        direction_of_travel(**{**arguments, **kwargs})
