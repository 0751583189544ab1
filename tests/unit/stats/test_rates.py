import math

import numpy as np
import pytest

from placebook.stats import crude_rate, poisson_ci
from tests.unit.stats.helpers import raises


def test_crude_rate_zero_events_has_exact_interval_from_zero():
    result = crude_rate([0], [1000])
    assert result["value"][0] == 0.0
    assert result["lower95_0cl"][0] == 0.0
    # upper = -ln(0.025) events, per 1000 people, per 100,000
    assert result["upper95_0cl"][0] == pytest.approx(-math.log(0.025) / 1000 * 100_000)
    assert result["method"][0] == "Exact"


def test_crude_rate_switches_method_at_ten_events():
    result = crude_rate([9, 10, np.nan], [100, 100, 100], multiplier=100)
    assert result["method"].tolist() == ["Exact", "Byars", None]
    lower, upper = poisson_ci([9, 10, np.nan])
    np.testing.assert_allclose(result["lower95_0cl"], lower)
    np.testing.assert_allclose(result["upper95_0cl"], upper)
    assert result["statistic"].tolist() == ["rate per 100"] * 3


def test_crude_rate_allows_more_events_than_people():
    result = crude_rate([250], [220], multiplier=1000)
    assert result["value"][0] == pytest.approx(250 / 220 * 1000)


def test_crude_rate_grouped_sums_first():
    result = crude_rate([4, 8, 30], [1000, 1000, 500], groups=[2024, 2024, 2025])
    assert result["group"].tolist() == [2024, 2025]
    assert result["method"].tolist() == ["Byars", "Byars"]
    np.testing.assert_allclose(result["value"], [600.0, 6000.0])


def test_crude_rate_missing_denominator_gives_nan_but_keeps_method():
    result = crude_rate([12], [np.nan])
    assert np.isnan(result["value"][0])
    assert result["method"][0] == "Byars"


@pytest.mark.parametrize(
    ("x", "n", "argument", "index"),
    [([1, -2], [10, 10], "x", 1), ([1, 2], [0, 10], "n", 0), ([1, 2], [10, -1], "n", 1)],
)
def test_crude_rate_errors(x, n, argument, index):
    with raises(argument, index):
        crude_rate(x, n)
