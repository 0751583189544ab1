import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from openpyxl import Workbook

from placebook.core.models import AuditEvent, RoleAssignment
from placebook.core.permissions import PermissionDenied
from placebook.indicators import imports
from placebook.indicators.imports import run_import, submit_import
from placebook.indicators.models import ImportJob, IndicatorValue, Release
from tests.factories.core import AreaFactory
from tests.factories.imports import HEADER, ImportJobFactory
from tests.factories.indicators import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    AreaFactory(code="E08000011", name="Knowsley", type="local_authority")
    return IndicatorFactory(code="healthy-life-expectancy", fingertips_id=90362)


GOOD = [
    "90362,E08000014,2021/22,Persons,All ages,61.2",
    "90362,E08000011,2021/22,Persons,All ages,58.1",
]


def csv_upload(*lines, name="phof.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines, ""]).encode())


def xlsx_upload(*rows, name="phof.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Sefton dashboard"])  # a title above the header, as dashboards have
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """submit_import, with the task run as the commit would run it."""

    def run(by, upload, release_key="phof-2024-05", release_title="PHOF May 2024"):
        with django_capture_on_commit_callbacks(execute=True):
            job = submit_import(
                by=by, upload=upload, release_key=release_key, release_title=release_title
            )
        job.refresh_from_db()
        return job

    return run


def test_submit_import_good_csv_writes_values_and_succeeds(submit, officer, reference):
    job = submit(officer, csv_upload(*GOOD))

    assert job.status == "succeeded"
    assert (job.created, job.revised, job.unchanged, job.rows) == (2, 0, 0, 2)
    assert (job.errors, job.error_count, job.failure) == ([], 0, "")
    assert job.task_result_id
    assert job.started_at <= job.finished_at
    assert (job.uploaded_by, job.file_name, job.format) == (officer, "phof.csv", "csv")
    release = Release.objects.get(key="phof-2024-05")
    assert release.title == "PHOF May 2024"
    value = IndicatorValue.objects.get(area__code="E08000014")
    assert (value.value, value.release, value.created_by) == (61.2, release, officer)
    assert (value.source.reference, value.source_line) == ("phof.csv", 2)
    assert AuditEvent.objects.for_object(release).get(verb="import").actor == officer


def test_submit_import_of_changed_figures_revises(submit, officer, reference):
    submit(officer, csv_upload(*GOOD))
    job = submit(officer, csv_upload(GOOD[0], GOOD[1].replace("58.1", "58.3")))

    assert (job.created, job.revised, job.unchanged) == (0, 1, 1)
    assert IndicatorValue.objects.count() == 3
    assert IndicatorValue.objects.current().get(area__code="E08000011").value == 58.3


def test_submit_import_good_xlsx_succeeds(submit, manager, reference):
    job = submit(manager, xlsx_upload([90362, "E08000014", "2021/22", "Persons", "All ages", 61.2]))

    assert (job.status, job.format, job.created) == ("succeeded", "xlsx", 1)
    assert IndicatorValue.objects.get().source_line == 3


def test_submit_import_queues_the_task_only_on_commit(
    django_capture_on_commit_callbacks, officer, reference
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = submit_import(by=officer, upload=csv_upload(*GOOD), release_key="phof")

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.task_result_id, job.started_at) == ("queued", "", None)
    assert bytes(job.content).startswith(HEADER.encode())
    assert not IndicatorValue.objects.exists()


def test_submit_import_bad_csv_fails_with_row_and_column_and_writes_nothing(
    submit, officer, reference
):
    job = submit(
        officer,
        csv_upload(GOOD[0], "90362,E99999999,2021/22,Persons,All ages,58.1", GOOD[1] + "x"),
        release_key="new-release",
    )

    assert job.status == "failed"
    assert job.error_count == 2
    assert job.errors == [
        {"row": 3, "column": "Area Code", "value": "E99999999",
         "message": "Unknown area code 'E99999999'."},
        {"row": 4, "column": "Value", "value": "58.1x", "message": job.errors[1]["message"]},
    ]  # fmt: skip
    assert job.failure == "2 problem(s) in the file; nothing was imported."
    assert job.finished_at is not None
    assert (job.created, job.revised, job.unchanged) == (None, None, None)
    assert not IndicatorValue.objects.exists()
    # The release is made in the import's transaction, so a rejected file leaves none.
    assert not Release.objects.filter(key="new-release").exists()


def test_submit_import_stores_only_the_first_errors(submit, officer, reference, monkeypatch):
    monkeypatch.setattr(imports, "MAX_STORED_ERRORS", 2)
    bad = [f"90362,E0000000{n},2021/22,Persons,All ages,1" for n in range(5)]

    job = submit(officer, csv_upload(*bad))

    assert (job.error_count, len(job.errors)) == (5, 2)
    assert job.failure.startswith("5 problem(s)")


