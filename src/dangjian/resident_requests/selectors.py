"""Reads on residents' requests: scoped querysets, the resident's plain-words view, and
figures for any subtree (one GROUP BY over a path range)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.tree import subtree_q

from . import access
from .models import DONE_STATUSES, OPEN_STATUSES, PUBLIC_EVENTS, Category, Request, RequestEvent, Status

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


# Figures -------------------------------------------------------------------------------

FLAGS = ("received", "solved", "on_time", "overdue", "reopened", "rated", "satisfied")


def flag_q(flag, now=None):
    """The rows behind one figure (the list page filters with the same Q)."""
    now = now or timezone.now()
    solved = Q(status__in=DONE_STATUSES, reopen_count=0)
    return {
        "received": Q(),
        "solved": solved,
        "on_time": solved & Q(resolved_at__lte=F("deadline_at")),
        "overdue": Q(status__in=OPEN_STATUSES, deadline_at__lt=now),
        "reopened": Q(reopen_count__gt=0),
        "rated": Q(rating__isnull=False),
        "satisfied": Q(rating__gte=4),
        "open": Q(status__in=OPEN_STATUSES),
        "due": solved | Q(deadline_at__lt=now),
    }[flag]


def _aggregates(now):
    counts = {flag: Count("id", filter=flag_q(flag, now)) if flag != "received" else Count("id") for flag in FLAGS}
    counts["due"] = Count("id", filter=flag_q("due", now))
    counts["rating_sum"] = Sum("rating")
    return counts


def _finish(row):
    row = dict(row)
    row["rating_sum"] = row.get("rating_sum") or 0
    row["on_time_rate"] = _rate(row["on_time"], row["due"])
    row["solved_rate"] = _rate(row["solved"], row["received"])
    row["reopen_rate"] = _rate(row["reopened"], row["received"])
    row["satisfaction"] = _rate(row["satisfied"], row["rated"])
    row["average_rating"] = round(row["rating_sum"] / row["rated"], 2) if row["rated"] else None
    return row


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def period_bounds(start=None, end=None):
    """Aware datetimes [start, end) for dates start..end inclusive (local time)."""
    tz = timezone.get_current_timezone()
    # Dates far from now mean "no bound" (and keep time zone arithmetic inside datetime's range).
    start = start if start and datetime.date(1900, 1, 1) < start < datetime.date(9999, 1, 1) else (
        None if not start or start <= datetime.date(1900, 1, 1) else datetime.date(9999, 1, 1))
    end = end if end and datetime.date(1900, 1, 1) < end < datetime.date(9999, 1, 1) else (
        None if not end or end >= datetime.date(9999, 1, 1) else datetime.date(1900, 1, 1))
    low = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz) if start else None
    high = (timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz)
            if end else None)
    return low, high


def in_period(queryset, start=None, end=None):
    low, high = period_bounds(start, end)
    if low:
        queryset = queryset.filter(submitted_at__gte=low)
    if high:
        queryset = queryset.filter(submitted_at__lt=high)
    return queryset


def figures(user, root=None, *, start=None, end=None, now=None):
    """Received, on time, overdue, solved, reopened, satisfaction for the user's scope (or the
    subtree of `root`), in total, by category and by grid: three GROUP BY queries over the
    path range (plus one for the names of the grids)."""
    from dangjian.orgs.models import Area

    now = now or timezone.now()
    queryset = Request.objects.visible_to(user)
    if root is not None:
        queryset = queryset.within(root)
    queryset = in_period(queryset, start, end)
    aggregates = _aggregates(now)
    total = _finish(queryset.aggregate(**aggregates))
    categories = {c.pk: c for c in Category.objects.all()}
    by_category = []
    for row in queryset.order_by().values("category").annotate(**aggregates).order_by("category"):
        row = _finish(row)
        row["label"] = categories[row["category"]].name
        by_category.append(row)
    by_category.sort(key=lambda r: (categories[r["category"]].position, r["category"]))
    grid_rows = [_finish(row) for row in queryset.order_by().values("grid").annotate(**aggregates).order_by("grid")]
    names = dict(Area.objects.filter(pk__in=[r["grid"] for r in grid_rows if r["grid"]]).values_list("id", "name"))
    for row in grid_rows:
        row["label"] = names.get(row["grid"], "") or _("未划网格")
    grid_rows.sort(key=lambda r: (-r["received"], r["label"]))
    return {"total": total, "by_category": by_category, "by_grid": grid_rows}


def rows_url(*, root=None, flag=None, category=None, grid=None, start=None, end=None):
    params = {}
    if root is not None:
        params["within"] = root.pk
    if flag and flag != "received":
        params["flag"] = flag
    if category:
        params["category"] = category
    if grid:
        params["grid"] = grid
    if start:
        params["start"] = start.isoformat()
    if end:
        params["end"] = end.isoformat()
    url = reverse("resident_requests:request_list")
    return f"{url}?{urlencode(params)}" if params else url


def overview_panel(user, root=None):
    """Requests figures on the subtree overview, each linking to its rows."""
    if not access.paths(user):
        return None
    total = figures_total(user, root)
    if not total["received"]:
        return None

    def pct(value):
        return f"{value}%" if value is not None else "—"

    return {
        "key": "requests",
        "title": _("居民诉求"),
        "figures": [
            {"label": _("收到诉求"), "value": total["received"], "url": rows_url(root=root)},
            {"label": _("按时办结率"), "value": pct(total["on_time_rate"]), "url": rows_url(root=root, flag="on_time")},
            {"label": _("超期未办结"), "value": total["overdue"], "url": rows_url(root=root, flag="overdue")},
            {"label": _("重新办理"), "value": total["reopened"], "url": rows_url(root=root, flag="reopened")},
            {"label": _("满意率"), "value": pct(total["satisfaction"]), "url": rows_url(root=root, flag="satisfied")},
            {"label": _("统计"), "value": "→", "url": reverse("resident_requests:figures")
             + (f"?within={root.pk}" if root is not None else "")},
        ],
    }


def figures_total(user, root=None, *, now=None):
    queryset = Request.objects.visible_to(user)
    if root is not None:
        queryset = queryset.within(root)
    return _finish(queryset.aggregate(**_aggregates(now or timezone.now())))


# Metrics (core.metrics): readings per org subtree, one query for all orgs ------------------

def _metric_rows(orgs, start, end, now=None):
    paths = [org.path for org in orgs]
    queryset = in_period(Request.objects.filter(subtree_q("org__path", paths)), start, end)
    now = now or timezone.now()
    rows = list(queryset.order_by().values("org__path").annotate(
        due=Count("id", filter=flag_q("due", now)), on_time=Count("id", filter=flag_q("on_time", now)),
        rated=Count("id", filter=flag_q("rated", now)), satisfied=Count("id", filter=flag_q("satisfied", now))))
    result = {org.pk: {"due": 0, "on_time": 0, "rated": 0, "satisfied": 0} for org in orgs}
    by_path = {}
    for org in orgs:
        by_path.setdefault(org.path, []).append(org.pk)
    for row in rows:  # each row adds to every asked org on its path: rows x depth, not rows x orgs
        path = row["org__path"]
        for end in range(4, len(path) + 1, 4):
            for pk in by_path.get(path[:end], ()):
                sums = result[pk]
                for key in sums:
                    sums[key] += row[key]
    return result


def solved_on_time_metric(orgs, start, end):
    from dangjian.core.metrics import Reading

    return {pk: Reading(_rate(s["on_time"], s["due"]) or 0, s["due"])
            for pk, s in _metric_rows(orgs, start, end).items()}


def satisfaction_metric(orgs, start, end):
    from dangjian.core.metrics import Reading

    return {pk: Reading(_rate(s["satisfied"], s["rated"]) or 0, s["rated"])
            for pk, s in _metric_rows(orgs, start, end).items()}


def on_time_rows_url(org, start, end):
    return rows_url(root=org, flag="on_time", start=start, end=end)


def satisfaction_rows_url(org, start, end):
    return rows_url(root=org, flag="rated", start=start, end=end)


# Inbox ---------------------------------------------------------------------------------

def _intake_q(paths):
    """Requests whose intake org is one of `paths` or directly under one (a community's grids)."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(subtree_q("org__path", [path]), org__depth__lte=len(path) // 4 + 1)
    return q


def inbox_sections(user, *, entries):
    from dangjian.core.inbox import Entry, Section

    paths = access.paths(user, access.HANDLE)
    if not paths:
        return []
    now = timezone.now()
    base = Request.objects.filter(status__in=OPEN_STATUSES).filter(subtree_q("org__path", paths))
    queries = {
        "intake": Q(status=Status.SUBMITTED) & _intake_q(paths),
        "mine": Q(first_handler=user) & ~Q(status=Status.SUBMITTED),
        "escalated": Q(escalated_to__path__in=paths),
        "units": Q(status=Status.DISPATCHED, unit__org__path__in=paths),
    }
    counts = base.aggregate(**{key: Count("id", filter=q) for key, q in queries.items()})
    list_url = reverse("resident_requests:request_list")
    titles = {
        "intake": (_("待受理的居民诉求"), _("受理后您就是首办责任人。"), "?queue=intake"),
        "mine": (_("我首办的诉求"), _("首办责任制：办结前一直由您负责。"), "?queue=mine"),
        "escalated": (_("超时升级督办的诉求"), _("已超过办理时限，请督办。"), "?queue=escalated"),
        "units": (_("待承办单位接单的诉求"), "", "?queue=units"),
    }
    sections = []
    for key, (title, hint, query) in titles.items():
        section = Section(key=f"requests_{key}", title=str(title), count=counts[key] or 0, url=list_url + query,
                          hint=str(hint))
        if entries and section.count:
            rows = base.filter(queries[key]).select_related("category").order_by("deadline_at", "id")[:ENTRY_LIMIT]
            section.entries = [Entry(title=f"{r.number} {r.category.name}", url=reverse(
                "resident_requests:request_detail", args=[r.pk]), note=r.description[:40],
                late=bool(r.deadline_at and r.deadline_at < now)) for r in rows]
        sections.append(section)
    return sections


ENTRY_LIMIT = 10


# Pickers -------------------------------------------------------------------------------

def unit_picker_queryset(user, action="handle_requests"):
    """Units in the user's handling subtree and at the levels above it (a grid worker
    dispatches to the street's departments too)."""
    from .models import DispatchUnit

    paths = access.paths(user, access.HANDLE)
    if not paths:
        return DispatchUnit.objects.none()
    above = {path[:i] for path in paths for i in range(4, len(path) + 1, 4)}
    return DispatchUnit.objects.filter(Q(org__path__in=above) | subtree_q("org__path", paths), active=True)


def search_units(queryset, text):
    return queryset.filter(name__icontains=(text or "").strip()[:50])


def public_places(text, limit=20):
    """Communities, villages and grids whose name or pinyin matches: the resident's place search."""
    from dangjian.core.pickers import search_by_key
    from dangjian.orgs.models import Area

    if not (text or "").strip():
        return []
    queryset = Area.objects.filter(kind__in=("community", "village", "grid", "building"))
    return list(search_by_key(queryset, text).order_by("depth", "path")[:limit])


def place_label(area):
    """'甲区幸福社区 · 第1网格' for a grid: the resident recognises the community."""
    from dangjian.orgs.models import Area

    if area.kind in ("community", "village"):
        return area.name
    prefixes = [area.path[:i] for i in range(4, len(area.path), 4)]
    names = [a.name for a in Area.objects.filter(path__in=prefixes, kind__in=("community", "village", "grid"))
             .order_by("path")]
    return " · ".join([*names, area.name])
