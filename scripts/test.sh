#!/usr/bin/env bash
# Runs the suite on SQLite, again on PostgreSQL when DATABASE_URL is set, and says what it skipped.
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

echo "== SQLite"
env -u DATABASE_URL DANGJIAN_VAR_DIR="$PWD/var/test-sqlite" "$BIN/python" -m pytest -q "${browser_args[@]}" "$@" || status=1

if [ -n "${DATABASE_URL:-}" ]; then
  case "$DATABASE_URL" in
    postgres*)
      echo "== PostgreSQL ($DATABASE_URL)"
      # Browser tests drive the same pages; once (on SQLite) is enough.
      DANGJIAN_VAR_DIR="$PWD/var/test-postgres" "$BIN/python" -m pytest -q -m "not browser" "$@" || status=1
      ;;
    *) skipped+=("second run: DATABASE_URL is not PostgreSQL") ;;
  esac
else
  skipped+=("PostgreSQL run: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  echo
  echo "Skipped:"
  for s in "${skipped[@]}"; do echo "  - $s"; done
fi
exit $status
