from django.urls import path

from placebook.web.views import indicators as views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="indicator-list"),
    path("catalogue/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("dashboards/", views.dashboard_list, name="dashboard-list"),
    path("audit/", views.audit_report, name="audit"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("dashboards/<slug:slug>/", views.dashboard_detail, name="dashboard-detail"),
    path(
        "dashboards/<slug:slug>/download.<str:fmt>",
        views.dashboard_download,
        name="dashboard-download",
    ),
]
