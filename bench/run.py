"""`make bench` — the benchmark harness.

    .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--preset nantong|demo]
                                  [--clients 8] [--seconds 10] [--repeat 9] [--pii-sample 2000]
                                  [--no-docs] [--keep]

For each database it loads the preset into a fresh database (SQLite: a file in a temporary
VAR dir; PostgreSQL: `dangjian_bench` on the server DATABASE_URL points at, created and
dropped here) and measures, in one run, each figure beside its physical limit on the same
data:

- seeding (plan + areas, organisations, members, posts) vs a raw bulk insert of the same
  rows (executemany on SQLite, COPY on PostgreSQL) into an empty copy of the schema;
- the city overview (orgs.selectors.overview for city_admin) and a district's member list
  page (/members/?within=…, in-process Django test client) vs the hand-written SQL they
  need, with the number of queries;
- the API list /api/v1/members/?within=… under N concurrent clients against a real
  gunicorn (2 workers) on a free 127.0.0.1 port vs /healthz on the same server;
- the lists module's progress board and overdue list for city_admin
  (lists.selectors.bench_cases, then /lists/board/ and /lists/measures/?due=overdue)
  vs hand-written SQL computing the same figures (checked equal);
- a check, not a ratio: the whole database dumped (iterdump / pg_dump) and searched for
  the plaintext ID numbers and phones of --pii-sample members; it must find none.

It prints a table and, for the nantong preset, rewrites docs/benchmarks.md from the latest
result of each database (bench/results/*.json). A page or API that does not exist yet is
reported as not available. It exits with status 1 when a check fails (a plaintext found in
the dump, or a limit that does not compute the same figures as ours), after writing the
results.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(BENCH_DIR))

import report  # noqa: E402


def machine():
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "os": platform.platform(terse=True), "cores": os.cpu_count()}
    try:
        cpu = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        info["cpu"] = cpu[0] if cpu else platform.processor()
        mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        info["memory_gb"] = round(int(mem.split()[1]) / 1024 / 1024, 1)
        info["load_average"] = round(os.getloadavg()[0], 2)
    except (OSError, StopIteration):
        pass
    try:
        import django

        info["django"] = django.get_version()
    except ImportError:
        pass
    return info


def postgres_urls(base_url, preset):
    parsed = urllib.parse.urlsplit(base_url)
    # DANGJIAN_BENCH_DB names the database (and its "_raw" twin), so that runs side by side
    # on one server do not drop each other's.
    name = os.environ.get("DANGJIAN_BENCH_DB") or ("dangjian_bench" if preset == "nantong"
                                                   else f"dangjian_bench_{preset}")
    def with_db(db):
        return urllib.parse.urlunsplit(parsed._replace(path=f"/{db}"))
    return {"admin": with_db("postgres"), "bench": with_db(name), "raw": with_db(f"{name}_raw"),
            "name": name, "raw_name": f"{name}_raw"}


def run_one(db, args):
    import shutil

    var_dir = Path(tempfile.mkdtemp(prefix=f"dangjian-bench-{db}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_") and k != "DATABASE_URL"}
    env.update({"DANGJIAN_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "dangjian.settings",
                "DANGJIAN_DEMO_PASSWORD": "Bench-pass-2026",
                # the load test drives one account far past the API's per-account throttle
                "DANGJIAN_API_RATE_USER": "1000000/min",
                "DANGJIAN_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"})
    out = var_dir / "result.json"
    command = [sys.executable, str(BENCH_DIR / "worker.py"), "--db", db, "--preset", args.preset, "--out", str(out),
               "--repeat", str(args.repeat), "--clients", str(args.clients), "--seconds", str(args.seconds),
               "--pii-sample", str(args.pii_sample)]
    urls = None
    if db == "postgres":
        import psycopg

        urls = postgres_urls(os.environ["DATABASE_URL"], args.preset)
        with psycopg.connect(urls["admin"], autocommit=True) as admin:
            for name in (urls["name"], urls["raw_name"]):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{urls["name"]}"')
        env["DATABASE_URL"] = urls["bench"]
        command += ["--admin-url", urls["admin"], "--raw-db", urls["raw_name"], "--raw-url", urls["raw"]]
    try:
        status = subprocess.run(command, env=env, cwd=ROOT).returncode
        if status != 0 or not out.exists():
            raise SystemExit(f"the {db} run failed (exit {status}); its files are in {var_dir}")
        result = json.loads(out.read_text())
    finally:
        if urls and not args.keep:
            import psycopg

            with psycopg.connect(urls["admin"], autocommit=True) as admin:
                for name in (urls["name"], urls["raw_name"]):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    else:
        print(f"kept {var_dir}" + (f" and database {urls['name']}" if urls else ""))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_db = "both" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default=default_db)
    parser.add_argument("--preset", choices=["nantong", "demo"], default="nantong")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the load test (max 64)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per load test (max 120)")
    parser.add_argument("--repeat", type=int, default=9,
                        help="timed runs per page/query and its limit, in turn (median)")
    parser.add_argument("--pii-sample", type=int, default=2000,
                        help="members whose ID number and phone the dump is searched for")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR dir and database")
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in databases and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--db postgres needs DATABASE_URL=postgres://user@host:port/db (any database on that server)")
    info = machine()
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for db in databases:
        print(f"== {db} ({args.preset})", flush=True)
        result = run_one(db, args)
        result["machine"] = info
        result["settings"] = {"clients": args.clients, "seconds": args.seconds, "repeat": args.repeat}
        (RESULTS / f"{args.preset}-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
        print(report.table(result), flush=True)
        failed += [f"{db}: {problem}" for problem in report.failures(result)]
    if args.preset == "nantong" and not args.no_docs:
        found = {db: json.loads((RESULTS / f"nantong-{db}.json").read_text())
                 for db in ("sqlite", "postgres") if (RESULTS / f"nantong-{db}.json").exists()}
        DOCS.write_text(report.markdown(found))
        print(f"wrote {DOCS.relative_to(ROOT)}")
    if failed:
        raise SystemExit("CHECKS FAILED:\n  " + "\n  ".join(failed))


if __name__ == "__main__":
    main()
