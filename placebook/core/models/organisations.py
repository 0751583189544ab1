from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.models.base import AuditedModel, SourcedModel
from placebook.core.validators import (
    validate_charity_number,
    validate_company_number,
    validate_cqc_id,
    validate_gss_code,
    validate_ods_code,
)


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    ICB = "icb", "Integrated care board"
    NHS_TRUST = "nhs_trust", "NHS trust"
    PCN = "pcn", "Primary care network"
    GP_PRACTICE = "gp_practice", "GP practice"
    CARE_PROVIDER = "care_provider", "Care provider"
    VCF = "vcf", "Voluntary, community or faith organisation"
    OTHER = "other", "Other"


# Identifier schemes from the org-id.guide register, used when we publish open data
# (OCDS parties, 360Giving recipients) so other systems can match organisations.
IDENTIFIER_SCHEMES = {
    "companies_house_number": "GB-COH",
    "charity_number": "GB-CHC",
    "ods_code": "GB-NHS",
}


def _unique_when_set(field: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[field], condition=~Q(**{field: ""}), name=f"organisation_unique_{field}"
    )


class Organisation(SourcedModel, AuditedModel):
    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    gss_code = models.CharField(
        "ONS GSS code", max_length=9, blank=True, validators=[validate_gss_code]
    )
    ods_code = models.CharField(
        "NHS ODS code", max_length=6, blank=True, validators=[validate_ods_code]
    )
    cqc_provider_id = models.CharField(
        "CQC provider ID", max_length=14, blank=True, validators=[validate_cqc_id]
    )
    companies_house_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number]
    )
    charity_number = models.CharField(
        max_length=11, blank=True, validators=[validate_charity_number]
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    area = models.ForeignKey(
        "core.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="The area the organisation is responsible for, or where it is based.",
    )
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    is_synthetic = models.BooleanField(
        default=False, help_text="Made-up demo record; never a real organisation."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            _unique_when_set("gss_code"),
            _unique_when_set("ods_code"),
            _unique_when_set("cqc_provider_id"),
            _unique_when_set("companies_house_number"),
            _unique_when_set("charity_number"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="organisation_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organisation-detail", kwargs={"key": self.key})

    def identifiers(self) -> list[dict[str, str]]:
        """Identifiers in org-id.guide form, for open-data exports."""
        return [
            {"scheme": scheme, "id": getattr(self, field)}
            for field, scheme in IDENTIFIER_SCHEMES.items()
            if getattr(self, field)
        ]
