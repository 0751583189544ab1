import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from placebook.core.models import AuditEvent, Source
from placebook.indicators.fingertips import EXPORT_COLUMNS
from placebook.indicators.models import IndicatorValue, Release
from tests.factories.core import AreaFactory
from tests.factories.indicators import IndicatorFactory

pytestmark = pytest.mark.django_db

HEADER = "Indicator ID,Area Code,Time period,Sex,Age,Value,Lower CI 95.0 limit,Upper CI 95.0 limit"


@pytest.fixture
def reference(db):
    AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    AreaFactory(code="E08000011", name="Knowsley", type="local_authority")
    IndicatorFactory(code="healthy-life-expectancy", fingertips_id=90362)
    IndicatorFactory(code="sefton-falls")


def write(tmp_path, *lines, name="phof.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_makes_the_release_and_reports(reference, tmp_path):
    path = write(
        tmp_path,
        "90362,E08000014,2021/22,Persons,All ages,61.2,59.9,62.5",
        "90362,E08000011,2021/22,Persons,All ages,58.1,,",
    )
    out, _ = run("import_fingertips", str(path), "--release", "phof-may-2024", "--title", "PHOF")
    assert out.strip() == (
        "Imported 2 row(s) into phof-may-2024: 2 created, 0 revised, 0 unchanged."
    )
    release = Release.objects.get(key="phof-may-2024")
    assert release.title == "PHOF"
    value = IndicatorValue.objects.get(area__code="E08000014")
    assert value.release == release
    assert (value.source.kind, value.source.reference, value.source_line) == (
        "import",
        "phof.csv",
        2,
    )
    event = AuditEvent.objects.for_object(release).get(verb="import")
    assert event.actor_label == "import_fingertips"

    out, _ = run("import_fingertips", str(path), "--release", "phof-may-2024")
    assert "0 created, 0 revised, 2 unchanged" in out


def test_import_errors_are_a_table_and_a_failure(reference, tmp_path):
    path = write(
        tmp_path,
        "90362,E08000014,2021/22,Persons,All ages,61.2,63,60",
        "90362,E09999999,2021/22,Persons,All ages,high,,",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"3 problem\(s\) in phof.csv; nothing was imported"):
        call_command("import_fingertips", str(path), "--release", "r1", stderr=err)
    assert err.getvalue().splitlines() == [
        "Row  Column               Value      Problem",
        "---  -------------------  ---------  -------",
        "  2  Lower CI 95.0 limit  63         Lower limit 63.0 is above upper limit 60.0.",
        "  3  Area Code            E09999999  Unknown area code 'E09999999'.",
        "  3  Value                high       'high' is not a number.",
    ]
    assert not IndicatorValue.objects.exists()
    assert not Release.objects.filter(key="r1").exists()
    assert not Source.objects.exists()


def test_import_dry_run_writes_nothing(reference, tmp_path):
    path = write(tmp_path, "90362,E08000014,2021/22,Persons,All ages,61.2,,")
    out, _ = run("import_fingertips", str(path), "--release", "r1", "--dry-run")
    assert out.startswith("Dry run, rolled back: would import 1 row(s)")
    assert not IndicatorValue.objects.exists()
    assert not Release.objects.exists()


def test_import_refuses_other_files(tmp_path):
    path = tmp_path / "values.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match=r"expected a \.csv or \.xlsx file"):
        call_command("import_fingertips", str(path), "--release", "r1")


def test_import_refuses_a_bad_release_key(reference, tmp_path):
    path = write(tmp_path, "90362,E08000014,2021/22,Persons,All ages,61.2,,")
    with pytest.raises(CommandError, match="Release 'not a slug'"):
        call_command("import_fingertips", str(path), "--release", "not a slug")


def test_export_then_import_xlsx(reference, tmp_path):
    path = write(
        tmp_path,
        "90362,E08000014,2021/22,Persons,All ages,61.2,59.9,62.5",
        "sefton-falls,E08000014,2022/23,Persons,65+,12,,",
    )
    run("import_fingertips", str(path), "--release", "r1")
    book = tmp_path / "out.xlsx"

    out, _ = run("export_fingertips", "--indicator", "90362", "-o", str(book))

    assert out.strip() == f"Wrote 1 value(s) to {book}."
    sheet = load_workbook(book, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    assert rows[1][:1] + rows[1][4:5] + rows[1][11:13] == (90362, "E08000014", "2021/22", 61.2)
    out, _ = run("import_fingertips", str(book), "--release", "r2")
    assert "0 created, 0 revised, 1 unchanged" in out


def test_export_csv_to_stdout(reference, tmp_path):
    path = write(
        tmp_path,
        "90362,E08000014,2021/22,Persons,All ages,61.2,59.9,62.5",
        "sefton-falls,E08000014,2022/23,Persons,65+,12,,",
    )
    run("import_fingertips", str(path), "--release", "r1")
    out, err = run("export_fingertips", "--indicator", "sefton-falls", "--format", "csv")
    lines = out.splitlines()
    assert lines[0].startswith("Indicator ID,Indicator Name,Parent Code")
    assert len(lines) == 2
    assert lines[1].startswith("sefton-falls,")
    assert err.strip() == "Wrote 1 value(s)."


def test_export_unknown_indicator(reference):
    with pytest.raises(CommandError, match="Unknown indicator"):
        call_command("export_fingertips", "--indicator", "nope")
