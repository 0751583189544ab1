from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "placebook.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing: care and support"

    def summary(self, user):
        """What this user can act on: systems for everyone, the broker's and approver's
        queues for staff, and invitations for a provider."""
        from django.urls import reverse

        from placebook.contracts.models import Contract
        from placebook.core.permissions import Permission, has_permission, visible_to
        from placebook.purchasing.models import (
            Award,
            AwardStatus,
            PackageRequest,
            PackageStatus,
            PurchasingSystem,
            SystemStatus,
        )
        from placebook.purchasing.services.packages import requests_for_provider
        from placebook.web.subsystems import SummaryItem

        systems = PurchasingSystem.objects.exclude(status=SystemStatus.DRAFT)
        items = [SummaryItem("Purchasing systems", systems.count(),
                             reverse("purchasing:system-list"))]  # fmt: skip
        if has_permission(user, Permission.PACKAGE_VIEW):
            packages = visible_to(user, PackageRequest.objects.all())
            items.append(SummaryItem("Package requests open or being evaluated",
                                     packages.filter(status__in=[PackageStatus.OPEN,
                                                                 PackageStatus.EVALUATED]).count(),
                                     reverse("purchasing:package-list")))  # fmt: skip
            items.append(SummaryItem("Contracts", Contract.objects.count(),
                                     reverse("purchasing:contract-list")))  # fmt: skip
        if has_permission(user, Permission.PACKAGE_BROKER):
            items.append(SummaryItem("Batch brokerage runs",
                                     self.get_model("BrokerageRun").objects.count(),
                                     reverse("purchasing:batch-list")))  # fmt: skip
        if has_permission(user, Permission.AWARD_APPROVE):
            waiting = Award.objects.filter(status=AwardStatus.AWAITING_APPROVAL).count()
            items.append(SummaryItem("Awards waiting for approval", waiting,
                                     reverse("purchasing:approval-list")))  # fmt: skip
        if has_permission(user, Permission.PROVIDER_PORTAL):
            invited = requests_for_provider(user).filter(status=PackageStatus.OPEN).count()
            items.append(SummaryItem("Requests inviting your response", invited,
                                     reverse("portal:home")))  # fmt: skip
        return items
