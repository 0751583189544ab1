"""Providers' applications to join a purchasing system, their evaluation and admission."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.models.base import AuditedModel, SourcedModel


class CqcRatingValue(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_YET_RATED = "not_yet_rated", "Not yet rated"


class CqcRating(SourcedModel, AuditedModel):
    """A provider's overall CQC rating as published on a date (the gate reads the latest)."""

    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="cqc_ratings"
    )
    rating = models.CharField(max_length=24, choices=CqcRatingValue.choices)
    rated_on = models.DateField()

    class Meta:
        ordering = ["provider", "-rated_on"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.get_rating_display()} ({self.rated_on})"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    EVALUATING = "evaluating", "Being evaluated"
    MODERATING = "moderating", "In moderation"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(AuditedModel):
    system = models.ForeignKey(
        "purchasing.PurchasingSystem", on_delete=models.PROTECT, related_name="applications"
    )
    evaluation_model = models.ForeignKey(
        "purchasing.EvaluationModel", on_delete=models.PROTECT, related_name="applications"
    )
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    lots = models.ManyToManyField("purchasing.Lot", related_name="applications")
    # Where and how much the provider offers; copied onto its admissions, where brokers'
    # requests are matched against them. No localities means the whole area.
    localities = models.ManyToManyField("core.Area", related_name="+", blank=True)
    capacity_hours_per_week = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reasons = models.TextField(blank=True)
    decision_sent_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    view_permission = "application_view"
    organisation_scope_field = "provider"

    class Meta:
        ordering = ["system", "provider__name"]
        constraints = [
            # One live application per provider per system; a rejected provider may reapply.
            models.UniqueConstraint(
                fields=["system", "provider"],
                condition=~Q(status__in=["decided", "withdrawn"]),
                name="application_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} to {self.system}"

    def get_absolute_url(self) -> str:
        return reverse("purchasing:application-detail", args=[self.pk])


class Answer(AuditedModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("purchasing.Criterion", on_delete=models.PROTECT)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application}: answer to {self.criterion.code}"


class Document(AuditedModel):
    """A file a provider attaches (policies, insurance certificates). Kept in the database so
    every web and worker process reads the same copy."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    # The bytes are not audited: the trail records that a document changed, not its content.
    audit_redacted_fields = ("content",)

    def __str__(self) -> str:
        return self.name


class GateOutcome(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Not yet known"


class GateCheck(AuditedModel):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="gate_checks"
    )
    gate = models.ForeignKey("purchasing.Gate", on_delete=models.PROTECT)
    outcome = models.CharField(max_length=8, choices=GateOutcome.choices)
    automatic = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "gate"], name="gatecheck_unique")
        ]


class Score(AuditedModel):
    """One evaluator's score for one question: each evaluator scores alone, and differences
    beyond the model's moderation gap go to moderation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("purchasing.Criterion", on_delete=models.PROTECT)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField()

    class Meta:
        ordering = ["application", "criterion", "evaluator"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "evaluator"], name="score_unique"
            )
        ]


class ModeratedScore(AuditedModel):
    """The agreed score for a question, with the note of the moderation that agreed it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="moderated_scores"
    )
    criterion = models.ForeignKey("purchasing.Criterion", on_delete=models.PROTECT)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="moderated_unique")
        ]


class AdmissionStatus(models.TextChoices):
    ADMITTED = "admitted", "Admitted"
    SUSPENDED = "suspended", "Suspended"
    EXITED = "exited", "Exited the market"


class Admission(AuditedModel):
    """A provider admitted to a lot: who receives that lot's package requests."""

    lot = models.ForeignKey("purchasing.Lot", on_delete=models.CASCADE, related_name="admissions")
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="admissions"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="admissions"
    )
    status = models.CharField(
        max_length=10, choices=AdmissionStatus.choices, default=AdmissionStatus.ADMITTED
    )
    # Points won at evaluation under each heading, out of that heading's weight: they carry
    # into every call-off evaluation, where only price is scored afresh.
    quality_score = models.DecimalField(max_digits=5, decimal_places=2)
    social_value_score = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    innovation_score = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    localities = models.ManyToManyField("core.Area", related_name="+", blank=True)
    capacity_hours_per_week = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    admitted_at = models.DateTimeField()

    organisation_scope_field = "provider"

    class Meta:
        ordering = ["lot", "provider__name"]
        constraints = [models.UniqueConstraint(fields=["lot", "provider"], name="admission_unique")]

    def __str__(self) -> str:
        return f"{self.provider} on {self.lot}"
