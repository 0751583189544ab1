"""Committed spend on and off the purchasing system, by lot, provider and month.

Worked out from contracts (weekly value times the days in force in each month), so it is
known as soon as a package is bought rather than when invoices are paid; seed 003 asks to
"reduce any off framework spend", which this makes visible month by month.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from placebook.contracts.models import Contract
from placebook.core.money import Money

OFF_FRAMEWORK = "Off framework"


@dataclass(frozen=True)
class SpendLine:
    month: date
    route: str  # the lot, or "Off framework"
    provider: str
    on_framework: bool
    amount: Money


@dataclass(frozen=True)
class SpendReport:
    lines: list[SpendLine]
    months: list[date]

    def total(self, *, on_framework: bool | None = None) -> Money:
        return Money.sum(
            line.amount
            for line in self.lines
            if on_framework is None or line.on_framework == on_framework
        )

    def by(self, field: str) -> dict[str, dict[bool, Money]]:
        """Totals on (True) and off (False) framework for each lot, provider or month."""
        totals: dict = defaultdict(lambda: {True: Money.zero(), False: Money.zero()})
        for line in self.lines:
            totals[getattr(line, field)][line.on_framework] += line.amount
        return dict(sorted(totals.items(), key=lambda item: str(item[0])))

    @property
    def off_framework_share(self) -> float | None:
        total = self.total()
        return None if total == Money.zero() else float(self.total(on_framework=False) / total)


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def spend_report(first: date, last: date, contracts=None) -> SpendReport:
    """Committed spend in each calendar month from ``first`` to ``last`` (inclusive)."""
    contracts = (contracts if contracts is not None else Contract.objects.all()).filter(
        weekly_value__isnull=False, start__lte=last
    )
    months = _month_starts(first, last)
    lines = []
    for contract in contracts.select_related("lot", "supplier").prefetch_related("extensions"):
        until = contract.runs_until
        route = str(contract.lot) if contract.lot_id else OFF_FRAMEWORK
        for month in months:
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            begins, ends = max(month, contract.start, first), min(month_end, until, last)
            if begins > ends:
                continue
            days = (ends - begins).days + 1
            amount = (contract.weekly_value * days / 7).rounded()
            lines.append(
                SpendLine(month, route, contract.supplier.name, contract.on_framework, amount)
            )
    return SpendReport(lines, months)
