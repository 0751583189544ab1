"""Batch brokerage runs: the optimiser's proposal, kept so a broker can review, change and
accept it, and so anyone can later see what was proposed and what was decided."""

from django.db import models

from placebook.core.models.base import AuditedModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PROPOSED = "proposed", "Proposal ready"
    ACCEPTED = "accepted", "Accepted"
    FAILED = "failed", "Failed"


class BrokerageRun(AuditedModel):
    lot = models.ForeignKey(
        "purchasing.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    time_limit_seconds = models.PositiveIntegerField(default=60)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # The proposal as the optimiser gave it: allocations (package, response, provider, price,
    # score) and unallocated packages with their reasons; and the greedy baseline's totals.
    proposal = models.JSONField(default=dict, blank=True)
    objective = models.FloatField(null=True, blank=True)
    greedy_objective = models.FloatField(null=True, blank=True)
    mip_gap = models.FloatField(null=True, blank=True)
    proved_optimal = models.BooleanField(default=False)
    solve_seconds = models.FloatField(null=True, blank=True)
    failure = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    accepted_awards = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Brokerage run {self.pk}"

    @property
    def gap_text(self) -> str:
        return "" if self.mip_gap is None else f"{self.mip_gap:.2%}"
