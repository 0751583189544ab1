"""Shapes of the purchasing API's requests and responses.

Input serializers check shape only (types, required fields, that referenced records exist);
the purchasing services check the rules. Money goes out as a string with two decimals
("612.50") beside a ``currency`` code, and comes in as such a string ("£612.50" is read too).

A package request has two representations: staff see it whole, with the person only if they
may see that person (``Permission.PERSON_VIEW``); providers see an anonymised one that never
holds the person or the indicative budget (the result of the person's needs assessment).
"""

from datetime import date

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from placebook.contracts.models import Contract, ContractExtension
from placebook.core.models import Area, Organisation, Person
from placebook.core.money import Money, parse_money
from placebook.core.permissions import Permission, has_permission, visible_to
from placebook.purchasing.models import (
    Admission,
    Answer,
    Application,
    Award,
    Criterion,
    EvaluationModel,
    Gate,
    GateCheck,
    GateOutcome,
    Invitation,
    Lot,
    ModeratedScore,
    PackageRequest,
    PurchasingSystem,
    Response,
    Score,
    SystemStatus,
)
from placebook.purchasing.services.ras import table_in_force
from placebook.purchasing.services.spend import SpendReport

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# Money -----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "decimal", "example": "612.50"})
class MoneyStringField(serializers.Field):
    default_error_messages = {
        "invalid": 'Give an amount of money as a string such as "612.50" or "£612.50".',
        "pence": "Give the amount to the penny: at most two decimal places.",
    }

    def to_representation(self, value: Money) -> str:
        return f"{value.rounded().amount:.2f}"

    def to_internal_value(self, data) -> Money:
        # JSON numbers arrive as floats, which cannot hold most amounts exactly.
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        try:
            money = parse_money(text) if "£" in text else Money(text)
        except ValueError:
            self.fail("invalid")
        if money.rounded() != money:
            self.fail("pence")
        return money


@extend_schema_field({"type": "string", "example": "GBP"})
class CurrencyField(serializers.Field):
    """The ISO 4217 code of the money field named as ``source``."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Money) -> str:
        return value.currency


class ErrorSerializer(serializers.Serializer):
    """Every error: a message that names the field, and the messages by field."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# References to other records -------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["key", "name"]


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name"]


class LotRefSerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "system", "number", "name", "category"]


class ContextQuerysetMixin:
    """A related field whose choices come from a record the view puts in the context
    (``context_key``), e.g. only the questions of this application's evaluation model."""

    context_key = ""
    related_name = ""

    def get_queryset(self):
        return getattr(self.context[self.context_key], self.related_name).all()


# Purchasing systems ----------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["code", "heading", "question", "weight", "max_score"]


class GateSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Gate
        fields = ["kind", "label", "description", "automatic"]


class EvaluationModelSerializer(serializers.ModelSerializer):
    weights = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True)
    gates = GateSerializer(many=True)

    class Meta:
        model = EvaluationModel
        fields = ["version", "published_at", "weights", "pass_mark", "moderation_gap",
                  "criteria", "gates"]  # fmt: skip

    @extend_schema_field(
        {
            "type": "object",
            "description": "Each heading's weight out of 100, e.g. quality 50.00",
            "additionalProperties": {"type": "string", "format": "decimal"},
        }
    )
    def get_weights(self, model):
        return {heading.value: f"{weight:.2f}" for heading, weight in model.weights.items()}


class AdmittedProviderSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="provider.key")
    name = serializers.CharField(source="provider.name")
    localities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Admission
        fields = ["key", "name", "admitted_at", "localities", "capacity_hours_per_week"]


class LotSerializer(serializers.ModelSerializer):
    areas = AreaRefSerializer(many=True)
    estimated_annual_value = MoneyStringField(allow_null=True)
    currency = CurrencyField(source="estimated_annual_value", allow_null=True)
    admitted_providers = AdmittedProviderSerializer(many=True, source="admitted")

    class Meta:
        model = Lot
        fields = ["id", "number", "name", "category", "description", "areas",
                  "estimated_annual_value", "currency", "admitted_providers"]  # fmt: skip


