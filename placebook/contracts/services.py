"""Making contracts. Every route to a contract (call-off, direct award, spot purchase) comes
through ``create_contract`` so the register holds them all in one shape."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from placebook.contracts.models import Contract, ContractExtension, ContractKind
from placebook.core.audit import acting_as
from placebook.core.money import Money

# Performance reviews fall this long before the date an extension would start, so there is
# time to act on them (seed 003: extensions "based upon a performance review").
REVIEW_NOTICE = timedelta(days=91)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def term_end(start: date, months: int) -> date:
    """Last day of a term of ``months`` starting on ``start`` (3 years from 1 April 2024
    ends on 31 March 2027)."""
    return add_months(start, months) - timedelta(days=1)


def annual_from_weekly(weekly: Money) -> Money:
    # 52.18 weeks in an average year (365.25 / 7), to the penny.
    return (weekly * Decimal("365.25") / 7).rounded()


def new_reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3).upper()}"


def create_contract(
    *,
    by,
    kind: ContractKind,
    title: str,
    buyer,
    supplier,
    start: date,
    months: int,
    weekly_value: Money | None = None,
    total_value: Money | None = None,
    extension_months: list[int] = (),
    **fields,
) -> Contract:
    """A contract with its term worked out from its start, and its extension options, each
    with its review date. Value is given weekly (packages) or as a total (block contracts)."""
    end = term_end(start, months)
    days = (end - start).days + 1
    if weekly_value is not None:
        total_value = (weekly_value * days / 7).rounded()
        fields.setdefault("annual_value", annual_from_weekly(weekly_value))
    with transaction.atomic(), acting_as(by):
        contract = Contract.objects.create(
            reference=fields.pop("reference", None) or new_reference("C"),
            kind=kind,
            title=title,
            buyer=buyer,
            supplier=supplier,
            start=start,
            end=end,
            weekly_value=weekly_value,
            total_value=total_value,
            **fields,
        )
        begins = end + timedelta(days=1)
        for order, length in enumerate(extension_months, start=1):
            ContractExtension.objects.create(
                contract=contract,
                order=order,
                months=length,
                start=begins,
                end=term_end(begins, length),
                review_due=begins - REVIEW_NOTICE,
            )
            begins = term_end(begins, length) + timedelta(days=1)
    return contract
