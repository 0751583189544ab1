import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebook.indicators.models import ImportJob, IndicatorValue
from tests.factories.core import AreaFactory
from tests.factories.imports import (
    HEADER,
    ImportJobFactory,
    ImportJobFailedFactory,
    ImportJobSucceededFactory,
)
from tests.factories.indicators import IndicatorFactory

pytestmark = pytest.mark.django_db

IMPORTS = reverse("indicators:import-list")


@pytest.fixture
def reference(db):
    AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    IndicatorFactory(code="healthy-life-expectancy", fingertips_id=90362)


def csv_upload(*lines, name="phof.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines, ""]).encode())


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post the form as a browser would, running the queued task when the request commits,
    then follow a redirect as the browser would."""

    def post(file, release_key="phof-2024-05", release_title="PHOF May 2024"):
        data = {"upload": file, "release_key": release_key, "release_title": release_title}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORTS, data)
        if response.status_code == 302:
            return response, client.get(response["Location"])
        return response, None

    return post


def test_import_list_shows_form_and_recent_jobs_to_officer(client, officer):
    ImportJobSucceededFactory(file_name="phof-may.csv", uploaded_by=officer)
    ImportJobFailedFactory(file_name="broken.xlsx", uploaded_by=officer)
    client.force_login(officer)

    body = client.get(IMPORTS).content.decode()

    assert 'enctype="multipart/form-data"' in body
    assert 'class="govuk-file-upload"' in body
    assert "Up to 50 MB." in body
    assert "phof-may.csv" in body
    assert '<strong class="govuk-tag govuk-tag--green">Succeeded</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--red">Failed</strong>' in body


def test_import_list_query_count_does_not_grow_with_jobs(
    client, officer, django_assert_max_num_queries
):
    for _ in range(10):
        ImportJobFactory(uploaded_by=officer)
    client.force_login(officer)
    # Session, user, roles, and one query for the jobs with their uploaders.
    with django_assert_max_num_queries(4):
        client.get(IMPORTS)


def test_officer_upload_redirects_to_job_page_showing_success(client, officer, reference, upload):
    client.force_login(officer)

    posted, response = upload(csv_upload("90362,E08000014,2021/22,Persons,All ages,61.2"))

    job = ImportJob.objects.get()
    assert posted["Location"] == job.get_absolute_url()
    body = response.content.decode()
    assert "Import complete" in body
    assert '<strong class="govuk-tag govuk-tag--green">Succeeded</strong>' in body
    assert reverse("indicators:indicator-list") in body
    assert "Refresh" not in response
    assert IndicatorValue.objects.get().created_by == officer


def test_upload_of_bad_file_shows_row_and_column_errors(client, officer, reference, upload):
    client.force_login(officer)

    _, response = upload(
        csv_upload(
            "90362,E08000014,2021/22,Persons,All ages,61.2",
            "90362,E99999999,2021/22,Persons,All ages,58.1",
        )
    )

    body = response.content.decode()
    assert "The file was not imported" in body
    assert "1 problem(s) in the file; nothing was imported." in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in body
    assert '<td class="govuk-table__cell">Area Code</td>' in body
    assert "Unknown area code &#x27;E99999999&#x27;." in body
    assert not IndicatorValue.objects.exists()


def test_upload_of_wrong_file_type_shows_error_on_the_form(client, officer, upload):
    client.force_login(officer)

    response, _ = upload(SimpleUploadedFile("phof.pdf", b"%PDF-1.7"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Import indicator values - Placebook</title>" in body
    assert (
        '<a href="#id_upload">The selected file must be a CSV or an Excel (.xlsx) file.</a>' in body
    )
    assert 'id="id_upload-error"' in body
    assert "govuk-file-upload--error" in body
    assert 'value="phof-2024-05"' in body
    assert not ImportJob.objects.exists()


def test_upload_of_oversize_file_shows_error(client, officer, upload, settings):
    settings.INDICATOR_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(officer)

    response, _ = upload(SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1)))

    assert "The selected file must be 1 MB or smaller." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_of_wrong_file_type_with_bad_key_shows_both_errors(client, officer, upload):
    client.force_login(officer)

    response, _ = upload(SimpleUploadedFile("phof.xls", b"x"), release_key="PHOF 2024")

    body = response.content.decode()
    assert '<a href="#id_upload">The selected file must be a CSV or an Excel' in body
    assert '<a href="#id_release_key">Release key must contain only letters' in body


def test_upload_without_file_or_key_shows_both_errors(client, officer):
    client.force_login(officer)

    body = client.post(IMPORTS, {"release_key": ""}).content.decode()

    assert '<a href="#id_upload">Select a CSV or Excel file.</a>' in body
    assert '<a href="#id_release_key">Enter a release key.</a>' in body
    assert "govuk-input--error" in body


def test_queued_job_page_refreshes_itself(client, officer):
    job = ImportJobFactory(uploaded_by=officer)
    client.force_login(officer)

    response = client.get(job.get_absolute_url())

    assert response["Refresh"] == "5"
    body = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Queued</strong>' in body
    assert "reloads every 5 seconds" in body


def test_failed_job_page_says_when_only_the_first_errors_are_listed(client, officer):
    job = ImportJobFailedFactory(uploaded_by=officer, error_count=1500)
    client.force_login(officer)

    body = client.get(job.get_absolute_url()).content.decode()

    assert "The first 1 of 1500 problems" in body


def test_import_job_page_unknown_job_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("indicators:import-detail", args=[999])).status_code == 404


@pytest.mark.parametrize("role", ["councillor", "provider_user"])
def test_import_pages_forbidden_without_permission(client, request, role):
    job = ImportJobSucceededFactory()
    client.force_login(request.getfixturevalue(role))

    assert client.get(IMPORTS).status_code == 403
    assert client.post(IMPORTS, {"upload": csv_upload(), "release_key": "x"}).status_code == 403
    assert client.get(job.get_absolute_url()).status_code == 403
    assert not ImportJob.objects.exclude(pk=job.pk).exists()


@pytest.mark.parametrize("url", [IMPORTS, reverse("indicators:import-detail", args=[1])])
def test_import_pages_send_the_public_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


def test_indicator_list_links_to_imports_for_officers_only(client, officer, councillor):
    client.force_login(officer)
    assert IMPORTS in client.get(reverse("indicators:indicator-list")).content.decode()
    client.force_login(councillor)
    assert IMPORTS not in client.get(reverse("indicators:indicator-list")).content.decode()
