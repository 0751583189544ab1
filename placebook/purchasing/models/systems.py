"""Purchasing systems, their lots and the evaluation model they publish."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.fields import MoneyField
from placebook.core.models.base import AuditedModel, SourcedModel


class SystemKind(models.TextChoices):
    # Procurement Act 2023 (procurements begun on or after 24 February 2025).
    DYNAMIC_MARKET = "dynamic_market", "Dynamic market (Procurement Act 2023)"
    OPEN_FRAMEWORK = "open_framework", "Open framework (Procurement Act 2023)"
    FRAMEWORK = "framework", "Framework"
    # Public Contracts Regulations 2015: only for procurements begun before 24 February 2025,
    # such as seed 003's 2021 system and the Liverpool City Region one (seed 002 item 14).
    DYNAMIC_PURCHASING_SYSTEM = "dps", "Dynamic purchasing system (PCR 2015)"
    FLEXIBLE_PURCHASING_SYSTEM = "fps", "Flexible purchasing system (PCR 2015 light-touch regime)"


class Regime(models.TextChoices):
    PROCUREMENT_ACT_2023 = "pa2023", "Procurement Act 2023"
    PCR_2015 = "pcr2015", "Public Contracts Regulations 2015"
    # NHS-funded health care services bought by the council or ICB: Health Care Services
    # (Provider Selection Regime) Regulations 2023, in force 1 January 2024.
    PROVIDER_SELECTION_REGIME = "psr", "Provider Selection Regime (NHS health services)"


class SystemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed to new applications"
    ENDED = "ended", "Ended"


class ServiceCategory(models.TextChoices):
    SUPPORTED_LIVING = "supported_living", "Supported living"
    COMMUNITY_SUPPORT = "community_support", "Community support"
    EXTRA_CARE = "extra_care", "Extra care housing support"
    DAY_OPPORTUNITIES = "day_opportunities", "Day opportunities"
    HOME_CARE = "home_care", "Care at home"


class PurchasingSystem(SourcedModel, AuditedModel):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SystemKind.choices)
    regime = models.CharField(max_length=10, choices=Regime.choices)
    owner = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="purchasing_systems"
    )
    description = models.TextField(blank=True)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(
        max_length=10, choices=SystemStatus.choices, default=SystemStatus.DRAFT
    )
    call_off_term_months = models.PositiveSmallIntegerField(default=36)
    # Options to extend a call-off, in months, each after a performance review: seed 003's
    # "3 years with an option to extend for 1 plus 1 further year".
    extension_months = models.JSONField(default=list, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="system_dates")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("purchasing:system-detail", args=[self.key])

    @property
    def is_open(self) -> bool:
        return self.status == SystemStatus.OPEN


class Lot(AuditedModel):
    system = models.ForeignKey(PurchasingSystem, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=30, choices=ServiceCategory.choices)
    description = models.TextField(blank=True)
    areas = models.ManyToManyField("core.Area", related_name="lots", blank=True)
    estimated_annual_value = MoneyField(null=True, blank=True)

    class Meta:
        ordering = ["system", "number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="lot_unique_number")
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class Heading(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"
    INNOVATION = "innovation", "Innovation"
    PRICE = "price", "Price"


class EvaluationModel(AuditedModel):
    """The weights and gates a system publishes. Published versions are frozen: a new
    version is made instead, so every decision can be re-read against the rules it used."""

    system = models.ForeignKey(
        PurchasingSystem, on_delete=models.CASCADE, related_name="evaluation_models"
    )
    version = models.PositiveSmallIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    quality_weight = models.DecimalField(max_digits=5, decimal_places=2)
    social_value_weight = models.DecimalField(max_digits=5, decimal_places=2)
    innovation_weight = models.DecimalField(max_digits=5, decimal_places=2)
    price_weight = models.DecimalField(max_digits=5, decimal_places=2)
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        help_text="Least weighted score out of 100 (without price) to be admitted.",
    )
    moderation_gap = models.PositiveSmallIntegerField(
        default=1,
        help_text="Evaluators' scores for a question further apart than this are moderated.",
    )

    class Meta:
        ordering = ["system", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["system", "version"], name="evaluation_unique"),
            models.CheckConstraint(
                condition=Q(
                    quality_weight__gte=0,
                    social_value_weight__gte=0,
                    innovation_weight__gte=0,
                    price_weight__gte=0,
                ),
                name="evaluation_weights_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system} evaluation model v{self.version}"

    @property
    def weights(self) -> dict[str, Decimal]:
        return {
            Heading.QUALITY: self.quality_weight,
            Heading.SOCIAL_VALUE: self.social_value_weight,
            Heading.INNOVATION: self.innovation_weight,
            Heading.PRICE: self.price_weight,
        }


class Criterion(models.Model):
    """A question evaluators score, under one heading, out of ``max_score``."""

    model = models.ForeignKey(EvaluationModel, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=12)
    heading = models.CharField(max_length=20, choices=Heading.choices)
    question = models.TextField()
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Share of its heading's weight, in per cent."
    )
    max_score = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["model", "code"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="criterion_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.question[:60]}"


class GateKind(models.TextChoices):
    CQC_REGISTERED = "cqc_registered", "Registered with the CQC"
    CQC_NOT_INADEQUATE = "cqc_not_inadequate", "CQC rating not Inadequate"
    INSURANCE = "insurance", "Insurance cover held"
    SAFEGUARDING = "safeguarding", "Safeguarding policy in place"
    DECLARATION = "declaration", "No grounds for exclusion declared"


# Gates Placebook checks from data it holds (CQC identifiers and ratings); the others need
# an officer to read the evidence.
AUTOMATIC_GATES = {GateKind.CQC_REGISTERED, GateKind.CQC_NOT_INADEQUATE}


class Gate(models.Model):
    model = models.ForeignKey(EvaluationModel, on_delete=models.CASCADE, related_name="gates")
    kind = models.CharField(max_length=24, choices=GateKind.choices)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["model", "kind"]
        constraints = [models.UniqueConstraint(fields=["model", "kind"], name="gate_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def automatic(self) -> bool:
        return self.kind in AUTOMATIC_GATES
