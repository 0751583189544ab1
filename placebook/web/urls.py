from django.contrib.auth import views as auth_views
from django.urls import path

from placebook.web.views import core as views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("account/", views.account, name="account"),
    path("account/token/", views.account_token, name="account-token"),
    path("reference/", views.reference, name="reference"),
    path("reference/organisations/", views.organisation_list, name="organisation-list"),
    path("reference/organisations/add/", views.organisation_edit, name="organisation-create"),
    path(
        "reference/organisations/<slug:key>/", views.organisation_detail, name="organisation-detail"
    ),
    path(
        "reference/organisations/<slug:key>/change/",
        views.organisation_edit,
        name="organisation-edit",
    ),
    path("reference/areas/", views.area_list, name="area-list"),
    path("reference/areas/<str:code>/", views.area_detail, name="area-detail"),
    path("reference/comparator-groups/", views.comparator_group_list, name="comparator-group-list"),
    # Publish before detail: versions such as 2021/22 contain a slash.
    path(
        "reference/comparator-groups/<slug:slug>/<path:version>/publish/",
        views.comparator_group_publish,
        name="comparator-group-publish",
    ),
    path(
        "reference/comparator-groups/<slug:slug>/<path:version>/",
        views.comparator_group_detail,
        name="comparator-group-detail",
    ),
    path("reference/periods/", views.period_list, name="period-list"),
    path("reference/sources/", views.source_list, name="source-list"),
    path("audit/", views.audit_list, name="audit-list"),
    path("<slug:slug>/", views.subsystem, name="subsystem"),
]
