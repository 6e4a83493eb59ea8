"""Large exports as background jobs.

An app registers how to build an export of a kind for a job
(`register_export("members", build)`): `build(*, actor, params, fmt, full_id)` returns an
Export-like object (`count`, `filename`, `write(target, progress=None)`) in the actor's
scope, without auditing it. The page first runs the app's audited export service in the
request (scope, grants and the bulk-export rules checked, the audit entry written with
the request's id and address); csv then streams, and an xlsx of more than
DANGJIAN_EXPORT_INLINE_ROWS rows goes to `start_export`, which enqueues
`tasks.run_export_job` (django-tasks: immediate in development and tests, RQ in
production) to write the same rows. The user follows its progress page and downloads the
file there: only its owner, for DANGJIAN_EXPORT_KEEP_HOURS, from DANGJIAN_EXPORT_DIR
(private, never under MEDIA_ROOT).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from dangjian.core import context

from .models import ExportJob

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 5000
_exporters = {}


def register_export(kind, prepare):
    _exporters[kind] = prepare
    return prepare


def exporter(kind):
    try:
        return _exporters[kind]
    except KeyError:
        raise ValidationError({"kind": f"unknown export kind {kind!r}"}) from None


def _params_of(params):
    """A QueryDict (or dict) as a JSON-safe dict of lists."""
    if hasattr(params, "lists"):
        return {key: values for key, values in params.lists()}
    return {key: value if isinstance(value, list) else [value] for key, value in (params or {}).items()}


def start_export(*, actor, kind, params, fmt, full_id=False, total=0):
    """Create the job for an export the caller has just checked and audited, and enqueue
    it; returns the job. The request's id is kept on the job to link it to that entry."""
    from .tasks import run_export_job

    exporter(kind)
    purge_expired()
    job = ExportJob.objects.create(
        kind=kind, owner=actor, params=_params_of(params),
        options={"fmt": fmt, "full_id": bool(full_id)},
        request_id=context.get_request_id(), client_ip=context.get_client_ip(), total_rows=total)
    transaction.on_commit(lambda: run_export_job.enqueue(str(job.pk)))
    return job


class _Progress:
    """Row counts written through a second, autocommitting connection where the database
    allows a second writer (PostgreSQL); on SQLite only the end is recorded."""

    def __init__(self, job):
        self.job = job
        self.side = connections.create_connection("default") if connection.vendor != "sqlite" else None

    def __call__(self, processed):
        if self.side is None or processed % PROGRESS_EVERY:
            return
        with self.side.cursor() as cursor:
            cursor.execute(f"UPDATE {ExportJob._meta.db_table} SET processed_rows = %s WHERE id = %s",
                           [processed, self.job.pk.hex])

    def close(self):
        if self.side is not None:
            self.side.close()


def run_export(job_id):
    """The task's body: build the export as the owner (in the owner's scope now, which can
    only have narrowed since the request), write the file, record the outcome."""
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job.status
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    tokens = context.bind(job.request_id or f"export-{job.pk.hex[:12]}", job.client_ip)
    progress = _Progress(job)
    folder = settings.DANGJIAN_EXPORT_DIR
    stored = f"{job.pk.hex}.{job.options.get('fmt', 'xlsx')}"
    try:
        prepared = exporter(job.kind)(actor=job.owner, params=job.params, fmt=job.options.get("fmt", "xlsx"),
                                      full_id=job.options.get("full_id", False))
        ExportJob.objects.filter(pk=job.pk).update(total_rows=prepared.count)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / stored, "wb") as target:
            prepared.write(target, progress=progress)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, processed_rows=prepared.count, filename=prepared.filename,
            stored_name=stored, finished_at=timezone.now())
        return ExportJob.Status.DONE
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=message[:2000],
                                                    finished_at=timezone.now())
        return ExportJob.Status.FAILED
    except Exception:
        logger.exception("export job %s failed", job.pk)
        (folder / stored).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error="internal error",
                                                    finished_at=timezone.now())
        return ExportJob.Status.FAILED
    finally:
        progress.close()
        context.unbind(tokens)


def path_of(job):
    return settings.DANGJIAN_EXPORT_DIR / job.stored_name if job.stored_name else None


def purge_expired(now=None):
    """Delete finished jobs (and their files) older than DANGJIAN_EXPORT_KEEP_HOURS."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.DANGJIAN_EXPORT_KEEP_HOURS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        path = path_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
