import math

import numpy as np
import pytest

from placebook.stats import StatsResult, proportion


def test_stats_result_is_a_read_only_mapping_of_columns():
    result = StatsResult({"value": [1.0, 2.0], "statistic": np.array(["a", "b"], dtype=object)})

    assert result.columns == ("value", "statistic")
    assert list(result) == ["value", "statistic"]
    assert result.nrows == 2
    assert len(result) == 2  # a Mapping: number of columns
    np.testing.assert_array_equal(result["value"], [1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        result["value"][0] = 5.0
    with pytest.raises(TypeError):
        result.data["value"] = np.zeros(2)  # type: ignore[index]


def test_stats_result_copies_so_freezing_never_touches_the_callers_array():
    mine = np.array([1.0, 2.0])
    StatsResult({"value": mine})
    mine[0] = 9.0  # still writable
    assert mine[0] == 9.0


def test_stats_result_rejects_columns_of_different_lengths():
    with pytest.raises(ValueError, match="'n' has 1 rows, expected 2"):
        StatsResult({"x": [1, 2], "n": [3]})


def test_stats_result_rejects_two_dimensional_columns():
    with pytest.raises(ValueError, match="one-dimensional"):
        StatsResult({"x": [[1, 2]]})


def test_stats_result_to_rows_gives_plain_python_values():
    rows = StatsResult(
        {"group": np.array(["a", "b"]), "value": [0.5, math.nan], "method": [None, "Exact"]}
    ).to_rows()

    assert rows[0] == {"group": "a", "value": 0.5, "method": None}
    assert type(rows[0]["group"]) is str
    assert type(rows[0]["value"]) is float
    assert math.isnan(rows[1]["value"])


def test_stats_result_equality_treats_nan_as_equal():
    one = StatsResult({"value": [1.0, math.nan]}, confidence=(0.95,))
    assert one == StatsResult({"value": [1.0, math.nan]}, confidence=(0.95,))
    assert one != StatsResult({"value": [1.0, math.nan]}, confidence=(0.998,))
    assert one != StatsResult({"value": [2.0, math.nan]}, confidence=(0.95,))
    assert one != StatsResult({"other": [1.0, math.nan]}, confidence=(0.95,))
    assert one != {"value": [1.0, math.nan]}


def test_stats_result_is_unhashable_and_has_a_short_repr():
    result = StatsResult({"value": [1.0]})
    with pytest.raises(TypeError):
        hash(result)
    assert repr(result) == "StatsResult(columns=['value'], nrows=1)"


def test_stats_result_with_no_columns_has_no_rows():
    result = StatsResult({})
    assert result.nrows == 0
    assert result.to_rows() == []


def test_stats_result_columns_for_both_confidence_levels_are_in_a_fixed_order():
    result = proportion([1], [10], confidence=(0.998, 0.95))
    assert result.columns == (
        "x",
        "n",
        "value",
        "lower95_0cl",
        "upper95_0cl",
        "lower99_8cl",
        "upper99_8cl",
        "statistic",
        "method",
    )
    assert result.confidence == (0.95, 0.998)
