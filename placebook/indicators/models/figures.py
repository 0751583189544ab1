from django.db import models

from placebook.core.models import SourcedModel


class FigureKind(models.TextChoices):
    RANK = "rank", "Rank"
    Z_SCORE = "z_score", "Z-score"
    DIRECTION = "direction", "Direction of travel"
    DIFFERENCE = "difference", "Difference"
    TOTAL = "total", "Total"
    PERCENTAGE = "percentage", "Percentage"
    RATIO = "ratio", "Ratio"
    RAG = "rag", "RAG rating"
    COUNT_OF = "count_of", "Count of items"
    UPDATED = "updated", "Marked as updated this edition"
    OTHER = "other", "Other"


class PublishedFigure(SourcedModel):
    """A derived or comparative figure as printed in a paper (a rank, a z-score, an arrow,
    a difference), kept with its location so the consistency audit can re-check it."""

    release = models.ForeignKey(
        "indicators.Release", on_delete=models.CASCADE, related_name="figures"
    )
    table = models.CharField(max_length=120)
    row = models.CharField(max_length=300)
    column = models.CharField(max_length=120)
    printed = models.CharField(max_length=300)
    value = models.FloatField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=FigureKind.choices)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
    )
    area = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_text = models.CharField(max_length=60, blank=True)
    comparator_group = models.ForeignKey(
        "core.ComparatorGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim = models.TextField(blank=True)

    class Meta:
        ordering = ["release", "source_line", "id"]

    def __str__(self) -> str:
        return f"{self.row} / {self.column}: {self.printed}"
