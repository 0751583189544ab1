from django.db import models
from django.urls import reverse

from placebook.core.models import AuditedModel, SourcedModel
from placebook.core.periods import PERIOD_TYPE_CHOICES


class Framework(models.TextChoices):
    PHOF = "PHOF", "Public Health Outcomes Framework"
    ASCOF = "ASCOF", "Adult Social Care Outcomes Framework"
    NHS = "NHS", "NHS constitution and operational standards"
    LOCAL = "Local", "Local measure"


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", "%"
    RATE_PER_1000 = "rate_per_1000", "rate per 1,000"
    RATE_PER_100000 = "rate_per_100000", "rate per 100,000"
    DSR_PER_100000 = "dsr_per_100000", "age-standardised rate per 100,000"
    YEARS = "years", "years"
    COUNT = "count", "count"
    DURATION = "duration", "hh:mm:ss"
    RATIO = "ratio", "ratio"
    SCORE = "score", "score"
    POUNDS = "pounds", "£"


# The multiplier each unit applies to a proportion or rate, as PHEindicatormethods takes it.
UNIT_MULTIPLIER = {
    Unit.PERCENTAGE: 100,
    Unit.RATE_PER_1000: 1_000,
    Unit.RATE_PER_100000: 100_000,
    Unit.DSR_PER_100000: 100_000,
}


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NO_JUDGEMENT = "no_judgement", "No judgement"


class ValueType(models.TextChoices):
    PROPORTION = "proportion", "Proportion"
    CRUDE_RATE = "crude_rate", "Crude rate"
    DSR = "dsr", "Directly standardised rate"
    COUNT = "count", "Count"
    SURVEY_ESTIMATE = "survey_estimate", "Survey estimate"
    MEAN = "mean", "Mean"
    DURATION = "duration", "Duration"
    LIFE_EXPECTANCY = "life_expectancy", "Life expectancy"
    SCORE = "score", "Score"


class GeographyLevel(models.TextChoices):
    UPPER_TIER_LA = "upper_tier_la", "Upper-tier local authority"
    LOWER_TIER_LA = "lower_tier_la", "Lower-tier local authority"
    CCG = "ccg", "Former CCG / sub-ICB location"
    PLACE = "place", "Place"
    TRUST = "trust", "NHS trust"
    ICB = "icb", "Integrated care board"
    AMBULANCE_SERVICE = "ambulance_service", "Ambulance service"


class UpdateFrequency(models.TextChoices):
    ANNUAL = "annual", "Annual"
    QUARTERLY = "quarterly", "Quarterly"
    MONTHLY = "monthly", "Monthly"


class Indicator(SourcedModel, AuditedModel):
    """One measure, defined once. Definitions are files in ``indicators/definitions/``."""

    code = models.SlugField(max_length=120, unique=True)
    framework = models.CharField(max_length=8, choices=Framework.choices)
    framework_ref = models.CharField(
        max_length=20, blank=True, help_text="The framework's own number, e.g. PHOF A01a, ASCOF 1A."
    )
    fingertips_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    name = models.CharField(max_length=300)
    definition = models.TextField()
    why_it_matters = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    value_type = models.CharField(max_length=20, choices=ValueType.choices)
    period_type = models.CharField(
        max_length=32,
        choices=PERIOD_TYPE_CHOICES,
    )
    geography_level = models.CharField(max_length=20, choices=GeographyLevel.choices)
    data_source = models.CharField(max_length=300)
    update_frequency = models.CharField(max_length=12, choices=UpdateFrequency.choices)
    owner = models.CharField(max_length=200)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator-detail", kwargs={"code": self.code})

    @property
    def multiplier(self) -> int | None:
        return UNIT_MULTIPLIER.get(self.unit)

    @property
    def stats_polarity(self) -> str:
        """The polarity as placebook.stats spells it, after PHEindicatormethods
        ("lower is better")."""
        return self.polarity.replace("_", " ")
