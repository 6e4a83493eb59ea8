"""One database's benchmark, run by bench/run.py in a process of its own (Django settings
come from the environment it sets: DANGJIAN_VAR_DIR, DATABASE_URL). Prints nothing but
progress; writes its figures as JSON to --out."""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

PASSWORD = "Bench-pass-2026"


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def paired_ms(*fns, repeat):
    """Median milliseconds of each of `fns`, timed in turn (ours, limit, ours, limit, …)
    so that both sides see the same load on a shared machine."""
    for fn in fns:
        fn()                               # warm caches (and the first query plans)
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times):
            began = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - began)
    return [round(statistics.median(spent) * 1000, 1) for spent in times]


def count_queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Steps ------------------------------------------------------------------------------------

def snapshot_empty(vendor, args):
    """Keep an empty migrated copy of the database for the raw insert."""
    from django.conf import settings
    from django.db import connection

    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        source = Path(settings.DATABASES["default"]["NAME"])
        target = source.with_name("raw.sqlite3")
        shutil.copyfile(source, target)
        return {"path": str(target)}
    import psycopg

    connection.close()
    with psycopg.connect(args.admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.raw_db}"')
        admin.execute(f'CREATE DATABASE "{args.raw_db}" TEMPLATE "{settings.DATABASES["default"]["NAME"]}"')
    return {"url": args.raw_url}


def seed(preset):
    from dangjian.orgs.seed import load, plan

    began = time.perf_counter()
    planned = plan(preset)
    plan_seconds = time.perf_counter() - began
    result = load(planned, password=PASSWORD)
    timings = {"plan": plan_seconds, **result["timings"]}
    rows = sum(timings[k] for k in ("plan", "areas", "orgs", "members", "posts"))
    return {"timings": {k: round(v, 2) for k, v in timings.items()}, "rows_seconds": round(rows, 2),
            "counts": result["counts"], "extensions": result["extensions"]}


def raw_insert(vendor, snapshot):
    import rawsql
    from django.conf import settings

    if vendor == "sqlite":
        return rawsql.raw_insert_sqlite(settings.DATABASES["default"]["NAME"], snapshot["path"])
    return rawsql.raw_insert_postgres(os.environ["DATABASE_URL"], snapshot["url"])


def district_of_interest():
    from django.db.models import Count

    from dangjian.orgs.models import Org, OrgKind

    districts = list(Org.objects.filter(depth=2, kind__in=[OrgKind.LOCAL_COMMITTEE, OrgKind.WORKING_COMMITTEE]))
    # The district with the most members: the heaviest page a district user opens.
    sizes = {
        d.pk: n for d, n in ((d, Org.objects.within(d).aggregate(n=Count("members"))["n"]) for d in districts)
    }
    return max(districts, key=lambda d: sizes[d.pk]), sizes


def measure_overview(repeat):
    import rawsql
    from django.db import connection

    from dangjian.accounts.models import User
    from dangjian.orgs import selectors
    from dangjian.orgs.models import Area, Org

    def ours():
        user = User.objects.get(username="city_admin")      # a fresh user: no cached scope
        return selectors.overview(user)

    city = Org.objects.get(depth=1)
    queries = rawsql.overview_sql(city.path, Area.objects.get(pk=city.area_id).path)
    figures = ours()
    ours_ms, raw_ms = paired_ms(ours, lambda: rawsql.run_queries(connection, queries), repeat=repeat)
    return {
        "ours_ms": ours_ms, "ours_queries": count_queries(ours) - 1, "raw_ms": raw_ms, "raw_queries": len(queries),
        "check": {"grassroots": figures["grassroots_total"], "members": figures["members_total"]},
    }


def measure_page(district, repeat):
    import rawsql
    from django.db import connection
    from django.test import Client

    from dangjian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="city_admin"))
    url = f"/members/?within={district.pk}"
    response = client.get(url)
    if response.status_code != 200:
        return {"available": False, "reason": f"HTTP {response.status_code} for {url}", "url": url}
    queries = rawsql.member_page_sql(district.path, vendor=connection.vendor)
    ours_ms, raw_ms = paired_ms(lambda: client.get(url), lambda: rawsql.run_queries(connection, queries),
                                repeat=repeat)
    return {
        "available": True, "url": url, "bytes": len(response.content),
        "ours_ms": ours_ms, "ours_queries": count_queries(lambda: client.get(url)),
        "raw_ms": raw_ms, "raw_queries": len(queries),
    }


