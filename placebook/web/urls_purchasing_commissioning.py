from django.urls import path

from placebook.web.views import purchasing_commissioning as views

urlpatterns = [
    path("systems/", views.system_list, name="system-list"),
    path("systems/<slug:key>/", views.system_detail, name="system-detail"),
    path("systems/<slug:key>/open/", views.system_open, name="system-open"),
    path("systems/<slug:key>/close/", views.system_close, name="system-close"),
    path("systems/<slug:key>/applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/score/", views.application_score, name="application-score"),
    path("applications/<int:pk>/gate/", views.application_gate, name="application-gate"),
    path(
        "applications/<int:pk>/moderate/", views.application_moderate, name="application-moderate"
    ),
    path("applications/<int:pk>/decide/", views.application_decide, name="application-decide"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        views.application_document,
        name="application-document",
    ),
]
