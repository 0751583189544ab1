"""The purchasing API: purchasing systems, providers' applications to join them, package
requests and the providers' responses, awards, call-off contracts and spend.

Every write calls a purchasing service, which checks the rules and the actor's permission
itself; a viewset's ``read_permissions`` and ``write_permissions`` only turn away early,
with a message, a user who could never succeed. Purchasing refusals come back in the API's
error shape (``placebook.api.errors``): 409 for a conflict with what has already happened
(the package already has an award, the response deadline has passed), 403 when the
approver's delegated limit does not cover the award, and 400 for every other rule.
"""

from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from placebook.api import purchasing_serializers as s
from placebook.contracts.models import Contract
from placebook.core.permissions import Permission, permissions_of, visible_to
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    Award,
    EvaluationModel,
    PackageRequest,
    PurchasingSystem,
    SystemStatus,
)
from placebook.purchasing.services import applications as application_services
from placebook.purchasing.services import packages as package_services
from placebook.purchasing.services.spend import spend_report

# Errors ----------------------------------------------------------------------------------


_ERROR_TEXT = {
    400: "The input is malformed or a purchasing rule refused it; the message says which.",
    403: "The user's roles do not allow this.",
    404: "No such record, or not one this user may see.",
    409: "It conflicts with what has already happened.",
}


def errors(*codes: int, described: dict[int, str] | None = None) -> dict[int, OpenApiResponse]:
    """Error responses for the schema, ``described`` more closely where it says."""
    texts = {**_ERROR_TEXT, **(described or {})}
    return {code: OpenApiResponse(s.ErrorSerializer, description=texts[code]) for code in codes}


# Permissions -----------------------------------------------------------------------------


class HasPurchasingPermission(permissions.BasePermission):
    """Reads need one of the view's ``read_permissions``; writes one of its
    ``write_permissions``, which an action may set for itself."""

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # nothing answers this method here: DRF replies 405
        needed = (
            view.read_permissions
            if request.method in permissions.SAFE_METHODS
            else view.write_permissions
        )
        if permissions_of(request.user) & needed:
            return True
        who = getattr(request.user, "username", "") or "The public"
        names = " or ".join(sorted(p.value.replace("_", " ") for p in needed))
        self.message = f"{who} may not do this: it needs the {names} permission."
        return False


class PurchasingView:
    permission_classes = [HasPurchasingPermission]
    read_permissions = frozenset({Permission.PUBLISHED_DATA_VIEW})
    write_permissions = frozenset()

    def granted(self) -> frozenset[Permission]:
        return permissions_of(self.request.user)

    def valid(self, serializer_class, data=None, **context) -> dict:
        """The request's input, checked by ``serializer_class`` (400 naming the field)."""
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context={"request": self.request, **context},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class PurchasingViewSet(PurchasingView, viewsets.GenericViewSet):
    def shown(self, record, code=status.HTTP_200_OK) -> Response:
        """The record after a change, read again as this user may see it."""
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)


# Purchasing systems ----------------------------------------------------------------------


