#!/usr/bin/env bash
# Time from process start to the first 200 from /healthz: first start on an empty SQLite
# file (migrations + loading the units) and later starts on the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/diaban}
[ -x "$BIN" ] || cargo build --release
dir=$(mktemp -d)
port=${PORT:-18765}
trap 'rm -rf "$dir"' EXIT

start_once() {
  local t0 t1 pid
  t0=$(date +%s.%N)
  "$BIN" serve --db "sqlite://$dir/bench.db" --addr "127.0.0.1:$port" --log-level error >/dev/null &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo "$t1 - $t0" | bc
}

echo "first start (empty file): $(start_once) s"
for i in 1 2 3 4 5; do echo "later start $i: $(start_once) s"; done
