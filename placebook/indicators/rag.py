"""Ratings with written rules. A rating is never only a colour: it carries a word, a shape
and the rule that produced it, and pages show all three (seed 002's printed packs lost their
meaning when the colours were lost)."""

from dataclasses import dataclass
from enum import StrEnum

from placebook.core.periods import Period as ParsedPeriod
from placebook.core.periods import financial_year_of


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    YELLOW = "yellow"
    GREY = "grey"


SHAPES = {
    Status.GREEN: "▲",  # better / met / improved
    Status.AMBER: "◆",
    Status.YELLOW: "●",  # no change
    Status.RED: "▼",  # worse / missed
    Status.GREY: "-",  # not rated
}


@dataclass(frozen=True)
class Rating:
    status: Status
    label: str
    rule: str

    @property
    def shape(self) -> str:
        return SHAPES[self.status]


class RagRule(StrEnum):
    TARGET = "target"
    ENGLAND_SIGNIFICANCE = "england_significance"
    RANK_CHANGE = "rank_change"
    QUARTILE = "quartile"


RULE_TEXT = {
    RagRule.TARGET: "Green when the target is met (or a year-to-date cap is within its "
    "straight-line trajectory); red when it is missed.",
    RagRule.ENGLAND_SIGNIFICANCE: "Compared with England at 95% confidence (Fingertips "
    "method): green when significantly better, amber when not significantly different, red "
    "when significantly worse.",
    RagRule.RANK_CHANGE: "Change in rank within the comparator group since the previous "
    "edition (seed 002's rule): green when the rank improved, yellow when it stayed the "
    "same, red when it worsened.",
    RagRule.QUARTILE: "Position among all English councils (ASCOF): green in the top "
    "quartile, amber in the middle half, red in the bottom quartile.",
}

NOT_RATED = "Not rated"


@dataclass(frozen=True)
class TargetCheck:
    """What a target says about one figure. ``met`` is None when it cannot be judged."""

    met: bool | None
    text: str


def check_target(
    *,
    kind: str,
    operator: str,
    value: float | None,
    threshold: float | None,
    period: ParsedPeriod | None = None,
) -> TargetCheck:
    """Judge a figure against a target.

    For an annual cap tracked year to date (C. difficile ≤ 39 a year), the count so far is
    compared with the straight-line share of the cap for the months elapsed, as NHS England's
    healthcare-associated infection objectives are monitored.
    """
    if value is None or threshold is None:
        return TargetCheck(None, "No figure to judge" if value is None else "No target set")
    if kind == "annual_cap":
        if period is None:
            raise ValueError("An annual cap needs the period the count runs to.")
        year = financial_year_of(period.end)
        months = (period.end.year - year.start.year) * 12 + period.end.month - year.start.month + 1
        allowed = threshold * months / 12
        if value > threshold:
            return TargetCheck(False, f"{value:g} exceeds the annual cap of {threshold:g}")
        met = value <= allowed
        word = "within" if met else "above"
        trajectory = f"the {months}-month trajectory of {allowed:.1f} (cap {threshold:g})"
        return TargetCheck(met, f"{value:g} is {word} {trajectory}")
    met = value >= threshold if operator == ">=" else value <= threshold
    if kind == "zero_tolerance":
        return TargetCheck(met, "None, as required" if met else f"{value:g} against zero tolerance")
    word = "at least" if operator == ">=" else "at most"
    return TargetCheck(met, f"{'Met' if met else 'Missed'}: target {word} {threshold:g}")


def rate_target(check: TargetCheck) -> Rating:
    if check.met is None:
        return Rating(Status.GREY, f"{NOT_RATED}: {check.text.lower()}", RULE_TEXT[RagRule.TARGET])
    return Rating(Status.GREEN if check.met else Status.RED, check.text, RULE_TEXT[RagRule.TARGET])


def rate_against_england(comparison: str) -> Rating:
    """From stats.compare_to_benchmark's word at 95%."""
    mapping = {
        "better": (Status.GREEN, "Better than England"),
        "similar": (Status.AMBER, "Similar to England"),
        "worse": (Status.RED, "Worse than England"),
        "higher": (Status.GREY, "Higher than England"),
        "lower": (Status.GREY, "Lower than England"),
    }
    status, label = mapping.get(comparison, (Status.GREY, NOT_RATED))
    return Rating(status, label, RULE_TEXT[RagRule.ENGLAND_SIGNIFICANCE])


def rate_rank_change(previous: int | None, latest: int | None) -> Rating:
    """Rank 1 is best, so a smaller number is an improvement."""
    if previous is None or latest is None:
        return Rating(Status.GREY, NOT_RATED, RULE_TEXT[RagRule.RANK_CHANGE])
    if latest < previous:
        return Rating(
            Status.GREEN, f"Rank improved ({previous} to {latest})", RULE_TEXT[RagRule.RANK_CHANGE]
        )
    if latest > previous:
        return Rating(
            Status.RED, f"Rank worsened ({previous} to {latest})", RULE_TEXT[RagRule.RANK_CHANGE]
        )
    return Rating(Status.YELLOW, f"Rank unchanged ({latest})", RULE_TEXT[RagRule.RANK_CHANGE])


def rate_quartile(quartile: int | None) -> Rating:
    """Quartile 1 is best (stats.quantiles with polarity applied)."""
    if quartile is None:
        return Rating(Status.GREY, NOT_RATED, RULE_TEXT[RagRule.QUARTILE])
    if quartile == 1:
        return Rating(Status.GREEN, "Top quartile", RULE_TEXT[RagRule.QUARTILE])
    if quartile == 4:
        return Rating(Status.RED, "Bottom quartile", RULE_TEXT[RagRule.QUARTILE])
    return Rating(Status.AMBER, "Middle half", RULE_TEXT[RagRule.QUARTILE])
