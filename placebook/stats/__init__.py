"""Indicator statistics for Placebook: pure numpy/scipy, no Django (see README.md here).

Mirrors PHEindicatormethods, the R package behind OHID Fingertips. Every function is vectorised
over numpy arrays and returns a :class:`StatsResult`; bad input raises :class:`StatsInputError`.
"""

from placebook.stats.comparison import (
    Polarity,
    compare_to_benchmark,
    direction_of_travel,
    rank_within,
    z_scores,
)
from placebook.stats.errors import StatsInputError
from placebook.stats.intervals import Interval, byars_ci, poisson_ci, wilson_ci
from placebook.stats.means import mean
from placebook.stats.proportions import proportion
from placebook.stats.quantiles import quantiles
from placebook.stats.rates import crude_rate
from placebook.stats.result import StatsResult
from placebook.stats.standardised import ESP2013, dsr, isr, smr

__all__ = [
    "ESP2013",
    "Interval",
    "Polarity",
    "StatsInputError",
    "StatsResult",
    "byars_ci",
    "compare_to_benchmark",
    "crude_rate",
    "direction_of_travel",
    "dsr",
    "isr",
    "mean",
    "poisson_ci",
    "proportion",
    "quantiles",
    "rank_within",
    "smr",
    "wilson_ci",
    "z_scores",
]
