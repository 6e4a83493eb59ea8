"""The physical limits the harness sets our figures beside: a raw bulk insert of the rows
the seed wrote (same tables, same columns, values already computed), and hand-written SQL
for the figures the overview, the member list page, the API list, the progress board and the
overdue list need."""

import sqlite3
import time

from dangjian.core.tree import path_upper_bound

TABLES = ["orgs_area", "orgs_org", "orgs_member", "orgs_person", "orgs_post"]
CHUNK = 20_000


def _timed_chunks(fetch, insert):
    """Feed chunks from `fetch` to `insert`, timing only the inserts."""
    spent, rows = 0.0, 0
    while True:
        chunk = fetch()
        if not chunk:
            return spent, rows
        began = time.perf_counter()
        insert(chunk)
        spent += time.perf_counter() - began
        rows += len(chunk)


def raw_insert_sqlite(source_path, target_path, tables=TABLES):
    """executemany of one prepared INSERT per table into a copy of the empty, migrated
    database (same schema, indexes, foreign keys), in one transaction, with the pragmas
    the application uses."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-262144"):
        target.execute(f"PRAGMA {pragma}")
    total, counts = 0.0, {}
    began = time.perf_counter()
    target.execute("BEGIN IMMEDIATE")
    total += time.perf_counter() - began
    for table in tables:
        columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = source.execute(f'SELECT {names} FROM "{table}" ORDER BY id')
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        spent, rows = _timed_chunks(lambda: cursor.fetchmany(CHUNK), lambda chunk: target.executemany(sql, chunk))
        total += spent
        counts[table] = rows
    began = time.perf_counter()
    target.execute("COMMIT")
    total += time.perf_counter() - began
    source.close()
    target.close()
    return {"seconds": total, "rows": counts, "method": "sqlite3 executemany"}


def raw_insert_postgres(source_url, target_url, tables=TABLES):
    """COPY of the same rows into a database made from the migrated, empty template."""
    import psycopg

    total, counts = 0.0, {}
    with psycopg.connect(source_url) as source, psycopg.connect(target_url) as target:
        for table in tables:
            with source.cursor() as cur:
                cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                            "ORDER BY ordinal_position", [table])
                columns = [r[0] for r in cur.fetchall()]
            names = ", ".join(f'"{c}"' for c in columns)
            with source.cursor(name=f"dump_{table}") as dump, target.cursor() as out:
                dump.execute(f'SELECT {names} FROM "{table}" ORDER BY id')

                def insert(chunk):
                    with out.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                        for row in chunk:
                            copy.write_row(row)

                spent, rows = _timed_chunks(lambda: dump.fetchmany(CHUNK), insert)
            total += spent
            counts[table] = rows
        began = time.perf_counter()
        target.commit()
        total += time.perf_counter() - began
    return {"seconds": total, "rows": counts, "method": "psycopg COPY"}


def overview_sql(org_path, area_path):
    """The four GROUP BY / EXISTS queries the subtree overview needs, nothing else."""
    org_range = [org_path, path_upper_bound(org_path)]
    area_range = [area_path, path_upper_bound(area_path)]
    coverage = ("SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM orgs_org o WHERE o.area_id = a.id "
                "AND o.kind = %s AND o.closed_at IS NULL) THEN 1 ELSE 0 END) FROM orgs_area a "
                "WHERE a.path >= %s AND a.path < %s AND a.kind = %s")
    return [
        ("SELECT kind, sector, COUNT(*) FROM orgs_org WHERE path >= %s AND path < %s AND closed_at IS NULL "
         "GROUP BY kind, sector", org_range),
        ("SELECT m.status, m.category, COUNT(*) FROM orgs_member m JOIN orgs_org o ON o.id = m.org_id "
         "WHERE o.path >= %s AND o.path < %s AND m.left_on IS NULL GROUP BY m.status, m.category", org_range),
        (coverage, ["branch", *area_range, "grid"]),
        (coverage, ["group", *area_range, "building"]),
    ]


def member_page_sql(org_path, page_size=50, vendor="sqlite"):
    """What the first page of a subtree's member list needs: the count and 50 rows in the
    page's order (pinyin key compared bytewise, then id) with each member's organisation."""
    order = 'm.search_text COLLATE "C", m.id' if vendor == "postgresql" else "m.search_text, m.id"
    org_range = [org_path, path_upper_bound(org_path)]
    where = "FROM orgs_member m JOIN orgs_org o ON o.id = m.org_id WHERE o.path >= %s AND o.path < %s " \
            "AND m.left_on IS NULL"
    return [
        (f"SELECT COUNT(*) {where}", org_range),
        (f"SELECT m.id, m.name, m.gender, m.birth_date, m.id_number_masked, m.phone_masked, m.status, m.category, "
         f"m.joined_on, o.id, o.name {where} ORDER BY {order} LIMIT {int(page_size)}", org_range),
    ]


def member_api_sql(org_path, page_size=50):
    """What the first page of the API list needs: the count and 50 rows in id order."""
    org_range = [org_path, path_upper_bound(org_path)]
    where = "FROM orgs_member m JOIN orgs_org o ON o.id = m.org_id WHERE o.path >= %s AND o.path < %s"
    return [
        (f"SELECT COUNT(*) {where}", org_range),
        (f"SELECT m.*, o.name {where} ORDER BY m.id LIMIT {int(page_size)}", org_range),
    ]


OPEN_STATUSES = ("planned", "in_progress", "returned")


def board_sql(root_path, depth, today, steplen=4):
    """The progress board of `root`'s children: per branch (the path prefix at `depth`),
    the measures' count, Σshare and Σ(share × progress) (completion = their quotient, see
    docs/lists.md) and the overdue, accepted and submitted counts, in one GROUP BY over
    the root's path range; then the children themselves."""
    org_range = [root_path, path_upper_bound(root_path)]
    branch = f"SUBSTR(o.path, 1, {int(depth) * int(steplen)})"
    return [
        (f"SELECT {branch}, COUNT(*), SUM(m.share), SUM(m.share * m.progress), "
         "SUM(CASE WHEN m.status IN (%s, %s, %s) AND m.deadline < %s THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN m.status = 'accepted' THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN m.status = 'submitted' THEN 1 ELSE 0 END) "
         "FROM lists_measure m JOIN orgs_org o ON o.id = m.org_id "
         f"WHERE o.path >= %s AND o.path < %s GROUP BY {branch}", [*OPEN_STATUSES, today, *org_range]),
        ("SELECT id, path, name FROM orgs_org WHERE path >= %s AND path < %s AND depth = %s AND closed_at IS NULL "
         "ORDER BY path", [*org_range, int(depth)]),
    ]


