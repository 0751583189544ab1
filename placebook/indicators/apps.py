from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "placebook.indicators"
    label = "indicators"
    verbose_name = "Indicators: performance and outcomes"

    def summary(self, user):
        from django.urls import reverse

        from placebook.indicators.models import Indicator, IndicatorValue, Release
        from placebook.web.subsystems import SummaryItem

        catalogue = reverse("indicators:indicator-list")
        return [
            SummaryItem("Indicators", Indicator.objects.count(), catalogue),
            SummaryItem("Current figures", IndicatorValue.objects.current().count(), catalogue),
            SummaryItem("Releases", Release.objects.count(), catalogue),
        ]