class PurchasingSystemSerializer(serializers.ModelSerializer):
    owner = OrganisationRefSerializer()
    lots = LotSerializer(many=True)
    evaluation_model = serializers.SerializerMethodField(
        help_text="The newest published evaluation model; null before one is published."
    )

    class Meta:
        model = PurchasingSystem
        fields = ["key", "name", "kind", "regime", "owner", "description", "start", "end",
                  "status", "call_off_term_months", "extension_months", "lots",
                  "evaluation_model"]  # fmt: skip

    @extend_schema_field(EvaluationModelSerializer(allow_null=True))
    def get_evaluation_model(self, system):
        # The view prefetches published models newest first into ``published_models``.
        newest = next(iter(system.published_models), None)
        return EvaluationModelSerializer(newest).data if newest else None


# Applications ----------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Answer
        fields = ["criterion", "text"]


class ApplicationSerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="key", read_only=True)
    provider = OrganisationRefSerializer()
    answers = AnswerSerializer(many=True)

    class Meta:
        model = Application
        fields = ["id", "system", "evaluation_model", "provider", "lots", "status",
                  "contact_name", "contact_email", "submitted_at", "decided_at",
                  "decision_reasons", "answers"]  # fmt: skip
        read_only_fields = fields


ANSWERS_HELP = "Answers by question code; a blank answer removes one given before."


class ApplicationCreateSerializer(serializers.Serializer):
    system = serializers.SlugRelatedField(
        slug_field="key", queryset=PurchasingSystem.objects.exclude(status=SystemStatus.DRAFT)
    )
    lots = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Lot.objects.all(), help_text="Ids of the lots applied for."
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=ANSWERS_HELP
    )


class ApplicationUpdateSerializer(serializers.Serializer):
    lots = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Lot.objects.all(), required=False, help_text="Ids of the lots."
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=ANSWERS_HELP
    )


@extend_schema_field(OpenApiTypes.STR)
class ApplicationCriterionField(ContextQuerysetMixin, serializers.SlugRelatedField):
    context_key = "evaluation_model"
    related_name = "criteria"
    default_error_messages = {
        "does_not_exist": "No question {value} in this application's evaluation model."
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


class ScoreInputSerializer(serializers.Serializer):
    criterion = ApplicationCriterionField(help_text="Question code, e.g. Q1")
    score = serializers.IntegerField(min_value=0)
    comment = serializers.CharField()


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True)
    evaluator = serializers.CharField(source="evaluator.username")

    class Meta:
        model = Score
        fields = ["application", "criterion", "evaluator", "score", "comment"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class ApplicationGateField(ContextQuerysetMixin, serializers.SlugRelatedField):
    context_key = "evaluation_model"
    related_name = "gates"
    default_error_messages = {
        "does_not_exist": "No gate {value} in this application's evaluation model."
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="kind", **kwargs)


class GateInputSerializer(serializers.Serializer):
    gate = ApplicationGateField(help_text="Gate kind, e.g. insurance")
    outcome = serializers.ChoiceField(choices=[GateOutcome.PASSED, GateOutcome.FAILED])
    evidence = serializers.CharField(help_text="What was read to decide.")


class GateCheckSerializer(serializers.ModelSerializer):
    gate = serializers.CharField(source="gate.kind", read_only=True)

    class Meta:
        model = GateCheck
        fields = ["application", "gate", "outcome", "automatic", "evidence"]
        read_only_fields = fields


class ModerateInputSerializer(serializers.Serializer):
    criterion = ApplicationCriterionField(help_text="Question code, e.g. Q1")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    note = serializers.CharField()


class ModeratedScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ModeratedScore
        fields = ["application", "criterion", "score", "note"]
        read_only_fields = fields


class DecisionInputSerializer(serializers.Serializer):
    admit_lots = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Lot.objects.all(),
        allow_empty=True,
        help_text="Ids of the lots to admit to; lots applied for and not listed are refused.",
    )
    reasons = serializers.CharField()


# Package requests ------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = Person
        fields = ["reference", "name"]


class InvitationSerializer(serializers.ModelSerializer):
    provider = OrganisationRefSerializer()

    class Meta:
        model = Invitation
        fields = ["provider", "sent_at"]


