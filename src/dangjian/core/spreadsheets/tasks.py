"""Import jobs run as django-tasks tasks (immediate in development and tests, RQ in
production). The task takes the job's primary key as text."""

from django_tasks import task


@task()
def run_import_job(job_id):
    from .jobs import run_job

    return run_job(job_id)
