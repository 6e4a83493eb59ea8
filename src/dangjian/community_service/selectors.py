"""Reads of 双报到 and the 党建超市: scoped querysets, the 实绩 lists, the figures of a
subtree (one query per model, over path ranges) and the platform metrics."""

from collections import defaultdict

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import metrics
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.tree import in_subtree, subtree_q
from dangjian.orgs.models import AreaKind, Org

from .models import (
    Attendance,
    Booking,
    Claim,
    MemberReport,
    ReportStatus,
    ServiceItem,
    WhistleCall,
)


def communities():
    """Open community Party organisations (where members report), for any signed-in user."""
    return Org.objects.open().filter(area__kind=AreaKind.COMMUNITY).exclude(area__isnull=True)


def units(user, action="view"):
    """Units of the area the user may name: those of the user's communities and streets,
    those held by the street above a community (they serve its communities too), and those
    whose Party organisation is in the user's subtrees. Units are organisations, not
    personal data: naming one of the street's to a community discloses nothing."""
    from dangjian.cobuilding.models import Unit

    paths = scope_paths(user, action)
    if not paths:
        return Unit.objects.none()
    step = Org.steplen
    above = {p[:i] for p in paths for i in range(step, len(p), step)}
    q = subtree_q("org__path", paths) | subtree_q("covering_org__path", paths)
    if above:
        q |= Q(org__path__in=above)
    return Unit.objects.active().filter(q)


def reports(user, action="view"):
    return MemberReport.objects.visible_to(user, action).select_related("member", "community", "member__org")


def may_see_record(user, member):
    """The member's full record (the member page) is for the branch and the employer org."""
    return user_can(user, "view_members", member.org) or (
        member.employer_org_id is not None and user_can(user, "view_members", member.employer_org))