class PurchasingSystemViewSet(PurchasingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Purchasing systems with their lots, the providers admitted to each lot and the
    published evaluation model (weights, criteria and gates). Public; drafts are shown to
    staff only."""

    serializer_class = s.PurchasingSystemSerializer
    lookup_field = "key"

    def get_queryset(self):
        admitted = (
            Admission.objects.filter(status=AdmissionStatus.ADMITTED)
            .select_related("provider")
            .prefetch_related("localities")
            .order_by("provider__name")
        )
        published = (
            EvaluationModel.objects.filter(published_at__isnull=False)
            .order_by("-version")
            .prefetch_related("criteria", "gates")
        )
        systems = PurchasingSystem.objects.select_related("owner").prefetch_related(
            "lots__areas",
            Prefetch("lots__admissions", queryset=admitted, to_attr="admitted"),
            Prefetch("evaluation_models", queryset=published, to_attr="published_models"),
        )
        if Permission.UNPUBLISHED_DATA_VIEW not in self.granted():
            systems = systems.exclude(status=SystemStatus.DRAFT)
        return systems


# Applications ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("system", description="Purchasing system key"),
            OpenApiParameter("status", description="Application status, e.g. submitted"),
        ]
    ),
    retrieve=extend_schema(responses={200: s.ApplicationSerializer, **errors(404)}),
)
class ApplicationViewSet(PurchasingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Providers' applications to join a purchasing system. A provider user sees its own
    organisation's, drafts included, and makes, changes and submits them; staff see every
    submitted application, score it, check its gates, moderate and decide. Scores are not
    shown here: an application is evaluated sealed, and the provider hears the result in
    the decision."""

    serializer_class = s.ApplicationSerializer
    read_permissions = frozenset({Permission.APPLICATION_VIEW})
    write_permissions = frozenset({Permission.PROVIDER_PORTAL})

    def get_queryset(self):
        found = application_services.applications_for(self.request.user).prefetch_related(
            "lots", "answers__criterion"
        )
        params = self.request.query_params
        if system := params.get("system"):
            found = found.filter(system__key=system)
        if wanted := params.get("status"):
            found = found.filter(status=wanted)
        return found

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationSerializer, **errors(400, 403)},
        description="Start a draft application for the user's own provider, with answers "
        "if given. Nothing is kept if any part is refused.",
    )
    def create(self, request):
        data = self.valid(s.ApplicationCreateSerializer)
        with transaction.atomic():
            application = application_services.start_application(
                by=request.user, system=data["system"], lots=data["lots"]
            )
            if "answers" in data:
                application_services.save_answers(
                    by=request.user, application=application, answers=data["answers"]
                )
        return self.shown(application, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ApplicationUpdateSerializer,
        responses={200: s.ApplicationSerializer, **errors(400, 403, 404)},
        description="Change a draft's lots or answers (answers not given are kept).",
    )
    def partial_update(self, request, pk=None):
        application = self.get_object()
        data = self.valid(s.ApplicationUpdateSerializer)
        with transaction.atomic():
            if "lots" in data:
                application_services.choose_lots(
                    by=request.user, application=application, lots=data["lots"]
                )
            if "answers" in data:
                application_services.save_answers(
                    by=request.user, application=application, answers=data["answers"]
                )
        return self.shown(application)

    @extend_schema(
        request=None,
        responses={200: s.ApplicationSerializer, **errors(400, 403, 404)},
        description="Send a complete draft for evaluation; the automatic gates are checked.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = application_services.submit_application(
            by=request.user, application=self.get_object()
        )
        return self.shown(application)

    @extend_schema(
        request=s.ScoreInputSerializer,
        responses={200: s.ScoreSerializer, **errors(400, 403, 404)},
        description="The signed-in evaluator's score for one question (a second call "
        "replaces it). Needs APPLICATION_EVALUATE.",
    )
    @action(
        detail=True,
        methods=["post"],
        write_permissions=frozenset({Permission.APPLICATION_EVALUATE}),
    )
    def score(self, request, pk=None):
        application = self.get_object()
        data = self.valid(s.ScoreInputSerializer, evaluation_model=application.evaluation_model)
        row = application_services.score(by=request.user, application=application, **data)
        return Response(s.ScoreSerializer(row).data)

    @extend_schema(
        request=s.GateInputSerializer,
        responses={200: s.GateCheckSerializer, **errors(400, 403, 404)},
        description="An evaluator's pass or fail on a gate checked by reading evidence "
        "(insurance, safeguarding, declaration). Needs APPLICATION_EVALUATE.",
    )
    @action(
        detail=True,
        methods=["post"],
        write_permissions=frozenset({Permission.APPLICATION_EVALUATE}),
    )
    def gate(self, request, pk=None):
        application = self.get_object()
        data = self.valid(s.GateInputSerializer, evaluation_model=application.evaluation_model)
        check = application_services.record_gate(by=request.user, application=application, **data)
        return Response(s.GateCheckSerializer(check).data)

    @extend_schema(
        request=s.ModerateInputSerializer,
        responses={200: s.ModeratedScoreSerializer, **errors(400, 403, 404)},
        description="The agreed score for a question the evaluators differ on, by someone "
        "who did not score it. Needs PURCHASING_MANAGE.",
    )
    @action(
        detail=True,
        methods=["post"],
        write_permissions=frozenset({Permission.PURCHASING_MANAGE}),
    )
    def moderate(self, request, pk=None):
        application = self.get_object()
        data = self.valid(s.ModerateInputSerializer, evaluation_model=application.evaluation_model)
        row = application_services.moderate(by=request.user, application=application, **data)
        return Response(s.ModeratedScoreSerializer(row).data)

    @extend_schema(
        request=s.DecisionInputSerializer,
        responses={200: s.ApplicationSerializer, **errors(400, 403, 404)},
        description="Admit the provider to some, all or none of the lots it applied for, "
        "and send the decision. Needs PURCHASING_MANAGE.",
    )
    @action(
        detail=True,
        methods=["post"],
        write_permissions=frozenset({Permission.PURCHASING_MANAGE}),
    )
    def decide(self, request, pk=None):
        data = self.valid(s.DecisionInputSerializer)
        application = application_services.decide(
            by=request.user, application=self.get_object(), **data
        )
        return self.shown(application)


