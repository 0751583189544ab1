import numpy as np
import pytest

from placebook.stats import quantiles
from tests.unit.stats.helpers import raises


def test_quintiles_of_one_to_ten_not_inverted():
    # N = 10, q = 5: quantile = floor(6 - ceil((11 - rank) / 2))
    result = quantiles(np.arange(1, 11), nquantiles=5, invert=False)
    assert result["quantile"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert result["statistic"][0] == "Quintile"
    assert "group" not in result


def test_inverted_puts_the_highest_values_in_quantile_one():
    result = quantiles(np.arange(1, 11), nquantiles=5)
    assert result["quantile"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_ties_share_a_quantile():
    # ranks 1, 2, 2, 4 (ties take the lowest rank): floor(3 - ceil((5 - rank) / 2))
    result = quantiles([1, 2, 2, 3], nquantiles=2, invert=False)
    assert result["quantile"].tolist() == [1, 1, 1, 2]


def test_missing_values_are_not_counted_and_get_nan():
    result = quantiles([1, np.nan, 2, 3, 4], nquantiles=2, invert=False)
    np.testing.assert_array_equal(result["quantile"], [1, np.nan, 1, 2, 2])


def test_quantiles_within_groups_and_too_few_values():
    values = [5, 1, 9, 3, 7]
    result = quantiles(values, groups=["x", "y", "x", "y", "y"], nquantiles=3, invert=False)
    assert result["group"].tolist() == ["x", "y", "x", "y", "y"]
    np.testing.assert_array_equal(result["quantile"], [np.nan, 1, np.nan, 2, 3])
    assert result["statistic"].tolist() == [
        "Tertile NA: fewer than 3 values in group",
        "Tertile",
        "Tertile NA: fewer than 3 values in group",
        "Tertile",
        "Tertile",
    ]


def test_invert_can_differ_between_groups():
    result = quantiles(
        [1, 2, 1, 2],
        groups=["up", "up", "down", "down"],
        nquantiles=2,
        invert=[False, False, True, True],
    )
    assert result["quantile"].tolist() == [1, 2, 2, 1]


def test_unnamed_quantile_count_gets_a_generic_name():
    assert quantiles(np.arange(9), nquantiles=9)["statistic"][0] == "9-quantile"


@pytest.mark.parametrize(
    ("kwargs", "argument", "index"),
    [
        ({"nquantiles": 1}, "nquantiles", None),
        ({"nquantiles": 2.5}, "nquantiles", None),
        ({"nquantiles": True}, "nquantiles", None),
        ({"invert": "yes"}, "invert", None),
        ({"invert": [True, False]}, "invert", None),
        ({"invert": [True, True, False, False], "groups": ["a", "a", "a", "b"]}, "invert", 0),
        ({"values": ["1", "2", "3", "4"]}, "values", 0),
    ],
)
def test_quantiles_errors(kwargs, argument, index):
    arguments = {"values": [1, 2, 3, 4], **kwargs}
    with raises(argument, index):
        quantiles(**arguments)
