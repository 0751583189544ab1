import csv
import io

import pytest
from django.db import IntegrityError, connection, transaction
from openpyxl import Workbook, load_workbook

from placebook.core.models import AuditEvent, Period, Source
from placebook.core.permissions import PermissionDenied
from placebook.indicators import fingertips
from placebook.indicators.fingertips import (
    COLUMNS,
    EXPORT_COLUMNS,
    ImportRejected,
    ImportReport,
    RowError,
    export_fingertips_csv,
    export_xlsx,
    import_fingertips_csv,
    import_xlsx,
)
from placebook.indicators.models import IndicatorValue
from placebook.indicators.services import Outcome, record_value
from tests.factories.core import AreaFactory, OrganisationFactory
from tests.factories.indicators import (
    IndicatorFactory,
    IndicatorValueFactory,
    ReleaseFactory,
    period,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path needs PostgreSQL"
)
# Both writers must give the same results: the default (COPY on PostgreSQL, the ORM
# elsewhere) and the ORM fallback forced on.
writers = pytest.mark.parametrize("use_copy", [None, False], ids=["default", "orm"])


@pytest.fixture
def sefton(db):
    return AreaFactory(code="E08000014", name="Sefton", type="local_authority")


@pytest.fixture
def knowsley(db):
    return AreaFactory(code="E08000011", name="Knowsley", type="local_authority")


@pytest.fixture
def hle(db):
    return IndicatorFactory(code="healthy-life-expectancy", fingertips_id=90362)


@pytest.fixture
def local(db):
    return IndicatorFactory(code="sefton-delayed-discharges", framework="Local")


@pytest.fixture
def release(db):
    return ReleaseFactory(key="phof-2024-05", title="PHOF May 2024")


def row(**cells):
    base = {
        "Indicator ID": "90362", "Area Code": "E08000014", "Time period": "2021/22",
        "Sex": "Persons", "Age": "All ages", "Value": "61.2",
    }  # fmt: skip
    return base | cells


def csv_file(rows, columns=COLUMNS) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    out.seek(0)
    return out


def rejected(system, release, rows, **kwargs) -> list[RowError]:
    with pytest.raises(ImportRejected) as info:
        import_fingertips_csv(by=system, file=csv_file(rows, **kwargs), release=release)
    assert not IndicatorValue.objects.exists()
    return info.value.errors


def test_happy_path(officer, release, sefton, knowsley, hle, local):
    rows = [
        row(**{"Lower CI 95.0 limit": "59.9", "Upper CI 95.0 limit": "62.5", "Count": "",
               "Denominator": "", "Value note": "Aggregated from all known lower geography"}),
        row(**{"Area Code": "E08000011", "Value": "58.1", "Indicator Name": "ignored"}),
        row(**{"Indicator ID": "sefton-delayed-discharges", "Time period": "Oct 2023",
               "Value": "12", "Count": "12", "Denominator": "1500", "Sex": "persons"}),
    ]  # fmt: skip
    file = csv_file(rows, columns=[*COLUMNS, "Something Fingertips added later"])

    report = import_fingertips_csv(by=officer, file=file, release=release)

    assert report == ImportReport(created=3, revised=0, unchanged=0, rows=3)
    first = IndicatorValue.objects.get(indicator=hle, area=sefton)
    assert (first.value, first.lower95_0cl, first.upper95_0cl) == (61.2, 59.9, 62.5)
    assert (first.count, first.upper99_8cl) == (None, None)
    assert first.note_text == "Aggregated from all known lower geography"
    assert (first.sex, first.age, first.status, first.note) == ("Persons", "All ages", "final", "")
    assert first.period == period("2021/22")
    assert first.release == release
    assert first.is_current
    assert first.source_line == 2
    assert first.created_by == officer
    assert first.updated_by == officer
    third = IndicatorValue.objects.get(indicator=local)
    assert third.period.label == "Oct 2023"
    assert (third.count, third.denominator, third.source_line) == (12, 1500, 4)


def test_only_the_required_columns_are_needed(system, release, sefton, hle):
    file = csv_file([row()], columns=fingertips.REQUIRED_COLUMNS)
    report = import_fingertips_csv(by=system, file=file, release=release)
    assert report.created == 1


