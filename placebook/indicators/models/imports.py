from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportJobFormat(models.TextChoices):
    CSV = "csv", "Fingertips CSV"
    XLSX = "xlsx", "Excel workbook"


class ImportJob(models.Model):
    """One uploaded file of indicator values and what became of it.

    The file itself is kept in the database, not on disk, so a worker on another machine
    can read it without shared storage. Not an ``AuditedModel``: the trail would have to
    snapshot the file on every status change, and the import already writes one audit
    event on its release, naming the uploader, with the counts.
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=4, choices=ImportJobFormat.choices)
    content = models.BinaryField()
    release_key = models.SlugField(max_length=100)
    release_title = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=9, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    created = models.PositiveIntegerField(null=True, blank=True, help_text="New figures.")
    revised = models.PositiveIntegerField(
        null=True, blank=True, help_text="Figures that superseded a different current figure."
    )
    unchanged = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rows that repeated the current figure."
    )
    errors = models.JSONField(
        default=list, blank=True, help_text="The file's problems: row, column, value, message."
    )
    error_count = models.PositiveIntegerField(
        default=0, help_text="All problems found; ``errors`` may hold only the first of them."
    )
    failure = models.TextField(blank=True, help_text="Why the import failed, in a sentence.")
    task_result_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["succeeded", "failed"], finished_at__isnull=False)
                | Q(status__in=["queued", "running"], finished_at__isnull=True),
                name="importjob_finished_at_when_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} into {self.release_key} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("indicators:import-detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportJobStatus.SUCCEEDED, ImportJobStatus.FAILED)

    @property
    def rows(self) -> int | None:
        if self.created is None:
            return None
        return self.created + (self.revised or 0) + (self.unchanged or 0)
