"""双报到 and 党建超市 figures at city scale: community_service.selectors.figures for
city_admin (reported members and units, items, bookings and attendance, whistle calls on
time, claims made and done) beside hand-written SQL computing the same numbers over path
ranges, checked equal; and the pages' time."""

from worker import count_queries, paired_ms


def raw_queries(root_path):
    from dangjian.core.tree import path_upper_bound

    low, high = root_path, path_upper_bound(root_path)
    in_tree = "o.path >= %s AND o.path < %s"
    return [
        (f"SELECT COUNT(*) FROM community_service_memberreport r JOIN orgs_org o ON o.id = r.community_id"
         f" WHERE {in_tree} AND r.status = 'accepted'", [low, high]),
        (f"SELECT COUNT(*) FROM cobuilding_unitreport r JOIN orgs_org o ON o.id = r.community_id"
         f" WHERE {in_tree} AND r.status = 'accepted'", [low, high]),
        (f"SELECT COUNT(*) FROM community_service_serviceitem i JOIN orgs_org o ON o.id = i.org_id"
         f" WHERE {in_tree} AND NOT i.cancelled", [low, high]),
        (f"SELECT COUNT(*), SUM(CASE WHEN b.attendance = 'present' THEN 1 ELSE 0 END)"
         f" FROM community_service_booking b JOIN community_service_serviceitem i ON i.id = b.item_id"
         f" JOIN orgs_org o ON o.id = i.org_id WHERE {in_tree} AND NOT b.cancelled", [low, high]),
        (f"SELECT COUNT(*), SUM(CASE WHEN c.arrived_at <= w.due_at THEN 1 ELSE 0 END)"
         f" FROM community_service_whistlecall c JOIN community_service_whistle w ON w.id = c.whistle_id"
         f" JOIN orgs_org o ON o.id = w.street_id WHERE {in_tree}", [low, high]),
        (f"SELECT COUNT(*), SUM(CASE WHEN c.done_at IS NOT NULL THEN 1 ELSE 0 END)"
         f" FROM community_service_claim c JOIN orgs_org o ON o.id = c.community_id WHERE {in_tree}", [low, high]),
    ]


def measure(repeat):
    import time

    import rawsql
    from django.db import connection
    from django.test import Client

    from dangjian.accounts.models import User
    from dangjian.community_service import selectors
    from dangjian.core.scope import scope_paths
    from dangjian.orgs.models import Org

    user = User.objects.get(username="city_admin")
    root = Org.objects.get(path=scope_paths(user, "view")[0])
    queries = raw_queries(root.path)

    def ours():
        return selectors.figures(user)

    f = ours()
    rows = [r[0] for r in rawsql.fetch(connection, queries)]
    raw = [rows[0][0], rows[1][0], rows[2][0], rows[3][0], rows[3][1] or 0, rows[4][0], rows[4][1] or 0,
           rows[5][0], rows[5][1] or 0]
    mine = [f["members"], f["units"], f["items"], f["bookings"], f["attended"], f["calls"], f["on_time"],
            f["claims"], f["claims_done"]]
    ours_ms, raw_ms = paired_ms(ours, lambda: rawsql.run_queries(connection, queries), repeat=repeat)
    out = {"root": root.name, "values": mine, "raw_values": raw,
           "figures": {"community_service.figures": {
               "ours_ms": ours_ms, "ours_queries": count_queries(ours), "raw_ms": raw_ms, "raw_queries": len(queries),
               "same": mine == raw}}}
    client = Client()
    client.force_login(user)
    for key, url in (("community_service.index_page", "/community/"),
                     ("community_service.reports_page", "/community/reports/"),
                     ("community_service.records_page", "/community/records/")):
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
