from django.db import models
from django.urls import reverse
from django.utils import timezone

from placebook.core.models.base import AuditedModel, AuditedQuerySet, SourcedModel


class AreaType(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    ICB = "icb", "Integrated care board"
    CCG = "ccg", "Former clinical commissioning group"
    LOCAL_AUTHORITY = "local_authority", "Place (local authority)"
    COUNCIL_LOCALITY = "council_locality", "Council locality"
    HEALTH_LOCALITY = "health_locality", "Health locality"
    PCN = "pcn", "Primary care network"
    WARD = "ward", "Electoral ward"
    MSOA = "msoa", "Middle layer super output area"
    LSOA = "lsoa", "Lower layer super output area"


class Hierarchy(models.TextChoices):
    """The separate trees an area can sit in at once.

    A Sefton ward is in the council's own locality and in the statutory Place; PCNs and
    former CCGs make a third, health, tree that does not follow ward boundaries.
    """

    ADMINISTRATIVE = "administrative", "Administrative (ONS)"
    COUNCIL_LOCALITY = "council_locality", "Council localities"
    HEALTH = "health", "NHS health geography"


class AreaQuerySet(AuditedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on),
        )


class Area(SourcedModel, AuditedModel):
    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="GSS code where ONS gives one; otherwise the official (ODS) or a local code.",
    )
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=AreaType.choices, db_index=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    parents = models.ManyToManyField(
        "self", through="AreaLink", symmetrical=False, related_name="children"
    )
    # Boundary changes (CCGs into Place footprints in 2022, Cumbria's split in 2023): a time
    # series runs on through the areas a successor replaced.
    replaces = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="replaced_by"
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["type", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="area_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("web:area-detail", kwargs={"code": self.code})

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )


class AreaLink(SourcedModel):
    parent = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="parent_links")
    hierarchy = models.CharField(max_length=32, choices=Hierarchy.choices)

    class Meta:
        ordering = ["hierarchy", "parent__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent", "hierarchy"], name="arealink_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")), name="arealink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child.name} in {self.parent.name} ({self.get_hierarchy_display()})"


class ComparatorGroupStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ComparatorGroupQuerySet(AuditedQuerySet):
    def published(self):
        return self.filter(status=ComparatorGroupStatus.PUBLISHED)


class ComparatorGroup(SourcedModel, AuditedModel):
    """A named, versioned set of areas that a figure is compared or ranked against.

    Membership changes over time (Cumbria split in 2023; CIPFA revises its nearest
    neighbours), so a new membership is a new version and old rankings stay reproducible.
    """

    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    subject = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comparator_groups_as_subject",
        help_text="The area the group was chosen for (e.g. Sefton's statistical neighbours).",
    )
    members = models.ManyToManyField(Area, related_name="comparator_groups")
    status = models.CharField(
        max_length=16, choices=ComparatorGroupStatus.choices, default=ComparatorGroupStatus.DRAFT
    )

    objects = ComparatorGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="comparatorgroup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def get_absolute_url(self) -> str:
        return reverse(
            "web:comparator-group-detail", kwargs={"slug": self.slug, "version": self.version}
        )

    @property
    def is_published(self) -> bool:
        return self.status == ComparatorGroupStatus.PUBLISHED
