"""Starting and running an import job.

`start_import` stores the upload on an ImportJob and enqueues `tasks.run_import_job`
(django-tasks: immediate in development and tests, RQ in production). The task reads the
file, runs the registered import, and records progress and the outcome on the job.

Progress during the write: the import runs inside one transaction, so the job's counters
are written through a second database connection that commits on its own (PostgreSQL).
SQLite allows one writer at a time, so there the counters are written only when the run
ends (SQLite serves development and small installations, where imports are short).
"""

import io

from django.db import connection, connections, transaction
from django.utils import timezone

from .importer import IMPORT_ACTION, ImportResult, importable, run_import
from .models import ImportJob
from .reader import SpreadsheetError, open_bytes

PROGRESS_EVERY = 2000


def start_import(*, actor, kind, upload, dry_run=False):
    """Create the job for an uploaded file (Django UploadedFile) and enqueue it.

    The file's size is checked here; its content when the job runs."""
    from django.conf import settings

    from dangjian.core.scope import scope_paths

    from .tasks import run_import_job

    importable(kind)  # an unknown kind fails before anything is stored
    max_bytes = settings.DANGJIAN_IMPORT_MAX_BYTES
    data = upload.read(max_bytes + 1)
    paths = scope_paths(actor, IMPORT_ACTION)
    job = ImportJob.objects.create(
        kind=kind, owner=actor, filename=(getattr(upload, "name", "") or "")[:255],
        content_type=(getattr(upload, "content_type", "") or "")[:100], upload=data, dry_run=dry_run,
        org_path=paths[0] if len(paths) == 1 else "")
    transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk)))
    return job


class _Progress:
    """Writes processed-row counts to the job through a separate, autocommitting connection."""

    def __init__(self, job):
        self.job = job
        self.side = None
        if connection.vendor != "sqlite":
            self.side = connections.create_connection("default")

    def __call__(self, processed, total=None):
        if self.side is None:
            return
        if processed and processed % PROGRESS_EVERY and total is None:
            return
        with self.side.cursor() as cursor:
            cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s"
                           + (", total_rows = %s" if total is not None else "") + " WHERE id = %s",
                           [processed, *([total] if total is not None else []), self.job.pk.hex])

    def close(self):
        if self.side is not None:
            self.side.close()


def run_job(job_id):
    """Run one queued job to its end (the task's body)."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    progress = _Progress(job)
    try:
        try:
            sheet = open_bytes(bytes(job.upload or b""), name=job.filename, content_type=job.content_type)
            total = sheet.estimated_rows()
        except SpreadsheetError as exc:
            result = ImportResult(kind=job.kind, dry_run=job.dry_run).file_problem(exc)
        else:
            progress(0, total=total)
            result = run_import(job.kind, actor=job.owner, sheet=sheet, dry_run=job.dry_run, progress=progress)
    finally:
        progress.close()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED,
        processed_rows=result.rows, total_rows=max(result.rows, job.total_rows if result.ok else result.rows),
        created_count=result.created, problem_count=result.problem_count,
        problems=[p.as_dict() for p in result.problems], upload=None, finished_at=timezone.now())
    return "done" if result.ok else "failed"


def problems_csv(job):
    """The job's problems as csv bytes (the error report download)."""
    from .writer import CsvWriter

    writer = CsvWriter()
    writer.write_row(["行", "列", "单元格内容", "问题", "Problem"])
    for item in job.problems:
        writer.write_row([item.get("row") or "", item.get("column", ""), item.get("value", ""),
                          item.get("reason", ""), item.get("reason_en", "")])
    buffer = io.BytesIO(writer.drain())
    return buffer.getvalue()
