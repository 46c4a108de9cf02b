#!/usr/bin/env bash
# Sign-in and authorisation cost, release build: argon2id (m=19456 KiB, t=2, p=1) on its
# own, one whole sign-in through POST /api/v1/session, and the per-request overhead of
# session lookup + authorisation (GET /api/v1/me against GET /healthz, REQUESTS of each,
# default 1000). SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, e.g.
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/bench-login.sh
# Optionally, with hyperfine installed, the same sign-in timed from outside through curl
# against `diaban serve --demo` (HYPERFINE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --quiet --release -p diaban-web --example bench_auth

if [ "${HYPERFINE:-0}" = 1 ] && command -v hyperfine >/dev/null && command -v curl >/dev/null; then
  BIN=${BIN:-target/release/diaban}
  [ -x "$BIN" ] || cargo build --release
  port=${PORT:-18766}
  log=$(mktemp)
  "$BIN" serve --demo --addr "127.0.0.1:$port" --log-level warn >"$log" &
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
  # The demo's commune officer account (printed by serve --demo).
  read -r user pass < <(awk '$3 == "commune_officer" {print $1, $2; exit}' "$log")
  body=$(printf '{"username":"%s","password":"%s"}' "$user" "$pass")
  hyperfine --warmup 3 --runs 30 -N \
    "curl -sf -o /dev/null -H 'content-type: application/json' -d '$body' http://127.0.0.1:$port/api/v1/session" \
    "curl -sf -o /dev/null http://127.0.0.1:$port/healthz"
fi
