import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject

from placebook.core.models import Period
from placebook.core.permissions import Permission, has_permission
from placebook.indicators import charts
from placebook.indicators.charts import Bar, Point, Series, bar_chart, trend_chart
from placebook.indicators.consistency import RULES, audit
from placebook.indicators.dashboards import BUILDERS, DASHBOARDS, build, data_version, release_of
from placebook.indicators.exports import to_csv, to_xlsx
from placebook.indicators.imports import max_upload_text, submit_import
from placebook.indicators.models import Framework, ImportJob, Indicator, IndicatorValue, Release
from placebook.indicators.pdf import dashboard_pdf
from placebook.indicators.presentation import display_value, format_number
from placebook.web.decorators import require_permission
from placebook.web.forms_indicators import ImportUploadForm
from placebook.web.pagination import page_of

RECENT_IMPORTS = 25
# While an import is queued or running its page reloads itself, without JavaScript.
IMPORT_REFRESH_SECONDS = 5


def indicator_list(request):
    framework, q = request.GET.get("framework", ""), request.GET.get("q", "").strip()
    indicators = Indicator.objects.all()
    if framework:
        indicators = indicators.filter(framework=framework)
    if q:
        indicators = indicators.filter(Q(name__icontains=q) | Q(framework_ref__iexact=q))
    # Counted apart, from the (indicator, is_current, period) index alone: joining a million
    # figures to the indicators to count them took a quarter of a second.
    counts = dict(
        IndicatorValue.objects.current()
        .order_by()
        .values("indicator")
        .annotate(held=Count("*"))
        .values_list("indicator", "held")
    )
    indicators = list(indicators)
    for indicator in indicators:
        indicator.value_count = counts.get(indicator.pk, 0)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "indicators": indicators,
            "frameworks": Framework.choices,
            "framework": framework,
            "q": q,
            "can_import": has_permission(request.user, Permission.REFERENCE_DATA_EDIT),
            "page_title": "Indicators",
        },
    )


def indicator_detail(request, code):
    """An indicator's definition and method, and its current figures a page at a time, for an
    area or organisation and a period if asked: a Fingertips indicator holds thousands."""
    indicator = get_object_or_404(Indicator.objects.select_related("source"), code=code)
    sees_small_numbers = has_permission(request.user, Permission.UNPUBLISHED_DATA_VIEW)
    held = IndicatorValue.objects.current().filter(indicator=indicator)
    place, period = request.GET.get("place", "").strip(), request.GET.get("period", "")
    values = held
    if place:
        values = values.filter(
            Q(area__code__iexact=place)
            | Q(area__name__icontains=place)
            | Q(organisation__name__icontains=place)
        )
    if period:
        values = values.filter(period__label=period)
    page = page_of(
        request,
        values.select_related("area", "organisation", "period", "release").order_by(
            "period__start", "area__name", "organisation__name", "sex", "age", "pk"
        ),
    )
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "page": page,
            "rows": [(v, display_value(indicator, v, sees_small_numbers)) for v in page],
            "periods": Period.objects.filter(pk__in=held.values("period_id"))
            .order_by("-start", "label")
            .values_list("label", flat=True),
            "place": place,
            "period": period,
            "targets": indicator.targets.select_related("area", "organisation", "period"),
            "page_title": indicator.name,
        },
    )


# The drawing code's own fingerprint, so that a cached chart never outlives the code that
# drew it when the cache is shared between deployments.
_CHART_CODE = hashlib.sha256(Path(charts.__file__).read_bytes()).hexdigest()[:16]


def _cached_chart(draw: Callable[[], str], *inputs) -> str:
    """A chart drawn once for the figures it shows, under a key made of them: a dashboard
    rebuilt after one figure changes redraws that row's chart, not all 26."""
    key = "chart:" + hashlib.sha256(repr((_CHART_CODE, *inputs)).encode()).hexdigest()
    return cache.get_or_set(key, draw, settings.DASHBOARD_CACHE_SECONDS)


def _trend_svg(row) -> str:
    indicator = row.indicator

    def draw() -> str:
        series = [Series(row.subject, [Point(label, value) for label, value in row.series],
                         "primary")]  # fmt: skip
        if row.england:
            england = [Point(label, value) for label, value in row.england]
            series.append(Series("England", england, "benchmark"))
        return trend_chart(
            series,
            title=f"{indicator.name}: {row.subject} over time",
            unit_label=indicator.get_unit_display(),
            y_format=lambda n: format_number(indicator, n),
        )

    return _cached_chart(
        draw, "trend", indicator.name, indicator.unit, row.subject, row.series, row.england
    )


