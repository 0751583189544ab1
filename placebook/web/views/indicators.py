from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from placebook.core.permissions import Permission, has_permission
from placebook.indicators.charts import Bar, Point, Series, bar_chart, trend_chart
from placebook.indicators.consistency import RULES, audit
from placebook.indicators.dashboards import DASHBOARDS, build
from placebook.indicators.exports import to_csv, to_xlsx
from placebook.indicators.models import Framework, Indicator, IndicatorValue, Release
from placebook.indicators.pdf import dashboard_pdf
from placebook.indicators.presentation import display_value, format_number


def indicator_list(request):
    framework, q = request.GET.get("framework", ""), request.GET.get("q", "").strip()
    indicators = Indicator.objects.annotate(
        value_count=Count("values", filter=Q(values__is_current=True))
    )
    if framework:
        indicators = indicators.filter(framework=framework)
    if q:
        indicators = indicators.filter(Q(name__icontains=q) | Q(framework_ref__iexact=q))
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "indicators": indicators,
            "frameworks": Framework.choices,
            "framework": framework,
            "q": q,
            "page_title": "Indicators",
        },
    )


def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator.objects.select_related("source"), code=code)
    sees_small_numbers = has_permission(request.user, Permission.UNPUBLISHED_DATA_VIEW)
    values = (
        IndicatorValue.objects.current()
        .filter(indicator=indicator)
        .select_related("area", "organisation", "period", "release")
        .order_by("period__start", "area__name", "organisation__name")
    )
    rows = [(v, display_value(indicator, v, sees_small_numbers)) for v in values]
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "rows": rows,
            "targets": indicator.targets.select_related("area", "organisation", "period"),
            "page_title": indicator.name,
        },
    )


def _trend_svg(row) -> str:
    series = [Series(row.subject, [Point(label, value) for label, value in row.series], "primary")]
    if row.england:
        england = [Point(label, value) for label, value in row.england]
        series.append(Series("England", england, "benchmark"))
    return trend_chart(
        series,
        title=f"{row.indicator.name}: {row.subject} over time",
        unit_label=row.indicator.get_unit_display(),
        y_format=lambda n, i=row.indicator: format_number(i, n),
    )


def _comparison_svg(indicator, title: str, bars: list[tuple[str, float | None, bool]], target=None):
    return bar_chart(
        [Bar(label, value, highlight=highlight) for label, value, highlight in bars],
        title=title,
        unit_label=indicator.get_unit_display(),
        benchmark=target,
        benchmark_label="Target",
        y_format=lambda n: format_number(indicator, n),
    )


def dashboard_list(request):
    return render(
        request,
        "indicators/dashboard_list.html",
        {"dashboards": DASHBOARDS.values(), "page_title": "Dashboards"},
    )


def dashboard_detail(request, slug):
    if slug not in DASHBOARDS:
        raise Http404(f"No dashboard called {slug}")
    dashboard, release, rows = build(slug)
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
    return render(
        request,
        f"indicators/dashboard_{slug.replace('-', '_')}.html",
        {
            "dashboard": dashboard,
            "release": release,
            "rows": list(zip(rows, charts, strict=True)),
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
