"""Co-building at city scale: the coverage of units (有效覆盖) for the whole city as
city_admin through cobuilding.selectors.coverage_summary (units by type × coverage, the
covered and uncovered counts), beside one hand-written GROUP BY over the organisation
path range computing the same figures, checked equal; then the coverage page and the
uncovered units' list page in the test client."""

from worker import count_queries, paired_ms


def raw_queries(root_path):
    from dangjian.core.tree import path_upper_bound

    upper = path_upper_bound(root_path)
    return [(
        "SELECT u.kind, u.coverage, COUNT(*) FROM cobuilding_unit u JOIN orgs_org o ON o.id = u.org_id"
        " WHERE o.path >= %s AND o.path < %s AND u.closed_on IS NULL GROUP BY u.kind, u.coverage",
        [root_path, upper])]


def measure(repeat):
    import time

    import rawsql
    from django.db import connection
    from django.test import Client

    from dangjian.accounts.models import User
    from dangjian.cobuilding import selectors
    from dangjian.cobuilding.models import COVERED, Coverage
    from dangjian.core.scope import scope_paths

    user = User.objects.get(username="city_admin")
    (root_path,) = scope_paths(user, "view")
    queries = raw_queries(root_path)

    def ours():
        return selectors.coverage_summary(user)

    summary = ours()
    mine = {(row["kind"], cell["coverage"]): cell["value"] for row in summary["rows"] for cell in row["cells"]
            if cell["value"]}
    (rows,) = rawsql.fetch(connection, queries)
    raw = {(kind, cov): n for kind, cov, n in rows}
    raw_total = sum(raw.values())
    raw_covered = sum(n for (kind, cov), n in raw.items() if cov in COVERED)
    raw_uncovered = sum(n for (kind, cov), n in raw.items() if cov == Coverage.NONE)
    same = (mine == raw and summary["total"] == raw_total and summary["covered"] == raw_covered
            and summary["uncovered"] == raw_uncovered)
    ours_ms, raw_ms = paired_ms(ours, lambda: rawsql.run_queries(connection, queries), repeat=repeat)
    out = {"total": summary["total"], "covered": summary["covered"], "uncovered": summary["uncovered"],
           "rate": summary["rate"],
           "figures": {"cobuilding.unit_coverage": {
               "ours_ms": ours_ms, "ours_queries": count_queries(ours), "raw_ms": raw_ms,
               "raw_queries": len(queries), "same": same}}}
    client = Client()
    client.force_login(user)
    for key, url in (("cobuilding.coverage_page", "/cobuilding/"),
                     ("cobuilding.uncovered_page", "/cobuilding/units/?coverage=none")):
        client.get(url)
        began = time.perf_counter()
        response = client.get(url)
        out[key] = {"status": response.status_code, "ms": round((time.perf_counter() - began) * 1000, 1),
                    "queries": count_queries(lambda u=url: client.get(u))}
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
