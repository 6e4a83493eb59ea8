"""一岗双责 figures at city scale: the overview panel's six figures for city_admin through
responsibilities.selectors.figures, beside hand-written SQL computing the same six numbers
(one statement each, path ranges on the organisation tree), checked equal."""

from worker import count_queries, paired_ms


def raw_queries(root_path, today):
    from dangjian.core.tree import path_upper_bound
    from dangjian.responsibilities.selectors import STALE_MONTHS, months_before

    low, high = root_path, path_upper_bound(root_path)
    year_start = today.replace(month=1, day=1)
    stale_before = months_before(today, STALE_MONTHS)
    current = "r.start_on <= %s AND (r.end_on IS NULL OR r.end_on >= %s)"
    point_current = "p.since <= %s AND (p.until IS NULL OR p.until >= %s)"
    in_tree = "o.path >= %s AND o.path < %s"
    return [
        (f"SELECT COUNT(*) FROM (SELECT r.org_id FROM responsibilities_responsibility r JOIN orgs_org o ON o.id = r.org_id"
         f" WHERE {in_tree} AND {current} GROUP BY r.org_id HAVING COUNT(DISTINCT r.level) = 3) t",
         [low, high, today, today]),
        (f"SELECT COUNT(DISTINCT r.org_id) FROM responsibilities_responsibility r JOIN orgs_org o ON o.id = r.org_id"
         f" WHERE {in_tree} AND {current}", [low, high, today, today]),
        (f"SELECT COUNT(*) FROM responsibilities_responsibilitydocument d JOIN orgs_org o ON o.id = d.org_id"
         f" WHERE {in_tree} AND d.signed_on >= %s AND d.signed_on <= %s", [low, high, year_start, today]),
        (f"SELECT COUNT(*) FROM responsibilities_contactpoint p JOIN orgs_org o ON o.id = p.org_id"
         f" WHERE {in_tree} AND {point_current}", [low, high, today, today]),
        (f"SELECT COUNT(*) FROM responsibilities_contactvisit v JOIN responsibilities_contactpoint p ON p.id = v.point_id"
         f" JOIN orgs_org o ON o.id = p.org_id WHERE {in_tree} AND v.visited_on >= %s", [low, high, year_start]),
        (f"SELECT COUNT(*) FROM responsibilities_contactpoint p JOIN orgs_org o ON o.id = p.org_id"
         f" WHERE {in_tree} AND {point_current} AND (p.last_visit_on IS NULL OR p.last_visit_on < %s)",
         [low, high, today, today, stale_before]),
    ]


KEYS = ["orgs_complete", "orgs_any", "documents_year", "points", "visits_year", "points_stale"]


def measure(repeat):
    import rawsql
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.responsibilities import selectors

    user = User.objects.get(username="city_admin")
    root = selectors.default_root(user)
    today = timezone.localdate()
    queries = raw_queries(root.path, today)

    def ours():
        return selectors.figures(user, None, today)

    figures = ours()
    raw = [rows[0][0] for rows in rawsql.fetch(connection, queries)]
    mine = [figures[key]["value"] for key in KEYS]
    ours_ms, raw_ms = paired_ms(ours, lambda: rawsql.run_queries(connection, queries), repeat=repeat)
    out = {"root": root.name, "today": today.isoformat(), "values": dict(zip(KEYS, mine)), "raw_values": raw,
           "figures": {"responsibilities.overview": {
               "ours_ms": ours_ms, "ours_queries": count_queries(ours), "raw_ms": raw_ms, "raw_queries": len(queries),
               "same": mine == raw}}}
    client = Client()
    client.force_login(user)
    import time

    for key, url in (("responsibilities.index_page", "/responsibilities/"),
                     ("responsibilities.stale_points_page", "/responsibilities/points/?stale=yes")):
        began = time.perf_counter()
        response = client.get(url)
        out[key] = {"status": response.status_code, "ms": round((time.perf_counter() - began) * 1000, 1)}
    return out


if __name__ == "__main__":
    import json
    import os
    import sys

    import django

    sys.path.insert(0, os.path.dirname(__file__))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5), ensure_ascii=False, indent=1))
