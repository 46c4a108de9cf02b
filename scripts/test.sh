#!/usr/bin/env bash
# The test command of the README: every Rust test (unit, store on SQLite and, when
# TEST_DATABASE_URL is set, on PostgreSQL too; API tests against a real server), then the
# browser suite when node and chromium are available (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked

if [ -f tests/e2e/package.json ]; then
  if command -v node >/dev/null && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    (cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node run.mjs)
  elif [ "${CI:-}" = "true" ]; then
    echo "browser suite: node or chromium missing in CI" >&2
    exit 1
  else
    echo "browser suite skipped: install node and chromium (see README) to run it" >&2
  fi
fi
