"""Each rule in placebook.core.permissions, with a case it allows and a case it denies."""

import pytest
from django.contrib.auth.models import AnonymousUser

from placebook.core.models import ComparatorGroup, Person, User
from placebook.core.permissions import Permission, can_view, has_permission, visible_to
from tests.factories.core import (
    CareProviderFactory,
    ComparatorGroupFactory,
    ComparatorGroupPublishedFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_public_sees_published_comparator_groups_only():
    published, draft = ComparatorGroupPublishedFactory(), ComparatorGroupFactory()
    visible = visible_to(AnonymousUser(), ComparatorGroup.objects.all())
    assert list(visible) == [published]
    assert can_view(AnonymousUser(), published)
    assert not can_view(AnonymousUser(), draft)


def test_officer_sees_draft_comparator_groups(officer):
    draft = ComparatorGroupFactory()
    assert draft in visible_to(officer, ComparatorGroup.objects.all())
    assert can_view(officer, draft)


def test_councillor_sees_published_data_but_not_drafts(councillor):
    published, draft = ComparatorGroupPublishedFactory(), ComparatorGroupFactory()
    assert list(visible_to(councillor, ComparatorGroup.objects.all())) == [published]
    assert not can_view(councillor, draft)


def test_provider_user_sees_only_own_organisation_users(provider_user):
    colleague = UserFactory(organisation=provider_user.organisation)
    outsider = UserFactory(organisation=CareProviderFactory())
    visible = set(visible_to(provider_user, User.objects.all()))
    assert visible == {provider_user, colleague}
    assert can_view(provider_user, colleague)
    assert not can_view(provider_user, outsider)


def test_officer_sees_users_of_every_organisation(officer):
    outsider = UserFactory(organisation=CareProviderFactory())
    assert outsider in visible_to(officer, User.objects.all())


def test_public_sees_no_user_accounts():
    UserFactory()
    assert not visible_to(AnonymousUser(), User.objects.all()).exists()


def test_officer_and_manager_see_personal_data(officer, manager):
    person = PersonFactory()
    for user in (officer, manager):
        assert has_permission(user, Permission.PERSON_VIEW, person)
        assert person in visible_to(user, Person.objects.all())


def test_link_worker_sees_only_own_caseload(link_worker):
    mine, theirs = PersonFactory(), PersonFactory()
    mine.assigned_workers.add(link_worker)
    assert list(visible_to(link_worker, Person.objects.all())) == [mine]
    assert has_permission(link_worker, Permission.PERSON_VIEW, mine)
    assert not has_permission(link_worker, Permission.PERSON_VIEW, theirs)


@pytest.mark.parametrize("fixture", ["commissioner", "councillor", "provider_user", "no_role_user"])
def test_roles_without_need_see_no_personal_data(fixture, request):
    user = request.getfixturevalue(fixture)
    person = PersonFactory()
    person.assigned_workers.add(user)  # being named on a record is not a reason to see it
    assert not has_permission(user, Permission.PERSON_VIEW, person)
    assert not visible_to(user, Person.objects.all()).exists()


def test_public_sees_no_personal_data():
    PersonFactory()
    assert not visible_to(AnonymousUser(), Person.objects.all()).exists()


def test_only_senior_managers_read_the_audit_trail(manager, officer, commissioner):
    assert has_permission(manager, Permission.AUDIT_VIEW)
    assert not has_permission(officer, Permission.AUDIT_VIEW)
    assert not has_permission(commissioner, Permission.AUDIT_VIEW)
    assert not has_permission(AnonymousUser(), Permission.AUDIT_VIEW)


def test_reference_data_edit_needs_an_officer_role(
    officer, commissioner, councillor, provider_user
):
    assert has_permission(officer, Permission.REFERENCE_DATA_EDIT)
    assert has_permission(commissioner, Permission.REFERENCE_DATA_EDIT)
    assert not has_permission(councillor, Permission.REFERENCE_DATA_EDIT)
    assert not has_permission(provider_user, Permission.REFERENCE_DATA_EDIT)
    assert not has_permission(AnonymousUser(), Permission.REFERENCE_DATA_EDIT)


def test_system_actor_may_do_anything(system):
    assert has_permission(system, Permission.AUDIT_VIEW)
    assert visible_to(system, Person.objects.all()).model is Person
