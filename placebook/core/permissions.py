"""Who may do what: every permission, every role, and every object-level rule.

Views and API endpoints ask ``has_permission`` (may this user do X, to this object?) and
``visible_to`` (which rows of this queryset may this user see?). Nothing else decides.

The rules in force (each proved by an allowed and a denied test in
``tests/unit/core/test_permissions.py``):

* The public (not signed in) sees published data only.
* A care provider user sees only its own organisation's records.
* Personal data about residents is visible only to roles that need it to support them:
  council officers (brokerage, assessment) and senior managers (approvals) see everyone;
  a link worker sees only the people on their own caseload. Commissioners, councillors
  and providers work from anonymised references and aggregates.
* Only senior managers read the audit trail; nobody changes it.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Model, QuerySet

from placebook.core.actors import SystemActor
from placebook.core.models import Person, Role


class Permission(StrEnum):
    PUBLISHED_DATA_VIEW = "published_data_view"
    UNPUBLISHED_DATA_VIEW = "unpublished_data_view"
    REFERENCE_DATA_EDIT = "reference_data_edit"
    COMPARATOR_GROUP_PUBLISH = "comparator_group_publish"
    PERSON_VIEW = "person_view"
    PERSON_EDIT = "person_edit"
    PERSON_SCRUB = "person_scrub"
    ORGANISATION_USERS_VIEW = "organisation_users_view"
    AUDIT_VIEW = "audit_view"
    USER_MANAGE = "user_manage"
    # Purchasing (seed 003).
    PURCHASING_MANAGE = "purchasing_manage"
    APPLICATION_VIEW = "application_view"
    APPLICATION_EVALUATE = "application_evaluate"
    PACKAGE_VIEW = "package_view"
    PACKAGE_BROKER = "package_broker"
    AWARD_APPROVE = "award_approve"
    PROVIDER_PORTAL = "provider_portal"


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    description: str
    permissions: frozenset[Permission]


_STAFF = {
    Permission.PUBLISHED_DATA_VIEW,
    Permission.UNPUBLISHED_DATA_VIEW,
    Permission.ORGANISATION_USERS_VIEW,
}

ROLES: dict[str, RoleDefinition] = {
    d.role: d
    for d in [
        RoleDefinition(
            Role.COUNCIL_OFFICER,
            "Works in adult social care or public health: keeps reference data, brokers "
            "care and sees the residents they support.",
            frozenset(
                _STAFF
                | {
                    Permission.REFERENCE_DATA_EDIT,
                    Permission.PERSON_VIEW,
                    Permission.PERSON_EDIT,
                    Permission.APPLICATION_VIEW,
                    Permission.APPLICATION_EVALUATE,
                    Permission.PACKAGE_VIEW,
                    Permission.PACKAGE_BROKER,
                }
            ),
        ),
        RoleDefinition(
            Role.COMMISSIONER,
            "Plans and buys services: keeps reference data and publishes comparator "
            "groups; works from aggregates, not named residents.",
            frozenset(
                _STAFF
                | {
                    Permission.REFERENCE_DATA_EDIT,
                    Permission.COMPARATOR_GROUP_PUBLISH,
                    Permission.PURCHASING_MANAGE,
                    Permission.APPLICATION_VIEW,
                    Permission.APPLICATION_EVALUATE,
                    Permission.PACKAGE_VIEW,
                }
            ),
        ),
        RoleDefinition(
            Role.SENIOR_MANAGER,
            "Approves spending within a delegated financial limit, manages accounts, "
            "reads the audit trail and acts on erasure requests.",
            frozenset(
                _STAFF
                | {
                    Permission.REFERENCE_DATA_EDIT,
                    Permission.COMPARATOR_GROUP_PUBLISH,
                    Permission.PERSON_VIEW,
                    Permission.PERSON_SCRUB,
                    Permission.AUDIT_VIEW,
                    Permission.USER_MANAGE,
                    Permission.PURCHASING_MANAGE,
                    Permission.APPLICATION_VIEW,
                    Permission.APPLICATION_EVALUATE,
                    Permission.PACKAGE_VIEW,
                    Permission.PACKAGE_BROKER,
                    Permission.AWARD_APPROVE,
                }
            ),
        ),
        RoleDefinition(
            Role.PROVIDER_USER,
            "Works for one care provider: sees that provider's own records and "
            "anonymised references for the people it supports.",
            frozenset(
                {
                    Permission.PUBLISHED_DATA_VIEW,
                    Permission.ORGANISATION_USERS_VIEW,
                    Permission.PROVIDER_PORTAL,
                    Permission.APPLICATION_VIEW,
                }
            ),
        ),
        RoleDefinition(
            Role.LINK_WORKER,
            "Social prescribing link worker or community connector: supports the "
            "residents on their own caseload.",
            frozenset(
                {
                    Permission.PUBLISHED_DATA_VIEW,
                    Permission.PERSON_VIEW,
                    Permission.PERSON_EDIT,
                }
            ),
        ),
        RoleDefinition(
            Role.COUNCILLOR,
            "Elected member on a committee: reads published data and committee papers.",
            frozenset({Permission.PUBLISHED_DATA_VIEW}),
        ),
    ]
}

PUBLIC_PERMISSIONS = frozenset({Permission.PUBLISHED_DATA_VIEW})


def permissions_of(user) -> frozenset[Permission]:
    if isinstance(user, SystemActor):
        return frozenset(Permission)
    if user is None or not user.is_authenticated:
        return PUBLIC_PERMISSIONS
    granted: set[Permission] = set(PUBLIC_PERMISSIONS)
    for role in user.role_set:
        granted |= ROLES[role].permissions
    return frozenset(granted)


def _is_provider_user(user) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.PROVIDER_USER)


def _sees_every_person(user) -> bool:
    return user.has_role(Role.COUNCIL_OFFICER) or user.has_role(Role.SENIOR_MANAGER)


def _owning_organisation_id(obj: Model, scope: str):
    *path, last = scope.split("__")
    for step in path:
        obj = getattr(obj, step)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def _view_permission(model: type[Model]) -> Permission:
    return Permission(getattr(model, "view_permission", Permission.PUBLISHED_DATA_VIEW))


def has_permission(user, permission: Permission, obj: Model | None = None) -> bool:
    if permission not in permissions_of(user):
        return False
    if obj is None or isinstance(user, SystemActor):
        return True
    personal = isinstance(obj, Person) and permission in {
        Permission.PERSON_VIEW,
        Permission.PERSON_EDIT,
    }
    if personal and not (
        _sees_every_person(user) or obj.assigned_workers.filter(pk=user.pk).exists()
    ):
        return False
    if getattr(obj, "is_published", True) is False and (
        Permission.UNPUBLISHED_DATA_VIEW not in permissions_of(user)
    ):
        return False
    scope = getattr(type(obj), "organisation_scope_field", None)
    if scope and _is_provider_user(user):
        return _owning_organisation_id(obj, scope) == user.organisation_id
    return True


def can_view(user, obj: Model) -> bool:
    return has_permission(user, _view_permission(type(obj)), obj)


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` this user may see, by the rules in this module.

    A model opts in with class attributes: ``view_permission`` (default: published data),
    ``organisation_scope_field`` (path to the owning organisation, for provider users), and
    a ``published()`` queryset method when it has drafts the public must not see.
    """
    model = queryset.model
    granted = permissions_of(user)
    if _view_permission(model) not in granted:
        return queryset.none()
    if isinstance(user, SystemActor):
        return queryset
    if model is Person and not _sees_every_person(user):
        queryset = queryset.filter(assigned_workers=user)
    if hasattr(queryset, "published") and Permission.UNPUBLISHED_DATA_VIEW not in granted:
        queryset = queryset.published()
    scope = getattr(model, "organisation_scope_field", None)
    if scope and _is_provider_user(user):
        queryset = queryset.filter(**{scope: user.organisation_id})
    return queryset


class PermissionDenied(Exception):
    """A service refused an action the actor's roles do not allow."""


def require(user, permission: Permission, obj: Model | None = None) -> None:
    if not has_permission(user, permission, obj):
        who = getattr(user, "username", None) or "The public"
        raise PermissionDenied(f"{who} may not {permission.value.replace('_', ' ')}.")