def test_source_is_the_release_source_unless_given(system, sefton, hle):
    paper = Source.objects.create(key="phof", kind="dataset", title="PHOF", reference="x")
    upload = Source.objects.create(key="upload", kind="import", title="Up", reference="y.csv")
    release = ReleaseFactory(source=paper)
    import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    assert IndicatorValue.objects.get().source == paper
    import_fingertips_csv(
        by=system, file=csv_file([row(Value="60")]), release=release, source=upload
    )
    assert IndicatorValue.objects.current().get().source == upload


def test_blank_rows_and_a_byte_order_mark_are_ignored(system, release, sefton, hle):
    text = "\ufeff" + csv_file([row()]).getvalue() + ",,,,,,,\n\n"
    report = import_fingertips_csv(by=system, file=io.StringIO(text), release=release)
    assert report.rows == 1


def test_numbers_in_exponent_form_are_read(system, release, sefton, hle):
    rows = [row(Value="6.12e1", Count=" 1.5E3 ", Denominator="2e+6")]
    import_fingertips_csv(by=system, file=csv_file(rows), release=release)
    value = IndicatorValue.objects.get()
    assert (value.value, value.count, value.denominator) == (61.2, 1500, 2e6)


def test_an_empty_value_is_stored_as_missing(system, release, sefton, hle):
    rows = [row(Value="", **{"Value note": "Value suppressed"})]
    import_fingertips_csv(by=system, file=csv_file(rows), release=release)
    assert IndicatorValue.objects.get().value is None


def test_organisations_are_found_by_ods_code(system, release, hle):
    trust = OrganisationFactory(kind="nhs_trust", ods_code="RVY")
    import_fingertips_csv(by=system, file=csv_file([row(**{"Area Code": "RVY"})]), release=release)
    assert IndicatorValue.objects.get().organisation == trust


# --- errors ---------------------------------------------------------------------------------

BAD = [
    pytest.param(
        {"Indicator ID": "99999"}, "Indicator ID", "99999",
        "Unknown indicator: no indicator has Fingertips ID or code '99999'.", id="indicator",
    ),
    pytest.param(
        {"Area Code": "E99999999"}, "Area Code", "E99999999",
        "Unknown area code 'E99999999'.", id="area",
    ),
    pytest.param(
        {"Time period": "2021/23"}, "Time period", "2021/23",
        "Invalid period '2021/23': ", id="period",
    ),
    pytest.param(
        {"Time period": "last year"}, "Time period", "last year",
        "Unrecognised period 'last year'", id="period-form",
    ),
    pytest.param({"Value": "61,2"}, "Value", "61,2", "'61,2' is not a number.", id="value"),
    pytest.param({"Value": "n/a"}, "Value", "n/a", "'n/a' is not a number.", id="value-text"),
    pytest.param({"Value": "inf"}, "Value", "inf", "'inf' is not a finite number.", id="inf"),
    pytest.param({"Value": "NaN"}, "Value", "NaN", "'NaN' is not a finite number.", id="nan"),
    pytest.param(
        {"Denominator": "1e999"}, "Denominator", "1e999", "'1e999' is not a finite number.",
        id="overflow",
    ),
    pytest.param(
        {"Value": "6.12E1", "Upper CI 95.0 limit": "6e1", "Lower CI 95.0 limit": "5e1"},
        "Value", "6.12E1", "Value 61.2 lies outside its 95.0% limits.", id="exponent-limits",
    ),
    pytest.param(
        {"Count": "x"}, "Count", "x", "'x' is not a number.", id="count-text",
    ),
    pytest.param(
        {"Lower CI 95.0 limit": "63", "Upper CI 95.0 limit": "60"}, "Lower CI 95.0 limit",
        "63", "Lower limit 63.0 is above upper limit 60.0.", id="lower-above-upper",
    ),
    pytest.param(
        {"Lower CI 99.8 limit": "62", "Upper CI 99.8 limit": "64"}, "Value", "61.2",
        "Value 61.2 lies outside its 99.8% limits.", id="outside-limits",
    ),
    pytest.param({"Count": "-3"}, "Count", "-3", "Count -3.0 is negative.", id="count"),
    pytest.param(
        {"Denominator": "-1"}, "Denominator", "-1", "Denominator -1.0 is negative.",
        id="denominator",
    ),
    pytest.param(
        {"Sex": "Unknown"}, "Sex", "Unknown", "Sex must be Persons, Male or Female.", id="sex",
    ),
    pytest.param({"Age": ""}, "Age", "", "A value is required.", id="age-missing"),
    pytest.param(
        {"Area Code": " "}, "Area Code", " ", "A value is required.", id="area-missing",
    ),
    pytest.param(
        {"Value note": "x" * 301}, "Value note", "x" * 301,
        "Value note is longer than 300 characters.", id="note-too-long",
    ),
]  # fmt: skip


