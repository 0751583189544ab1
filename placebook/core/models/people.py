import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from placebook.core.fields import MoneyField
from placebook.core.models.base import AuditedModel


class Role(models.TextChoices):
    """The jobs people do in Placebook; what each may do is in ``core.permissions``."""

    COUNCIL_OFFICER = "council_officer", "Council officer"
    COMMISSIONER = "commissioner", "Commissioner"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    PROVIDER_USER = "provider_user", "Care provider user"
    LINK_WORKER = "link_worker", "Link worker / community connector"
    COUNCILLOR = "councillor", "Councillor"


class User(AbstractUser):
    """A person who signs in. Residents who receive support are ``Person`` rows instead."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Employer. A care provider user sees only this organisation's records.",
    )
    financial_authority_limit = MoneyField(
        null=True,
        blank=True,
        help_text="Pounds a senior manager may approve under the scheme of delegation.",
    )

    # Read by core.permissions: provider users see only their own organisation's people.
    view_permission = "organisation_users_view"
    organisation_scope_field = "organisation"

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def role_set(self) -> frozenset[str]:
        # Cached per instance: permission checks ask many times within one request.
        if not hasattr(self, "_role_set"):
            self._role_set = frozenset(self.role_assignments.values_list("role", flat=True))
        return self._role_set

    def has_role(self, role: Role) -> bool:
        return role in self.role_set

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(AuditedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="roleassignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


def _new_reference() -> str:
    # Unguessable and free of personal data, so it can be shown to providers.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "P-" + "".join(secrets.choice(alphabet) for _ in range(8))


def validate_nhs_number(value: str) -> None:
    """Modulus 11 check digit, as the NHS Data Dictionary defines it."""
    digits = value.replace(" ", "")
    if not (len(digits) == 10 and digits.isdigit()):
        raise ValidationError(f"'{value}' is not an NHS number: it must be 10 digits.")
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise ValidationError(f"'{value}' is not an NHS number: its check digit is wrong.")


class Person(AuditedModel):
    """A resident who receives care or support. Holds personal data.

    Only roles that need it see the identifying fields (``core.permissions``); everyone
    else, providers included, sees ``reference`` only.
    """

    reference = models.CharField(max_length=12, unique=True, default=_new_reference, editable=False)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=12, blank=True, validators=[validate_nhs_number])
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="caseload",
        help_text="Link workers and other staff who hold this person on their caseload.",
    )
    is_synthetic = models.BooleanField(default=False, help_text="Made-up demo person.")
    scrubbed_at = models.DateTimeField(null=True, blank=True)

    view_permission = "person_view"
    personal_fields = ("given_name", "family_name", "date_of_birth", "nhs_number", "postcode")
    audit_redacted_fields = personal_fields

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def scrub_personal_data(self) -> None:
        """Blank the identifying fields (right to erasure); the reference stays for records."""
        for field in self.personal_fields:
            setattr(self, field, None if field == "date_of_birth" else "")
        self.scrubbed_at = timezone.now()
        self.save()
