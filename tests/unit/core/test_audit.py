import pytest
from django.db import IntegrityError, connection, transaction

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.models import Area, AuditEvent, AuditTrailIsAppendOnly, Organisation
from tests.factories.core import (
    AreaFactory,
    ComparatorGroupFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def events_for(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("id"))


def test_create_is_recorded_with_actor_and_values(officer):
    with acting_as(officer):
        org = OrganisationFactory(name="Sefton CVS", charity_number="1084357")
    (event,) = events_for(org)
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor == officer
    assert event.actor_label == "officer"
    assert event.changes["name"] == {"from": None, "to": "Sefton CVS"}
    assert event.changes["charity_number"] == {"from": None, "to": "1084357"}
    org.refresh_from_db()
    assert org.created_by == officer
    assert org.updated_by == officer


def test_update_records_only_changed_fields(officer, manager):
    with acting_as(officer):
        org = OrganisationFactory(name="Old name")
    with acting_as(manager):
        org.name = "New name"
        org.save()
    update = events_for(org)[-1]
    assert update.action == AuditEvent.Action.UPDATE
    assert update.actor == manager
    assert update.changes == {"name": {"from": "Old name", "to": "New name"}}


def test_save_without_changes_writes_no_event(officer):
    with acting_as(officer):
        org = OrganisationFactory()
        org.save()
    assert len(events_for(org)) == 1


def test_delete_is_recorded_with_final_values(officer):
    with acting_as(officer):
        area = AreaFactory(name="Linacre")
        pk = area.pk
        area.delete()
    event = AuditEvent.objects.filter(object_id=str(pk), action="delete").get()
    assert event.changes["name"] == {"from": "Linacre", "to": None}


def test_queryset_update_is_recorded_per_row():
    with acting_as(SystemActor("bulk job")):
        a, b = AreaFactory(name="A"), AreaFactory(name="B")
        Area.objects.filter(pk__in=[a.pk, b.pk]).update(name="Renamed")
    for area in (a, b):
        last = events_for(area)[-1]
        assert last.actor_label == "bulk job"
        assert last.changes["name"]["to"] == "Renamed"


def test_bulk_create_and_bulk_update_are_recorded():
    created = Organisation.objects.bulk_create(
        [
            Organisation(key="bulk-1", name="Bulk 1", kind="other"),
            Organisation(key="bulk-2", name="Bulk 2", kind="other"),
        ]
    )
    assert all(events_for(o)[0].action == "create" for o in created)
    for o in created:
        o.name += " changed"
    Organisation.objects.bulk_update(created, ["name"])
    assert events_for(created[0])[-1].changes == {
        "name": {"from": "Bulk 1", "to": "Bulk 1 changed"}
    }


def test_member_changes_are_recorded(officer):
    ward = AreaFactory(name="Derby")
    with acting_as(officer):
        group = ComparatorGroupFactory()
        group.members.add(ward)
    last = events_for(group)[-1]
    assert last.changes == {"members": {"added": [str(ward)]}}


def test_personal_fields_are_redacted(officer):
    with acting_as(officer):
        person = PersonFactory(given_name="Jo")
        person.given_name = "Joanne"
        person.save()
    for event in events_for(person):
        assert "Jo" not in str(event.changes)
    assert events_for(person)[-1].changes == {"given_name": {"redacted": True}}


def test_unattributed_change_is_labelled_system():
    org = OrganisationFactory()
    assert events_for(org)[0].actor_label == "system"


def test_audit_event_cannot_be_changed_through_the_model():
    event = events_for(OrganisationFactory())[0]
    event.reason = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()


def test_audit_events_cannot_be_changed_in_bulk():
    OrganisationFactory()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().update(actor_label="someone else")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_of_audit_event():
    event = events_for(OrganisationFactory())[0]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])


def test_user_with_history_cannot_be_deleted(officer):
    with acting_as(officer):
        OrganisationFactory()
    with pytest.raises(IntegrityError):
        officer.delete()
