import math

import numpy as np
import pytest
from scipy import stats

from placebook.stats import ESP2013, byars_ci, dsr, isr, smr
from tests.unit.stats.helpers import Z95, raises

# Two strata with equal standard weights: 10 events in 100 people and 20 in 400.
X, N, W = [10, 20], [100, 400], [1, 1]
VALUE = (10 / 100 + 20 / 400) / 2 * 100_000  # 7500 per 100,000
VARIANCE = (10 / 100**2 + 20 / 400**2) / 2**2


def dobson(variance, level=0.95):
    lower, upper = byars_ci([30], level)
    spread = math.sqrt(variance / 30)
    return (
        VALUE + spread * (lower[0] - 30) * 100_000,
        VALUE + spread * (upper[0] - 30) * 100_000,
    )


def test_dsr_hand_worked_dobson_limits():
    result = dsr(X, N, W)
    assert result["value"][0] == pytest.approx(VALUE, rel=1e-12)
    lower, upper = dobson(VARIANCE)
    assert result["lower95_0cl"][0] == pytest.approx(lower, rel=1e-12)
    assert result["upper95_0cl"][0] == pytest.approx(upper, rel=1e-12)
    assert result["total_count"][0] == 30
    assert result["total_pop"][0] == 500
    assert result["statistic"][0] == "dsr per 100000"
    assert result["method"][0] == "Dobson"


def test_dsr_suppresses_groups_under_ten_events_with_a_note():
    result = dsr(
        [5, 4, 10, 0],
        [100, 100, 100, 100],
        [1, 1, 1, 1],
        groups=["a", "a", "b", "b"],
        confidence=(0.95, 0.998),
    )
    assert result["total_count"].tolist() == [9, 10]
    for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
        assert np.isnan(result[column][0])
        assert not np.isnan(result[column][1])
    assert result["statistic"].tolist() == ["dsr NA for total count < 10", "dsr per 100000"]


def test_dsr_missing_count_is_zero_as_upstream():
    with_nan = dsr([np.nan, 20, 10], [100, 400, 100], [1, 1, 1])
    with_zero = dsr([0, 20, 10], [100, 400, 100], [1, 1, 1])
    assert with_nan == with_zero


def test_dsr_standard_population_is_per_row_and_never_recycled():
    # Upstream 2.1 dropped recycling by position: a missing band would shift every weight.
    per_row = dsr(X * 2, N * 2, [1, 3, 1, 3], groups=["a", "a", "b", "b"])
    assert per_row["value"][0] == per_row["value"][1]
    with raises("stdpop", None):
        dsr(X * 2, N * 2, [1, 3], groups=["a", "a", "b", "b"])


def test_dsr_weights_by_band_index_from_esp2013():
    bands = np.array([0, 18, 18, 0])  # 0-4 and 90+ for two areas, rows in any order
    result = dsr([10, 20, 20, 10], [100, 400, 400, 100], ESP2013[bands], groups=[1, 1, 2, 2])
    expected = (10 / 100 * 5000 + 20 / 400 * 1000) / 6000 * 100_000
    np.testing.assert_allclose(result["value"], [expected, expected], rtol=1e-12)


def test_esp2013_is_the_19_band_european_standard_population():
    assert len(ESP2013) == 19
    assert ESP2013.sum() == 100_000
    assert not ESP2013.flags.writeable


def test_dsr_non_independent_events_widen_the_interval_by_event_frequency():
    # Stratum 1: 10 events = 4 people with 1 + 3 people with 2; stratum 2: 20 people with 1.
    persons = [[4, 3], [20, 0]]
    result = dsr(X, N, W, persons_by_events=persons)
    variance = (1 * 4 / 100**2 + 2**2 * 3 / 100**2 + 1 * 20 / 400**2) / 2**2
    lower, upper = dobson(variance)

    assert result["value"][0] == pytest.approx(VALUE, rel=1e-12)  # the rate is unchanged
    assert result["lower95_0cl"][0] == pytest.approx(lower, rel=1e-12)
    assert result["upper95_0cl"][0] == pytest.approx(upper, rel=1e-12)
    assert result["lower95_0cl"][0] < dobson(VARIANCE)[0]
    assert result["method"][0] == "Dobson, with confidence adjusted for non-independent events"


def test_dsr_non_independent_with_one_event_each_equals_independent():
    independent = dsr(X, N, W)
    one_each = dsr(X, N, W, persons_by_events=[[10], [20]])
    np.testing.assert_allclose(one_each["lower95_0cl"], independent["lower95_0cl"], rtol=1e-14)


def test_dsr_non_independent_missing_frequency_counts_as_zero():
    result = dsr(X, N, W, persons_by_events=[[4, 3], [20, np.nan]])
    assert not np.isnan(result["lower95_0cl"][0])


