import math

import numpy as np
import pytest

from placebook.stats import Interval, byars_ci, poisson_ci, wilson_ci
from placebook.stats.intervals import z_value
from tests.unit.stats.helpers import Z95, Z998, raises


def test_z_constants_match_scipy():
    assert z_value(0.95) == pytest.approx(Z95, rel=1e-15)
    assert z_value(0.998) == pytest.approx(Z998, rel=1e-15)


def test_wilson_ci_at_the_boundaries_stays_inside_zero_and_one():
    # x = 0: lower = (z^2 - z * z) / ... = 0, upper = 2 z^2 / (2 (n + z^2)).
    lower, upper = wilson_ci([0, 10], [10, 10])
    np.testing.assert_allclose(lower, [0.0, 10 / (10 + Z95**2)], rtol=1e-12)
    np.testing.assert_allclose(upper, [Z95**2 / (10 + Z95**2), 1.0], rtol=1e-12)


def test_wilson_ci_hand_worked_middle_value():
    # x = 5, n = 20 at 99.8%: (2x + z^2 +/- z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
    root = math.sqrt(Z998**2 + 4 * 5 * 0.75)
    expected = (
        (10 + Z998**2 - Z998 * root) / (2 * (20 + Z998**2)),
        (10 + Z998**2 + Z998 * root) / (2 * (20 + Z998**2)),
    )
    result = wilson_ci([5], [20], confidence=0.998)
    assert isinstance(result, Interval)
    np.testing.assert_allclose([result.lower[0], result.upper[0]], expected, rtol=1e-12)


def test_wilson_ci_missing_input_gives_nan():
    lower, upper = wilson_ci([np.nan, 1], [10, np.nan])
    assert np.isnan(lower).all()
    assert np.isnan(upper).all()


@pytest.mark.parametrize(
    ("x", "n", "argument", "index"),
    [
        ([1, -1], [10, 10], "x", 1),
        ([1, 1], [10, 0], "n", 1),
        ([1, 1], [-10, 10], "n", 0),
        ([1, 11], [10, 10], "x", 1),
    ],
)
def test_wilson_ci_errors(x, n, argument, index):
    with raises(argument, index):
        wilson_ci(x, n)


def test_byars_ci_hand_worked():
    # 100 events: 100 (1 - 1/900 - z/30)^3 and 101 (1 - 1/909 + z/(3 sqrt(101)))^3
    lower, upper = byars_ci([100])
    assert lower[0] == pytest.approx(100 * (1 - 1 / 900 - Z95 / 30) ** 3, rel=1e-12)
    assert upper[0] == pytest.approx(
        101 * (1 - 1 / 909 + Z95 / (3 * math.sqrt(101))) ** 3, rel=1e-12
    )


def test_byars_ci_negative_lower_limit_and_zero_count_are_nan():
    lower, upper = byars_ci([0, 1], confidence=0.998)
    assert np.isnan(lower).all()
    assert upper[0] == pytest.approx((1 - 1 / 9 + Z998 / 3) ** 3, rel=1e-12)


def test_byars_ci_rejects_negative_counts():
    with raises("x", 2):
        byars_ci([1, 2, -3])


def test_poisson_ci_is_exact_below_ten_and_byars_from_ten():
    lower, upper = poisson_ci([0, 1, 9, 10])
    # Exact, by hand: for x = 0 the upper limit solves P(0; mu) = 0.025, mu = -ln(0.025);
    # for x = 1 the lower limit solves P(X >= 1; mu) = 0.025, mu = -ln(0.975).
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert lower[1] == pytest.approx(-math.log(0.975), rel=1e-12)
    byars_lower, byars_upper = byars_ci([9, 10])
    assert lower[2] != pytest.approx(byars_lower[0], rel=1e-3)  # 9 is exact, not Byar's
    assert lower[3] == byars_lower[1]
    assert upper[3] == byars_upper[1]


def test_poisson_ci_handles_fractional_small_counts():
    lower, upper = poisson_ci([0.5, 1.0])
    assert 0 < lower[0] < lower[1]
    assert upper[0] < upper[1]


def test_poisson_ci_missing_count_is_nan():
    lower, upper = poisson_ci([np.nan])
    assert np.isnan(lower[0])
    assert np.isnan(upper[0])


def test_poisson_ci_rejects_negative_counts():
    with raises("x", 0):
        poisson_ci([-1])
