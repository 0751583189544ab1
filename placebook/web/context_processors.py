from django.urls import reverse

from placebook.web.subsystems import SUBSYSTEMS


def service_navigation(request):
    path = request.path
    items = [{"label": s.label, "url": s.url} for s in SUBSYSTEMS]
    items.append({"label": "Reference data", "url": reverse("web:reference")})
    for item in items:
        item["active"] = path.startswith(item["url"])
    return {"service_navigation": items}
