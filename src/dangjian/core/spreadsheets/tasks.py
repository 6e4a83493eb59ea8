"""Import jobs run as django-tasks tasks (immediate in development and tests, RQ in
production). The task takes the job's primary key as text."""

from django_tasks import task


@task()
def run_import_job(job_id):
    from .jobs import run_job

    return run_job(job_id)


@task()
def run_export_job(job_id):
    from .exports import run_export

    return run_export(job_id)
