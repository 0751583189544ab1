"""Benchmark: importing a Fingertips-style CSV of indicator values into PostgreSQL.

Run with a PostgreSQL server that the DATABASE_URL user may create databases on:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        uv run python benchmarks/import_values.py --rows 1000000

It makes its own database (``placebook_bench`` on the same server), migrates it, writes a
synthetic file (indicators x areas x periods, in Fingertips' own order), and times, in one
session and on the same file:

  a. the baseline: ``psql \\copy`` of the file into a bare table with the file's columns;
  b. Placebook's import (``import_fingertips_csv``, the COPY path), into an empty table;
  b2. the same file again (every value unchanged: the comparison path);
  f. ``psql \\copy`` of the rows (b) wrote, ids and all, back into
     ``indicators_indicatorvalue`` as it stands (indexes, reference triggers);
  g. the floor for any loader of the real table: the same, with the secondary indexes
     dropped first and rebuilt after, in one transaction, as (b) does for a first load;
  c. the ORM fallback (``use_copy=False``: bulk_create and bulk update), into an empty table.

It prints seconds, rows per second, the ratio to the baseline and the peak memory of the
Python process (and of psql for the psql runs), then drops the database. See README.md.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The same names as a Fingertips download; the bare baseline table has one column for each.
COLUMNS = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles",
    "Time period Sortable", "New data", "Compared to goal", "Time period range",
)  # fmt: skip
NUMERIC = {"Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
           "Upper CI 99.8 limit", "Count", "Denominator"}  # fmt: skip


@dataclass
class Result:
    name: str
    seconds: float
    rows: int
    python_peak_mb: float
    psql_peak_mb: float | None = None
    note: str = ""


# --- memory --------------------------------------------------------------------------------


def _reset_peak() -> bool:
    """Reset this process's peak resident set size (Linux 4.0+), so each run has its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ----------------------------------------------------------------------------------


def shape(rows: int, indicators: int, areas: int) -> tuple[int, int, int]:
    periods = max(1, math.ceil(rows / (indicators * areas)))
    return indicators, areas, periods


def fy(index: int) -> str:
    start = 2004 + index
    return f"{start}/{(start + 1) % 100:02d}"


def write_file(path: Path, rows: int, indicators: int, areas: int, periods: int) -> None:
    """A file like a Fingertips download: ordered by indicator, area, then period."""
    rnd = random.Random(20240501)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(indicators):
            for a in range(areas):
                for p in range(periods):
                    if written == rows:
                        return
                    value = round(rnd.uniform(5, 95), 1)
                    half = round(rnd.uniform(0.5, 4), 1)
                    count = rnd.randint(20, 5000)
                    note = "Aggregated from all known lower geography values" if a == 0 else ""
                    writer.writerow([
                        90000 + i, f"Synthetic indicator {i}", "E12000002", "North West region",
                        f"E06{a:06d}", f"Area {a}", "Counties & UAs (from Apr 2023)", "Persons",
                        "All ages", "", "", fy(p), value, round(value - half, 1),
                        round(value + half, 1), round(value - 1.6 * half, 1),
                        round(value + 1.6 * half, 1), count, count * 20, note,
                        "No significant change", "Similar", "Not compared",
                        f"{2004 + p}0000", "", "", "1y",
                    ])  # fmt: skip
                    written += 1


# --- databases -----------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def psql(url: str, *commands: str) -> tuple[float, float | None]:
    """Run psql commands in one session; return its wall-clock seconds and peak memory in MB.

    The peak is psql's own VmHWM, read while it runs: getrusage(RUSAGE_CHILDREN) would report
    this Python process's peak instead, because Linux carries the parent's high-water mark
    into a child across fork and exec.
    """
    start = time.perf_counter()
    arguments = [arg for command in commands for arg in ("-c", command)]
    process = subprocess.Popen(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-q", "-d", url, *arguments]
    )
    status = Path(f"/proc/{process.pid}/status")
    peak = None
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        except OSError:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, commands)
    return seconds, peak


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placebook.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reference_data(indicators: int, areas: int) -> None:
    from placebook.core.models import Area
    from placebook.indicators.models import Indicator

    # The plain manager: per-row audit events for the fixture rows are beside the point.
    Area._base_manager.bulk_create(
        Area(code=f"E06{a:06d}", name=f"Area {a}", type="local_authority") for a in range(areas)
    )
    Indicator._base_manager.bulk_create(
        Indicator(
            code=f"synthetic-{i}",
            fingertips_id=90000 + i,
            framework="PHOF",
            name=f"Synthetic indicator {i}",
            definition="Synthetic.",
            unit="percentage",
            polarity="no_judgement",
            value_type="proportion",
            period_type="financial_year",
            geography_level="upper_tier_la",
            data_source="benchmark",
            update_frequency="annual",
            owner="benchmark",
        )
        for i in range(indicators)
    )


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def settle() -> None:
    """Start each run from the same state: dead rows cleaned, dirty pages written."""
    from django.db import connection

    connection.close()
    sql("VACUUM ANALYZE indicators_indicatorvalue")
    sql("CHECKPOINT")


def empty_values_table() -> None:
    sql("TRUNCATE indicators_indicatorvalue")


