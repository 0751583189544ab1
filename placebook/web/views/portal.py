"""The provider portal: a care provider's own applications, admissions, invited package
requests and contracts. Every page needs PROVIDER_PORTAL and shows only the records of the
user's own organisation; anything else is "not found", so a provider cannot even learn
that another provider's record exists. Package requests never show the person."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from placebook.contracts.models import Contract
from placebook.core.permissions import Permission
from placebook.purchasing.models import (
    Admission,
    ApplicationStatus,
    PackageStatus,
    PurchasingSystem,
    Response,
    SystemStatus,
)
from placebook.purchasing.services import applications as svc
from placebook.purchasing.services.errors import PurchasingError
from placebook.purchasing.services.packages import requests_for_provider, submit_response
from placebook.web.decorators import require_permission
from placebook.web.forms_portal import (
    AnswersForm,
    ApplyForm,
    CoverageForm,
    DocumentForm,
    ResponseForm,
)
from placebook.web.views.purchasing_commissioning import heading_points

portal_only = require_permission(Permission.PROVIDER_PORTAL)

# Days of a package's weekly profile, in the order a week is read.
WEEKDAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]


@portal_only
def home(request):
    organisation = request.user.organisation
    responded = Response.objects.filter(package=OuterRef("pk"), provider=organisation)
    return render(
        request,
        "portal/home.html",
        {
            "organisation": organisation,
            "applications": svc.applications_for(request.user)
            .prefetch_related("lots")
            .order_by("-created_at"),
            "admissions": Admission.objects.filter(provider=organisation).select_related(
                "lot__system"
            ),
            "requests": requests_for_provider(request.user)
            .filter(status=PackageStatus.OPEN)
            .select_related("lot", "locality")
            .annotate(responded=Exists(responded))
            .order_by("response_deadline"),
            "contracts": Contract.objects.filter(supplier=organisation).select_related("lot"),
            "open_systems": PurchasingSystem.objects.filter(status=SystemStatus.OPEN),
            "page_title": f"Provider portal: {organisation.name}",
        },
    )


# Applications -----------------------------------------------------------------------------


@portal_only
def apply(request, key):
    system = get_object_or_404(PurchasingSystem.objects.exclude(status=SystemStatus.DRAFT), key=key)
    # Bound on every POST: an empty one (no lot ticked) must show its error.
    posted = request.POST if request.method == "POST" else None
    form = ApplyForm(posted, system=system)
    if posted is not None and form.is_valid():
        try:
            application = svc.start_application(
                by=request.user, system=system, lots=form.cleaned_data["lots"]
            )
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your application was started. Answer each question.")
            return redirect("portal:application", application.pk)
    return render(
        request,
        "portal/apply.html",
        {"system": system, "form": form, "page_title": f"Apply to join {system.name}"},
    )


def _own_application(request, pk):
    # applications_for gives a provider user its own organisation's applications only.
    return get_object_or_404(
        svc.applications_for(request.user).select_related("evaluation_model"), pk=pk
    )


def _render_application(request, application, **bound_forms):
    decided = application.status == ApplicationStatus.DECIDED
    outcome = svc.result(application) if decided else None
    forms_ = {
        "answers_form": AnswersForm(application=application),
        "document_form": DocumentForm(),
        "coverage_form": CoverageForm(
            initial={
                "localities": application.localities.all(),
                "capacity_hours_per_week": application.capacity_hours_per_week,
            }
        ),
        **bound_forms,
    }
    return render(
        request,
        "portal/application.html",
        {
            "application": application,
            "lots": application.lots.all(),
            "documents": application.documents.defer("content").order_by("name"),
            "admissions": application.admissions.select_related("lot"),
            "outcome": outcome,
            "points": heading_points(outcome) if outcome else [],
            "error_form": next((f for f in bound_forms.values() if f.errors), None),
            **forms_,
            "page_title": f"Your application to {application.system.name}",
        },
    )


def _save_answers(request, application, *, submit: bool):
    form = AnswersForm(request.POST, application=application)
    if form.is_valid():
        try:
            svc.save_answers(by=request.user, application=application, answers=form.answers())
            if submit:
                svc.submit_application(by=request.user, application=application)
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Your application was submitted. The council will tell you its decision."
                if submit
                else "Your answers were saved.",
            )
            return redirect("portal:application", application.pk)
    return _render_application(request, application, answers_form=form)


@portal_only
def application(request, pk):
    own = _own_application(request, pk)
    if request.method == "POST":
        return _save_answers(request, own, submit=False)
    return _render_application(request, own)


@portal_only
@require_POST
def application_submit(request, pk):
    # The answers come with the submission, so nothing typed since the last save is lost.
    return _save_answers(request, _own_application(request, pk), submit=True)


@portal_only
@require_POST
def application_upload(request, pk):
    own = _own_application(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            svc.attach_document(
                by=request.user,
                application=own,
                name=upload.name,
                content_type=upload.content_type or "application/octet-stream",
                content=upload.read(),
            )
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{upload.name} was uploaded.")
            return redirect("portal:application", own.pk)
    return _render_application(request, own, document_form=form)


@portal_only
@require_POST
def application_coverage(request, pk):
    own = _own_application(request, pk)
    form = CoverageForm(request.POST)
    if form.is_valid():
        try:
            svc.set_coverage(by=request.user, application=own, **form.cleaned_data)
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Where you work and how much you can take were saved.")
            return redirect("portal:application", own.pk)
    return _render_application(request, own, coverage_form=form)


# Package requests -------------------------------------------------------------------------


def _response_initial(response: Response | None) -> dict:
    if response is None:
        return {}
    return {
        "weekly_price": f"{response.weekly_price.amount:,.2f}",
        "hourly_rate": f"{response.hourly_rate.amount:,.2f}" if response.hourly_rate else "",
        "start_date": response.start_date,
        "proposal": response.proposal,
    }


@portal_only
def package_request(request, reference):
    """A request as the provider sees it: the support needed, never the person."""
    package = get_object_or_404(
        requests_for_provider(request.user).select_related("lot__system", "locality"),
        reference=reference,
    )
    response = Response.objects.filter(package=package, provider=request.user.organisation).first()
    posted = request.POST if request.method == "POST" else None
    form = ResponseForm(posted, initial=_response_initial(response))
    if posted is not None and form.is_valid():
        try:
            submit_response(by=request.user, package=package, **form.response())
        except PurchasingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your response to {package.reference} was sent.")
            return redirect("portal:request", package.reference)
    profile = package.weekly_profile
    return render(
        request,
        "portal/request.html",
        {
            "package": package,
            "profile": [(label, profile[day]) for day, label in WEEKDAYS if day in profile],
            "response": response,
            "form": form,
            "page_title": f"Package request {package.reference}",
        },
    )