@writers
@pytest.mark.parametrize(("cells", "column", "value", "message"), BAD)
def test_each_kind_of_error_names_row_and_column_and_writes_nothing(
    system, release, sefton, hle, cells, column, value, message, use_copy
):
    periods = Period.objects.count()
    rows = [row(**{"Area Code": "E08000014", "Time period": "2019/20"}), row(**cells)]
    with pytest.raises(ImportRejected) as info:
        import_fingertips_csv(by=system, file=csv_file(rows), release=release, use_copy=use_copy)
    (error,) = info.value.errors
    assert (error.row, error.column, error.value) == (3, column, value)
    assert error.message.startswith(message)
    # Atomic: the good row is not written, nor the period it named, nor an audit event.
    assert not IndicatorValue.objects.exists()
    assert Period.objects.count() == periods
    assert not AuditEvent.objects.for_object(release).filter(verb="import").exists()


def test_duplicate_rows_are_reported_against_the_first(system, release, sefton, hle):
    errors = rejected(system, release, [row(), row(Value="1"), row(Sex="Male"), row()])
    assert errors == [
        RowError(3, "Indicator ID / Area Code / Time period / Sex / Age",
                 "90362 / E08000014 / 2021/22 / Persons / All ages",
                 "Duplicate of row 2: the same indicator, area, period, sex and age."),
        RowError(5, "Indicator ID / Area Code / Time period / Sex / Age",
                 "90362 / E08000014 / 2021/22 / Persons / All ages",
                 "Duplicate of row 2: the same indicator, area, period, sex and age."),
    ]  # fmt: skip


def test_one_period_written_two_ways_is_a_duplicate(system, release, sefton, hle):
    errors = rejected(system, release, [row(), row(**{"Time period": "2021-22"})])
    assert [(e.row, e.message[:16]) for e in errors] == [(3, "Duplicate of row")]


def test_every_error_in_the_file_is_reported(system, release, sefton, hle):
    rows = [
        row(**{"Indicator ID": "1", "Area Code": "X1"}),
        row(**{"Area Code": "E08000014"}),
        row(**{"Time period": "2022/23", "Value": "abc", "Count": "-1"}),
        row(**{"Time period": "2023/24", "Indicator ID": "1"}),
    ]
    errors = rejected(system, release, rows)
    assert [(e.row, e.column) for e in errors] == [
        (2, "Indicator ID"),
        (2, "Area Code"),
        (4, "Value"),
        (5, "Indicator ID"),
    ]
    # The count is not checked while its row's value cannot be read: one reason is enough.


def test_missing_required_columns_are_reported_on_the_header_row(system, release, hle):
    columns = [c for c in COLUMNS if c not in ("Area Code", "Value")]
    errors = rejected(system, release, [row()], columns=columns)
    assert errors == [
        RowError(1, "Area Code", "", "Required column is missing."),
        RowError(1, "Value", "", "Required column is missing."),
    ]


def test_an_empty_file_is_rejected(system, release):
    with pytest.raises(ImportRejected, match="No header row"):
        import_fingertips_csv(by=system, file=io.StringIO(""), release=release)


