"""Reads on residents' requests: scoped querysets, the resident's plain-words view, and
figures for any subtree (one GROUP BY over a path range)."""

from django.utils.translation import gettext as _

from .models import PUBLIC_EVENTS, Request, RequestEvent, Status

# What the resident reads: short, plain words, nothing about who handles it.
_PUBLIC_STATUS = {
    Status.SUBMITTED: lambda: _("已提交，等待受理"),
    Status.ACCEPTED: lambda: _("已受理，正在安排办理"),
    Status.DISPATCHED: lambda: _("已交办理单位"),
    Status.IN_PROGRESS: lambda: _("正在办理"),
    Status.NEED_INFO: lambda: _("需要您补充信息"),
    Status.HANDED_BACK: lambda: _("正在重新安排办理"),
    Status.RESOLVED: lambda: _("已办结，请您确认"),
    Status.CLOSED: lambda: _("已完成"),
}


def public_status(request):
    """A short plain-words status for the resident (and Open311's status_notes)."""
    return str(_PUBLIC_STATUS.get(request.status, lambda: _("处理中"))())


def by_tracking_code(code):
    """The request with this tracking code, or None (a guessed code and a missing one look alike)."""
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not code or len(code) > 32:
        return None
    return Request.objects.select_related("category").filter(tracking_code=code).first()


def public_events(request):
    return list(RequestEvent.objects.filter(request=request, kind__in=list(PUBLIC_EVENTS)).order_by("at", "id"))


def requests_for(user, action="view"):
    return (Request.objects.visible_to(user, action)
            .select_related("category", "org", "area", "grid", "community", "unit", "first_handler"))
