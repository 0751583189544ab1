import numpy as np
import pytest

from placebook.stats import proportion, wilson_ci
from tests.unit.stats.helpers import raises


def test_proportion_row_wise_value_and_limits_scale_with_multiplier():
    result = proportion([3, 0], [12, 5], multiplier=100, confidence=(0.95, 0.998))
    lower, upper = wilson_ci([3, 0], [12, 5], confidence=0.998)

    np.testing.assert_allclose(result["value"], [25.0, 0.0])
    np.testing.assert_allclose(result["lower99_8cl"], lower * 100, rtol=1e-15)
    np.testing.assert_allclose(result["upper99_8cl"], upper * 100, rtol=1e-15)
    assert "group" not in result
    assert result["statistic"].tolist() == ["percentage", "percentage"]
    assert result["method"].tolist() == ["Wilson", "Wilson"]


@pytest.mark.parametrize(
    ("multiplier", "statistic"),
    [
        (1, "proportion of 1"),
        (100, "percentage"),
        (1000, "proportion of 1000"),
        (2.5, "proportion of 2.5"),
    ],
)
def test_proportion_statistic_text(multiplier, statistic):
    assert proportion([1], [10], multiplier=multiplier)["statistic"][0] == statistic


def test_proportion_grouped_sums_numerators_and_denominators_before_the_interval():
    result = proportion([1, 3, 5], [10, 30, 50], groups=["a", "a", "b"])
    lower, upper = wilson_ci([4, 5], [40, 50])

    assert result["group"].tolist() == ["a", "b"]
    np.testing.assert_allclose(result["value"], [0.1, 0.1])
    np.testing.assert_allclose(result["lower95_0cl"], lower)
    np.testing.assert_allclose(result["upper95_0cl"], upper)


def test_proportion_missing_input_gives_nan_for_the_row_or_group():
    result = proportion([1, np.nan, 2], [10, 10, 10], groups=["a", "b", "b"])
    assert result["value"][0] == 0.1
    assert np.isnan(result["value"][1])
    assert np.isnan(result["upper95_0cl"][1])


def test_proportion_only_requested_levels_appear():
    assert "lower99_8cl" not in proportion([1], [10])
    assert "lower95_0cl" not in proportion([1], [10], confidence=0.998)


@pytest.mark.parametrize(
    ("x", "n", "argument", "index"),
    [
        ([5, -1, 3], [10, 10, 10], "x", 1),
        ([5, 1, 3], [10, 10, 0], "n", 2),
        ([5, 1, 3], [-10, 10, 10], "n", 0),
        ([5, 11, 3], [10, 10, 10], "x", 1),
    ],
)
def test_proportion_errors_name_argument_and_row(x, n, argument, index):
    with raises(argument, index):
        proportion(x, n)


def test_proportion_checks_numerator_per_row_even_when_grouped():
    # 11/10 + 0/100 sums to a valid 11/110, but row 0 is still impossible.
    with raises("x", 0):
        proportion([11, 0], [10, 100], groups=["a", "a"])
