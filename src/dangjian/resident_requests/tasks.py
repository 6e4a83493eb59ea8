"""Background work through the django-tasks API: immediate in development and tests, RQ in
production (schedule `escalate_requests` every few minutes, or run `dangjian requests_escalate`)."""

import datetime

from django_tasks import task


@task()
def escalate_requests(now=None):
    """Escalate requests past their deadline one level; close resolved ones left unconfirmed.
    `now` is an ISO datetime string (tests move the clock with it)."""
    from .services import request_escalate_due

    when = datetime.datetime.fromisoformat(now) if now else None
    escalated, closed = request_escalate_due(now=when)
    return {"escalated": escalated, "closed": closed}