# --- runs ----------------------------------------------------------------------------------


def run_psql_baseline(url: str, path: Path, rows: int) -> Result:
    columns = ", ".join(f'"{c}" {"double precision" if c in NUMERIC else "text"}' for c in COLUMNS)
    sql(f"DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw ({columns})")
    settle()
    seconds, peak = psql(url, f"\\copy bench_raw FROM '{path}' WITH (FORMAT csv, HEADER true)")
    (count,), *_ = sql("SELECT count(*) FROM bench_raw")
    assert count == rows, count
    sql("DROP TABLE bench_raw")
    return Result("a. psql \\copy into a bare table (baseline)", seconds, rows, 0.0, peak)


def run_import(name: str, path: Path, rows: int, key: str, use_copy: bool | None) -> Result:
    from placebook.core.actors import SystemActor
    from placebook.indicators.fingertips import import_fingertips_csv
    from placebook.indicators.models import Release

    release = Release.objects.create(key=key, title=key)
    settle()
    _reset_peak()
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as stream:
        report = import_fingertips_csv(
            by=SystemActor("benchmark"), file=stream, release=release, use_copy=use_copy
        )
    seconds = time.perf_counter() - start
    assert report.rows == rows, report
    note = f"{report.created} created, {report.revised} revised, {report.unchanged} unchanged"
    return Result(name, seconds, rows, _peak_mb(), note=note)


def run_floors(url: str, directory: Path, rows: int) -> list[Result]:
    """psql \\copy of exactly the rows the import wrote back into the real table: as it
    stands (f), and with its secondary indexes set aside and rebuilt, as a first load by
    the import is (g). No loader of this table can do better than g."""
    dump = directory / "indicatorvalue.copy"
    psql(url, f"\\copy indicators_indicatorvalue TO '{dump}'")
    empty_values_table()
    settle()
    seconds, peak = psql(url, f"\\copy indicators_indicatorvalue FROM '{dump}'")
    f = Result("f. psql \\copy into indicators_indicatorvalue as it is", seconds, rows, 0.0, peak)
    indexes = sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = 'indicators_indicatorvalue'::regclass AND NOT indisprimary"
    )
    empty_values_table()
    settle()
    seconds, peak = psql(
        url,
        "BEGIN",
        *(f"DROP INDEX {name}" for name, _ in indexes),
        f"\\copy indicators_indicatorvalue FROM '{dump}'",
        "SET maintenance_work_mem = '256MB'",
        *(definition for _, definition in indexes),
        "ANALYZE indicators_indicatorvalue",
        "COMMIT",
    )
    dump.unlink()
    g = Result("g. the same, its indexes set aside and rebuilt", seconds, rows, 0.0, peak)
    return [f, g]


def report(results: list[Result], baseline: float) -> None:
    print()
    print(f"{'run':<62} {'seconds':>8} {'rows/s':>10} {'x base':>7} {'py MB':>7} {'psql MB':>8}")
    for r in results:
        psql_mb = f"{r.psql_peak_mb:8.0f}" if r.psql_peak_mb else f"{'':>8}"
        py_mb = f"{r.python_peak_mb:7.0f}" if r.python_peak_mb else f"{'':>7}"
        print(
            f"{r.name:<62} {r.seconds:8.2f} {r.rows / r.seconds:10,.0f} "
            f"{r.seconds / baseline:7.2f} {py_mb} {psql_mb}"
        )
        if r.note:
            print(f"{'':<4}{r.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--database", default="placebook_bench", help="Made and dropped.")
    parser.add_argument("--skip-orm", action="store_true", help="Leave out run c (slow).")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the file.")
    args = parser.parse_args(argv)

    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL server (any database on it)")
    url = with_database(server, args.database)
    indicators, areas, periods = shape(args.rows, args.indicators, args.areas)
    directory = Path(tempfile.mkdtemp(prefix="placebook-bench-"))
    path = directory / "fingertips.csv"

    print(f"Writing {args.rows:,} rows ({indicators} indicators x {areas} areas x {periods} "
          f"periods) to {path} ...")  # fmt: skip
    write_file(path, args.rows, indicators, areas, periods)
    print(f"  {path.stat().st_size / 1e6:.0f} MB")
    admin(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin(server, f'CREATE DATABASE "{args.database}"')
    try:
        setup_django(url)
        from django.db import connection

        print(f"Database {args.database}: {sql('SELECT version()')[0][0].split(',')[0]}")
        reference_data(indicators, areas)
        results = [run_psql_baseline(url, path, args.rows)]
        results.append(run_import("b. Placebook import, COPY path", path, args.rows, "b", None))
        results.append(
            run_import("b2. the same file again (all unchanged)", path, args.rows, "b2", None)
        )
        results.extend(run_floors(url, directory, args.rows))
        if not args.skip_orm:
            empty_values_table()
            results.append(
                run_import("c. Placebook import, ORM fallback", path, args.rows, "c", False)
            )
        report(results, results[0].seconds)
        connection.close()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(server, f'DROP DATABASE IF EXISTS "{args.database}"')
            path.unlink(missing_ok=True)
            directory.rmdir()
        else:
            print(f"Kept database {args.database} and {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