def _comparison_svg(indicator, title: str, bars: list[tuple[str, float | None, bool]], target=None):
    def draw() -> str:
        return bar_chart(
            [Bar(label, value, highlight=highlight) for label, value, highlight in bars],
            title=title,
            unit_label=indicator.get_unit_display(),
            benchmark=target,
            benchmark_label="Target",
            y_format=lambda n: format_number(indicator, n),
        )

    return _cached_chart(draw, "bars", indicator.unit, title, bars, target)


def dashboard_list(request):
    return render(
        request,
        "indicators/dashboard_list.html",
        {"dashboards": DASHBOARDS.values(), "page_title": "Dashboards"},
    )


def _rows_with_charts(slug: str, release) -> list[tuple]:
    rows = BUILDERS[slug](release) if release else []
    if slug == "public-health":
        charts = [_trend_svg(row) for row in rows]
    elif slug == "adult-social-care":
        charts = [
            _comparison_svg(
                row.indicator,
                f"{row.indicator.name}: Sefton and comparators",
                [("Sefton", row.sefton.number, True)]
                + [(c.name, c.value.number, False) for c in row.comparisons],
            )
            for row in rows
        ]
    else:
        charts = [
            _comparison_svg(
                row.indicator,
                f"{row.indicator.name}: {row.provider}",
                [
                    (row.provider, row.performance.number, True),
                    ("Cheshire and Merseyside", row.cheshire_and_merseyside.number, False),
                    ("England", row.england.number, False),
                ],
            )
            for row in rows
        ]
    return list(zip(rows, charts, strict=True))


def dashboard_detail(request, slug):
    if slug not in DASHBOARDS:
        raise Http404(f"No dashboard called {slug}")
    dashboard = DASHBOARDS[slug]
    release = release_of(dashboard)
    return render(
        request,
        f"indicators/dashboard_{slug.replace('-', '_')}.html",
        {
            "dashboard": dashboard,
            "release": release,
            # Built only when the template's cached table is missing for this data version:
            # the rows and their charts are most of a dashboard's cost.
            "rows": SimpleLazyObject(lambda: _rows_with_charts(slug, release)),
            "data_version": data_version(),
            "cache_seconds": settings.DASHBOARD_CACHE_SECONDS,
            "page_title": dashboard.title,
        },
    )


def dashboard_download(request, slug, fmt):
    if slug not in DASHBOARDS or fmt not in {"csv", "xlsx", "pdf"}:
        raise Http404("No such download")
    dashboard, release, rows = build(slug)
    if fmt == "pdf":
        response = HttpResponse(
            dashboard_pdf(dashboard, release, rows), content_type="application/pdf"
        )
    elif fmt == "csv":
        response = HttpResponse(to_csv(slug, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            to_xlsx(slug, dashboard.title, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{slug}.{fmt}"'
    return response


def audit_report(request):
    releases = Release.objects.order_by("key")
    chosen = request.GET.get("release", "")
    severity = request.GET.get("severity", "")
    findings = audit([chosen] if chosen else None)
    if severity:
        findings = [f for f in findings if f.severity == severity]
    return render(
        request,
        "indicators/audit_report.html",
        {
            "findings": [(f, RULES[f.rule].description) for f in findings],
            "releases": releases,
            "release": chosen,
            "severity": severity,
            "page_title": "Consistency audit of published figures",
        },
    )


@require_permission(Permission.REFERENCE_DATA_EDIT)
def import_list(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = submit_import(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(job)
    # The file itself can be megabytes; a list of jobs never needs it.
    jobs = ImportJob.objects.defer("content", "errors").select_related("uploaded_by")
    return render(
        request,
        "indicators/import_list.html",
        {
            "form": form,
            "jobs": jobs[:RECENT_IMPORTS],
            "max_upload": max_upload_text(),
            "page_title": "Import indicator values",
        },
    )


@require_permission(Permission.REFERENCE_DATA_EDIT)
def import_detail(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content").select_related("uploaded_by"), pk=pk)
    response = render(
        request,
        "indicators/import_detail.html",
        {
            "job": job,
            "refresh_seconds": IMPORT_REFRESH_SECONDS,
            "page_title": f"Import of {job.file_name}",
        },
    )
    if not job.is_finished:
        # The Refresh header does what <meta http-equiv="refresh"> does, from outside the
        # page's <head>, which the base template keeps to itself.
        response["Refresh"] = str(IMPORT_REFRESH_SECONDS)
    return response