@pytest.mark.parametrize(
    ("kwargs", "argument", "index"),
    [
        ({"stdpop": None}, "stdpop", None),
        ({"stdpop": [1, 1, 1]}, "stdpop", None),  # not one per row
        ({"stdpop": [1, np.nan]}, "stdpop", 1),
        ({"stdpop": [1, -1]}, "stdpop", 1),
        ({"stdpop": np.array(["1", "1"])}, "stdpop", 0),
        ({"x": [10, -1]}, "x", 1),
        ({"n": [100, np.nan]}, "n", 1),
        ({"n": [0, 400]}, "n", 0),
        ({"n": [100]}, "n", None),
        ({"multiplier": 0}, "multiplier", None),
        ({"persons_by_events": [4, 20]}, "persons_by_events", None),  # not a table
        ({"persons_by_events": [[4, 3]]}, "persons_by_events", None),  # wrong number of rows
        ({"persons_by_events": [[4, 3], [20, 0], [1, 1]]}, "persons_by_events", None),
        ({"persons_by_events": [[4, 3], [-20, 20]]}, "persons_by_events", 1),
        ({"persons_by_events": [[4, 3], [19, 0]]}, "persons_by_events", 1),  # implies 19 not 20
        ({"persons_by_events": [[4, "3"], [20, 0]]}, "persons_by_events", 0),
    ],
)
def test_dsr_errors(kwargs, argument, index):
    arguments = {"x": X, "n": N, "stdpop": W, **kwargs}
    with raises(argument, index):
        dsr(**arguments)


# Indirect standardisation, by hand: reference stratum rates 100/10000 = 0.01 and
# 400/20000 = 0.02, so expected = 1000 * 0.01 + 2000 * 0.02 = 50; observed = 5 + 30 = 35.
ISR_ARGS = ([5, 30], [1000, 2000], [100, 400], [10_000, 20_000])
BYARS_35 = (
    35 * (1 - 1 / 315 - Z95 / (3 * math.sqrt(35))) ** 3,
    36 * (1 - 1 / 324 + Z95 / 18) ** 3,
)


def test_smr_hand_worked():
    result = smr(*ISR_ARGS)
    assert result["observed"][0] == 35
    assert result["expected"][0] == pytest.approx(50, rel=1e-12)
    assert result["value"][0] == pytest.approx(0.7, rel=1e-12)
    assert result["lower95_0cl"][0] == pytest.approx(BYARS_35[0] / 50, rel=1e-12)
    assert result["upper95_0cl"][0] == pytest.approx(BYARS_35[1] / 50, rel=1e-12)
    assert result["statistic"][0] == "indirectly standardised ratio x 1"
    assert result["method"][0] == "Byars"


def test_smr_times_100():
    result = smr(*ISR_ARGS, refvalue=100)
    assert result["value"][0] == pytest.approx(70, rel=1e-12)
    assert result["statistic"][0] == "indirectly standardised ratio x 100"


def test_isr_is_the_ratio_times_the_reference_rate():
    result = isr(*ISR_ARGS)
    ref_rate = 500 / 30_000 * 100_000
    assert result["ref_rate"][0] == pytest.approx(ref_rate, rel=1e-12)
    assert result["value"][0] == pytest.approx(0.7 * ref_rate, rel=1e-12)
    assert result["upper95_0cl"][0] == pytest.approx(BYARS_35[1] / 50 * ref_rate, rel=1e-12)
    assert result["statistic"][0] == "indirectly standardised rate per 100000"


def test_isr_small_observed_uses_exact_interval_and_groups_recycle_reference():
    x = [1, 2, 5, 30]
    result = smr(x, [1000, 2000] * 2, [100, 400], [10_000, 20_000], groups=["a", "a", "b", "b"])
    assert result["group"].tolist() == ["a", "b"]
    assert result["method"].tolist() == ["Exact", "Byars"]
    assert result["lower95_0cl"][0] == pytest.approx(_exact_lower(3) / 50, rel=1e-9)


def _exact_lower(count):
    return stats.chi2.ppf(0.025, 2 * count) / 2


def test_isr_missing_observed_and_reference_counts_are_zero():
    result = smr([np.nan, 35], [1000, 2000], [np.nan, 400], [10_000, 20_000])
    assert result["observed"][0] == 35
    assert result["expected"][0] == pytest.approx(40, rel=1e-12)


@pytest.mark.parametrize(
    ("index_of_argument", "value", "argument", "index"),
    [
        (0, [5, -30], "x", 1),
        (1, [-1000, 2000], "n", 0),
        (2, [100, -400], "x_ref", 1),
        (3, [10_000, 0], "n_ref", 1),
        (3, [np.nan, 20_000], "n_ref", 0),
        (2, [100, 400, 500], "x_ref", None),
    ],
)
def test_isr_and_smr_errors(index_of_argument, value, argument, index):
    arguments = list(ISR_ARGS)
    arguments[index_of_argument] = value
    with raises(argument, index):
        isr(*arguments)
    with raises(argument, index):
        smr(*arguments)


def test_smr_refvalue_must_be_positive():
    with raises("refvalue", None):
        smr(*ISR_ARGS, refvalue=-1)


def test_recycled_reference_errors_point_at_the_position_in_the_argument():
    groups = ["a", "a", "b", "b"]
    with raises("x_ref", 1):
        smr([5, 30] * 2, [1000, 2000] * 2, [100, -400], [10_000, 20_000], groups=groups)
