"""Commissioners' pages of the purchasing subsystem: purchasing systems with their lots and
published evaluation model, and applications to join them through evaluation, moderation
and decision. Every change is made by ``purchasing.services.applications``; a refusal is
shown in the page's error summary, a success in a notification banner after a redirect."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from placebook.core.permissions import Permission, has_permission
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    ApplicationStatus,
    Criterion,
    Gate,
    GateOutcome,
    Heading,
    Lot,
    PurchasingSystem,
    SystemStatus,
)
from placebook.purchasing.services import applications as svc
from placebook.purchasing.services.errors import PurchasingError
from placebook.web.decorators import require_permission
from placebook.web.forms import GovukFormMixin

# Forms ------------------------------------------------------------------------------------
# Several forms share the application page, so their field names differ (criterion,
# moderated_criterion): each input keeps a unique id for its label and the error summary.


def _scored_criteria(application):
    # Price is scored at each call-off, not when a provider applies.
    return application.evaluation_model.criteria.exclude(heading=Heading.PRICE).order_by("code")


class ActionForm(GovukFormMixin, forms.Form):
    """A button without fields (open, close): bound so that a service's refusal can be
    shown in the error summary like any form's."""


class ScoreForm(GovukFormMixin, forms.Form):
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        label="Question",
        error_messages={
            "required": "Select the question you are scoring.",
            "invalid_choice": "Select a question of this application's evaluation model.",
        },
    )
    score = forms.IntegerField(
        label="Score",
        min_value=0,
        # GOV.UK asks for text inputs for numbers: browsers' number inputs alter typed values.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="A whole number, from 0 to the question's maximum.",
        error_messages={
            "required": "Enter a score.",
            "invalid": "Score must be a whole number, like 3.",
            "min_value": "Score must be 0 or more.",
        },
    )
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The evidence in the answer that supports the score.",
        error_messages={"required": "Enter a comment saying why you gave this score."},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = _scored_criteria(application)