class PackageRequestSerializer(serializers.ModelSerializer):
    """A package request as staff see it. ``person`` is left out (not null: absent) for
    users who may not see that person."""

    # Output only; not read_only, so the schema lists it as optional, which it is.
    person = PersonSerializer(
        required=False, help_text="Only for users who may see this person (PERSON_VIEW)."
    )
    lot = LotRefSerializer()
    locality = AreaRefSerializer(allow_null=True)
    ras_table = serializers.StringRelatedField()
    indicative_weekly_budget = MoneyStringField()
    currency = CurrencyField(source="indicative_weekly_budget")
    invitations = InvitationSerializer(many=True)

    class Meta:
        model = PackageRequest
        fields = ["reference", "person", "lot", "locality", "support_needed", "hours_per_week",
                  "weekly_profile", "start_date", "ras_table", "assessment_answers",
                  "indicative_weekly_budget", "currency", "budget_calculation",
                  "response_deadline", "status", "outcome_reasons", "invitations",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, package):
        data = super().to_representation(package)
        request = self.context.get("request")
        if request is None or not has_permission(
            request.user, Permission.PERSON_VIEW, package.person
        ):
            del data["person"]
        return data


class ProviderPackageRequestSerializer(serializers.ModelSerializer):
    """A package request as an invited provider sees it: what is needed, where and when;
    never who it is for, nor the indicative budget."""

    lot = LotRefSerializer()
    locality = AreaRefSerializer(allow_null=True)

    class Meta:
        model = PackageRequest
        fields = ["reference", "lot", "locality", "hours_per_week", "weekly_profile",
                  "start_date", "support_needed", "response_deadline", "status"]  # fmt: skip
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class PersonReferenceField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": "No person you may see has reference {value}."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="reference", **kwargs)

    def get_queryset(self):
        return visible_to(self.context["request"].user, Person.objects.all())


class PackageRequestCreateSerializer(serializers.Serializer):
    person = PersonReferenceField(help_text="The person's reference.")
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all(), help_text="Lot id.")
    locality = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text="Code of the council locality the support is in.",
    )
    support_needed = serializers.CharField(
        help_text="What the support must achieve, written without identifying the person."
    )
    hours_per_week = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    weekly_profile = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=24),
        required=False,
        help_text='Hours by day, e.g. {"mon": 6, "tue": 6}; they must add up to hours_per_week.',
    )
    start_date = serializers.DateField()
    ras_table = serializers.CharField(
        help_text="Key of the RAS table; the version in force today sets the budget."
    )
    answers = serializers.DictField(
        child=serializers.CharField(), help_text="The assessment answers by RAS question code."
    )

    def validate_weekly_profile(self, profile):
        unknown = sorted(set(profile) - set(DAYS))
        if unknown:
            raise serializers.ValidationError(
                f"{', '.join(unknown)}: not a day; use {', '.join(DAYS)}."
            )
        return profile

    def validate_ras_table(self, key):
        table = table_in_force(key, timezone.localdate())
        if table is None:
            raise serializers.ValidationError(f"No published RAS table {key} is in force today.")
        return table


class OpenInputSerializer(serializers.Serializer):
    response_deadline = serializers.DateTimeField()
    providers = serializers.SlugRelatedField(
        slug_field="key",
        many=True,
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Keys of the providers to invite; all eligible providers when omitted.",
    )


class ResponseInputSerializer(serializers.Serializer):
    weekly_price = MoneyStringField()
    hourly_rate = MoneyStringField(required=False, allow_null=True)
    start_date = serializers.DateField()
    proposal = serializers.CharField()


class ResponseSerializer(serializers.ModelSerializer):
    package = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    provider = OrganisationRefSerializer()
    weekly_price = MoneyStringField()
    hourly_rate = MoneyStringField(allow_null=True)
    currency = CurrencyField(source="weekly_price")

    class Meta:
        model = Response
        fields = ["id", "package", "provider", "weekly_price", "hourly_rate", "currency",
                  "start_date", "proposal", "submitted_at", "compliant", "non_compliance",
                  "price_score", "total_score", "rank"]  # fmt: skip
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class PackageResponseField(ContextQuerysetMixin, serializers.PrimaryKeyRelatedField):
    context_key = "package"
    related_name = "responses"
    default_error_messages = {"does_not_exist": "No response {pk_value} to this package."}


