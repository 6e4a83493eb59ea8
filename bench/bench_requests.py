"""The requests benchmark: the city's residents' request figures (received, solved, on time,
overdue, reopened, rated, satisfied, rating sum; in total, by category and by grid, with the
names) as city_admin through resident_requests.selectors, beside hand-written SQL computing
the same figures (checked equal). Called by worker.py when this file exists."""

import datetime

OPEN = ("submitted", "accepted", "dispatched", "in_progress", "need_info", "handed_back")
DONE = ("resolved", "closed")


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


SOLVED = f"r.status IN {_in(DONE)} AND r.reopen_count = 0"
SUMS = f"""
  COUNT(*),
  SUM(CASE WHEN {SOLVED} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {SOLVED} AND r.resolved_at <= r.deadline_at THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.status IN {_in(OPEN)} AND r.deadline_at < %(now)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.reopen_count > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.rating >= 4 THEN 1 ELSE 0 END),
  SUM(CASE WHEN ({SOLVED}) OR r.deadline_at < %(now)s THEN 1 ELSE 0 END),
  SUM(r.rating)"""
KEYS = ("received", "solved", "on_time", "overdue", "reopened", "rated", "satisfied", "due", "rating_sum")
FROM = """FROM resident_requests_request r JOIN orgs_org g ON g.id = r.org_id
WHERE g.path >= %(lo)s AND g.path < %(hi)s"""


def queries(root, now):
    from dangjian.core.tree import path_upper_bound

    params = {"lo": root.path, "hi": path_upper_bound(root.path), "now": now}
    return [
        (f"SELECT {SUMS} {FROM}", params),
        (f"""SELECT c.id, c.name, t.* FROM (SELECT r.category_id AS category, {SUMS} {FROM} GROUP BY r.category_id) t
             JOIN resident_requests_category c ON c.id = t.category ORDER BY c.position, c.id""", params),
        (f"""SELECT t.grid, a.name, t.* FROM (SELECT r.grid_id AS grid, {SUMS} {FROM} GROUP BY r.grid_id) t
             LEFT JOIN orgs_area a ON a.id = t.grid""", params),
    ]


def run(connection, qs):
    out = []
    with connection.cursor() as cursor:
        for sql, params in qs:
            if connection.vendor == "sqlite":
                import re

                sql = re.sub(r"%\((\w+)\)s", r":\1", sql)
                params = {k: (v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v)
                          for k, v in params.items()}
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def _figures(values):
    return tuple(int(v or 0) for v in values)


def measure(repeat):
    from django.db import connection
    from django.utils import timezone
    from worker import count_queries, paired_ms

    from dangjian.accounts.models import User
    from dangjian.orgs.models import Org
    from dangjian.resident_requests import selectors

    user = User.objects.get(username="city_admin")
    root = Org.objects.filter(depth=1).order_by("path").first()
    now = timezone.now()
    qs = queries(root, now)

    def ours():
        return selectors.figures(user, now=now)

    def raw():
        return run(connection, qs)

    data = ours()
    (total,), categories, grids = raw()
    same_total = tuple(data["total"][k] or 0 for k in KEYS) == _figures(total)
    same_categories = ({r["category"]: (r["label"], *(r[k] or 0 for k in KEYS)) for r in data["by_category"]}
                       == {row[0]: (row[1], *_figures(row[3:])) for row in categories})
    same_grids = ({r["grid"]: tuple(r[k] or 0 for k in KEYS) for r in data["by_grid"]}
                  == {row[0]: _figures(row[3:]) for row in grids})
    ours_ms, raw_ms = paired_ms(ours, raw, repeat=repeat)
    total = data["total"]
    return {
        "root": root.name, "now": now.isoformat(), "requests": total["received"], "grids": len(data["by_grid"]),
        "on_time_rate": total["on_time_rate"], "satisfaction": total["satisfaction"],
        "figures": {"requests.city_figures": {
            "ours_ms": ours_ms, "ours_queries": count_queries(ours), "raw_ms": raw_ms, "raw_queries": len(qs),
            "same": bool(same_total and same_categories and same_grids)}},
        "checks": {"total": same_total, "by_category": same_categories, "by_grid": same_grids},
    }