def test_a_sheet_without_a_header_row_is_rejected(system, release):
    data = sheet_bytes([["Sefton figures"], ["E08000014", 61.2]])
    with pytest.raises(ImportRejected) as info:
        import_xlsx(by=system, file=io.BytesIO(data), release=release)
    assert info.value.errors[0].message.startswith("No header row naming the columns")


def test_unknown_note_code_and_status(system, release, sefton, hle):
    rows = [row(**{"Value note code": "hidden", "Value status": "draft"})]
    errors = rejected(system, release, rows, columns=EXPORT_COLUMNS)
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "Value note code", "hidden"),
        (2, "Value status", "draft"),
    ]


def test_needs_reference_data_permission(councillor, release, sefton, hle):
    with pytest.raises(PermissionDenied):
        import_fingertips_csv(by=councillor, file=csv_file([row()]), release=release)


# --- revisions ------------------------------------------------------------------------------


@writers
def test_reimporting_the_same_file_changes_nothing(
    system, release, sefton, knowsley, hle, use_copy
):
    rows = [row(), row(**{"Area Code": "E08000011", "Value": "58.1"})]
    import_fingertips_csv(by=system, file=csv_file(rows), release=release, use_copy=use_copy)
    before = list(IndicatorValue.objects.values_list("pk", "updated_at"))

    again = import_fingertips_csv(
        by=system, file=csv_file(rows), release=ReleaseFactory(), use_copy=use_copy
    )

    assert again == ImportReport(created=0, revised=0, unchanged=2, rows=2)
    assert list(IndicatorValue.objects.values_list("pk", "updated_at")) == before


@writers
def test_a_changed_figure_supersedes_the_current_one(
    system, release, sefton, knowsley, hle, use_copy
):
    rows = [row(), row(**{"Area Code": "E08000011", "Value": "58.1"})]
    import_fingertips_csv(by=system, file=csv_file(rows), release=release, use_copy=use_copy)
    old = IndicatorValue.objects.get(area=sefton)
    rows[0]["Value"] = "61.4"
    rows.append(row(**{"Time period": "2022/23", "Value": "60"}))
    newer = ReleaseFactory()

    report = import_fingertips_csv(by=system, file=csv_file(rows), release=newer, use_copy=use_copy)

    assert report == ImportReport(created=1, revised=1, unchanged=1, rows=3)
    old.refresh_from_db()
    assert not old.is_current
    assert old.value == 61.2
    current = IndicatorValue.objects.current().get(area=sefton, period=period("2021/22"))
    assert (current.value, current.supersedes, current.release) == (61.4, old, newer)
    assert IndicatorValue.objects.count() == 4
    assert IndicatorValue.objects.current().count() == 3


@pytest.fixture
def near_misses(sefton, hle):
    """Stored figures, and rows that differ from them in ways record_value's comparison
    decides: a count in the 13th significant figure (the same), a limit added (revised),
    and a provisional figure given again as provisional (the same)."""
    key = {"indicator": hle, "area": sefton}
    IndicatorValueFactory(**key, period=period("2021/22"), value=61.2, lower95_0cl=59.0,
                          upper95_0cl=63.0, count=1e6)  # fmt: skip
    IndicatorValueFactory(**key, period=period("2022/23"), value=61.2)
    IndicatorValueFactory(**key, period=period("2023/24"), value=5.0, status="provisional")
    return [
        row(**{"Lower CI 95.0 limit": "59", "Upper CI 95.0 limit": "63",
               "Count": "1000000.0000000001"}),
        row(**{"Time period": "2022/23", "Lower CI 95.0 limit": "60"}),
        row(**{"Time period": "2023/24", "Value": "5", "Value status": "provisional"}),
    ]  # fmt: skip


@writers
def test_revision_rules_match_record_value(system, release, near_misses, use_copy):
    file = csv_file(near_misses, columns=EXPORT_COLUMNS)
    report = import_fingertips_csv(by=system, file=file, release=release, use_copy=use_copy)
    assert (report.unchanged, report.revised, report.created) == (2, 1, 0)