class AwardInputSerializer(serializers.Serializer):
    response = PackageResponseField(help_text="Id of the response to award.")
    reasons = serializers.CharField()


# Awards and contracts --------------------------------------------------------------------


class AwardSerializer(serializers.ModelSerializer):
    package = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    provider = OrganisationRefSerializer(source="response.provider")
    weekly_value = MoneyStringField()
    annual_value = MoneyStringField()
    currency = CurrencyField(source="weekly_value")
    proposed_by = serializers.CharField(source="proposed_by.username")
    approver = serializers.CharField(source="approver.username", allow_null=True)
    delegation = serializers.StringRelatedField(help_text="The limit it was approved under.")
    contract = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = ["id", "package", "response", "provider", "weekly_value", "annual_value",
                  "currency", "reasons", "status", "proposed_by", "approver", "decided_at",
                  "decision_note", "delegation", "contract"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_contract(self, award) -> str | None:
        """Reference of the call-off contract its approval made."""
        contract = getattr(award, "contract", None)
        return contract.reference if contract else None


class ApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="Why the award is not approved.")


class ContractExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractExtension
        fields = ["order", "months", "start", "end", "review_due", "exercised"]


class ContractSerializer(serializers.ModelSerializer):
    buyer = OrganisationRefSerializer()
    supplier = OrganisationRefSerializer()
    package = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    weekly_value = MoneyStringField(allow_null=True)
    annual_value = MoneyStringField(allow_null=True)
    total_value = MoneyStringField()
    currency = CurrencyField(source="total_value")
    extensions = ContractExtensionSerializer(many=True)

    class Meta:
        model = Contract
        fields = ["reference", "title", "kind", "status", "buyer", "supplier", "lot", "package",
                  "award", "service_category", "start", "end", "ended_on", "weekly_value",
                  "annual_value", "total_value", "currency", "direct_award_reason",
                  "procurement_regime", "extensions"]  # fmt: skip
        read_only_fields = fields


# Spend -----------------------------------------------------------------------------------


class SpendQuerySerializer(serializers.Serializer):
    # ``from`` is a Python keyword, so the fields are named here rather than declared.
    def get_fields(self):
        return {
            "from": serializers.DateField(help_text="First day, e.g. 2025-04-01"),
            "to": serializers.DateField(help_text="Last day (inclusive), e.g. 2026-03-31"),
        }

    def validate(self, data):
        if data["to"] < data["from"]:
            raise serializers.ValidationError({"to": ["Must not be before from."]})
        return data


class SpendSplitSerializer(serializers.Serializer):
    on_framework = MoneyStringField()
    off_framework = MoneyStringField()


class SpendRowSerializer(SpendSplitSerializer):
    name = serializers.CharField()


class SpendMonthSerializer(SpendSplitSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class SpendSerializer(SpendSplitSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    total = MoneyStringField()
    off_framework_share = serializers.FloatField(
        allow_null=True, help_text="Off-framework spend over all spend; null when none."
    )
    by_lot = SpendRowSerializer(many=True, help_text="By lot; off-framework spend has no lot.")
    by_provider = SpendRowSerializer(many=True)
    by_month = SpendMonthSerializer(many=True, help_text="Every month, with or without spend.")


def _split(totals: dict[bool, Money]) -> dict[str, Money]:
    return {"on_framework": totals[True], "off_framework": totals[False]}


def spend_summary(report: SpendReport, start: date, end: date) -> dict:
    """The report in the shape ``SpendSerializer`` declares."""
    total = report.total()
    months = report.by("month")
    nothing = {True: Money.zero(), False: Money.zero()}
    return {
        "start": start,
        "end": end,
        "currency": total.currency,
        "total": total,
        "on_framework": report.total(on_framework=True),
        "off_framework": report.total(on_framework=False),
        "off_framework_share": report.off_framework_share,
        "by_lot": [{"name": lot, **_split(t)} for lot, t in report.by("route").items()],
        "by_provider": [{"name": name, **_split(t)} for name, t in report.by("provider").items()],
        "by_month": [
            {"month": f"{month:%Y-%m}", **_split(months.get(month, nothing))}
            for month in report.months
        ],
    }