def test_submit_import_csv_not_utf8_fails(submit, officer, reference):
    upload = SimpleUploadedFile("phof.csv", f"{HEADER}\n90362,E08000014,2021/22,Persons,Âge,1\n"
                                .encode("latin-1"))  # fmt: skip

    job = submit(officer, upload)

    assert job.status == "failed"
    assert "not UTF-8" in job.failure
    assert not IndicatorValue.objects.exists()


def test_submit_import_xlsx_that_is_not_a_workbook_fails(submit, officer, reference):
    job = submit(officer, SimpleUploadedFile("phof.xlsx", b"Indicator ID,Area Code\n"))

    assert job.status == "failed"
    assert job.failure == "The file could not be read as an Excel workbook (.xlsx)."


@pytest.mark.parametrize("role", ["councillor", "provider_user", "link_worker", "no_role_user"])
def test_submit_import_refused_without_reference_data_edit(request, role, reference):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        submit_import(by=user, upload=csv_upload(*GOOD), release_key="phof")

    assert not ImportJob.objects.exists()


def test_submit_import_refused_for_the_public(reference):
    with pytest.raises(PermissionDenied):
        submit_import(by=None, upload=csv_upload(*GOOD), release_key="phof")


def test_submit_import_oversize_file_refused(officer, settings):
    settings.INDICATOR_IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))

    with pytest.raises(ValidationError) as info:
        submit_import(by=officer, upload=upload, release_key="phof")

    assert info.value.message_dict == {"upload": ["The selected file must be 1 MB or smaller."]}
    assert not ImportJob.objects.exists()


def test_submit_import_file_at_the_limit_accepted(officer, settings, reference):
    upload = csv_upload(*GOOD)
    settings.INDICATOR_IMPORT_MAX_BYTES = upload.size

    assert submit_import(by=officer, upload=upload, release_key="phof").status == "queued"


@pytest.mark.parametrize("name", ["phof.xls", "phof.txt", "phof", "phof.csv.exe"])
def test_submit_import_wrong_extension_refused(officer, name):
    with pytest.raises(ValidationError) as info:
        submit_import(by=officer, upload=SimpleUploadedFile(name, b"a,b\n"), release_key="phof")

    assert info.value.message_dict == {
        "upload": ["The selected file must be a CSV or an Excel (.xlsx) file."]
    }
    assert not ImportJob.objects.exists()


def test_submit_import_upper_case_extension_accepted(officer):
    job = submit_import(by=officer, upload=csv_upload(name="PHOF.CSV"), release_key="phof")

    assert job.format == "csv"


def test_submit_import_empty_file_refused(officer):
    with pytest.raises(ValidationError) as info:
        submit_import(by=officer, upload=SimpleUploadedFile("phof.csv", b""), release_key="phof")

    assert info.value.message_dict == {"upload": ["The selected file is empty."]}


def test_submit_import_bad_release_key_refused(officer):
    with pytest.raises(ValidationError) as info:
        submit_import(by=officer, upload=csv_upload(*GOOD), release_key="PHOF May 2024")

    assert list(info.value.message_dict) == ["release_key"]
    assert not ImportJob.objects.exists()


def test_run_import_when_uploader_lost_the_role_fails(
    django_capture_on_commit_callbacks, officer, reference
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = submit_import(by=officer, upload=csv_upload(*GOOD), release_key="phof")
    RoleAssignment.objects.filter(user=officer).delete()

    callbacks[0]()

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure == "officer may not reference data edit. Nothing was imported."
    assert not IndicatorValue.objects.exists()


def test_run_import_of_a_job_not_queued_does_nothing(officer, reference):
    job = ImportJobFactory(uploaded_by=officer, status="running")

    assert run_import.call(job.pk) == "running"

    job.refresh_from_db()
    assert (job.status, job.started_at) == ("running", None)
    assert not IndicatorValue.objects.exists()


def test_run_import_unexpected_error_fails_the_job_and_is_raised(officer, reference, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "import_fingertips_csv", broken)
    job = ImportJobFactory(uploaded_by=officer)

    with pytest.raises(RuntimeError):
        run_import.call(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure.startswith("The import stopped with an unexpected error")
    assert not Release.objects.filter(key=job.release_key).exists()


def test_import_job_finished_without_finished_at_is_refused(officer):
    with pytest.raises(IntegrityError):
        ImportJobFactory(uploaded_by=officer, status="succeeded")
