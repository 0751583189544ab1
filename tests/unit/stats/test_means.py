import math

import numpy as np
import pytest

from placebook.stats import mean
from tests.unit.stats.helpers import raises


def test_mean_hand_worked_t_interval():
    # mean 5, sample sd sqrt(32 / 7), t(0.975, 7 df) = 2.364624251592785
    result = mean([2, 4, 4, 4, 5, 5, 7, 9])
    half_width = 2.364624251592785 * math.sqrt(32 / 7) / math.sqrt(8)

    assert result.columns[:4] == ("value_sum", "value_count", "stdev", "value")
    assert result["value_sum"][0] == 40
    assert result["value_count"][0] == 8
    assert result["stdev"][0] == pytest.approx(math.sqrt(32 / 7), rel=1e-12)
    assert result["lower95_0cl"][0] == pytest.approx(5 - half_width, rel=1e-12)
    assert result["upper95_0cl"][0] == pytest.approx(5 + half_width, rel=1e-12)
    assert result["statistic"][0] == "mean"
    assert result["method"][0] == "Student's t-distribution"


def test_mean_99_8_interval_uses_t_quantile_at_0_999():
    # t(0.999, 3 df) = 10.214531852407383; values 1..4: mean 2.5, sd sqrt(5/3)
    result = mean([1, 2, 3, 4], confidence=0.998)
    half_width = 10.214531852407383 * math.sqrt(5 / 3) / 2
    assert result["upper99_8cl"][0] == pytest.approx(2.5 + half_width, rel=1e-12)


def test_mean_grouped_in_first_seen_order():
    result = mean([10, 1, 12, 3], groups=["b", "a", "b", "a"])
    assert result["group"].tolist() == ["b", "a"]
    np.testing.assert_allclose(result["value"], [11, 2])
    np.testing.assert_allclose(result["stdev"], [math.sqrt(2), math.sqrt(2)])


def test_mean_of_one_value_has_no_interval():
    result = mean([7.0, 1.0, 2.0], groups=["solo", "pair", "pair"])
    assert result["value"][0] == 7.0
    assert np.isnan(result["stdev"][0])
    assert np.isnan(result["lower95_0cl"][0])
    assert result["value"][1] == 1.5


def test_mean_missing_value_makes_the_group_nan():
    result = mean([1.0, np.nan, 2.0, 4.0], groups=["a", "a", "b", "b"])
    assert np.isnan(result["value"][0])
    assert result["value"][1] == 3.0
    assert result["value_count"][0] == 2


def test_mean_rejects_non_numeric_values():
    with raises("x", 1):
        mean(np.array([1.0, "a"], dtype=object))
