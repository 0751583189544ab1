from django.http import JsonResponse
from django.urls import include, path

from placebook.core.health import database_status


def healthz(request):
    database = database_status()
    healthy = database["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database},
        status=200 if healthy else 503,
    )


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", include("placebook.api.urls")),
    path("indicators/", include("placebook.web.urls_indicators")),
    path("purchasing/", include("placebook.web.urls_purchasing")),
    path("portal/", include("placebook.web.urls_portal")),
    path("", include("placebook.web.urls")),
]
