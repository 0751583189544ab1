from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from placebook.core import services
from placebook.core.models import (
    Area,
    AreaType,
    AuditEvent,
    ComparatorGroup,
    Hierarchy,
    Organisation,
    OrganisationKind,
    Period,
    Source,
)
from placebook.core.periods import PeriodParseError, parse_period
from placebook.core.permissions import ROLES, Permission, has_permission, visible_to
from placebook.web.decorators import require_permission
from placebook.web.forms import OrganisationForm, PeriodForm, SignInForm
from placebook.web.pagination import page_of
from placebook.web.subsystems import BY_SLUG, SUBSYSTEMS


def home(request):
    from django.apps import apps

    core_summary = apps.get_app_config("core").summary(request.user)
    cards = [(s, s.summary(request.user)) for s in SUBSYSTEMS]
    return render(request, "web/home.html", {"cards": cards, "core_summary": core_summary})


def subsystem(request, slug):
    try:
        system = BY_SLUG[slug]
    except KeyError:
        raise Http404(f"No subsystem called {slug}") from None
    return render(
        request,
        "web/subsystem.html",
        {"system": system, "summary": system.summary(request.user), "page_title": system.label},
    )


class SignInView(auth_views.LoginView):
    template_name = "registration/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def account(request):
    if not request.user.is_authenticated:
        return redirect("web:sign-in")
    token = Token.objects.filter(user=request.user).first()
    roles = [ROLES[r] for r in sorted(request.user.role_set)]
    return render(
        request, "web/account.html", {"token": token, "roles": roles, "page_title": "Your account"}
    )


@require_POST
def account_token(request):
    if not request.user.is_authenticated:
        return redirect("web:sign-in")
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "A new API token was made. Any old token no longer works.")
    return redirect("web:account")


def reference(request):
    from django.apps import apps

    return render(
        request,
        "core/reference.html",
        {
            "summary": apps.get_app_config("core").summary(request.user),
            "can_read_audit": has_permission(request.user, Permission.AUDIT_VIEW),
            "page_title": "Reference data",
        },
    )


def organisation_list(request):
    qs = visible_to(request.user, Organisation.objects.select_related("area"))
    kind, q = request.GET.get("kind", ""), request.GET.get("q", "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(ods_code__iexact=q) | Q(charity_number=q)
            | Q(companies_house_number__iexact=q)
        )  # fmt: skip
    return render(
        request,
        "core/organisation_list.html",
        {
            "page": page_of(request, qs),
            "kinds": OrganisationKind.choices,
            "kind": kind,
            "q": q,
            "can_edit": has_permission(request.user, Permission.REFERENCE_DATA_EDIT),
            "page_title": "Organisations",
        },
    )


def organisation_detail(request, key):
    org = get_object_or_404(
        visible_to(request.user, Organisation.objects.select_related("parent", "area", "source")),
        key=key,
    )
    return render(
        request,
        "core/organisation_detail.html",
        {
            "org": org,
            "children": org.children.all(),
            "can_edit": has_permission(request.user, Permission.REFERENCE_DATA_EDIT),
            "page_title": org.name,
        },
    )


@require_permission(Permission.REFERENCE_DATA_EDIT)
def organisation_edit(request, key=None):
    org = get_object_or_404(Organisation, key=key) if key else None
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_organisation(
                by=request.user, organisation=org, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{saved.name} was saved.")
            return redirect(saved)
    title = f"Change {org.name}" if org else "Add an organisation"
    return render(
        request, "core/organisation_form.html", {"form": form, "org": org, "page_title": title}
    )


def area_list(request):
    qs = visible_to(request.user, Area.objects.all())
    area_type, parent = request.GET.get("type", ""), request.GET.get("parent", "").strip()
    if area_type:
        qs = qs.filter(type=area_type)
    if parent:
        qs = qs.filter(parent_links__parent__code=parent).distinct()
    return render(
        request,
        "core/area_list.html",
        {
            "page": page_of(request, qs),
            "types": AreaType.choices,
            "type": area_type,
            "parent": parent,
            "page_title": "Areas",
        },
    )


def area_detail(request, code):
    area = get_object_or_404(
        visible_to(request.user, Area.objects.select_related("source")), code=code
    )
    parent_links = area.parent_links.select_related("parent")
    child_links = area.child_links.select_related("child").order_by("hierarchy", "child__name")
    hierarchies = []
    for value, label in Hierarchy.choices:
        parents = [link.parent for link in parent_links if link.hierarchy == value]
        children = [link.child for link in child_links if link.hierarchy == value]
        current = [c for c in children if c.is_current()]
        former = [c for c in children if not c.is_current()]
        if parents or children:
            hierarchies.append((label, parents, current, former))
    return render(
        request,
        "core/area_detail.html",
        {
            "area": area,
            "hierarchies": hierarchies,
            "groups": visible_to(request.user, area.comparator_groups.all()),
            "organisations": area.organisations.all(),
            "page_title": area.name,
        },
    )


def comparator_group_list(request):
    qs = visible_to(
        request.user,
        ComparatorGroup.objects.select_related("subject").annotate(size=Count("members")),
    )
    return render(
        request,
        "core/comparator_group_list.html",
        {"groups": qs, "page_title": "Comparator groups"},
    )


def comparator_group_detail(request, slug, version):
    group = get_object_or_404(
        visible_to(request.user, ComparatorGroup.objects.select_related("subject", "source")),
        slug=slug,
        version=version,
    )
    return render(
        request,
        "core/comparator_group_detail.html",
        {
            "group": group,
            "members": group.members.order_by("name"),
            "can_publish": not group.is_published
            and has_permission(request.user, Permission.COMPARATOR_GROUP_PUBLISH),
            "page_title": str(group),
        },
    )


@require_POST
@require_permission(Permission.COMPARATOR_GROUP_PUBLISH)
def comparator_group_publish(request, slug, version):
    group = get_object_or_404(ComparatorGroup, slug=slug, version=version)
    try:
        services.publish_comparator_group(by=request.user, group=group)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{group} is published.")
    return redirect(group)


def period_list(request):
    form = PeriodForm(request.GET or None)
    parsed = error = None
    if form.is_valid() and form.cleaned_data["text"]:
        try:
            parsed = parse_period(form.cleaned_data["text"])
        except PeriodParseError as exc:
            error = str(exc)
            form.add_error("text", error)
    return render(
        request,
        "core/period_list.html",
        {
            "periods": Period.objects.all(),
            "form": form,
            "parsed": parsed,
            "page_title": "Periods",
        },
    )


def source_list(request):
    return render(
        request, "core/source_list.html", {"sources": Source.objects.all(), "page_title": "Sources"}
    )


@require_permission(Permission.AUDIT_VIEW)
def audit_list(request):
    qs = AuditEvent.objects.select_related("content_type")
    model, actor = request.GET.get("model", ""), request.GET.get("actor", "").strip()
    if model:
        qs = qs.filter(content_type__model=model)
    if actor:
        qs = qs.filter(actor_label=actor)
    models_seen = (
        AuditEvent.objects.order_by().values_list("content_type__model", flat=True).distinct()
    )
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page_of(request, qs),
            "models": sorted(set(models_seen)),
            "model": model,
            "actor": actor,
            "page_title": "Audit trail",
        },
    )
