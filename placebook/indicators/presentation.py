"""How figures are written for people: units, durations, suppression. One place, so the
pages, exports and PDF packs say the same thing."""

from placebook.indicators.models import SMALL_NUMBER_LIMIT, Indicator, IndicatorValue, Unit


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _decimals(number: float) -> int:
    """One or two decimal places, as the source printed them (66.77%, 7.9%, 10.0%)."""
    return 2 if round(number, 1) != round(number, 2) else 1


def format_number(indicator: Indicator, number: float | None) -> str:
    if number is None:
        return ""
    if indicator.unit == Unit.DURATION:
        return format_duration(number)
    if indicator.unit == Unit.PERCENTAGE:
        return f"{number:,.{_decimals(number)}f}%"
    if indicator.unit == Unit.COUNT:
        return f"{number:,.0f}"
    if indicator.unit == Unit.POUNDS:
        return f"£{number:,.0f}"
    return f"{number:,.{_decimals(number)}f}"


def display_value(indicator: Indicator, value: IndicatorValue, sees_small_numbers: bool) -> str:
    """The value as shown; small numbers are withheld from those who may not see them."""
    if value.is_small_number and not sees_small_numbers:
        return f"Suppressed (fewer than {SMALL_NUMBER_LIMIT})"
    if value.value is None:
        return value.get_note_display() if value.note else "Not available"
    return format_number(indicator, value.value)
