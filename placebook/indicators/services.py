"""Writes for indicators: values with revision history, and releases."""

import math
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction

from placebook.core.audit import acting_as
from placebook.core.models import Area, Organisation, Period
from placebook.core.permissions import Permission, require
from placebook.indicators.models import Indicator, IndicatorValue, Release

# The fields that make two releases of a figure "the same figure".
COMPARED_FIELDS = [
    "value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl",
    "count", "denominator", "note", "status",
]  # fmt: skip


class Outcome(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    REVISED = "revised"


@dataclass(frozen=True)
class Recorded:
    value: IndicatorValue
    outcome: Outcome


def same_number(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return a == b


def same_figure(a: IndicatorValue, b: IndicatorValue) -> bool:
    """Whether two rows say the same thing (a re-release of one figure changes nothing)."""
    return all(same_number(getattr(a, f), getattr(b, f)) for f in COMPARED_FIELDS)


def _check_limits(fields: dict) -> None:
    for level in ("95_0", "99_8"):
        lower, upper = fields.get(f"lower{level}cl"), fields.get(f"upper{level}cl")
        value = fields.get("value")
        if lower is not None and upper is not None and lower > upper:
            raise ValidationError(
                {f"lower{level}cl": f"Lower limit {lower} is above upper limit {upper}."}
            )
        if (
            value is not None
            and lower is not None
            and upper is not None
            and not lower <= value <= upper
        ):
            raise ValidationError(
                {"value": f"Value {value} lies outside its {level.replace('_', '.')}% limits."}
            )
    count, denominator = fields.get("count"), fields.get("denominator")
    if count is not None and count < 0:
        raise ValidationError({"count": f"Count {count} is negative."})
    if denominator is not None and denominator < 0:
        raise ValidationError({"denominator": f"Denominator {denominator} is negative."})


def record_value(
    *,
    by,
    indicator: Indicator,
    period: Period,
    area: Area | None = None,
    organisation: Organisation | None = None,
    release: Release | None = None,
    sex: str = "Persons",
    age: str = "All ages",
    **fields,
) -> Recorded:
    """Store a figure. The same figure again changes nothing; a different one for the same
    indicator, subject, period and breakdown becomes a new revision that supersedes the old."""
    require(by, Permission.REFERENCE_DATA_EDIT)
    if (area is None) == (organisation is None):
        raise ValidationError("A value belongs to exactly one area or one organisation.")
    _check_limits(fields)
    key = {"indicator": indicator, "area": area, "organisation": organisation, "period": period,
           "sex": sex, "age": age}  # fmt: skip
    with transaction.atomic(), acting_as(by):
        # The row lock makes two imports of the same figure queue rather than both revise it.
        # Lock only this table's row and order by key: the model's default ordering joins
        # nullable relations, and PostgreSQL cannot lock the nullable side of an outer join.
        current = (
            IndicatorValue.objects.select_for_update(of=("self",))
            .filter(is_current=True, **key)
            .order_by("pk")
            .first()
        )
        candidate = IndicatorValue(release=release, **key, **fields)
        if current is not None and same_figure(current, candidate):
            return Recorded(current, Outcome.UNCHANGED)
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current", "updated_at", "updated_by"])
            candidate.supersedes = current
        candidate.full_clean(validate_constraints=False)
        candidate.save()
        return Recorded(candidate, Outcome.REVISED if current else Outcome.CREATED)


def history(
    *,
    indicator: Indicator,
    period: Period,
    area=None,
    organisation=None,
    sex="Persons",
    age="All ages",
):
    """Every release of one figure, newest first."""
    return (
        IndicatorValue.objects.filter(
            indicator=indicator,
            period=period,
            area=area,
            organisation=organisation,
            sex=sex,
            age=age,
        )
        .select_related("release")
        .order_by("-created_at", "-id")
    )
