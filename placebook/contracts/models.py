"""The council's contracts: one general model for every contract it holds.

Purchasing creates call-off contracts and direct awards here; the contracts subsystem (seed
000, seed 002 item 14) adds the register, key decisions and the forward plan on the same rows.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.fields import MoneyField
from placebook.core.models.base import AuditedModel, SourcedModel


class ContractKind(models.TextChoices):
    CALL_OFF = "call_off", "Call-off from a purchasing system"
    DIRECT_AWARD = "direct_award", "Direct award"
    SPOT = "spot", "Spot purchase (off framework)"
    BLOCK = "block", "Block contract"
    GRANT_AGREEMENT = "grant_agreement", "Grant agreement"


class DirectAwardReason(models.TextChoices):
    """Why a contract was awarded without competition; each needs a written justification."""

    TEMPORARY = "temporary", "Temporary award to the current provider while re-procuring"
    CONTINUITY = "continuity", "Continuity of care after a provider exits the market"
    SPOT = "spot", "Spot purchase: no suitable provider on the purchasing system"
    URGENCY = "urgency", "Urgent need (protecting life or health)"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    TERMINATED = "terminated", "Terminated early"


class Contract(SourcedModel, AuditedModel):
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=ContractKind.choices)
    status = models.CharField(
        max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    buyer = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="contracts_bought"
    )
    supplier = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="contracts_supplied"
    )
    # Where it was bought: a lot of a purchasing system for call-offs; empty off framework.
    lot = models.ForeignKey(
        "purchasing.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="contracts"
    )
    service_category = models.CharField(max_length=40, blank=True)
    # The individual package it buys, and the approved award it came from, where it has them.
    package = models.ForeignKey(
        "purchasing.PackageRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    award = models.OneToOneField(
        "purchasing.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
    )
    start = models.DateField()
    end = models.DateField(help_text="End of the initial term, before any extension.")
    ended_on = models.DateField(
        null=True, blank=True, help_text="When it stopped early (termination, provider exit)."
    )
    weekly_value = MoneyField(null=True, blank=True)
    annual_value = MoneyField(null=True, blank=True)
    total_value = MoneyField(help_text="Value over the initial term.")
    direct_award_reason = models.CharField(
        max_length=20, choices=DirectAwardReason.choices, blank=True
    )
    justification = models.TextField(blank=True)
    procurement_regime = models.CharField(max_length=40, blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="Made-up demo contract.")

    class Meta:
        ordering = ["-start", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="contract_dates"),
            models.CheckConstraint(
                condition=~Q(kind="direct_award") | ~Q(justification=""),
                name="contract_direct_award_justified",
            ),
            models.CheckConstraint(
                condition=~Q(kind="spot") | ~Q(justification=""),
                name="contract_spot_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("purchasing:contract-detail", args=[self.reference])

    @property
    def on_framework(self) -> bool:
        return self.lot_id is not None

    @property
    def runs_until(self) -> date:
        """The last day it is in force: the early end, else the exercised extensions' end."""
        if self.ended_on:
            return self.ended_on
        return max([self.end, *(e.end for e in self.extensions.all() if e.exercised)])

    @property
    def latest_possible_end(self) -> date:
        extensions = list(self.extensions.all())
        return max([self.end, *(e.end for e in extensions)])


class ContractExtension(AuditedModel):
    """An option to extend (1 + 1 years by default), exercised only after a performance
    review."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="extensions")
    order = models.PositiveSmallIntegerField()
    months = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()
    review_due = models.DateField(help_text="Performance review before deciding.")
    exercised = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "order"], name="extension_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} extension {self.order} ({self.months} months)"