# Package requests and responses ----------------------------------------------------------


def package_as_seen(many: bool = False) -> PolymorphicProxySerializer:
    """Staff and providers get different representations of the same request."""
    return PolymorphicProxySerializer(
        component_name="PackageRequestAsSeen",
        serializers=[s.PackageRequestSerializer, s.ProviderPackageRequestSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("status", description="Package status, e.g. open")],
        responses=package_as_seen(many=True),
    ),
    retrieve=extend_schema(responses={200: package_as_seen(), **errors(404)}),
)
class PackageRequestViewSet(PurchasingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Packages of support called off from a purchasing system.

    Staff (PACKAGE_VIEW) see every request in full (``PackageRequest``), with ``person``
    only where they may see that person (PERSON_VIEW). Provider users see only the requests
    sent to their organisation, anonymised (``ProviderPackageRequest``): never the person or
    the indicative budget."""

    lookup_field = "reference"
    read_permissions = frozenset({Permission.PACKAGE_VIEW, Permission.PROVIDER_PORTAL})
    write_permissions = frozenset({Permission.PACKAGE_BROKER})

    def for_staff(self) -> bool:
        return Permission.PACKAGE_VIEW in self.granted()

    def get_serializer_class(self):
        if self.for_staff():
            return s.PackageRequestSerializer
        return s.ProviderPackageRequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PackageRequest.objects.none()
        user = self.request.user
        if self.for_staff():
            found = (
                visible_to(user, PackageRequest.objects.all())
                .select_related("person", "ras_table")
                .prefetch_related("invitations__provider")
            )
        else:
            found = package_services.requests_for_provider(user)
        found = found.select_related("lot__system", "locality")
        if wanted := self.request.query_params.get("status"):
            found = found.filter(status=wanted)
        return found

    @extend_schema(
        request=s.PackageRequestCreateSerializer,
        responses={201: s.PackageRequestSerializer, **errors(400, 403)},
        description="A draft request, its indicative weekly budget worked out from the "
        "assessment answers by the RAS table in force (``budget_calculation`` shows the "
        "working). Needs PACKAGE_BROKER.",
    )
    def create(self, request):
        data = self.valid(s.PackageRequestCreateSerializer)
        package = package_services.create_request(by=request.user, **data)
        return self.shown(package, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.OpenInputSerializer,
        responses={200: s.PackageRequestSerializer, **errors(400, 403, 404)},
        description="Send a draft request to the lot's eligible providers, or to the "
        "providers named, with the deadline for responses. Needs PACKAGE_BROKER.",
    )
    @action(detail=True, methods=["post"])
    def open(self, request, reference=None):
        package = self.get_object()
        data = self.valid(s.OpenInputSerializer)
        package_services.open_request(
            by=request.user,
            package=package,
            deadline=data["response_deadline"],
            providers=data.get("providers", []),
        )
        return self.shown(package)

    @extend_schema(
        request=None,
        responses={200: s.ResponseSerializer(many=True), **errors(400, 403, 404)},
        description="Score and rank the responses, once the deadline has passed or every "
        "invited provider has responded. Needs PACKAGE_BROKER.",
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request, reference=None):
        ranked = package_services.evaluate(by=request.user, package=self.get_object())
        return Response(s.ResponseSerializer(ranked, many=True).data)

    @extend_schema(
        request=s.AwardInputSerializer,
        responses={201: s.AwardSerializer, **errors(400, 403, 404, 409)},
        description="Propose a compliant response for approval, with reasons. 409 when the "
        "package already has an award awaiting approval or approved. Needs PACKAGE_BROKER.",
    )
    @action(detail=True, methods=["post"])
    def award(self, request, reference=None):
        package = self.get_object()
        data = self.valid(s.AwardInputSerializer, package=package)
        award = package_services.propose_award(by=request.user, package=package, **data)
        return Response(s.AwardSerializer(award).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={200: s.ResponseSerializer(many=True), **errors(403, 404)},
        description="Staff see every response with its scores once evaluated; a provider "
        "sees its own.",
    )
    @extend_schema(
        methods=["POST"],
        request=s.ResponseInputSerializer,
        responses={
            201: s.ResponseSerializer,
            **errors(400, 403, 404, 409, described={409: "The response deadline has passed."}),
        },
        description="An invited provider's response (a second one before the deadline "
        "replaces the first). Needs PROVIDER_PORTAL.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        write_permissions=frozenset({Permission.PROVIDER_PORTAL}),
    )
    def responses(self, request, reference=None):
        package = self.get_object()
        if request.method == "POST":
            data = self.valid(s.ResponseInputSerializer)
            response = package_services.submit_response(by=request.user, package=package, **data)
            return Response(s.ResponseSerializer(response).data, status=status.HTTP_201_CREATED)
        shown = visible_to(request.user, package.responses.select_related("package", "provider"))
        return Response(s.ResponseSerializer(shown, many=True).data)


# Awards ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("status", description="e.g. awaiting_approval")]
    ),
)
class AwardViewSet(PurchasingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Awards of packages, awaiting approval or decided, for staff. Approving one creates
    its call-off contract."""

    serializer_class = s.AwardSerializer
    read_permissions = frozenset({Permission.PACKAGE_VIEW})
    write_permissions = frozenset({Permission.AWARD_APPROVE})

    def get_queryset(self):
        awards = Award.objects.select_related(
            "package", "response__provider", "proposed_by", "approver", "delegation", "contract"
        ).order_by("-created_at")
        if wanted := self.request.query_params.get("status"):
            awards = awards.filter(status=wanted)
        return awards

    @extend_schema(
        request=s.ApproveInputSerializer,
        responses={
            200: s.AwardSerializer,
            **errors(
                400,
                403,
                404,
                described={
                    403: "The user may not approve awards, or the award is beyond the limit "
                    "delegated to them (the message gives the limits)."
                },
            ),
        },
        description="Approve within the scheme of delegation and create the call-off "
        "contract. The broker who proposed it may not approve it. Needs AWARD_APPROVE.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = self.valid(s.ApproveInputSerializer)
        award = package_services.approve_award(by=request.user, award=self.get_object(), **data)
        return self.shown(award)

    @extend_schema(
        request=s.RejectInputSerializer,
        responses={200: s.AwardSerializer, **errors(400, 403, 404)},
        description="Send the award back to the broker with reasons. Needs AWARD_APPROVE.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self.valid(s.RejectInputSerializer)
        award = package_services.reject_award(by=request.user, award=self.get_object(), **data)
        return self.shown(award)


# Contracts and spend ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", description="e.g. call_off"),
            OpenApiParameter("status", description="e.g. active"),
        ]
    ),
)
class ContractViewSet(PurchasingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Contracts: staff see them all; a provider user sees its own organisation's."""

    serializer_class = s.ContractSerializer
    lookup_field = "reference"
    read_permissions = frozenset({Permission.PACKAGE_VIEW, Permission.PROVIDER_PORTAL})

    def get_queryset(self):
        contracts = Contract.objects.select_related("buyer", "supplier", "package")
        contracts = contracts.prefetch_related("extensions")
        if Permission.PACKAGE_VIEW not in self.granted():
            # Contract names no organisation scope for visible_to, so it is applied here.
            organisation = getattr(self.request.user, "organisation_id", None)
            contracts = contracts.filter(supplier_id=organisation)
        params = self.request.query_params
        for field in ("kind", "status"):
            if wanted := params.get(field):
                contracts = contracts.filter(**{field: wanted})
        return contracts


class SpendView(PurchasingView, views.APIView):
    """Committed spend from contracts, on and off the purchasing systems, by lot, provider
    and month (seed 003 asks to reduce off-framework spend). For staff."""

    read_permissions = frozenset({Permission.PACKAGE_VIEW})

    @extend_schema(
        parameters=[
            OpenApiParameter("from", date, required=True, description="First day"),
            OpenApiParameter("to", date, required=True, description="Last day, inclusive"),
        ],
        responses={200: s.SpendSerializer, **errors(400, 403)},
    )
    def get(self, request):
        query = self.valid(s.SpendQuerySerializer, data=request.query_params)
        first, last = query["from"], query["to"]
        summary = s.spend_summary(spend_report(first, last), first, last)
        return Response(s.SpendSerializer(summary).data)
