from django.db import models
from django.urls import reverse

from placebook.core.periods import PERIOD_TYPE_CHOICES


class Period(models.Model):
    """A reporting period that figures are published for.

    Rows are made from the one parser (``placebook.core.periods.parse_period``) by
    ``placebook.core.services.get_or_create_period``, so one period written in different
    ways ("2021/22", "2021-22", "21/22") shares a row, and a twelve-month span is stored as
    its calendar or financial year ("Jan-Dec 22" is 2022), so a time series is not split.
    """

    type = models.CharField(
        max_length=32,
        choices=PERIOD_TYPE_CHOICES,
    )
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["start", "end", "type"]
        constraints = [
            models.UniqueConstraint(fields=["type", "start", "end"], name="period_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("web:period-list") + f"#period-{self.pk}"