def lists_overview_sql(root_path, today):
    """The lists panel of the overview: measures, Σshare, Σ(share × progress), overdue,
    due within 7 days and accepted in the root's subtree, one aggregate."""
    import datetime

    org_range = [root_path, path_upper_bound(root_path)]
    soon = today + datetime.timedelta(days=7)
    return [
        ("SELECT COUNT(*), SUM(m.share), SUM(m.share * m.progress), "
         "SUM(CASE WHEN m.status IN (%s, %s, %s) AND m.deadline < %s THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN m.status IN (%s, %s, %s) AND m.deadline >= %s AND m.deadline <= %s THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN m.status = 'accepted' THEN 1 ELSE 0 END) "
         "FROM lists_measure m JOIN orgs_org o ON o.id = m.org_id WHERE o.path >= %s AND o.path < %s",
         [*OPEN_STATUSES, today, *OPEN_STATUSES, today, soon, *org_range]),
    ]


def overdue_sql(root_path, today, page_size=50):
    """The overdue list's first page: the count of open measures past their deadline in
    the root's subtree, and the oldest 50 with their organisation, list and responsible
    person (what the page shows)."""
    org_range = [root_path, path_upper_bound(root_path)]
    where = ("FROM lists_measure m JOIN orgs_org o ON o.id = m.org_id "
             "WHERE o.path >= %s AND o.path < %s AND m.status IN (%s, %s, %s) AND m.deadline < %s")
    params = [*org_range, *OPEN_STATUSES, today]
    return [
        (f"SELECT COUNT(*) {where}", params),
        ("SELECT m.id, m.title, m.deadline, m.status, m.progress, m.has_progress, o.id, o.name, l.id, l.title, "
         "l.kind, r.id, r.name "
         "FROM lists_measure m JOIN orgs_org o ON o.id = m.org_id JOIN lists_list l ON l.id = m.list_id "
         "LEFT JOIN orgs_member r ON r.id = m.responsible_id "
         "WHERE o.path >= %s AND o.path < %s AND m.status IN (%s, %s, %s) AND m.deadline < %s "
         f"ORDER BY m.deadline, m.id LIMIT {int(page_size)}", params),
    ]


def fetch(connection, queries):
    """Every query's rows (to check the limit computes the same figures as ours)."""
    with connection.cursor() as cursor:
        out = []
        for sql, params in queries:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
        return out


def run_queries(connection, queries):
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            cursor.fetchall()
