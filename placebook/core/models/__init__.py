from placebook.core.models.areas import (
    Area,
    AreaLink,
    AreaType,
    ComparatorGroup,
    ComparatorGroupStatus,
    Hierarchy,
)
from placebook.core.models.audit import AuditEvent, AuditTrailIsAppendOnly
from placebook.core.models.base import (
    AuditedModel,
    AuditedQuerySet,
    Source,
    SourcedModel,
    TrackedModel,
)
from placebook.core.models.organisations import Organisation, OrganisationKind
from placebook.core.models.people import Person, Role, RoleAssignment, User
from placebook.core.models.periods import Period

__all__ = [
    "Area",
    "AreaLink",
    "AreaType",
    "AuditEvent",
    "AuditTrailIsAppendOnly",
    "AuditedModel",
    "AuditedQuerySet",
    "ComparatorGroup",
    "ComparatorGroupStatus",
    "Hierarchy",
    "Organisation",
    "OrganisationKind",
    "Period",
    "Person",
    "Role",
    "RoleAssignment",
    "Source",
    "SourcedModel",
    "TrackedModel",
    "User",
]
