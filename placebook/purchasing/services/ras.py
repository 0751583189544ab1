"""The Resource Allocation System: an indicative weekly budget from assessment answers.

The budget is indicative (seed 004: an asset-based, outcome-focused RAS for new assessments,
care plans and direct payments): the worker and the person plan against it, and the
working is kept with the request so anyone can see how the figure was reached.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from placebook.core.audit import acting_as
from placebook.core.money import Money
from placebook.core.permissions import Permission, require
from placebook.purchasing.models import RasTable
from placebook.purchasing.services.errors import PurchasingError


@dataclass(frozen=True)
class Budget:
    weekly: Money
    points: int
    lines: list[dict]


def calculate_budget(table: RasTable, answers: dict[str, str]) -> Budget:
    """Points for each answer, times the table's pounds per point, within its floor and
    ceiling. Every unanswered or unknown answer is reported at once, by question."""
    problems, lines, points = [], [], 0
    known = set()
    for question in table.questions.prefetch_related("answers"):
        known.add(question.code)
        given = answers.get(question.code)
        choice = next((a for a in question.answers.all() if a.code == given), None)
        if given is None:
            problems.append(f"{question.code}: not answered ({question.text})")
        elif choice is None:
            allowed = ", ".join(a.code for a in question.answers.all())
            problems.append(f"{question.code}: {given!r} is not one of {allowed}")
        else:
            points += choice.points
            lines.append(
                {"question": question.text, "answer": choice.label, "points": choice.points}
            )
    problems += [f"{code}: not a question in {table}" for code in sorted(set(answers) - known)]
    if problems:
        raise PurchasingError("The assessment answers cannot be costed: " + "; ".join(problems))
    raw = table.pound_per_point * points
    weekly = min(max(raw, table.minimum_weekly), table.maximum_weekly)
    lines.append(
        {"question": "Total points", "answer": f"{points} x {table.pound_per_point} a point",
         "points": points, "amount": str(raw.rounded().amount)}
    )  # fmt: skip
    if weekly != raw:
        bound = "floor" if weekly == table.minimum_weekly else "ceiling"
        lines.append(
            {"question": f"Table {bound}", "answer": f"Held at the {bound} of {weekly}",
             "points": None, "amount": str(weekly.amount)}
        )  # fmt: skip
    return Budget(weekly=weekly, points=points, lines=lines)


def publish_ras_table(*, by, table: RasTable) -> RasTable:
    require(by, Permission.PURCHASING_MANAGE)
    if table.published_at:
        raise PurchasingError(f"{table} is already published; make a new version to change it.")
    if not table.questions.exists():
        raise PurchasingError(f"{table} has no questions.")
    if table.minimum_weekly > table.maximum_weekly:
        raise PurchasingError(f"{table}: the weekly floor is above the ceiling.")
    with transaction.atomic(), acting_as(by):
        table.published_at = timezone.now()
        table.save(update_fields=["published_at", "updated_at", "updated_by"])
    return table


def table_in_force(key: str, on) -> RasTable | None:
    return (
        RasTable.objects.filter(key=key, published_at__isnull=False, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )
