"""How figures are written for people: units, durations, suppression. One place, so the
pages, exports and PDF packs say the same thing."""

from placebook.indicators.models import SMALL_NUMBER_LIMIT, Indicator, IndicatorValue, Unit


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def format_number(indicator: Indicator, number: float | None) -> str:
    if number is None:
        return ""
    if indicator.unit == Unit.DURATION:
        return format_duration(number)
    if indicator.unit == Unit.PERCENTAGE:
        return f"{number:,.1f}%"
    if indicator.unit == Unit.COUNT:
        return f"{number:,.0f}"
    if indicator.unit == Unit.POUNDS:
        return f"£{number:,.0f}"
    return f"{number:,.1f}"


def display_value(indicator: Indicator, value: IndicatorValue, sees_small_numbers: bool) -> str:
    """The value as shown; small numbers are withheld from those who may not see them."""
    if value.is_small_number and not sees_small_numbers:
        return f"Suppressed (fewer than {SMALL_NUMBER_LIMIT})"
    if value.value is None:
        return value.get_note_display() if value.note else "Not available"
    return format_number(indicator, value.value)
