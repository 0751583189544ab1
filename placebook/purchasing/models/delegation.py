"""The scheme of delegation: who may approve which value of package (seed 003 recommendation 6:
call-offs "authorised by senior managers within Adult Social Care, based upon the scheme of
delegation")."""

from django.db import models

from placebook.core.fields import MoneyField
from placebook.core.models.base import AuditedModel, SourcedModel
from placebook.core.models.people import Role


class SchemeOfDelegation(SourcedModel, AuditedModel):
    """A version of the scheme; the one in force on a date is the latest effective by then."""

    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField()
    effective_from = models.DateField()

    class Meta:
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scheme_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} (from {self.effective_from:%-d %B %Y})"


class DelegationLimit(AuditedModel):
    scheme = models.ForeignKey(SchemeOfDelegation, on_delete=models.CASCADE, related_name="limits")
    role = models.CharField(max_length=32, choices=Role.choices)
    weekly_limit = MoneyField()
    annual_limit = MoneyField()

    class Meta:
        ordering = ["scheme", "weekly_limit"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "role"], name="delegation_unique_role")
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_role_display()}: up to {self.weekly_limit}/week, {self.annual_limit}/year"
        )
