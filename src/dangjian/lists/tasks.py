"""Background work through the django-tasks API (Django 6's django.tasks): immediate in
development and tests, a real queue in production. Tasks take primary keys."""

import datetime

from django_tasks import task


@task()
def notify_measure_event(measure_id, event):
    """Tell the level above that a measure awaits acceptance, or its owners that it was
    accepted or sent back."""
    from .notifications import measure_event

    return measure_event(measure_id, event)


@task()
def sweep_deadlines(today=None, days=7):
    """The deadline sweep (also `dangjian lists_sweep`); `today` is an ISO date string."""
    from .services import sweep_deadlines as run

    day = datetime.date.fromisoformat(today) if today else None
    return run(today=day, days=days)