def bookable_items(user, today):
    """Items the user's own member may book: those of the community they reported to and
    of the organisations above it (the street), from today on."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return ServiceItem.objects.none()
    report = MemberReport.objects.filter(member_id=member_id, status=ReportStatus.ACCEPTED).select_related(
        "community").first()
    if report is None:
        return ServiceItem.objects.none()
    path, step = report.community.path, Org.steplen
    ancestors = [path[:i] for i in range(step, len(path) + 1, step)]
    return ServiceItem.objects.filter(org__path__in=ancestors, cancelled=False, starts_on__gte=today).select_related(
        "org")


def service_records(user, action="view"):
    """实绩: attended bookings the user may see (organiser, branch, employer, unit's Party org)."""
    return (Booking.objects.visible_to(user, action).attended()
            .select_related("item", "item__org", "member", "member__org", "unit"))


def whistle_records(user, action="view"):
    """Whistle calls with a result: the units' 实绩."""
    return (WhistleCall.objects.visible_to(user, action).filter(arrived_at__isnull=False)
            .select_related("whistle", "whistle__street", "unit"))


# Figures -----------------------------------------------------------------------------

def figure_paths(user, root=None):
    paths = scope_paths(user, "view")
    if root is not None:
        return [root.path] if in_subtree(root.path, paths) else []
    return paths


def figures(user, root=None):
    """Reported members and units, items held and booked, whistles answered on time, claims
    made and done, for the user's subtrees (or `root`'s). One query per model."""
    from dangjian.cobuilding.models import ReportStatus as UnitReportStatus
    from dangjian.cobuilding.models import UnitReport

    paths = figure_paths(user, root)
    if not paths:
        return None
    members = MemberReport.objects.filter(subtree_q("community__path", paths), status=ReportStatus.ACCEPTED).count()
    units = UnitReport.objects.filter(subtree_q("community__path", paths), status=UnitReportStatus.ACCEPTED).count()
    items = ServiceItem.objects.filter(subtree_q("org__path", paths), cancelled=False).aggregate(
        n=Count("id"))["n"]
    bookings = Booking.objects.filter(subtree_q("item__org__path", paths), cancelled=False).aggregate(
        n=Count("id"), attended=Count("id", filter=Q(attendance=Attendance.PRESENT)))
    calls = WhistleCall.objects.filter(subtree_q("whistle__street__path", paths)).aggregate(
        n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)),
        on_time=Count("id", filter=Q(arrived_at__lte=F("whistle__due_at"))))
    claims = Claim.objects.filter(subtree_q("community__path", paths)).aggregate(
        n=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
    rate = round(100 * calls["on_time"] / calls["n"], 1) if calls["n"] else None
    return {"members": members, "units": units, "items": items, "bookings": bookings["n"],
            "attended": bookings["attended"], "calls": calls["n"], "answered": calls["answered"],
            "on_time": calls["on_time"], "on_time_rate": rate, "claims": claims["n"], "claims_done": claims["done"]}


def overview_panel(user, root=None):
    data = figures(user, root)
    if not data or not any(v for k, v in data.items() if k != "on_time_rate"):
        return None
    q = f"?within={root.pk}" if root is not None else ""
    amp = f"{q}&" if q else "?"
    url = lambda name: reverse(f"community_service:{name}")  # noqa: E731
    rate = data["on_time_rate"]
    return {
        "key": "community_service",
        "title": _("双报到与党建超市"),
        "figures": [
            {"label": _("报到在职党员"), "value": data["members"], "url": f"{url('report_list')}{amp}status=accepted"},
            {"label": _("报到单位"), "value": data["units"],
             "url": f"{reverse('cobuilding:report_list')}{amp}status=accepted"},
            {"label": _("服务项目"), "value": data["items"], "url": url("item_list") + q},
            {"label": _("预约人次"), "value": data["bookings"], "url": url("record_list") + q},
            {"label": _("到场服务人次"), "value": data["attended"], "url": f"{url('record_list')}{amp}attendance=present"},
            {"label": _("吹哨按时报到率"), "value": f"{rate}%" if rate is not None else "—",
             "url": url("whistle_list") + q},
            {"label": _("认领项目"), "value": data["claims"], "url": url("claim_list") + q},
            {"label": _("认领已办结"), "value": data["claims_done"], "url": f"{url('claim_list')}{amp}done=true"},
        ],
    }


# Metrics -----------------------------------------------------------------------------

def _by_subtree(orgs, rows):
    """Sum {path: values} rows into each org's subtree."""
    result = {}
    for org in orgs:
        total = defaultdict(int)
        for path, values in rows:
            if path.startswith(org.path):
                for key, value in values.items():
                    total[key] += value
        result[org.pk] = total
    return result


def claims_done(orgs, start, end):
    paths = [o.path for o in orgs]
    rows = (Claim.objects.filter(subtree_q("community__path", paths), done_at__date__gte=start,
                                 done_at__date__lte=end)
            .values("community__path").annotate(n=Count("id")))
    totals = _by_subtree(orgs, [(r["community__path"], {"n": r["n"]}) for r in rows])
    return {pk: metrics.Reading(t["n"]) for pk, t in totals.items()}


def whistles_on_time(orgs, start, end):
    paths = [o.path for o in orgs]
    rows = (WhistleCall.objects.filter(subtree_q("whistle__street__path", paths), whistle__due_at__date__gte=start,
                                       whistle__due_at__date__lte=end)
            .values("whistle__street__path")
            .annotate(n=Count("id"), on_time=Count("id", filter=Q(arrived_at__lte=F("whistle__due_at")))))
    totals = _by_subtree(orgs, [(r["whistle__street__path"], {"n": r["n"], "on_time": r["on_time"]}) for r in rows])
    return {pk: metrics.Reading(round(100 * t["on_time"] / t["n"], 2) if t["n"] else 0, t["n"])
            for pk, t in totals.items()}


def claims_rows_url(org, start, end):
    return reverse("community_service:claim_list") + f"?within={org.pk}&done=true"


def whistles_rows_url(org, start, end):
    return reverse("community_service:whistle_list") + f"?within={org.pk}"