def api_token():
    from dangjian.accounts.models import User

    user = User.objects.get(username="city_admin")
    from dangjian.accounts.tokens import api_key

    return api_key(user, name="bench")


def measure_api(district, args):
    from django.test import Client

    import loadgen

    path = f"/api/v1/members/?within={district.pk}"
    # The same list in cursor mode (core.api.pagination): no COUNT(*), an id range scan.
    cursor_path = f"{path}&cursor="
    token = api_token()
    headers = {"Authorization": f"Token {token}"}
    client = Client()
    response = client.get(path, HTTP_AUTHORIZATION=headers["Authorization"])
    if response.status_code != 200:
        return {"available": False, "reason": f"HTTP {response.status_code} for {path}", "url": path}
    in_process_queries = count_queries(lambda: client.get(path, HTTP_AUTHORIZATION=headers["Authorization"]))
    cursor_queries = count_queries(lambda: client.get(cursor_path, HTTP_AUTHORIZATION=headers["Authorization"]))
    import rawsql
    from django.db import connection

    queries = rawsql.member_api_sql(district.path)
    # The floor, and each of its two queries alone: the COUNT(*) page-number pagination
    # needs, and the 50 rows any pagination needs.
    in_process_ms, cursor_ms, raw_ms, count_ms, rows_ms = paired_ms(
        lambda: client.get(path, HTTP_AUTHORIZATION=headers["Authorization"]),
        lambda: client.get(cursor_path, HTTP_AUTHORIZATION=headers["Authorization"]),
        lambda: rawsql.run_queries(connection, queries),
        lambda: rawsql.run_queries(connection, queries[:1]),
        lambda: rawsql.run_queries(connection, queries[1:]), repeat=args.repeat)

    connection.close()
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "dangjian.wsgi:application", "--workers", "2",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    log = open(Path(os.environ["DANGJIAN_VAR_DIR"]) / "gunicorn.log", "w")
    server = subprocess.Popen(gunicorn, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                return {"available": False, "reason": "the server did not start (see gunicorn.log)", "url": path}
            time.sleep(0.5)
        for warm in (path, cursor_path, "/healthz"):     # both workers import and connect
            loadgen.hammer(port, warm, clients=2, seconds=2, headers=headers)
        say(f"load: {args.clients} clients × {args.seconds:.0f} s on {path}")
        api = loadgen.hammer(port, path, clients=args.clients, seconds=args.seconds, headers=headers)
        say(f"load: {args.clients} clients × {args.seconds:.0f} s on {cursor_path}")
        cursor = loadgen.hammer(port, cursor_path, clients=args.clients, seconds=args.seconds, headers=headers)
        say(f"load: {args.clients} clients × {args.seconds:.0f} s on /healthz")
        health = loadgen.hammer(port, "/healthz", clients=args.clients, seconds=args.seconds)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {"available": api["ok"] > 0, "url": path, "server": "gunicorn, 2 sync workers",
            "in_process_ms": in_process_ms, "in_process_queries": in_process_queries,
            "raw_ms": raw_ms, "raw_queries": len(queries), "raw_count_ms": count_ms, "raw_rows_ms": rows_ms,
            "api": api, "healthz": health, "cursor_url": cursor_path, "cursor": cursor,
            "cursor_in_process_ms": cursor_ms, "cursor_in_process_queries": cursor_queries,
            **({} if api["ok"] else {"reason": f"no successful answers: {api['statuses']}"})}


def measure_lists(repeat):
    """The progress board and the overdue list for city_admin (the callables
    lists.selectors.bench_cases gives, then the two pages in the test client) beside
    hand-written SQL; the limit's figures are checked against ours."""
    import rawsql
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.lists import rollup, selectors
    from dangjian.lists.models import Measure
    from dangjian.orgs.models import Org

    user = User.objects.get(username="city_admin")
    cases = selectors.bench_cases(user)
    root = selectors.default_root(user)
    today = timezone.localdate()
    board_queries = rawsql.board_sql(root.path, root.depth + 1, today, steplen=Org.steplen)
    overdue_queries = rawsql.overdue_sql(root.path, today)

    overview_queries = rawsql.lists_overview_sql(root.path, today)

    def shown(n, sum_share, sum_share_value):
        """The completion as the pages show it (lists.rollup.figure), from the limit's sums."""
        return rollup.figure(rollup.share_completion(sum_share, sum_share_value)) if n else None

    # The limit computes the same figures: per child, measures / completion / overdue /
    # accepted; the overview's figures; the overdue count and the first page's rows.
    rows = cases["lists.progress_board"]()
    branches, children = rawsql.fetch(connection, board_queries)
    by_branch = {b[0]: b for b in branches}
    ours_board = {r.org.path: (r.n, r.value, r.overdue, r.accepted) for r in rows}
    raw_board = {c[1]: (int(by_branch[c[1]][1]), shown(*by_branch[c[1]][1:4]), int(by_branch[c[1]][4]),
                        int(by_branch[c[1]][5])) if c[1] in by_branch else (0, None, 0, 0)
                 for c in children}
    overview = cases["lists.overview"]()
    (raw_overview,), = rawsql.fetch(connection, overview_queries)
    ours_overview = (overview["n"], overview["completion"], overview["overdue"], overview["due_soon"],
                     overview["accepted"])
    raw_overview = (raw_overview[0], shown(*raw_overview[:3]), *(int(v or 0) for v in raw_overview[3:]))
    count, page = cases["lists.overdue_list"]()
    raw_count, raw_page = rawsql.fetch(connection, overdue_queries)
    checks = {"lists.progress_board": ours_board == raw_board,
              "lists.overview": ours_overview == raw_overview,
              "lists.overdue_list": count == raw_count[0][0] and [m.pk for m in page] == [r[0] for r in raw_page]}

    client = Client()
    client.force_login(user)
    out = {"root": root.name, "children": len(children), "today": today.isoformat(),
           "measures": Measure.objects.within(root).count(), "overdue": count, "figures": {}}
    for key, fn, url, queries in (
        ("lists.progress_board", cases["lists.progress_board"], "/lists/board/", board_queries),
        ("lists.overview", cases["lists.overview"], f"/orgs/{root.pk}/", overview_queries),
        ("lists.overdue_list", cases["lists.overdue_list"], "/lists/measures/?due=overdue", overdue_queries),
    ):
        raw = lambda q=queries: rawsql.run_queries(connection, q)  # noqa: E731
        ours_ms, raw_ms = paired_ms(fn, raw, repeat=repeat)
        out["figures"][key] = {"ours_ms": ours_ms, "ours_queries": count_queries(fn),
                               "raw_ms": raw_ms, "raw_queries": len(queries), "same": checks[key]}
        response = client.get(url)
        if response.status_code != 200:
            out["figures"][key + ".page"] = {"available": False, "url": url,
                                             "reason": f"HTTP {response.status_code} for {url}"}
            continue
        page_ms, raw_ms = paired_ms(lambda u=url: client.get(u), raw, repeat=repeat)
        out["figures"][key + ".page"] = {
            "available": True, "url": url, "bytes": len(response.content),
            "ours_ms": page_ms, "ours_queries": count_queries(lambda u=url: client.get(u)),
            "raw_ms": raw_ms, "raw_queries": len(queries), "same": checks[key]}
    return out


def _copy_dump_lines():
    """PostgreSQL without pg_dump: every table's rows as COPY text, line by line."""
    from django.db import connection

    connection.ensure_connection()
    for table in sorted(connection.introspection.table_names()):
        with connection.connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                pending = b""
                for block in copy:
                    pending += bytes(block)
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        yield line.decode()
                if pending:
                    yield pending.decode()


def measure_pii_dump(sample_size):
    """Dump the whole database and look for the plaintext ID numbers and phones of a
    sample of members (decrypted through the model), with the pii_dump_check helpers.
    Two controls make a zero mean something: the scan finds a plaintext planted in a
    line, and the dump holds the sampled members' rows (a ciphertext of theirs)."""
    import random

    from django.db import connection

    from dangjian.core.management.commands.pii_dump_check import dump_lines, find_plaintexts
    from dangjian.orgs.models import Member

    began = time.perf_counter()
    ids = list(Member.objects.values_list("id", flat=True))
    chosen = random.Random(2026).sample(ids, min(sample_size, len(ids)))
    members = list(Member.objects.filter(id__in=chosen).only("id", "id_number_encrypted", "phone_encrypted"))
    id_numbers = {m.id_number for m in members}
    phones = {m.phone for m in members if m.phone_encrypted}
    decrypt_seconds = time.perf_counter() - began
    plaintexts = id_numbers | phones
    probe = sorted(plaintexts)[0]
    planted = find_plaintexts([f"INSERT INTO \"orgs_member\" VALUES(1,'x','{probe}');"], plaintexts)
    control = members[0].id_number_encrypted
    if connection.vendor == "sqlite":
        method, lines = "sqlite3 iterdump", dump_lines()
    elif shutil.which("pg_dump"):
        method, lines = "pg_dump --data-only", dump_lines()
    else:
        method, lines = "COPY of every table (no pg_dump)", _copy_dump_lines()
    stats = {"lines": 0, "bytes": 0, "control_seen": False}

    def counted(source):
        for line in source:
            stats["lines"] += 1
            stats["bytes"] += len(line.encode())
            if not stats["control_seen"] and control in line:
                stats["control_seen"] = True
            yield line

    began = time.perf_counter()
    found = find_plaintexts(counted(lines), plaintexts)
    seconds = time.perf_counter() - began
    from dangjian.core import crypto

    return {
        "available": True, "method": method, "members": len(members), "id_numbers": len(id_numbers),
        "phones": len(phones), "decrypt_seconds": round(decrypt_seconds, 2), "seconds": round(seconds, 1),
        "lines": stats["lines"], "bytes": stats["bytes"], "found": len(found),
        "found_sample": [crypto.mask_id_number(v) if len(v) == 18 else crypto.mask_phone(v) for v in sorted(found)[:5]],
        "planted_found": planted == {probe.upper()}, "control_seen": stats["control_seen"],
        "ok": not found and planted == {probe.upper()} and stats["control_seen"],
    }


def database_version(vendor):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        return cursor.fetchone()[0]


# Each later module measures its own figures beside hand-written SQL in bench/bench_<module>.py,
# a function `measure(repeat) -> {"figures": {key: {ours_ms, ours_queries, raw_ms, raw_queries,
# same}}, ...}` shaped like measure_lists.
MODULE_BENCHES = ("duties", "responsibilities", "requests", "cobuilding", "community_service")


def module_benches(repeat):
    import importlib

    steps = []
    for name in MODULE_BENCHES:
        try:
            module = importlib.import_module(f"bench_{name}")
        except ModuleNotFoundError:
            continue
        steps.append((name, lambda m=module: m.measure(repeat)))
    return steps


def main():
    import member_import

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pii-sample", type=int, default=2000)
    parser.add_argument("--admin-url", default="")
    parser.add_argument("--raw-db", default="")
    parser.add_argument("--raw-url", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    result = {"db": args.db, "preset": args.preset, "version": database_version(vendor)}
    say(f"{args.db}: migrate")
    call_command("migrate", verbosity=0)
    snapshot = snapshot_empty(vendor, args)
    say(f"{args.db}: seed {args.preset}")
    result["seed"] = seed(args.preset)
    say(f"{args.db}: seeded in {result['seed']['rows_seconds']} s (rows), {result['seed']['timings']}")
    say(f"{args.db}: raw insert of the same rows")
    result["raw_insert"] = raw_insert(vendor, snapshot)
    say(f"{args.db}: raw insert {result['raw_insert']['seconds']:.1f} s")
    district, sizes = district_of_interest()
    result["district"] = {"name": district.name, "pk": district.pk, "members": sizes[district.pk]}
    for name, step in (("overview", lambda: measure_overview(args.repeat)),
                       ("member_page", lambda: measure_page(district, args.repeat)),
                       ("api", lambda: measure_api(district, args)),
                       ("lists", lambda: measure_lists(args.repeat)),
                       *module_benches(args.repeat),
                       ("pii_dump", lambda: measure_pii_dump(args.pii_sample)),
                       # Last: it empties the member table and fills it again.
                       ("member_import", lambda: member_import.measure(args))):
        say(f"{args.db}: {name}")
        try:
            result[name] = step()
        except Exception as exc:  # a missing page or API is reported, not fatal
            result[name] = {"available": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}
        say(f"{args.db}: {name} → {json.dumps(result[name], ensure_ascii=False)[:300]}")
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
