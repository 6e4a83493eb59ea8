#!/usr/bin/env bash
# Runs the suite on SQLite, again on PostgreSQL when DATABASE_URL is set, and says what it skipped.
# The PostgreSQL passes run beside the SQLite pass (each pass is one process; the machine's
# other core would otherwise sit idle); their output is printed when they end.
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
skipped=()
summary=()

if [ -x /usr/bin/chromium ] || [ -n "${DANGJIAN_CHROMIUM:-}" ]; then
  browser_args=()
else
  browser_args=(-m "not browser")
  skipped+=("browser tests: /usr/bin/chromium not found (apt-get install chromium fonts-noto-cjk)")
fi

postgres=""
case "${DATABASE_URL:-}" in
  postgres*) postgres=1 ;;
  "") skipped+=("PostgreSQL run: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)") ;;
  *) skipped+=("second run: DATABASE_URL is not PostgreSQL") ;;
esac

# The schema fuzzing (schemathesis, about half the suite's time) runs once: on PostgreSQL,
# the production database, when there is one; else here.
sqlite_args=("${browser_args[@]}")
if [ -n "$postgres" ]; then
  if [ ${#browser_args[@]} -gt 0 ]; then sqlite_args=(-m "not browser and not schemathesis"); else sqlite_args=(-m "not schemathesis"); fi
  summary+=("schemathesis (API fuzzing): on PostgreSQL only")
fi

postgres_passes() {
  local result=0
  echo "== PostgreSQL ($DATABASE_URL)"
  # Browser tests drive the same pages; once (on SQLite) is enough.
  DANGJIAN_VAR_DIR="$PWD/var/test-postgres" "$BIN/python" -m pytest -q -m "not browser" "$@" || result=1
  # Subtree scope must not depend on the database's collation: run the scope tests
  # again on a test database copied from an ICU zh-Hans-CN template, as a Chinese
  # deployment's database often is.
  if icu_template=$("$BIN/python" scripts/icu_template.py "$DATABASE_URL" 2>var/icu_template.err); then
    echo "== PostgreSQL, ICU zh-Hans-CN collation (scope tests)"
    DANGJIAN_TEST_DB_TEMPLATE="$icu_template" DANGJIAN_TEST_DB_NAME="${DANGJIAN_TEST_DB_NAME:-test_dangjian}_icu" \
      DANGJIAN_VAR_DIR="$PWD/var/test-postgres-icu" "$BIN/python" -m pytest -q -m "scope and not browser" "$@" || result=1
  else
    echo "SKIPPED: scope tests on an ICU zh-Hans-CN database: $(cat var/icu_template.err)"
  fi
  return $result
}

mkdir -p var
if [ -n "$postgres" ]; then
  postgres_passes "$@" > var/test-postgres.log 2>&1 &
  postgres_pid=$!
fi

echo "== SQLite"
# SQLite is the embedded setup: no Redis either (the local-memory cache), which also keeps
# this pass's cache apart from the PostgreSQL passes running beside it.
env -u DATABASE_URL -u REDIS_URL DANGJIAN_VAR_DIR="$PWD/var/test-sqlite" "$BIN/python" -m pytest -q "${sqlite_args[@]}" "$@" || status=1

if [ -n "$postgres" ]; then
  wait "$postgres_pid" || status=1
  echo
  cat var/test-postgres.log
  if grep -q "^SKIPPED: " var/test-postgres.log; then
    skipped+=("$(grep "^SKIPPED: " var/test-postgres.log | sed 's/^SKIPPED: //')")
  fi
fi

if [ ${#summary[@]} -gt 0 ]; then
  echo
  for s in "${summary[@]}"; do echo "Note: $s"; done
fi
if [ ${#skipped[@]} -gt 0 ]; then
  echo
  echo "Skipped:"
  for s in "${skipped[@]}"; do echo "  - $s"; done
fi
exit $status