def test_record_value_agrees_with_the_import(system, near_misses, sefton, hle):
    outcomes = [
        record_value(by=system, indicator=hle, area=sefton, period=period("2021/22"),
                     value=61.2, lower95_0cl=59.0, upper95_0cl=63.0,
                     count=1000000.0000000001).outcome,
        record_value(by=system, indicator=hle, area=sefton, period=period("2022/23"),
                     value=61.2, lower95_0cl=60.0).outcome,
    ]  # fmt: skip
    assert outcomes == [Outcome.UNCHANGED, Outcome.REVISED]


@writers
def test_one_audit_event_for_the_whole_import(officer, release, sefton, knowsley, hle, use_copy):
    before = AuditEvent.objects.count()
    rows = [row(), row(**{"Area Code": "E08000011"})]
    import_fingertips_csv(by=officer, file=csv_file(rows), release=release, use_copy=use_copy)
    rows[0]["Value"] = "1"
    import_fingertips_csv(by=officer, file=csv_file(rows), release=release, use_copy=use_copy)

    assert AuditEvent.objects.count() == before + 2
    first, second = AuditEvent.objects.for_object(release).filter(verb="import").order_by("id")
    assert (first.action, first.actor, first.actor_label) == ("create", officer, "officer")
    assert first.object_repr == "PHOF May 2024"
    assert first.changes == {"values": {"created": 2, "revised": 0, "unchanged": 0}}
    assert second.changes == {"values": {"created": 0, "revised": 1, "unchanged": 1}}


def test_system_actor_is_named_in_the_audit_event(system, release, sefton, hle):
    import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    event = AuditEvent.objects.for_object(release).get(verb="import")
    assert (event.actor, event.actor_label) == (None, "tests")
    assert IndicatorValue.objects.get().created_by is None


# --- which writer ---------------------------------------------------------------------------


def spy(monkeypatch, name):
    calls = []
    real = getattr(fingertips, name)

    def wrapper(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(fingertips, name, wrapper)
    return calls


@on_postgresql
def test_postgresql_imports_through_copy(monkeypatch, system, release, sefton, knowsley, hle):
    copied = spy(monkeypatch, "_write_postgresql")
    orm = spy(monkeypatch, "_write_orm")
    first = _statements_during(
        lambda: import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    )
    assert (copied, orm) == (["_write_postgresql"], [])
    assert IndicatorValue.objects.get().value == 61.2
    # An indicator the table holds nothing current for: its rows COPY straight in, with no
    # temporary table and no INSERT.
    assert _value_inserts(first) == []
    assert not any("TEMPORARY TABLE" in s for s in first)
    # Figures of an indicator already held go through a temporary table, then move in one
    # INSERT ... SELECT that applies the revision rules: none is inserted row by row.
    rows = [row(Value="61.3"), row(**{"Area Code": "E08000011"})]
    again = _statements_during(
        lambda: import_fingertips_csv(by=system, file=csv_file(rows), release=release)
    )
    inserts = _value_inserts(again)
    assert len(inserts) == 1
    assert "SELECT" in inserts[0]
    assert IndicatorValue.objects.current().count() == 2
    assert IndicatorValue.objects.get(is_current=False).value == 61.2


def _value_inserts(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith('INSERT INTO "INDICATORS')]


def test_other_databases_use_the_orm(monkeypatch, system, release, sefton, hle):
    orm = spy(monkeypatch, "_write_orm")
    import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    assert orm == ([] if connection.vendor == "postgresql" else ["_write_orm"])


@on_postgresql
def test_copy_path_rejects_as_the_orm_path_does(system, release, sefton, hle):
    rows = [row(), row(Value="x"), row()]
    with pytest.raises(ImportRejected) as info:
        import_fingertips_csv(by=system, file=csv_file(rows), release=release, use_copy=True)
    duplicate = "Indicator ID / Area Code / Time period / Sex / Age"
    assert [(e.row, e.column) for e in info.value.errors] == [
        (3, "Value"),
        (3, duplicate),
        (4, duplicate),
    ]
    assert not IndicatorValue.objects.exists()


def _value_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [IndicatorValue._meta.db_table],
        )
        return dict(cursor.fetchall())


