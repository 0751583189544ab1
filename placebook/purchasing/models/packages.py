"""Individual packages of support called off from a purchasing system.

A package request belongs to a resident (``core.Person``), whom only council staff may see;
providers see its reference and the support needed, never the person.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.fields import MoneyField
from placebook.core.models.base import AuditedModel


class RasTable(AuditedModel):
    """A Resource Allocation System: assessment answers to an indicative weekly budget.

    Versioned and frozen once published, so a budget can always be recalculated with the
    table it was worked out from. Seed 004 describes Sefton's asset-based, outcome-focused
    RAS; its points and prices are the council's, so the demo's are marked synthetic.
    """

    key = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    effective_from = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    pound_per_point = MoneyField(help_text="Weekly budget for each point scored.")
    minimum_weekly = MoneyField()
    maximum_weekly = MoneyField(help_text="Above this, a package goes to panel.")
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="rastable_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RasQuestion(models.Model):
    table = models.ForeignKey(RasTable, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["table", "order"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="rasquestion_unique")]

    def __str__(self) -> str:
        return self.text


class RasAnswer(models.Model):
    question = models.ForeignKey(RasQuestion, on_delete=models.CASCADE, related_name="answers")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["question", "points"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="rasanswer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class PackageStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for responses"
    EVALUATED = "evaluated", "Responses evaluated"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    AWARDED = "awarded", "Awarded"
    NO_AWARD = "no_award", "Closed without award"
    CANCELLED = "cancelled", "Cancelled"


def _package_reference() -> str:
    # Random rather than sequential, so a reference says nothing about the person or when
    # they were assessed; 32 symbols without look-alikes (no I, L, O, U).
    return "PK-" + "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(7))


class PackageRequest(AuditedModel):
    reference = models.CharField(
        max_length=12, unique=True, default=_package_reference, editable=False
    )
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="packages")
    lot = models.ForeignKey("purchasing.Lot", on_delete=models.PROTECT, related_name="packages")
    locality = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    support_needed = models.TextField(
        help_text="What the support must achieve, written without identifying the person."
    )
    hours_per_week = models.DecimalField(max_digits=6, decimal_places=2)
    # Hours by day, e.g. {"mon": 6, "tue": 6, ...}: a weekly support profile.
    weekly_profile = models.JSONField(default=dict, blank=True)
    start_date = models.DateField()
    ras_table = models.ForeignKey(RasTable, on_delete=models.PROTECT, null=True, blank=True)
    assessment_answers = models.JSONField(default=dict, blank=True)
    indicative_weekly_budget = MoneyField()
    # The RAS working, line by line, as shown to the broker and kept with the request.
    budget_calculation = models.JSONField(default=list, blank=True)
    response_deadline = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=PackageStatus.choices, default=PackageStatus.DRAFT
    )
    outcome_reasons = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)

    view_permission = "package_view"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0), name="package_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("purchasing:package-detail", args=[self.reference])


class Invitation(models.Model):
    """A provider asked to respond to a request: the only providers who may see it."""

    package = models.ForeignKey(
        PackageRequest, on_delete=models.CASCADE, related_name="invitations"
    )
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "provider"], name="invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.package} sent to {self.provider}"


class Response(AuditedModel):
    package = models.ForeignKey(PackageRequest, on_delete=models.CASCADE, related_name="responses")
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="package_responses"
    )
    weekly_price = MoneyField()
    hourly_rate = MoneyField(null=True, blank=True)
    start_date = models.DateField()
    proposal = models.TextField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Filled by evaluation, with the working, so the result can be explained.
    compliant = models.BooleanField(null=True)
    non_compliance = models.TextField(blank=True)
    price_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    working = models.JSONField(default=dict, blank=True)

    organisation_scope_field = "provider"

    class Meta:
        ordering = ["package", "rank", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["package", "provider"], name="response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} for {self.package}"


class AwardStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected by the approver"


class Award(AuditedModel):
    """The decision to buy a package from one provider. One per package, enforced by the
    database, so two brokers awarding at once cannot both succeed."""

    package = models.OneToOneField(PackageRequest, on_delete=models.PROTECT, related_name="award")
    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="award")
    weekly_value = MoneyField()
    annual_value = MoneyField()
    reasons = models.TextField()
    status = models.CharField(
        max_length=20, choices=AwardStatus.choices, default=AwardStatus.AWAITING_APPROVAL
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    delegation = models.ForeignKey(
        "purchasing.DelegationLimit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The limit the approval was made under.",
    )

    organisation_scope_field = "response__provider"

    def __str__(self) -> str:
        return f"Award of {self.package}"
