"""Input errors shared by every function: numbers, lengths, confidence, multiplier, groups."""

from decimal import Decimal

import numpy as np
import pytest

from placebook.stats import StatsInputError, crude_rate, mean, proportion, wilson_ci
from tests.unit.stats.helpers import raises


def test_stats_input_error_is_a_value_error_naming_argument_and_row():
    error = StatsInputError("x", "must be numeric", 3)
    assert isinstance(error, ValueError)
    assert str(error) == "x: must be numeric (row 3)"
    assert str(StatsInputError("confidence", "bad")) == "confidence: bad"


@pytest.mark.parametrize(
    ("x", "index"),
    [
        (np.array(["1", "2"]), 0),  # a string array, even of digits
        (np.array([1, "2", 3], dtype=object), 1),  # one string among numbers
        (np.array([True, False]), 0),  # booleans are not counts
        (np.array([1, True], dtype=object), 1),
        (np.array([1 + 2j]), 0),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), 0),
    ],
)
def test_non_numeric_input_names_the_first_bad_row(x, index):
    with raises("x", index):
        proportion(x, np.full(len(x), 10))


def test_non_numeric_empty_string_array_has_no_row():
    with raises("x", None):
        proportion(np.array([], dtype=str), [])


def test_infinite_input_is_rejected():
    with raises("n", 1):
        crude_rate([1, 2], [10, np.inf])


def test_none_decimal_and_integers_are_accepted_as_numbers():
    result = proportion(np.array([Decimal("1"), None, 2], dtype=object), [10, 10, 10])
    np.testing.assert_allclose(result["value"], [0.1, np.nan, 0.2])


def test_scalars_are_one_row():
    assert proportion(1, 4)["value"].tolist() == [0.25]


def test_two_dimensional_input_is_rejected():
    with raises("x", None):
        proportion([[1, 2]], [[3, 4]])


def test_ragged_input_is_rejected():
    with raises("x", None):
        mean([[1, 2], [3]])


def test_length_mismatch_names_the_second_argument():
    with raises("n", None):
        proportion([1, 2], [10])


@pytest.mark.parametrize(
    ("confidence", "index"),
    [
        (0.9, 0),
        (0.99, 0),
        (95, 0),  # percent forms are refused, not guessed at
        (99.8, 0),
        (1, 0),
        ("0.95", 0),
        (True, 0),
        (None, 0),
        ((), None),
        ((0.95, 0.95), None),
        ((0.95, 0.998, 0.9), None),
        ([0.95, "x"], 1),
    ],
)
def test_confidence_outside_the_allowed_values_is_rejected(confidence, index):
    with raises("confidence", index):
        proportion([1], [10], confidence=confidence)


@pytest.mark.parametrize("confidence", [0.95, 0.998, (0.95,), [0.998, 0.95], np.array([0.95])])
def test_allowed_confidence_forms(confidence):
    assert proportion([1], [10], confidence=confidence).nrows == 1


def test_single_level_functions_refuse_two_levels():
    with raises("confidence", None):
        wilson_ci([1], [10], confidence=(0.95, 0.998))


@pytest.mark.parametrize("multiplier", [0, -100, float("nan"), float("inf"), "100", None, True])
def test_multiplier_must_be_a_positive_number(multiplier):
    with raises("multiplier", None):
        crude_rate([1], [10], multiplier=multiplier)


def test_groups_must_have_one_label_per_row():
    with raises("groups", None):
        proportion([1, 2], [10, 10], groups=["a"])


def test_groups_must_be_comparable():
    with raises("groups", None):
        proportion([1, 2], [10, 10], groups=np.array(["a", 1], dtype=object))


def test_groups_come_back_in_first_seen_order():
    result = proportion([1, 2, 3, 4], [10, 10, 10, 10], groups=["b", "a", "b", "c"])
    assert result["group"].tolist() == ["b", "a", "c"]
    assert result["x"].tolist() == [4.0, 2.0, 4.0]
    assert result["n"].tolist() == [20.0, 10.0, 10.0]
