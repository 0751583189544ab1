"""Batch brokerage pages: start a run, read its proposal, change it and accept it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from placebook.core.permissions import Permission
from placebook.purchasing.models import BrokerageRun, Lot, RunStatus
from placebook.purchasing.services import brokerage
from placebook.purchasing.services.errors import PurchasingError
from placebook.web.decorators import require_permission

LEAVE = "leave"
# While a run is queued or solving, its page reloads itself: no JavaScript needed.
REFRESH_SECONDS = 5


@require_permission(Permission.PACKAGE_BROKER)
def run_list(request):
    problem = ""
    if request.method == "POST":
        lot = Lot.objects.filter(pk=request.POST.get("lot") or None).first()
        try:
            limit = int(request.POST.get("time_limit") or 60)
            run = brokerage.start_run(by=request.user, lot=lot, time_limit=limit)
        except ValueError:
            problem = "Time limit must be a whole number of seconds."
        except PurchasingError as error:
            problem = str(error)
        else:
            return redirect("purchasing:batch-detail", pk=run.pk)
    return render(
        request,
        "purchasing/batch/run_list.html",
        {
            "runs": BrokerageRun.objects.select_related("lot", "created_by")[:25],
            "lots": Lot.objects.select_related("system"),
            "problem": problem,
            "page_title": "Batch brokerage",
        },
        status=400 if problem else 200,
    )


@require_permission(Permission.PACKAGE_BROKER)
def run_detail(request, pk):
    run = get_object_or_404(BrokerageRun, pk=pk)
    problem = ""
    if request.method == "POST":
        choices = {}
        for row in brokerage.proposal_rows(run):
            picked = request.POST.get(f"package-{row['package'].pk}", LEAVE)
            choices[row["package"].pk] = None if picked == LEAVE else int(picked)
        try:
            awards = brokerage.accept(by=request.user, run=run, choices=choices)
        except (PurchasingError, ValueError) as error:
            problem = str(error)
        else:
            messages.success(request, f"{len(awards)} awards proposed; they now wait for approval.")
            return redirect("purchasing:batch-detail", pk=run.pk)
    response = render(
        request,
        "purchasing/batch/run_detail.html",
        {
            "run": run,
            "rows": brokerage.proposal_rows(run),
            "leave": LEAVE,
            "problem": problem,
            "page_title": str(run),
        },
        status=400 if problem else 200,
    )
    if run.status in {RunStatus.QUEUED, RunStatus.RUNNING}:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response
