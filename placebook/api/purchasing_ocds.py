from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import views
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from placebook.purchasing.models import PurchasingSystem, SystemStatus
from placebook.purchasing.ocds import release_package


class PurchasingOcdsView(views.APIView):
    """Purchasing as open contracting data (OCDS 1.1 release package): each purchasing
    system, each package's call-off competition, and each direct award and spot purchase.

    Public, as published procurement data is open data. It never names or describes the
    people packages are bought for: a package appears only as its reference, service
    category and hours a week.
    """

    # Always JSON, so the response is the release package itself, byte for byte what a
    # data user's tools expect, whatever the browser asks for.
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Purchasing as an OCDS 1.1 release package",
        parameters=[
            OpenApiParameter(
                "system", description="Key of one purchasing system; all published by default"
            )
        ],
        responses={
            200: OpenApiResponse(
                response={"type": "object"},
                description="An OCDS 1.1 release package with the lots extension.",
            )
        },
        external_docs={
            "url": "https://standard.open-contracting.org/1.1/en/schema/release_package/",
            "description": "OCDS release package schema",
        },
    )
    def get(self, request):
        systems = None
        if key := request.query_params.get("system"):
            systems = PurchasingSystem.objects.filter(key=key).exclude(status=SystemStatus.DRAFT)
            if not systems.exists():
                raise NotFound(f"No published purchasing system called '{key}'.")
        return Response(release_package(systems=systems, uri=request.build_absolute_uri()))
