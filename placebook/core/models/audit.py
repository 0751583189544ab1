"""The append-only audit trail."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEvent(models.Model):
    """One change to an audited record: who, when, what, and which fields moved how.

    Rows are never updated or deleted: the model refuses it, the queryset refuses it,
    and database triggers (migration 0002) refuse UPDATE on both SQLite and PostgreSQL.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # PROTECT: an account with a history is deactivated, never deleted, so the trail
        # keeps pointing at it (and SET_NULL would be an UPDATE, which the trigger refuses).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Kept as text so the record still says who acted after the account is removed.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=Action.choices)
    # Domain verb where the change is more than a field edit ("award", "extend", "refer").
    verb = models.CharField(max_length=60, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(
        default=dict,
        help_text='{"field": {"from": old, "to": new}}; redacted personal fields have no values.',
    )
    reason = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # The newest event of a kind, in one index probe (indicators' dashboard cache key).
            models.Index(fields=["content_type", "id"], name="auditevent_kind_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.get_action_display().lower()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")
