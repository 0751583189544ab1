"""Brokerage pages (seed 003): package requests from assessment to award, approvals within
the scheme of delegation, the contract register, direct awards and committed spend.

Every change goes through ``purchasing.services``. Each action on a package is a form posted
to its own address: success redirects back to the package with a notification banner; a
refusal (``PurchasingError``) shows the package page again with the refusal in its error
summary.
"""

import csv

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from placebook.contracts.models import Contract, ContractKind
from placebook.core.periods import financial_year_of
from placebook.core.permissions import Permission, has_permission, visible_to
from placebook.purchasing.models import (
    Award,
    AwardStatus,
    Lot,
    PackageRequest,
    PackageStatus,
    RasTable,
)
from placebook.purchasing.services import direct, packages
from placebook.purchasing.services.errors import OutsideDelegation, PurchasingError
from placebook.purchasing.services.ras import table_in_force
from placebook.purchasing.services.spend import spend_report as build_spend_report
from placebook.web.decorators import require_permission
from placebook.web.forms_purchasing import (
    ActionForm,
    ApproveForm,
    AwardForm,
    DirectAwardForm,
    OpenRequestForm,
    PackageRequestForm,
    RejectForm,
    SpendRangeForm,
    weekly_profile_rows,
)
from placebook.web.pagination import page_of

# Who may read the contract register and the spend built from it.
REGISTER_READERS = (Permission.PACKAGE_VIEW, Permission.PURCHASING_MANAGE)


def _person_name(user, person) -> str | None:
    """Who a package is for, to those allowed to know; None to everyone else."""
    if not has_permission(user, Permission.PERSON_VIEW, person):
        return None
    return person.full_name or f"{person.reference} (personal details removed)"


def _authority(user):
    """The delegated limit the user approves under today, if the scheme gives them one."""
    try:
        return packages.authority(user, timezone.localdate())
    except OutsideDelegation:
        return None


def _outside_delegation(user, award: Award) -> str:
    """Why the user's delegated authority does not cover the award; empty when it does."""
    try:
        packages.check_within_delegation(
            user, award.weekly_value, award.annual_value, timezone.localdate()
        )
    except OutsideDelegation as refusal:
        return str(refusal)
    return ""


# --- package requests ------------------------------------------------------------------


@require_permission(Permission.PACKAGE_VIEW)
def package_list(request):
    status, lot = request.GET.get("status", ""), request.GET.get("lot", "")
    requests = visible_to(
        request.user, PackageRequest.objects.select_related("lot", "locality", "person")
    )
    if status:
        requests = requests.filter(status=status)
    if lot.isdigit():
        requests = requests.filter(lot_id=lot)
    page = page_of(request, requests)
    return render(
        request,
        "purchasing/brokerage/package_list.html",
        {
            "page": page,
            "rows": [(package, _person_name(request.user, package.person)) for package in page],
            "sees_people": has_permission(request.user, Permission.PERSON_VIEW),
            "can_broker": has_permission(request.user, Permission.PACKAGE_BROKER),
            "statuses": PackageStatus.choices,
            "status": status,
            "lots": Lot.objects.select_related("system"),
            "lot": lot,
            "page_title": "Package requests",
        },
    )


def _chosen_table(request) -> RasTable | None:
    """The RAS table the broker chose, else the one in force of the newest published."""
    published = RasTable.objects.filter(published_at__isnull=False)
    chosen = request.POST.get("ras_table") or request.GET.get("ras_table")
    if chosen:
        if not chosen.isdigit():
            raise Http404("No such RAS table")
        return get_object_or_404(published, pk=chosen)
    newest = published.order_by("-published_at").first()
    if newest is None:
        return None
    return table_in_force(newest.key, timezone.localdate()) or newest


@require_permission(Permission.PACKAGE_BROKER)
def package_create(request):
    table = _chosen_table(request)
    form = None
    if table is not None:
        form = PackageRequestForm(request.POST or None, user=request.user, table=table)
        if request.method == "POST" and form.is_valid():
            try:
                package = packages.create_request(by=request.user, **form.service_arguments())
            except PurchasingError as refusal:
                form.add_refusal(refusal)
            else:
                messages.success(
                    request,
                    f"Package request {package} was made. Its indicative budget is "
                    f"{package.indicative_weekly_budget} a week.",
                )
                return redirect(package)
    return render(
        request,
        "purchasing/brokerage/package_form.html",
        {
            "form": form,
            "table": table,
            "tables": RasTable.objects.filter(published_at__isnull=False),
            "page_title": "Request a package of support",
        },
    )


