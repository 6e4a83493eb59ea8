"""Create (once) the PostgreSQL template database the scope tests run on a second time.

Usage: icu_template.py DATABASE_URL [NAME]. Prints the template's name on success; on
failure (no ICU in this PostgreSQL build, no right to create databases) prints why on
stderr and exits 1, so scripts/test.sh can say plainly that the run was skipped.
"""

import sys

import dj_database_url
import psycopg
from psycopg import sql

ICU_LOCALE = "zh-Hans-CN"


def main(url, name="dangjian_icu_template"):
    params = dj_database_url.parse(url)
    conninfo = dict(dbname="postgres", user=params["USER"] or None, password=params["PASSWORD"] or None,
                    host=params["HOST"] or None, port=params["PORT"] or None)
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        row = conn.execute("SELECT datlocprovider, daticulocale FROM pg_database WHERE datname = %s", [name]).fetchone()
        if row is None:
            conn.execute(sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE {} LOCALE 'C.UTF-8'"
            ).format(sql.Identifier(name), sql.Literal(ICU_LOCALE)))
        elif row != ("i", ICU_LOCALE):
            raise SystemExit(f"{name} exists but is not ICU {ICU_LOCALE}: {row}")
        # Prove the collation is the one that broke the old bounds: punctuation before digits.
    with psycopg.connect(**{**{k: v for k, v in conninfo.items() if v}, "dbname": name}) as conn:
        if not conn.execute("SELECT '000:' < '0000'").fetchone()[0]:
            raise SystemExit(f"{name} does not sort punctuation before digits; not the collation under test")
    print(name)


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except (psycopg.Error, SystemExit) as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
