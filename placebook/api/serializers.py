from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from placebook.core.models import (
    Area,
    AreaLink,
    AuditEvent,
    ComparatorGroup,
    Hierarchy,
    Organisation,
    Period,
    Source,
)


class ProvenanceMixin(serializers.Serializer):
    provenance = serializers.CharField(read_only=True)


class OrganisationSerializer(ProvenanceMixin, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="key", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )
    identifiers = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "key", "name", "kind", "gss_code", "ods_code", "cqc_provider_id",
            "companies_house_number", "charity_number", "parent", "area", "website",
            "is_active", "is_synthetic", "identifiers", "provenance",
        ]  # fmt: skip

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"scheme": {"type": "string"}, "id": {"type": "string"}},
            },
        }
    )
    def get_identifiers(self, obj):
        return obj.identifiers()


class AreaParentSerializer(serializers.Serializer):
    code = serializers.CharField()
    hierarchy = serializers.ChoiceField(choices=Hierarchy.choices)


class AreaLinkReadSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="parent.code")
    name = serializers.CharField(source="parent.name")

    class Meta:
        model = AreaLink
        fields = ["code", "name", "hierarchy"]


class AreaSerializer(ProvenanceMixin, serializers.ModelSerializer):
    parents = AreaParentSerializer(many=True, required=False, write_only=True)
    parent_links = AreaLinkReadSerializer(many=True, read_only=True)

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "type",
            "valid_from",
            "valid_to",
            "parents",
            "parent_links",
            "provenance",
        ]


class ComparatorGroupSerializer(ProvenanceMixin, serializers.ModelSerializer):
    members = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Area.objects.all(), required=False
    )
    subject = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = ComparatorGroup
        fields = [
            "id",
            "slug",
            "name",
            "version",
            "description",
            "subject",
            "status",
            "members",
            "provenance",
        ]
        read_only_fields = ["status"]


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "label", "type", "start", "end"]


class PeriodTextSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text='A period as printed, e.g. "2022/23 Q1-4" or "Nov10-Oct11".'
    )


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["key", "kind", "title", "reference", "published"]


class AuditEventSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_label",
            "action",
            "verb",
            "model",
            "object_id",
            "object_repr",
            "changes",
            "reason",
        ]