def _statements_during(callable_) -> list[str]:
    statements = []

    def record(execute, sql, *rest):
        statements.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(record):
        callable_()
    return statements


@on_postgresql
def test_a_load_larger_than_the_table_rebuilds_the_indexes_after_it(
    monkeypatch, system, release, sefton, knowsley, hle
):
    monkeypatch.setattr(fingertips, "BULK_LOAD_ROWS", 3)
    before = _value_indexes()
    years = ["2018/19", "2019/20", "2020/21", "2021/22"]
    areas = ["E08000014", "E08000011"]
    rows = [row(**{"Time period": y, "Area Code": a}) for y in years for a in areas]
    statements = _statements_during(
        lambda: import_fingertips_csv(by=system, file=csv_file(rows), release=release)
    )
    assert sum(s.startswith("DROP INDEX") for s in statements) == len(before) - 1  # not the key
    assert _value_indexes() == before  # every index back, as it was defined
    assert IndicatorValue.objects.current().count() == 8
    # The rebuilt unique index still holds: a second current figure for a key is refused.
    first = IndicatorValue.objects.first()
    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


@on_postgresql
def test_a_load_smaller_than_the_table_keeps_its_indexes(monkeypatch, system, release, sefton,
                                                         knowsley, hle):  # fmt: skip
    monkeypatch.setattr(fingertips, "BULK_LOAD_ROWS", 1)
    import_fingertips_csv(
        by=system, file=csv_file([row(**{"Area Code": "E08000011"}), row(**{"Time period":
        "2019/20"}), row(**{"Time period": "2018/19"})]), release=release
    )  # fmt: skip
    statements = _statements_during(
        lambda: import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    )
    assert not any(s.startswith("DROP INDEX") for s in statements)


@on_postgresql
def test_a_bulk_load_that_fails_leaves_the_indexes_in_place(monkeypatch, system, release,
                                                           sefton, hle):  # fmt: skip
    monkeypatch.setattr(fingertips, "BULK_LOAD_ROWS", 1)
    before = _value_indexes()

    def fail(*_args):
        raise RuntimeError("the server went away while building an index")

    monkeypatch.setattr(fingertips, "_rebuild_indexes", fail)
    with pytest.raises(RuntimeError):
        import_fingertips_csv(by=system, file=csv_file([row()]), release=release)
    assert _value_indexes() == before  # the drops were undone with the rest
    assert not IndicatorValue.objects.exists()


# --- export and round trips -----------------------------------------------------------------


@pytest.fixture
def stored(release, sefton, knowsley, hle, local):
    trust = OrganisationFactory(kind="nhs_trust", ods_code="RVY", name="Southport and Ormskirk")
    IndicatorValueFactory(
        release=release,
        indicator=hle,
        area=sefton,
        period=period("2021/22"),
        value=61.2,
        lower95_0cl=59.87654321,
        upper95_0cl=62.5,
        lower99_8cl=59.1,
        upper99_8cl=63.3,
        count=1234,
        denominator=98765,
        note_text="Aggregated",
    )
    IndicatorValueFactory(
        release=release,
        indicator=hle,
        area=knowsley,
        period=period("2018-20"),
        sex="Female",
        age="65+ yrs",
        value=None,
        note="suppressed",
        status="provisional",
    )
    IndicatorValueFactory(
        release=release,
        indicator=local,
        area=None,
        organisation=trust,
        period=period("2023/24 Q2"),
        value=0.1 + 0.2,
    )
    IndicatorValueFactory(release=release, indicator=local, area=sefton,
                          period=period("2020/21 - 2022/23"), value=1e-7, count=0)  # fmt: skip
    return IndicatorValue.objects.current()


