from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from placebook.api import indicators, purchasing, purchasing_ocds, views

app_name = "api"

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet)
router.register("areas", views.AreaViewSet)
router.register("comparator-groups", views.ComparatorGroupViewSet)
router.register("periods", views.PeriodViewSet)
router.register("sources", views.SourceViewSet)
router.register("audit-events", views.AuditEventViewSet)
router.register("indicators", indicators.IndicatorViewSet)
router.register("indicator-values", indicators.IndicatorValueViewSet)
router.register("releases", indicators.ReleaseViewSet)
router.register(
    "purchasing-systems", purchasing.PurchasingSystemViewSet, basename="purchasing-system"
)
router.register("applications", purchasing.ApplicationViewSet, basename="application")
router.register("package-requests", purchasing.PackageRequestViewSet, basename="package-request")
router.register("awards", purchasing.AwardViewSet, basename="award")
router.register("contracts", purchasing.ContractViewSet, basename="contract")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("comparisons/", indicators.ComparisonView.as_view(), name="comparisons"),
    path("audit-findings/", indicators.AuditFindingsView.as_view(), name="audit-findings"),
    path("dashboards/", indicators.DashboardListView.as_view(), name="dashboard-list"),
    path("dashboards/<slug:slug>/", indicators.DashboardView.as_view(), name="dashboard-detail"),
    path("purchasing/ocds/", purchasing_ocds.PurchasingOcdsView.as_view(), name="purchasing-ocds"),
    path("spend/", purchasing.SpendView.as_view(), name="spend"),
    path("", include(router.urls)),
]
