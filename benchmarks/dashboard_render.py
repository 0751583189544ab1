"""Dashboard page render times with a million figures stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        uv run python benchmarks/dashboard_render.py [--values 1000000] [--requests 50]

Builds a throwaway test database (Django's test-database machinery, so nothing real is
touched), loads the Sefton demo, adds synthetic figures for every indicator, area and
period until --values are stored, then requests each dashboard page and prints p50 and p95
in milliseconds, with the built table cached (warm) and rebuilt for every request (cold).
Goal: p95 within 100 ms.
"""

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placebook.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from placebook.core.actors import SystemActor  # noqa: E402
from placebook.core.audit import acting_as  # noqa: E402
from placebook.core.models import Area, Period, Person  # noqa: E402
from placebook.indicators.dashboards import DASHBOARDS, release_of  # noqa: E402
from placebook.indicators.models import Indicator, IndicatorValue  # noqa: E402
from placebook.indicators.services import record_value  # noqa: E402
from placebook.startup import prepare_for_requests  # noqa: E402


def synthetic_periods(count: int) -> list[Period]:
    periods = []
    for year in range(2000, 2000 + count):
        period, _ = Period.objects.get_or_create(
            type="calendar_year",
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            defaults={"label": str(year)},
        )
        periods.append(period)
    return periods


def fill(target: int) -> int:
    indicators = list(Indicator.objects.all())
    areas = list(Area.objects.all())
    per_period = len(indicators) * len(areas)
    periods = synthetic_periods(-(-target // per_period))
    batch, made = [], IndicatorValue.objects.count()
    # A breakdown the demo never uses, so no synthetic row collides with a real figure.
    for period in periods:
        for indicator in indicators:
            for area in areas:
                if made >= target:
                    break
                batch.append(
                    IndicatorValue(
                        indicator=indicator, area=area, period=period, age="Synthetic", value=50.0
                    )
                )
                made += 1
                if len(batch) == 20_000:
                    IndicatorValue._base_manager.bulk_create(batch)
                    batch = []
    IndicatorValue._base_manager.bulk_create(batch)
    return IndicatorValue.objects.count()


def record_a_person() -> None:
    with acting_as(SystemActor("benchmark")):
        Person.objects.create(given_name="Synthetic", family_name="Person")


def figure_reviser(slug: str):
    """Before each request, a new revision of one of the dashboard's own current figures."""
    shown = (
        IndicatorValue.objects.current()
        .filter(release=release_of(DASHBOARDS[slug]), value__isnull=False)
        .order_by("-period__end", "pk")
        .first()
    )
    step = iter(range(1, 1_000_000))

    def revise() -> None:
        record_value(by=SystemActor("benchmark"), indicator=shown.indicator, area=shown.area,
                     organisation=shown.organisation, period=shown.period, sex=shown.sex,
                     age=shown.age, value=shown.value + next(step) / 1000)  # fmt: skip

    return revise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_demo", stdout=io.StringIO())
        started = time.perf_counter()
        stored = fill(args.values)
        print(f"database: {connection.vendor}; figures stored: {stored:,} "
              f"(filled in {time.perf_counter() - started:.0f} s)")  # fmt: skip
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # As autovacuum leaves a table soon after a load; otherwise it vacuums the
                # million new rows during the timed requests, on one of the two cores.
                cursor.execute("VACUUM ANALYZE")
        # As wsgi.py and asgi.py do when a server starts: without it, the full garbage
        # collections that walk Django's own objects land in the timed requests.
        prepare_for_requests()
        client = Client()
        print("warm: the table cached for the current data, as on a running server;")
        print("other write: an audited write elsewhere (a person recorded) before each")
        print("      request, which must leave the cached table in use;")
        print("figure changed: one figure of the dashboard revised before each request, as")
        print("      on the first view after an edit (the table is rebuilt, charts whose")
        print("      figures did not change come from the cache);")
        print("cold: the cache emptied before each request, as after a restart.")
        for slug in ["public-health", "adult-social-care", "provider-performance"]:
            url = f"/indicators/dashboards/{slug}/"
            client.get(url)  # warm the database's and Python's caches once
            scenarios = [("warm", lambda: None), ("other write", record_a_person),
                         ("figure changed", figure_reviser(slug)),
                         ("cold", cache.clear)]  # fmt: skip
            for label, before_each in scenarios:
                times = []
                for _ in range(args.requests):
                    before_each()
                    began = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200
                times.sort()
                p95 = times[int(0.95 * (len(times) - 1))]
                print(f"{slug:<22} {label:<14}  p50 {statistics.median(times):6.1f} ms   "
                      f"p95 {p95:6.1f} ms")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
