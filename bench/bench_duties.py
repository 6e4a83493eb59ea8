"""The duties benchmark: the city's compliance for the current quarter with its children
table and red list, as city_admin through duties.selectors, beside hand-written SQL that
computes the same figures (checked equal). Called by worker.py when this file exists."""

import datetime
from decimal import Decimal

SUMS = """
  COUNT(*),
  SUM(CASE WHEN o.status = 'fulfilled' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.status = 'late' AND o.fulfilled_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN (o.status = 'late' AND o.fulfilled_on IS NULL) OR (o.status = 'due' AND o.due_date < %(today)s)
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.status = 'excused' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.status = 'due' AND o.due_date >= %(today)s THEN 1 ELSE 0 END)"""

WHERE = """FROM duties_occurrence o JOIN orgs_org g ON g.id = o.org_id
WHERE g.path >= %(lo)s AND g.path < %(hi)s AND o.period_start >= %(start)s AND o.period_start <= %(end)s"""


def queries(root, start, end, today, steplen):
    from dangjian.core.tree import path_upper_bound

    params = {"lo": root.path, "hi": path_upper_bound(root.path), "start": start, "end": end, "today": today}
    depth_len = (root.depth + 1) * steplen
    return [
        (f"SELECT {SUMS} {WHERE}", params),
        (f"SELECT SUBSTR(g.path, 1, {depth_len}) AS branch, {SUMS} {WHERE} GROUP BY SUBSTR(g.path, 1, {depth_len})",
         params),
        # The red list with the city-wide default threshold (the only row the seed has).
        (f"""SELECT o.org_id, g.path, g.name, {SUMS} {WHERE} GROUP BY o.org_id, g.path, g.name""", params),
        ("SELECT green, yellow FROM duties_compliancethreshold WHERE org_id IS NULL", {}),
    ]


def run(connection, qs):
    out = []
    with connection.cursor() as cursor:
        for sql, params in qs:
            if connection.vendor == "sqlite":
                import re

                sql = re.sub(r"%\((\w+)\)s", r":\1", sql)
                params = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in params.items()}
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def _rate(held, counted):
    return None if counted <= 0 else (Decimal(held) * 100 / counted).quantize(Decimal("0.1"))


def _figures(row):
    required, fulfilled, late_held, missed, excused, pending = (int(v or 0) for v in row)
    return (required, fulfilled, late_held, missed, excused, pending,
            _rate(fulfilled + late_held, required - excused - pending))


def measure(repeat):
    from django.db import connection
    from django.utils import timezone
    from worker import count_queries, paired_ms

    from dangjian.accounts.models import User
    from dangjian.duties import selectors
    from dangjian.duties.models import Occurrence
    from dangjian.orgs.models import Org

    user = User.objects.get(username="city_admin")
    root = selectors.default_root(user)
    today = timezone.localdate()
    start, end = selectors.default_period(today)
    # Early in a quarter there is little to see: take the last full quarter then.
    if (today - start).days < 30:
        start, end = selectors.default_period(start - datetime.timedelta(days=1))

    def ours():
        figures = selectors.subtree_compliance(root, start, end, today=today)
        children = selectors.children_compliance(root, start, end, today=today)
        red = selectors.red_list(root, start, end, today=today)
        return figures, children, red

    qs = queries(root, start, end, today, Org.steplen)

    def raw():
        return run(connection, qs)

    figures, children, red = ours()
    (total,), branches, per_org, ((green, yellow),) = raw()
    f = figures
    same_total = (f.required, f.fulfilled, f.late_held, f.missed, f.excused, f.pending, f.rate) == _figures(total)
    by_branch = {b[0]: _figures(b[1:]) for b in branches}
    same_children = all(
        (r.figures.required, r.figures.fulfilled, r.figures.late_held, r.figures.missed, r.figures.excused,
         r.figures.pending, r.figures.rate) == by_branch.get(r.org.path, (0, 0, 0, 0, 0, 0, None))
        for r in children if not r.own)
    raw_red = sorted(((_figures(row[3:])[6], row[1], row[0]) for row in per_org
                      if _figures(row[3:])[6] is not None and _figures(row[3:])[6] < yellow))
    same_red = [r.org_id for r in red] == [row[2] for row in raw_red]
    ours_ms, raw_ms = paired_ms(ours, raw, repeat=repeat)
    return {
        "root": root.name, "period": f"{start.isoformat()}—{end.isoformat()}",
        "occurrences": Occurrence.objects.filter(period_start__gte=start, period_start__lte=end).count(),
        "red": len(red), "rate": str(figures.rate),
        "figures": {"duties.compliance_quarter": {
            "ours_ms": ours_ms, "ours_queries": count_queries(ours), "raw_ms": raw_ms, "raw_queries": len(qs),
            "same": bool(same_total and same_children and same_red)}},
        "checks": {"total": same_total, "children": same_children, "red": same_red},
    }