def test_export_csv_columns_and_cells(stored):
    out = io.StringIO()
    sefton_values = stored.filter(area__code="E08000014").order_by("indicator__code")
    assert export_fingertips_csv(sefton_values, out) == 2
    out.seek(0)
    header, first, second = list(csv.reader(out))
    assert tuple(header) == EXPORT_COLUMNS
    assert header[: len(COLUMNS)] == list(COLUMNS)
    cells = dict(zip(header, first, strict=True))
    assert cells["Indicator ID"] == "90362"
    assert (cells["Area Code"], cells["Area Name"]) == ("E08000014", "Sefton")
    assert cells["Area Type"] == "Place (local authority)"
    assert (cells["Time period"], cells["Value"], cells["Count"]) == ("2021/22", "61.2", "1234")
    assert cells["Lower CI 95.0 limit"] == "59.87654321"
    assert (cells["Value note"], cells["Value status"]) == ("Aggregated", "final")
    assert dict(zip(header, second, strict=True))["Indicator ID"] == "sefton-delayed-discharges"


@writers
def test_csv_round_trip_is_unchanged(system, stored, use_copy):
    out = io.StringIO()
    export_fingertips_csv(stored, out)
    out.seek(0)
    report = import_fingertips_csv(by=system, file=out, release=ReleaseFactory(), use_copy=use_copy)
    assert report == ImportReport(created=0, revised=0, unchanged=4, rows=4)


@writers
def test_xlsx_round_trip_is_unchanged(system, stored, use_copy):
    data = export_xlsx(stored)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header == EXPORT_COLUMNS
    report = import_xlsx(
        by=system, file=io.BytesIO(data), release=ReleaseFactory(), use_copy=use_copy
    )
    assert report == ImportReport(created=0, revised=0, unchanged=4, rows=4)


def test_round_trip_into_an_empty_database_recreates_the_values(system, stored):
    fields = ["indicator", "area", "organisation", "period", "sex", "age", "value",
              "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl", "count",
              "denominator", "note", "note_text", "status"]  # fmt: skip
    before = sorted(stored.values_list(*fields), key=str)
    out = io.StringIO()
    export_fingertips_csv(stored, out)
    IndicatorValue.objects.all().delete()
    out.seek(0)
    assert import_fingertips_csv(by=system, file=out, release=ReleaseFactory()).created == 4
    assert sorted(IndicatorValue.objects.values_list(*fields), key=str) == before


def sheet_bytes(rows, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_dashboard_table_under_a_title(system, release, sefton, hle):
    header = ["Indicator ID", "Area Code", "Time period", "Sex", "Age", "Value", "Count"]
    data = sheet_bytes(
        [header, [90362, "E08000014", "2021/22", "Persons", "All ages", 61.2, 7]],
        title="Sefton dashboard, May 2024",
    )
    report = import_xlsx(by=system, file=io.BytesIO(data), release=release)
    assert report.created == 1
    value = IndicatorValue.objects.get()
    assert (value.value, value.count, value.source_line) == (61.2, 7, 4)


def test_xlsx_errors_use_the_sheet_row_numbers(system, release, sefton, hle):
    header = ["Indicator ID", "Area Code", "Time period", "Sex", "Age", "Value"]
    data = sheet_bytes(
        [
            header,
            [90362, "E08000014", "2021/22", "Persons", "All ages", 61.2],
            [None, None, None, None, None, None],
            [90362, "E08000099", "2022/23", "Persons", "All ages", "high"],
        ],
        title="Dashboard",
    )
    with pytest.raises(ImportRejected) as info:
        import_xlsx(by=system, file=io.BytesIO(data), release=release)
    assert info.value.errors == [
        RowError(6, "Area Code", "E08000099", "Unknown area code 'E08000099'."),
        RowError(6, "Value", "high", "'high' is not a number."),
    ]
    assert not IndicatorValue.objects.exists()


def test_xlsx_dates_typed_as_periods_read_as_months(system, release, sefton, hle):
    import datetime

    header = ["Indicator ID", "Area Code", "Time period", "Sex", "Age", "Value"]
    cells = [90362, "E08000014", datetime.datetime(2023, 10, 1), "Persons", "All ages", 3]
    import_xlsx(by=system, file=io.BytesIO(sheet_bytes([header, cells])), release=release)
    assert IndicatorValue.objects.get().period.label == "Oct 2023"


def test_factory_value_exports(system):
    value = IndicatorValueFactory()
    out = io.StringIO()
    export_fingertips_csv(IndicatorValue.objects.filter(pk=value.pk), out)
    assert value.area.code in out.getvalue()
