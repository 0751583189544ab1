from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "placebook.core"
    label = "core"
    verbose_name = "Core: organisations, places, periods, people"

    def ready(self) -> None:
        # Connects the audit receivers.
        from placebook.core import audit  # noqa: F401

    def summary(self, user):
        from django.urls import reverse

        from placebook.core.models import Area, ComparatorGroup, Organisation, Period
        from placebook.core.permissions import visible_to
        from placebook.web.subsystems import SummaryItem

        counts = [
            ("Organisations", Organisation, "web:organisation-list"),
            ("Areas", Area, "web:area-list"),
            ("Comparator groups", ComparatorGroup, "web:comparator-group-list"),
            ("Periods", Period, "web:period-list"),
        ]
        return [
            SummaryItem(label, visible_to(user, model.objects.all()).count(), reverse(url))
            for label, model, url in counts
        ]