def _package(request, reference) -> PackageRequest:
    return get_object_or_404(
        visible_to(
            request.user,
            PackageRequest.objects.select_related("lot__system", "locality", "person", "ras_table"),
        ),
        reference=reference,
    )


def _package_page(request, package, failed=None):
    """The package page, with the actions this user may take now. ``failed`` maps the name
    of an action that was just refused to its form, shown with its problems."""
    user = request.user
    award = (
        Award.objects.filter(package=package)
        .select_related("response__provider", "proposed_by", "approver", "delegation__scheme")
        .first()
    )
    responses = list(
        package.responses.select_related("provider").order_by(
            F("rank").asc(nulls_last=True), "submitted_at"
        )
    )
    actions = {}
    if has_permission(user, Permission.PACKAGE_BROKER):
        if package.status == PackageStatus.DRAFT:
            actions["open"] = OpenRequestForm(package=package)
        elif package.status == PackageStatus.OPEN:
            actions["evaluate"] = ActionForm()
        elif package.status == PackageStatus.EVALUATED:
            actions["award"] = AwardForm(package=package)
    approving = (
        award is not None
        and award.status == AwardStatus.AWAITING_APPROVAL
        and has_permission(user, Permission.AWARD_APPROVE)
    )
    if approving:
        actions["approve"], actions["reject"] = ApproveForm(), RejectForm()
    actions.update(failed or {})
    return render(
        request,
        "purchasing/brokerage/package_detail.html",
        {
            "package": package,
            "person_name": _person_name(user, package.person),
            "weekly_profile": weekly_profile_rows(package.weekly_profile),
            "invitations": package.invitations.select_related("provider").order_by(
                "provider__name"
            ),
            "responses": responses,
            # Prices stay sealed until the responses are evaluated.
            "evaluated": any(r.compliant is not None for r in responses),
            "award": award,
            "contracts": package.contracts.all(),
            "actions": actions,
            "error_form": next(iter(failed.values())) if failed else None,
            "authority": _authority(user) if approving else None,
            "outside_delegation": _outside_delegation(user, award) if approving else "",
            "can_direct_award": has_permission(user, Permission.AWARD_APPROVE),
            "page_title": f"Package request {package}",
        },
    )


@require_permission(Permission.PACKAGE_VIEW)
def package_detail(request, reference):
    return _package_page(request, _package(request, reference))


def _act(request, package, action, form, perform):
    """Run one action on a package: ``perform(cleaned_data)`` calls the service and returns
    the success message."""
    if form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except PurchasingError as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, message)
            return redirect(package)
    return _package_page(request, package, failed={action: form})


@require_permission(Permission.PACKAGE_BROKER)
@require_POST
def package_open(request, reference):
    package = _package(request, reference)

    def send(data):
        invited = packages.open_request(
            by=request.user,
            package=package,
            deadline=data["deadline"],
            providers=list(data["providers"]),
        )
        return f"{package} was sent to {len(invited)} provider{pluralize(len(invited))}."

    form = OpenRequestForm(request.POST, package=package)
    return _act(request, package, "open", form, send)


@require_permission(Permission.PACKAGE_BROKER)
@require_POST
def package_evaluate(request, reference):
    package = _package(request, reference)

    def evaluate(_data):
        ranked = packages.evaluate(by=request.user, package=package)
        if not ranked:
            return f"No provider responded to {package}, so it is closed without an award."
        return f"The {len(ranked)} response{pluralize(len(ranked))} to {package} were evaluated."

    return _act(request, package, "evaluate", ActionForm(request.POST), evaluate)


@require_permission(Permission.PACKAGE_BROKER)
@require_POST
def package_award(request, reference):
    package = _package(request, reference)

    def propose(data):
        award = packages.propose_award(
            by=request.user, package=package, response=data["response"], reasons=data["reasons"]
        )
        return f"The award of {package} to {award.response.provider} is waiting for approval."

    form = AwardForm(request.POST, package=package)
    return _act(request, package, "award", form, propose)


@require_permission(Permission.AWARD_APPROVE)
@require_POST
def award_approve(request, reference):
    package = _package(request, reference)
    award = get_object_or_404(Award.objects.select_related("response__provider"), package=package)

    def approve(data):
        packages.approve_award(by=request.user, award=award, note=data["approval_note"])
        return (
            f"The award of {package} to {award.response.provider} is approved, and its "
            "contract is in the register."
        )

    return _act(request, package, "approve", ApproveForm(request.POST), approve)


