"""A figure against a benchmark area, the Fingertips way: better, similar or worse at 95%
and 99.8% depending on whether its confidence interval excludes the benchmark's value."""

from dataclasses import dataclass

from placebook import stats
from placebook.indicators.models import Indicator, IndicatorValue
from placebook.indicators.rag import Rating, rate_against_england


@dataclass(frozen=True)
class Comparison:
    value: IndicatorValue
    benchmark: IndicatorValue | None
    compared95_0: str
    compared99_8: str
    rating: Rating


def compare(value: IndicatorValue, benchmark: IndicatorValue | None) -> Comparison:
    """Figures without published limits, or without a benchmark, are "not compared"."""
    indicator: Indicator = value.indicator
    limits = {
        "lower95_0cl": [value.lower95_0cl],
        "upper95_0cl": [value.upper95_0cl],
        "lower99_8cl": [value.lower99_8cl],
        "upper99_8cl": [value.upper99_8cl],
    }
    known = {k: v for k, v in limits.items() if v[0] is not None}
    if benchmark is None or benchmark.value is None or not known:
        words = ("not compared", "not compared")
    else:
        result = stats.compare_to_benchmark(
            {k: [float("nan") if v[0] is None else v[0]] for k, v in limits.items()},
            benchmark.value,
            polarity=indicator.stats_polarity,
        )
        words = (str(result["compared95_0"][0]), str(result["compared99_8"][0]))
    return Comparison(value, benchmark, words[0], words[1], rate_against_england(words[0]))


def compare_current(
    *, indicator: Indicator, area_code: str, benchmark_code: str, period_label=None
):
    """Every current figure for an area (or one period) against the benchmark's same period."""
    values = (
        IndicatorValue.objects.current()
        .filter(indicator=indicator, area__code=area_code)
        .select_related("indicator", "area", "period")
        .order_by("period__end")
    )
    if period_label:
        values = values.filter(period__label=period_label)
    benchmarks = {
        (v.period_id, v.sex, v.age): v
        for v in IndicatorValue.objects.current().filter(
            indicator=indicator, area__code=benchmark_code
        )
    }
    return [compare(v, benchmarks.get((v.period_id, v.sex, v.age))) for v in values]
