"""Writes the audit trail for every model that inherits ``AuditedModel``.

Who acted comes from a context variable: the web middleware sets it for each request,
API views and services set it with ``acting_as(by)``, and management commands name
themselves (``acting_as(SystemActor("load_demo"))``). Anything else is recorded as "system".
"""

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from placebook.core.actors import SystemActor
from placebook.core.models import AuditedModel, AuditEvent, User
from placebook.core.money import Money

Actor = User | SystemActor | None
_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("placebook_actor", default=None)

# Bookkeeping fields that change on every save and say nothing about the record.
_UNTRACKED = {"created_at", "updated_at", "created_by", "updated_by"}
REDACTED = "[personal data]"


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get()


def _actor_fields() -> tuple["User | None", str]:
    actor = _actor.get()
    if isinstance(actor, User) and actor.is_authenticated:
        return actor, actor.username
    if isinstance(actor, SystemActor):
        return None, actor.name
    return None, "system"


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.name not in _UNTRACKED and not f.primary_key
    ]


def _plain(value):
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, bytes | memoryview):
        # Files are compared by digest: the trail notes that content changed, never holds it.
        return "sha256:" + hashlib.sha256(value).hexdigest()
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _snapshot(instance: models.Model) -> dict:
    return {
        f.attname: _plain(f.value_from_object(instance)) for f in _tracked_fields(type(instance))
    }


def _diff(model: type[AuditedModel], before: dict, after: dict) -> dict:
    redacted = set(model.audit_redacted_fields)
    changes = {}
    for field in _tracked_fields(model):
        old, new = before.get(field.attname), after.get(field.attname)
        if old == new:
            continue
        if field.name in redacted:
            changes[field.name] = {"redacted": True}
        else:
            changes[field.name] = {"from": old, "to": new}
    return changes


def _event(instance: models.Model, action: str, changes: dict, verb: str = "") -> AuditEvent:
    actor, label = _actor_fields()
    return AuditEvent(
        actor=actor,
        actor_label=label,
        action=action,
        verb=verb,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
    )


def record_event(instance: models.Model, action: str, changes: dict, verb: str = "") -> AuditEvent:
    """Write one audit event about ``instance``, attributed to the current actor.

    The signal receivers below use it for field changes; services use it directly for
    changes that are recorded as one event rather than per row (a bulk import of values
    is recorded once, on its release, with the counts).
    """
    event = _event(instance, action, changes, verb)
    event.save()
    return event


def _record_all(events: Iterable[AuditEvent]) -> None:
    # One INSERT per thousand events: bulk writes of thousands of rows stay bulk.
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def _is_audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, AuditedModel)


@receiver(pre_save)
def _before_save(sender, instance, raw=False, **kwargs):
    if not _is_audited(sender) or raw:
        return
    actor, _ = _actor_fields()
    if actor is not None:
        if instance._state.adding and instance.created_by_id is None:
            instance.created_by = actor
        instance.updated_by = actor
    previous = None
    if not instance._state.adding and instance.pk is not None:
        row = sender._base_manager.filter(pk=instance.pk).first()
        previous = _snapshot(row) if row is not None else None
    instance._audit_previous = previous


@receiver(post_save)
def _after_save(sender, instance, created, raw=False, **kwargs):
    if not _is_audited(sender) or raw:
        return
    before = {} if created else (getattr(instance, "_audit_previous", None) or {})
    changes = _diff(sender, before, _snapshot(instance))
    if created or changes:
        record_event(
            instance, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, changes
        )


@receiver(post_delete)
def _after_delete(sender, instance, **kwargs):
    if _is_audited(sender):
        record_event(instance, AuditEvent.Action.DELETE, _diff(sender, _snapshot(instance), {}))


@receiver(m2m_changed)
def _after_m2m(sender, instance, action, model, pk_set, reverse, **kwargs):
    # Only the forward side is recorded (e.g. a comparator group's members), once per change.
    if (
        reverse
        or not _is_audited(type(instance))
        or action not in {"post_add", "post_remove", "post_clear"}
    ):
        return
    field = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    labels = sorted(str(o) for o in model._base_manager.filter(pk__in=pk_set or ()))
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    record_event(instance, AuditEvent.Action.UPDATE, {field: {verb: labels}})


def record_bulk_create(model: type[AuditedModel], created: Iterable[models.Model]) -> None:
    _record_all(
        _event(instance, AuditEvent.Action.CREATE, _diff(model, {}, _snapshot(instance)))
        for instance in created
        if instance.pk is not None
    )


def record_bulk_update(queryset: models.QuerySet, values: dict, apply: Callable) -> int:
    model = queryset.model
    before = {obj.pk: (obj, _snapshot(obj)) for obj in queryset}
    count = apply(**values)
    events = []
    for obj in model._base_manager.filter(pk__in=before):
        _original, snapshot = before[obj.pk]
        changes = _diff(model, snapshot, _snapshot(obj))
        if changes:
            events.append(_event(obj, AuditEvent.Action.UPDATE, changes))
    _record_all(events)
    return count


def record_bulk_save(
    model: type[AuditedModel], objs: list[models.Model], fields: list[str], apply: Callable
):
    pks = [o.pk for o in objs]
    before = {o.pk: _snapshot(o) for o in model._base_manager.filter(pk__in=pks)}
    result = apply()
    events = []
    for obj in objs:
        changes = _diff(model, before.get(obj.pk, {}), _snapshot(obj))
        if changes:
            events.append(_event(obj, AuditEvent.Action.UPDATE, changes))
    _record_all(events)
    return result
