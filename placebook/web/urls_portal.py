from django.urls import path

from placebook.web.views import portal as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/<slug:key>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/upload/", views.application_upload, name="application-upload"),
    path(
        "applications/<int:pk>/coverage/",
        views.application_coverage,
        name="application-coverage",
    ),
    path("requests/<str:reference>/", views.package_request, name="request"),
]
