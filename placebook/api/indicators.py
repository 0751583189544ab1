from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, views, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from placebook.core.permissions import Permission, has_permission
from placebook.indicators.comparisons import compare_current
from placebook.indicators.consistency import audit
from placebook.indicators.dashboards import DASHBOARDS, build
from placebook.indicators.exports import table
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


class ComparisonSerializer(serializers.Serializer):
    period = serializers.CharField(source="value.period.label")
    area = serializers.CharField(source="value.area.code")
    value = serializers.FloatField(source="value.value", allow_null=True)
    benchmark_value = serializers.FloatField(
        source="benchmark.value", allow_null=True, default=None
    )
    compared95_0 = serializers.CharField()
    compared99_8 = serializers.CharField()
    rating = serializers.CharField(source="rating.label")
    rule = serializers.CharField(source="rating.rule")


class ComparisonView(views.APIView):
    """An area's current figures for one indicator against a benchmark area (England by
    default), by the Fingertips method. Figures without confidence limits are not compared."""

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", required=True, description="Indicator code"),
            OpenApiParameter("area", required=True, description="Area code, e.g. E08000014"),
            OpenApiParameter("benchmark", description="Benchmark area code (default England)"),
            OpenApiParameter("period", description="Period label"),
        ],
        responses=ComparisonSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        missing = [p for p in ("indicator", "area") if not params.get(p)]
        if missing:
            raise ValidationError({p: ["This parameter is required."] for p in missing})
        indicator = get_object_or_404(Indicator, code=params["indicator"])
        comparisons = compare_current(
            indicator=indicator,
            area_code=params["area"],
            benchmark_code=params.get("benchmark", "E92000001"),
            period_label=params.get("period"),
        )
        return Response(ComparisonSerializer(comparisons, many=True).data)


class DashboardView(views.APIView):
    """A dashboard's rows, exactly as the page and its downloads show them."""

    @extend_schema(responses={200: {"type": "object"}})
    def get(self, request, slug):
        if slug not in DASHBOARDS:
            raise NotFound(f"No dashboard called '{slug}'.")
        dashboard, release, rows = build(slug)
        header, body = table(slug, rows)
        return Response(
            {
                "slug": dashboard.slug,
                "title": dashboard.title,
                "rule": dashboard.rule,
                "release": release.key if release else None,
                "columns": header,
                "rows": [dict(zip(header, line, strict=True)) for line in body],
            }
        )


class DashboardListView(views.APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request):
        return Response(
            [{"slug": d.slug, "title": d.title, "purpose": d.purpose} for d in DASHBOARDS.values()]
        )


class FindingSerializer(serializers.Serializer):
    release = serializers.CharField()
    source = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    location = serializers.CharField()
    printed = serializers.CharField()
    expected = serializers.CharField()
    rule = serializers.CharField()
    severity = serializers.CharField()
    detail = serializers.CharField()


class AuditFindingsView(views.APIView):
    """The consistency audit: every printed figure that does not follow from the data."""

    @extend_schema(
        parameters=[OpenApiParameter("release", description="Release key; all when omitted")],
        responses=FindingSerializer(many=True),
    )
    def get(self, request):
        release = request.query_params.get("release")
        if release and not Release.objects.filter(key=release).exists():
            raise ValidationError({"release": [f"Unknown release '{release}'."]})
        return Response(FindingSerializer(audit([release] if release else None), many=True).data)
