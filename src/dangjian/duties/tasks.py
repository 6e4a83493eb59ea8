"""Background work through the django-tasks API: the daily roll-over."""

import datetime

from django_tasks import task


@task()
def rollover(start=None, end=None):
    """Derive the current periods' duties (also `dangjian duties_rollover`); ISO date strings."""
    from .services import roll_over

    return roll_over(period_start=datetime.date.fromisoformat(start) if start else None,
                     period_end=datetime.date.fromisoformat(end) if end else None)
