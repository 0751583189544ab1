from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from placebook.core.models import AuditedModel, AuditedQuerySet, Source, SourcedModel

# Stated small-number rule: counts from 1 to 4 are not shown to the public, nor are the
# value and limits built on them, so a person cannot be identified from a small area
# (the NHS Digital/OHID disclosure-control convention for published health statistics).
# Officers see them, marked, because they need them to plan services.
SMALL_NUMBER_LIMIT = 5


class Release(SourcedModel, AuditedModel):
    """One publication of figures: a framework edition, a dashboard pack, an upload."""

    key = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    published = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published", "key"]

    def __str__(self) -> str:
        return self.title


class Sex(models.TextChoices):
    PERSONS = "Persons", "Persons"
    MALE = "Male", "Male"
    FEMALE = "Female", "Female"


class ValueStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    FINAL = "final", "Final"


class NoteCode(models.TextChoices):
    NONE = "", "None"
    TOO_FEW_CASES = "too_few_cases", "Too few cases to calculate"
    NOT_MEANINGFUL = "not_meaningful", "Comparison not meaningful"
    SUPPRESSED = "suppressed", "Suppressed: small numbers"
    NOT_AVAILABLE = "not_available", "Not available"


class IndicatorValueQuerySet(AuditedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class IndicatorValue(SourcedModel, AuditedModel):
    """A figure for an indicator, one subject (an area or an organisation), a period and
    a breakdown. A new release with a different figure adds a row that ``supersedes`` the
    old one, which stays as history: nothing is silently overwritten.

    Fingertips loads a million rows at a time, and every index slows every load
    (benchmarks/README.md). So ``indicator`` has no index of its own (the composite index
    and both unique constraints start with it), and the optional keys are indexed only
    where set: most rows have no organisation and supersede nothing, and figures entered
    by hand have no source, those from a command-line import no user. A partial index
    still serves ``col = x``, which is all that filters and PROTECT or SET_NULL deletes ask.

    For the same reason no key is a database foreign key (``db_constraint=False``): their
    per-row checks took half of a million-row load. On PostgreSQL the database still
    refuses a reference to a missing row, and the deletion of a referenced one, through the
    triggers of migration 0005, which check each statement's rows together, at once rather
    than at commit. On SQLite (development and the demo) Django's PROTECT and SET_NULL
    guard the references, as they do on both.
    """

    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="values",
        db_index=False,
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="values",
    )
    area = models.ForeignKey(
        "core.Area",
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period = models.ForeignKey(
        "core.Period", on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.PERSONS)
    age = models.CharField(max_length=40, default="All ages")
    # Statistical estimates, not money: floats are right here, and what numpy returns.
    value = models.FloatField(null=True, blank=True)
    lower95_0cl = models.FloatField(null=True, blank=True)
    upper95_0cl = models.FloatField(null=True, blank=True)
    lower99_8cl = models.FloatField(null=True, blank=True)
    upper99_8cl = models.FloatField(null=True, blank=True)
    count = models.FloatField(null=True, blank=True, help_text="Numerator (events or people).")
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=20, choices=NoteCode.choices, blank=True)
    note_text = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=ValueStatus.choices, default=ValueStatus.FINAL)
    is_current = models.BooleanField(default=True)
    # Not a OneToOneField, whose unique index would hold every empty value: a partial
    # unique constraint (Meta) keeps one successor per value.
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="superseded_by",
        db_index=False,
    )
    printed = models.CharField(
        max_length=60, blank=True, help_text="The cell as printed, if loaded from a paper."
    )
    # As SourcedModel and TrackedModel declare them (keep them in step), but indexed only
    # where set: see Meta.indexes.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period__start", "area", "organisation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True, organisation__isnull=False)
                | Q(area__isnull=False, organisation__isnull=True),
                name="indicatorvalue_one_subject",
            ),
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "sex", "age"],
                condition=Q(is_current=True, area__isnull=False),
                name="indicatorvalue_one_current_per_area",
            ),
            models.UniqueConstraint(
                fields=["indicator", "organisation", "period", "sex", "age"],
                condition=Q(is_current=True, organisation__isnull=False),
                name="indicatorvalue_one_current_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=Q(supersedes__isnull=False),
                name="indicatorvalue_one_successor",
            ),
        ]
        indexes = [
            # Also the index for ``indicator`` alone.
            models.Index(fields=["indicator", "is_current", "period"]),
            *(
                models.Index(
                    fields=[key],
                    condition=Q(**{f"{key}__isnull": False}),
                    name=f"indicatorvalue_{key}",
                )
                for key in ("organisation", "source", "created_by", "updated_by")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.subject} {self.period}: {self.printed or self.value}"

    @property
    def subject(self):
        return self.area or self.organisation

    @property
    def is_small_number(self) -> bool:
        return self.count is not None and 0 < self.count < SMALL_NUMBER_LIMIT

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator-detail", kwargs={"code": self.indicator.code})


class TargetKind(models.TextChoices):
    THRESHOLD = "threshold", "Fixed threshold"
    TRAJECTORY = "trajectory", "Trajectory by period"
    ANNUAL_CAP = "annual_cap", "Annual cap tracked year to date"
    ZERO_TOLERANCE = "zero_tolerance", "Zero tolerance"
    DURATION = "duration", "Duration"


class Operator(models.TextChoices):
    AT_LEAST = ">=", "at least"
    AT_MOST = "<=", "at most"


class Target(SourcedModel, AuditedModel):
    """What an indicator should reach. With no area and no organisation it applies to all."""

    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="targets"
    )
    area = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    operator = models.CharField(max_length=2, choices=Operator.choices)
    value = models.FloatField(
        null=True, blank=True, help_text="Threshold, annual cap, or seconds for durations."
    )
    period = models.ForeignKey(
        "core.Period", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The year the target applies to; empty if it always applies.",
    )  # fmt: skip
    printed = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="zero_tolerance") | Q(value=0, operator="<="),
                name="target_zero_tolerance_is_at_most_zero",
            ),
            models.CheckConstraint(
                condition=Q(kind="trajectory") | Q(value__isnull=False),
                name="target_value_unless_trajectory",
            ),
        ]

    def __str__(self) -> str:
        return self.printed or f"{self.get_operator_display()} {self.value}"


class TargetStep(models.Model):
    """One period's value on a trajectory (e.g. Faster Diagnosis Standard by quarter)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="steps")
    period = models.ForeignKey("core.Period", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField()

    class Meta:
        ordering = ["period__start"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="targetstep_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.value:g}"