class GateForm(GovukFormMixin, forms.Form):
    gate = forms.ModelChoiceField(
        queryset=Gate.objects.none(),
        label="Gate",
        error_messages={
            "required": "Select the gate you checked.",
            "invalid_choice": "Select a gate of this application's evaluation model.",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(GateOutcome.PASSED, "Passed"), (GateOutcome.FAILED, "Failed")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the gate was passed or failed."},
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you read, such as an insurance certificate and its expiry date.",
        error_messages={"required": "Enter the evidence you read."},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gate"].queryset = application.evaluation_model.gates.all()


class ModerateForm(GovukFormMixin, forms.Form):
    moderated_criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        label="Question",
        error_messages={
            "required": "Select the question you are moderating.",
            "invalid_choice": "Select a question that needs moderation.",
        },
    )
    agreed_score = forms.DecimalField(
        label="Agreed score",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        max_digits=5,
        decimal_places=2,
        help_text="Up to two decimal places, such as 3 or 3.5.",
        error_messages={
            "required": "Enter the agreed score.",
            "invalid": "Agreed score must be a number, like 3.5.",
            "min_value": "Agreed score must be 0 or more.",
            "max_decimal_places": "Agreed score must have no more than 2 decimal places.",
        },
    )
    note = forms.CharField(
        label="Moderation note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the evaluators' scores were settled.",
        error_messages={"required": "Enter a note of the moderation."},
    )

    def __init__(self, *args, needed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderated_criterion"].queryset = Criterion.objects.filter(
            pk__in=[criterion.pk for criterion, _scores in needed]
        ).order_by("code")


class DecideForm(GovukFormMixin, forms.Form):
    admit_lots = forms.ModelMultipleChoiceField(
        queryset=Lot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Lots to admit the provider to",
        help_text="Leave every lot unticked to refuse the application.",
        error_messages={"invalid_choice": "Select only lots the provider applied for."},
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent to the provider with its scores, and kept with the decision.",
        error_messages={"required": "Enter the reasons for the decision."},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admit_lots"].queryset = application.lots.all()


# Purchasing systems -----------------------------------------------------------------------


def _visible_systems(user):
    # A system is published procurement information once it leaves draft.
    systems = PurchasingSystem.objects.select_related("owner")
    if has_permission(user, Permission.PURCHASING_MANAGE):
        return systems
    return systems.exclude(status=SystemStatus.DRAFT)


def _published_rules(model) -> list[tuple[Heading, object, list[Criterion]]]:
    """(heading, weight, its criteria) for every heading of the model."""
    criteria = list(model.criteria.order_by("code"))
    return [
        (heading, weight, [c for c in criteria if c.heading == heading])
        for heading, weight in model.weights.items()
    ]


def heading_points(outcome) -> list[tuple[str, object]]:
    """(heading, points won) for each heading an application is scored on."""
    return [(Heading(heading).label, points) for heading, points in outcome.points.items()]


def system_list(request):
    systems = _visible_systems(request.user).annotate(lot_count=Count("lots"))
    return render(
        request,
        "purchasing/commissioning/system_list.html",
        {"systems": systems, "page_title": "Purchasing systems"},
    )


def _render_system(request, system, action_form=None):
    model = svc.current_evaluation_model(system)
    admitted = Admission.objects.filter(status=AdmissionStatus.ADMITTED).select_related("provider")
    lots = system.lots.prefetch_related(
        "areas",
        Prefetch("admissions", queryset=admitted.order_by("provider__name"), to_attr="admitted"),
    )
    user = request.user
    return render(
        request,
        "purchasing/commissioning/system_detail.html",
        {
            "system": system,
            "lots": lots,
            "model": model,
            "rules": _published_rules(model) if model else [],
            "gates": model.gates.all() if model else [],
            "application_count": system.applications.exclude(
                status=ApplicationStatus.DRAFT
            ).count(),
            "can_manage": has_permission(user, Permission.PURCHASING_MANAGE),
            "can_see_applications": has_permission(user, Permission.APPLICATION_VIEW)
            and not has_permission(user, Permission.PROVIDER_PORTAL),
            "can_apply": has_permission(user, Permission.PROVIDER_PORTAL) and system.is_open,
            "error_form": action_form,
            "page_title": system.name,
        },
    )


def system_detail(request, key):
    return _render_system(request, get_object_or_404(_visible_systems(request.user), key=key))


def _system_action(request, key, action, done: str):
    system = get_object_or_404(PurchasingSystem, key=key)
    form = ActionForm(request.POST)
    form.is_valid()
    try:
        system = action(by=request.user, system=system)
    except PurchasingError as error:
        form.add_error(None, str(error))
        return _render_system(request, system, action_form=form)
    messages.success(request, done.format(system=system))
    return redirect(system)


@require_permission(Permission.PURCHASING_MANAGE)
@require_POST
def system_open(request, key):
    return _system_action(request, key, svc.open_system, "{system} is open for applications.")


@require_permission(Permission.PURCHASING_MANAGE)
@require_POST
def system_close(request, key):
    return _system_action(request, key, svc.close_system, "{system} is closed to new applications.")


# Applications -----------------------------------------------------------------------------


def _staff_applications(user):
    # Provider users hold APPLICATION_VIEW for their own applications, which they read in
    # the portal; these pages show evaluators' scores and are for council staff.
    if has_permission(user, Permission.PROVIDER_PORTAL):
        raise PermissionDenied
    return svc.applications_for(user)


def _application(request, pk):
    return get_object_or_404(_staff_applications(request.user).select_related("decided_by"), pk=pk)


@require_permission(Permission.APPLICATION_VIEW)
def application_list(request, key):
    system = get_object_or_404(_visible_systems(request.user), key=key)
    applications = (
        _staff_applications(request.user)
        .filter(system=system)
        .prefetch_related("lots")
        .order_by("submitted_at", "provider__name")
    )
    return render(
        request,
        "purchasing/commissioning/application_list.html",
        {
            "system": system,
            "applications": applications,
            "within_system": True,
            "page_title": f"Applications to {system.name}",
        },
    )


def _render_application(request, application, **bound_forms):
    user = request.user
    outcome = svc.result(application)
    needed = svc.moderation_needed(application)
    answers = {a.criterion_id: a.text for a in application.answers.all()}
    blank_forms = {
        "score_form": ScoreForm(application=application),
        "gate_form": GateForm(application=application),
        "moderate_form": ModerateForm(needed=needed),
        "decide_form": DecideForm(application=application),
    }
    return render(
        request,
        "purchasing/commissioning/application_detail.html",
        {
            "application": application,
            "system": application.system,
            "outcome": outcome,
            "points": heading_points(outcome),
            "criteria": [(row, answers.get(row.criterion.pk, "")) for row in outcome.criteria],
            "moderation": needed,
            "documents": application.documents.defer("content").order_by("name"),
            "lots": application.lots.all(),
            "admissions": application.admissions.select_related("lot"),
            "can_evaluate": has_permission(user, Permission.APPLICATION_EVALUATE, application),
            "can_manage": has_permission(user, Permission.PURCHASING_MANAGE, application),
            "error_form": next((f for f in bound_forms.values() if f.errors), None),
            **blank_forms,
            **bound_forms,
            "page_title": f"Application {application.pk}: {application.provider}",
        },
    )


@require_permission(Permission.APPLICATION_VIEW)
def application_detail(request, pk):
    return _render_application(request, _application(request, pk))


def _act(request, application, name: str, form, action, done: str):
    """Run ``action(cleaned_data)`` for a valid form, then redirect with ``done`` (formatted
    with the cleaned data); otherwise show the page again with the form's errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done.format(**form.cleaned_data))
            return redirect(application)
    return _render_application(request, application, **{name: form})


@require_permission(Permission.APPLICATION_EVALUATE)
@require_POST
def application_score(request, pk):
    application = _application(request, pk)
    return _act(
        request,
        application,
        "score_form",
        ScoreForm(request.POST, application=application),
        lambda data: svc.score(
            by=request.user,
            application=application,
            criterion=data["criterion"],
            score=data["score"],
            comment=data["comment"],
        ),
        "Your score of {score} for {criterion.code} was saved.",
    )


@require_permission(Permission.APPLICATION_EVALUATE)
@require_POST
def application_gate(request, pk):
    application = _application(request, pk)
    return _act(
        request,
        application,
        "gate_form",
        GateForm(request.POST, application=application),
        lambda data: svc.record_gate(
            by=request.user,
            application=application,
            gate=data["gate"],
            outcome=data["outcome"],
            evidence=data["evidence"],
        ),
        "The {gate} gate was recorded as {outcome}.",
    )


@require_permission(Permission.PURCHASING_MANAGE)
@require_POST
def application_moderate(request, pk):
    application = _application(request, pk)
    return _act(
        request,
        application,
        "moderate_form",
        ModerateForm(request.POST, needed=svc.moderation_needed(application)),
        lambda data: svc.moderate(
            by=request.user,
            application=application,
            criterion=data["moderated_criterion"],
            score=data["agreed_score"],
            note=data["note"],
        ),
        "The agreed score for {moderated_criterion.code} is {agreed_score}.",
    )


@require_permission(Permission.PURCHASING_MANAGE)
@require_POST
def application_decide(request, pk):
    application = _application(request, pk)
    return _act(
        request,
        application,
        "decide_form",
        DecideForm(request.POST, application=application),
        lambda data: svc.decide(
            by=request.user,
            application=application,
            admit_lots=list(data["admit_lots"]),
            reasons=data["reasons"],
        ),
        "The decision was recorded and sent to the provider.",
    )


@require_permission(Permission.APPLICATION_VIEW)
def application_document(request, pk, document_pk):
    """A document's bytes, to council staff and to the provider that attached it."""
    application = get_object_or_404(svc.applications_for(request.user), pk=pk)
    document = get_object_or_404(application.documents, pk=document_pk)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    return response
