from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from placebook.core.permissions import Permission, has_permission
from placebook.indicators.models import Framework, Indicator, IndicatorValue
from placebook.indicators.presentation import display_value


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
