"""Reads of the responsibilities module. Everything starts from `visible_to(user, action)`:
a leader's records are visible where the organisation they lead is visible.

Figures for a subtree are a fixed number of queries (one GROUP BY for the organisations
with all three levels filled, one COUNT each for the others), never a loop over orgs."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dangjian.core.scope import scope_paths
from dangjian.orgs.models import Member, Org, Person

from .models import (
    ContactPoint,
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)

# A contact point without a visit in this many months is flagged.
STALE_MONTHS = 3


def months_before(day, months):
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def default_root(user):
    paths = scope_paths(user, "view")
    return Org.objects.filter(path=paths[0]).first() if paths else None


def _within(qs, root):
    return qs.within(root) if root is not None else qs


def responsibilities(user, root=None):
    return _within(Responsibility.objects.visible_to(user, "view"), root)


def complete_org_ids(qs, today):
    """Ids of organisations among `qs`'s rows with a current primary, direct and specific
    responsible (one GROUP BY)."""
    return (qs.current(today).values("org_id").annotate(levels=Count("level", distinct=True))
            .filter(levels=len(Level.values)).values("org_id"))


def documents(user, root=None):
    return _within(ResponsibilityDocument.objects.visible_to(user, "view"), root)


def contact_points(user, root=None):
    return _within(ContactPoint.objects.visible_to(user, "view"), root)


def visits(user, root=None):
    return _within(ContactVisit.objects.visible_to(user, "view"), root)


def stale_points(qs, today):
    """Current points without a visit in STALE_MONTHS months."""
    before = months_before(today, STALE_MONTHS)
    return qs.current(today).filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=before))


def figures(user, root=None, today=None):
    """The subtree's figures, each with the URL of the rows it counts."""
    today = today or timezone.localdate()
    year_start = today.replace(month=1, day=1)
    resp = responsibilities(user, root)
    points = contact_points(user, root)
    within = {"within": root.pk} if root is not None else {}

    def url(name, **params):
        params = {**within, **params}
        return reverse(f"responsibilities:{name}") + (f"?{urlencode(params)}" if params else "")

    orgs_any = resp.current(today).values("org_id").distinct().count()
    return {
        "orgs_complete": {"value": complete_org_ids(resp, today).count(), "url": url("index", complete="yes")},
        "orgs_any": {"value": orgs_any, "url": url("index")},
        "documents_year": {"value": documents(user, root).filter(signed_on__gte=year_start, signed_on__lte=today)
                           .count(), "url": url("documents", year=today.year)},
        "points": {"value": points.current(today).count(), "url": url("points")},
        "visits_year": {"value": visits(user, root).filter(visited_on__gte=year_start).count(),
                        "url": url("visits", year=today.year)},
        "points_stale": {"value": stale_points(points, today).count(), "url": url("points", stale="yes")},
    }


def overview_panel(user, root=None):
    """The module's figures in the subtree overview (core.overview)."""
    if not scope_paths(user, "view"):
        return None
    data = figures(user, root)
    if not (data["orgs_any"]["value"] or data["points"]["value"]):
        return None
    items = [
        (_("三级责任齐全的组织"), "orgs_complete"), (_("已明确责任人的组织"), "orgs_any"),
        (_("本年签订责任书与承诺"), "documents_year"), (_("党建工作联系点"), "points"),
        (_("本年联系点走访"), "visits_year"),
        (_("%(n)d个月未走访的联系点") % {"n": STALE_MONTHS}, "points_stale"),
    ]
    return {"key": "responsibilities", "title": _("一岗双责"),
            "figures": [{"label": label, "value": data[key]["value"], "url": data[key]["url"]} for label, key in items]}


# The leader's page ------------------------------------------------------------------------

def leader(user, *, member_id=None, person_id=None):
    """The member or person whose page `user` may open: one in the user's member scope, or
    one whose responsibilities or contact points the user sees. None otherwise (404)."""
    field, model, pk = ("member_id", Member, member_id) if member_id is not None else ("person_id", Person, person_id)
    obj = model.objects.filter(pk=pk).select_related("org").first()
    if obj is None:
        return None
    if model.objects.visible_to(user, "view_members").filter(pk=pk).exists():
        return obj
    for qs in (Responsibility.objects, ContactPoint.objects, LeaderDutyRecord.objects):
        if qs.visible_to(user, "view").filter(**{field: pk}).exists():
            return obj
    return None


def leader_page(user, leader_obj, year):
    """What a leader's page shows: their responsibilities, their "八个一" year (each item
    with its records), their contact points with visits, all inside `user`'s scope."""
    field = "member" if isinstance(leader_obj, Member) else "person"
    by = {field: leader_obj}
    today = timezone.localdate()
    resp = (Responsibility.objects.visible_to(user, "view").filter(**by).select_related("org")
            .order_by("-start_on", "id"))
    records = list(LeaderDutyRecord.objects.visible_to(user, "view").filter(year=year, **by)
                   .select_related("item", "org").order_by("done_on", "id"))
    items = []
    for item in LeaderDutyItem.objects.filter(active=True):
        done = [r for r in records if r.item_id == item.pk]
        items.append({"item": item, "records": done, "done": len(done),
                      "met": len(done) >= item.times_per_year})
    points = list(ContactPoint.objects.visible_to(user, "view").filter(**by).select_related("org", "point_org")
                  .order_by("-since", "id"))
    recent = {}
    for visit in (ContactVisit.objects.filter(point__in=points).order_by("-visited_on", "-id")
                  .select_related("point")):
        recent.setdefault(visit.point_id, []).append(visit)
    stale_before = months_before(today, STALE_MONTHS)
    for point in points:
        point.recent_visits = recent.get(point.pk, [])[:5]
        point.visit_count = len(recent.get(point.pk, []))
        point.is_current = point.since <= today and (point.until is None or point.until >= today)
        point.is_stale = point.is_current and (point.last_visit_on is None or point.last_visit_on < stale_before)
    return {"responsibilities": list(resp), "items": items, "other_records": [
        r for r in records if not r.item.active], "points": points}


def org_page(user, org, today=None):
    """An organisation's responsibilities page: current holders by level, past ones,
    documents and the contact points its leaders keep and that it hosts."""
    today = today or timezone.localdate()
    rows = list(Responsibility.objects.visible_to(user, "view").filter(org=org)
                .select_related("member", "person").order_by("level", "-start_on", "id"))
    current = {level: [] for level in Level.values}
    past = []
    for row in rows:
        if row.start_on <= today and (row.end_on is None or row.end_on >= today):
            current[row.level].append(row)
        else:
            past.append(row)
    levels = [{"level": level, "label": label, "rows": current[level]} for level, label in Level.choices]
    docs = list(ResponsibilityDocument.objects.visible_to(user, "view").filter(org=org)
                .select_related("member", "person").order_by("-signed_on", "id"))
    points = list(ContactPoint.objects.visible_to(user, "view").filter(org=org)
                  .select_related("member", "person", "point_org").order_by("-since", "id"))
    hosted = list(ContactPoint.objects.visible_to(user, "view").filter(point_org=org)
                  .select_related("member", "person", "org").order_by("-since", "id"))
    return {"levels": levels, "past": past, "documents": docs, "points": points, "hosted": hosted,
            "complete": all(current[level] for level in Level.values)}


def points_for_leader_account(user):
    """The current contact points of the leader linked to `user` (their member record)."""
    if not getattr(user, "member_id", None):
        return ContactPoint.objects.none()
    return ContactPoint.objects.filter(member_id=user.member_id)


def quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
