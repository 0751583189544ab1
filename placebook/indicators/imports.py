"""Uploaded files of indicator values, imported in the background.

An officer's upload is stored whole as an ``ImportJob`` and a task is queued to import it
(Django's tasks framework: the database queue in production, at once in tests). The task
runs the all-or-nothing import in ``fingertips`` as the uploader, so the audit trail and
every value name them, and records on the job either the counts or every problem found.
"""

import io
import zipfile
from dataclasses import asdict
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from openpyxl.utils.exceptions import InvalidFileException

from placebook.core.audit import acting_as
from placebook.core.permissions import Permission, PermissionDenied, require
from placebook.indicators.fingertips import (
    ImportRejected,
    import_fingertips_csv,
    import_xlsx,
    upload_release,
)
from placebook.indicators.models import ImportJob, ImportJobFormat, ImportJobStatus

__all__ = [
    "MAX_STORED_ERRORS",
    "check_upload",
    "max_upload_bytes",
    "max_upload_text",
    "run_import",
    "submit_import",
]

# A large file that is wrong throughout (the wrong columns, say) has a problem on every
# row. The first thousand are plenty to see what is wrong; all are counted.
MAX_STORED_ERRORS = 1_000
_MAX_VALUE_CHARS = 200
_FORMATS = {".csv": ImportJobFormat.CSV, ".xlsx": ImportJobFormat.XLSX}


def max_upload_bytes() -> int:
    """The largest file accepted. The file is held in memory and in the database, so this
    bounds both."""
    return settings.INDICATOR_IMPORT_MAX_BYTES


def max_upload_text() -> str:
    """The limit as the upload page and its error message state it, e.g. "50 MB"."""
    return f"{max_upload_bytes() / (1024 * 1024):g} MB"


def check_upload(upload) -> tuple[str, ImportJobFormat]:
    """The upload's file name (without any folder) and format, or ``ValidationError`` if it
    is not a .csv or .xlsx file, is empty, or is over the limit. Upload forms call this too,
    so every problem with a form is shown at once."""
    name = PurePath(upload.name or "").name
    kind = _FORMATS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError("The selected file must be a CSV or an Excel (.xlsx) file.")
    # Checked before reading: Django has already spooled a large upload to a temporary file.
    if upload.size > max_upload_bytes():
        raise ValidationError(f"The selected file must be {max_upload_text()} or smaller.")
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    return name, kind


def submit_import(*, by, upload, release_key: str, release_title: str = "") -> ImportJob:
    """Store an uploaded file (a Django ``UploadedFile``) as a queued job and queue its import.

    ``by`` must be a signed-in user: the import runs later as them. The release is made or
    found when the import runs, so a rejected file leaves no empty release behind. Raises
    ``PermissionDenied``, or ``ValidationError`` keyed by ``upload``, ``release_key`` or
    ``release_title`` for a file of the wrong type or size or a bad release key.
    """
    require(by, Permission.REFERENCE_DATA_EDIT)
    try:
        name, kind = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from exc
    job = ImportJob(
        uploaded_by=by,
        # Cut from the front if need be: the end holds the extension and usually the date.
        file_name=name[-ImportJob._meta.get_field("file_name").max_length :],
        format=kind,
        content=b"".join(upload.chunks()),
        release_key=release_key.strip(),
        release_title=release_title.strip(),
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        # Queued only once the job is committed, so a worker on another connection can
        # always read it, and a request that fails later queues nothing.
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    result = run_import.enqueue(job_id)
    # An update of this one field, not a save: the immediate backend (and a quick worker)
    # may already have finished the job, and a save would put its old status back.
    ImportJob.objects.filter(pk=job_id).update(task_result_id=str(result.id))


def _finish(job: ImportJob, status: ImportJobStatus, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.status = status
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", *fields])


def _import(job: ImportJob, by) -> None:
    """Import the job's file and mark it succeeded, in one transaction: the values, the
    release, its source and the job's counts are written together or not at all."""
    content = bytes(job.content)  # PostgreSQL returns a memoryview
    with transaction.atomic():
        release, source = upload_release(
            by=by, key=job.release_key, file_name=job.file_name, title=job.release_title
        )
        common = {"by": by, "release": release, "source": source}
        if job.format == ImportJobFormat.XLSX:
            report = import_xlsx(file=io.BytesIO(content), **common)
        else:
            # utf-8-sig: Excel's "CSV UTF-8" starts with a byte order mark.
            text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
            report = import_fingertips_csv(file=text, **common)
        _finish(
            job,
            ImportJobStatus.SUCCEEDED,
            created=report.created,
            revised=report.revised,
            unchanged=report.unchanged,
        )


@task
def run_import(job_id: int) -> str:
    """Run a queued import job as its uploader; return its final status.

    A job that is not queued (run twice by a retry, or taken by another worker) is left
    alone. A file with problems fails the job with every problem recorded and nothing
    written. An unexpected error fails the job too, then is raised again so the task
    backend keeps its traceback.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if not claimed:
        return job.status
    by = job.uploaded_by
    failed = partial(_finish, job, ImportJobStatus.FAILED)
    with acting_as(by):
        try:
            _import(job, by)
        except ImportRejected as exc:
            failed(
                errors=[
                    asdict(e) | {"value": e.value[:_MAX_VALUE_CHARS]}
                    for e in exc.errors[:MAX_STORED_ERRORS]
                ],
                error_count=len(exc.errors),
                failure=f"{len(exc.errors)} problem(s) in the file; nothing was imported.",
            )
        except UnicodeDecodeError:
            # No position given: the decoder reads in chunks, so its offset is not the file's.
            failed(
                failure="The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”. "
                "Nothing was imported."
            )
        except (zipfile.BadZipFile, InvalidFileException):
            failed(failure="The file could not be read as an Excel workbook (.xlsx).")
        except ValidationError as exc:
            failed(failure=f"Release {job.release_key!r}: {' '.join(exc.messages)}")
        except PermissionDenied as exc:
            # The uploader's roles changed, or their account went, before the import ran.
            failed(failure=f"{exc} Nothing was imported.")
        except Exception:
            failed(failure="The import stopped with an unexpected error; nothing was imported.")
            raise
    return job.status
