from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from placebook.core.permissions import Permission, has_permission
from placebook.indicators.models import Indicator, IndicatorValue, Release

SUPPRESSED_FIELDS = ["value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl", "count"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code", "framework", "framework_ref", "fingertips_id", "name", "definition",
            "why_it_matters", "unit", "polarity", "value_type", "period_type", "geography_level",
            "data_source", "update_frequency", "owner", "notes",
        ]  # fmt: skip


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["key", "title", "published"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    release = serializers.SlugRelatedField(slug_field="key", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="key", read_only=True)
    period = serializers.CharField(source="period.label", read_only=True)
    suppressed = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "indicator", "release", "area", "organisation", "period", "sex", "age",
            "value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl", "count",
            "denominator", "note", "note_text", "status", "is_current", "supersedes",
            "suppressed",
        ]  # fmt: skip

    def _suppressed(self, obj) -> bool:
        request = self.context.get("request")
        sees = request is not None and has_permission(
            request.user, Permission.UNPUBLISHED_DATA_VIEW
        )
        return obj.is_small_number and not sees

    def get_suppressed(self, obj) -> bool:
        return self._suppressed(obj)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if self._suppressed(obj):
            data.update(dict.fromkeys(SUPPRESSED_FIELDS))
        return data


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Release.objects.all()
    serializer_class = ReleaseSerializer
    lookup_field = "key"


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("indicator", description="Indicator code"),
            OpenApiParameter("area", description="Area code, e.g. E08000014"),
            OpenApiParameter("organisation", description="Organisation key"),
            OpenApiParameter("period", description="Period label, e.g. 2021/22"),
            OpenApiParameter("history", bool, description="Include superseded revisions"),
        ]
    )
)
class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Figures, current ones by default. Counts of 1 to 4, and the figures built on them,
    are withheld from those who may not see unpublished data (``suppressed`` is true)."""

    queryset = IndicatorValue.objects.select_related(
        "indicator", "release", "area", "organisation", "period"
    )
    serializer_class = IndicatorValueSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("history") not in ("true", "1"):
            qs = qs.filter(is_current=True)
        filters = {
            "indicator": "indicator__code",
            "area": "area__code",
            "organisation": "organisation__key",
            "period": "period__label",
        }
        for param, lookup in filters.items():
            if value := params.get(param):
                qs = qs.filter(**{lookup: value})
        return qs
