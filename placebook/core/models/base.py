"""Abstract bases shared by every subsystem's models."""

from django.conf import settings
from django.db import models


class TrackedModel(models.Model):
    """Who created and last changed a row, and when.

    ``created_by`` and ``updated_by`` are filled from the current actor by the audit
    machinery (``placebook.core.audit``), so services never set them by hand.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class AuditedQuerySet(models.QuerySet):
    """Bulk operations that would otherwise skip the audit trail record each row.

    ``delete()`` needs nothing here: Django sends per-row delete signals whenever a
    receiver is connected, which the audit module always is.
    """

    def update(self, **kwargs):
        from placebook.core.audit import record_bulk_update

        return record_bulk_update(self, kwargs, super().update)

    def bulk_create(self, objs, *args, **kwargs):
        from placebook.core.audit import record_bulk_create

        created = super().bulk_create(objs, *args, **kwargs)
        record_bulk_create(self.model, created)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        from placebook.core.audit import record_bulk_save

        return record_bulk_save(
            self.model,
            objs,
            fields,
            lambda: super(AuditedQuerySet, self).bulk_update(objs, fields, *args, **kwargs),
        )


class AuditedModel(TrackedModel):
    """A model whose every create, update and delete is written to the audit trail.

    Fields listed in ``audit_redacted_fields`` are recorded as changed without their
    values: the trail is append-only and kept for years, so it must not hold personal
    data that a person could later ask us to erase.
    """

    audit_redacted_fields: tuple[str, ...] = ()

    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True


class Source(models.Model):
    """Where a loaded fact came from: a seed paper, a public dataset or an import."""

    class Kind(models.TextChoices):
        SEED = "seed", "Council paper (seed)"
        DATASET = "dataset", "Public dataset"
        IMPORT = "import", "Uploaded file"
        ENTRY = "entry", "Entered in Placebook"

    key = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=500)
    reference = models.CharField(
        max_length=500, help_text="File name of the paper, or dataset name and address."
    )
    published = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class SourcedModel(models.Model):
    """A fact with provenance: its source and, for papers, the line it is printed on."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True)
    source_line = models.PositiveIntegerField(
        null=True, blank=True, help_text="1-based line in the source paper, where it has lines."
    )

    class Meta:
        abstract = True

    @property
    def provenance(self) -> str:
        if self.source is None:
            return "Entered in Placebook"
        if self.source_line:
            return f"{self.source.reference}, line {self.source_line}"
        return self.source.reference
