from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from placebook.api import serializers as s
from placebook.core import services
from placebook.core.models import Area, AuditEvent, ComparatorGroup, Organisation, Period, Source
from placebook.core.periods import parse_period
from placebook.core.permissions import Permission, visible_to


class VisibleQuerysetMixin:
    """Every list and detail is cut down to what the requesting user may see."""

    def get_queryset(self):
        return visible_to(self.request.user, super().get_queryset())


class WriteViaServiceMixin:
    """Writes go through core.services, so the API and the web pages keep the same rules."""

    def perform_create(self, serializer):
        serializer.instance = self.save(serializer.validated_data, instance=None)

    def perform_update(self, serializer):
        serializer.instance = self.save(serializer.validated_data, instance=serializer.instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", description="Organisation kind, e.g. nhs_trust"),
            OpenApiParameter("area", description="Code of the area it serves, e.g. E08000014"),
        ]
    )
)
class OrganisationViewSet(
    VisibleQuerysetMixin,
    WriteViaServiceMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = Organisation.objects.select_related("parent", "area", "source")
    serializer_class = s.OrganisationSerializer
    lookup_field = "key"

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        if kind := params.get("kind"):
            qs = qs.filter(kind=kind)
        if area := params.get("area"):
            qs = qs.filter(area__code=area)
        return qs

    def save(self, data, instance):
        return services.save_organisation(by=self.request.user, organisation=instance, **data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("type", description="Area type, e.g. ward"),
            OpenApiParameter("parent", description="Code of a direct parent, e.g. E08000014"),
            OpenApiParameter(
                "hierarchy", description="Only links in this hierarchy, e.g. council_locality"
            ),
        ]
    )
)
class AreaViewSet(
    VisibleQuerysetMixin,
    WriteViaServiceMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = Area.objects.select_related("source").prefetch_related("parent_links__parent")
    serializer_class = s.AreaSerializer
    lookup_field = "code"

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        if area_type := params.get("type"):
            qs = qs.filter(type=area_type)
        if parent := params.get("parent"):
            links = {"parent_links__parent__code": parent}
            if hierarchy := params.get("hierarchy"):
                links["parent_links__hierarchy"] = hierarchy
            qs = qs.filter(**links).distinct()
        return qs

    def save(self, data, instance):
        parents = data.pop("parents", None)
        return services.save_area(
            by=self.request.user,
            area=instance,
            parents=None if parents is None else [(p["code"], p["hierarchy"]) for p in parents],
            **data,
        )


class ComparatorGroupViewSet(
    VisibleQuerysetMixin,
    WriteViaServiceMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = ComparatorGroup.objects.select_related("subject", "source").prefetch_related(
        "members"
    )
    serializer_class = s.ComparatorGroupSerializer
    write_permission = Permission.REFERENCE_DATA_EDIT  # publishing asks for more (below)

    def save(self, data, instance):
        members = data.pop("members", None)
        return services.save_comparator_group(
            by=self.request.user,
            group=instance,
            member_codes=None if members is None else [a.code for a in members],
            **data,
        )

    @extend_schema(request=None, responses=s.ComparatorGroupSerializer)
    @action(detail=True, methods=["post"], write_permission=Permission.COMPARATOR_GROUP_PUBLISH)
    def publish(self, request, pk=None):
        group = services.publish_comparator_group(by=request.user, group=self.get_object())
        return Response(self.get_serializer(group).data)


class PeriodViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Period.objects.all()
    serializer_class = s.PeriodSerializer

    @extend_schema(
        parameters=[OpenApiParameter("text", required=True, description="The period as printed")],
        responses=s.PeriodSerializer,
        description="Parse a printed period without storing it.",
    )
    @action(detail=False, methods=["get"])
    def parse(self, request):
        text = s.PeriodTextSerializer(data=request.query_params)
        text.is_valid(raise_exception=True)
        parsed = parse_period(text.validated_data["text"])
        return Response(
            {
                "label": parsed.label,
                "type": parsed.type.value,
                "start": parsed.start,
                "end": parsed.end,
            }
        )

    @extend_schema(request=s.PeriodTextSerializer, responses={201: s.PeriodSerializer})
    def create(self, request):
        text = s.PeriodTextSerializer(data=request.data)
        text.is_valid(raise_exception=True)
        period = services.get_or_create_period(text.validated_data["text"])
        return Response(s.PeriodSerializer(period).data, status=201)


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Source.objects.all()
    serializer_class = s.SourceSerializer
    lookup_field = "key"


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: read-only for everyone, readable by senior managers only."""

    queryset = AuditEvent.objects.select_related("content_type")
    serializer_class = s.AuditEventSerializer
    read_permission = Permission.AUDIT_VIEW
    write_permission = Permission.AUDIT_VIEW