@require_permission(Permission.AWARD_APPROVE)
@require_POST
def award_reject(request, reference):
    package = _package(request, reference)
    award = get_object_or_404(Award, package=package)

    def reject(data):
        packages.reject_award(by=request.user, award=award, note=data["rejection_note"])
        return f"The award of {package} was not approved and has gone back to the broker."

    return _act(request, package, "reject", RejectForm(request.POST), reject)


@require_permission(Permission.AWARD_APPROVE)
def approval_list(request):
    awards = visible_to(
        request.user,
        Award.objects.filter(status=AwardStatus.AWAITING_APPROVAL)
        .select_related("package__lot", "response__provider", "proposed_by")
        .order_by("updated_at"),
    )
    return render(
        request,
        "purchasing/brokerage/approval_list.html",
        {
            "rows": [(award, _outside_delegation(request.user, award)) for award in awards],
            "authority": _authority(request.user),
            "page_title": "Awards waiting for approval",
        },
    )


# --- contracts and spend ---------------------------------------------------------------


@require_permission(*REGISTER_READERS)
def contract_list(request):
    kind = request.GET.get("kind", "")
    contracts = visible_to(
        request.user,
        Contract.objects.select_related("supplier", "lot").prefetch_related("extensions"),
    )
    if kind:
        contracts = contracts.filter(kind=kind)
    return render(
        request,
        "purchasing/brokerage/contract_list.html",
        {
            "page": page_of(request, contracts),
            "kinds": ContractKind.choices,
            "kind": kind,
            "can_direct_award": has_permission(request.user, Permission.AWARD_APPROVE),
            "page_title": "Contract register",
        },
    )


@require_permission(*REGISTER_READERS)
def contract_detail(request, reference):
    contract = get_object_or_404(
        visible_to(
            request.user,
            Contract.objects.select_related("buyer", "supplier", "lot__system", "package"),
        ),
        reference=reference,
    )
    return render(
        request,
        "purchasing/brokerage/contract_detail.html",
        {
            "contract": contract,
            "extensions": contract.extensions.all(),
            "sees_packages": has_permission(request.user, Permission.PACKAGE_VIEW),
            "page_title": contract.title,
        },
    )


@require_permission(Permission.AWARD_APPROVE)
def direct_award(request):
    form = DirectAwardForm(
        request.POST or None,
        initial={"buyer": request.user.organisation_id, "package": request.GET.get("package")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = direct.direct_award(by=request.user, **form.service_arguments())
        except PurchasingError as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request, f"Contract {contract.reference} was awarded to {contract.supplier}."
            )
            return redirect(contract)
    return render(
        request,
        "purchasing/brokerage/direct_award_form.html",
        {"form": form, "page_title": "Record a direct award"},
    )


def _spend(request):
    """The range asked for (the current financial year unless the query gives another),
    and the spend report for it, or None when the range is not valid."""
    year = financial_year_of(timezone.localdate())
    form = SpendRangeForm(request.GET or None, initial={"start": year.start, "end": year.end})
    if not form.is_bound:
        first, last = year.start, year.end
    elif form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        return form, None
    return form, build_spend_report(first, last, visible_to(request.user, Contract.objects.all()))


def _on_off_rows(totals):
    """(key, on framework, off framework, both) for each lot, provider or month."""
    return [
        (key, amounts[True], amounts[False], amounts[True] + amounts[False])
        for key, amounts in totals.items()
    ]


@require_permission(*REGISTER_READERS)
def spend_report(request):
    form, report = _spend(request)
    context = {"form": form, "report": report, "page_title": "Committed spend on and off framework"}
    if report is not None:
        share = report.off_framework_share
        context |= {
            "by_route": _on_off_rows(report.by("route")),
            "by_provider": _on_off_rows(report.by("provider")),
            "by_month": _on_off_rows(report.by("month")),
            "on_framework": report.total(on_framework=True),
            "off_framework": report.total(on_framework=False),
            "total": report.total(),
            "off_framework_percent": None if share is None else share * 100,
        }
    return render(request, "purchasing/brokerage/spend_report.html", context)


@require_permission(*REGISTER_READERS)
def spend_report_csv(request):
    form, report = _spend(request)
    if report is None:
        problems = "\n".join(message for _field, message in form.error_list())
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    first, last = report.months[0], report.months[-1]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="committed-spend-{first:%Y-%m}-to-{last:%Y-%m}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Month", "Lot or route", "Provider", "On framework", "Amount (GBP)"])
    for line in report.lines:
        writer.writerow(
            [
                f"{line.month:%Y-%m}",
                line.route,
                line.provider,
                "yes" if line.on_framework else "no",
                f"{line.amount.amount:.2f}",
            ]
        )
    return response
