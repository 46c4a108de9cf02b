#!/usr/bin/env bash
# Page weight and server render time of typical pages on the demo data (issue 4's checks:
# a page under 100 KB beyond the cached vendored assets; render p95 under 20 ms).
#
#   cargo build --release && scripts/bench-pages.sh
#
# Starts `diaban serve --demo` (release build), signs in as the province officer through
# POST /api/v1/session, then for each page:
#   1. weight: the HTML document as served (uncompressed; the server does not compress) and
#      gzip -6 of it, plus the /assets/ files the page references, which are served with
#      Cache-Control: public, max-age=86400 and an ETag and so are fetched once;
#   2. render time: N sequential requests with curl (one at a time, so the figure is the
#      server's time for one page, not queueing), p50/p95/p99/max of time_total;
#   3. with wrk (if installed): CONNS connections for DURATION, requests/s and p50/p95/p99.
# Environment: BIN (default target/release/diaban), N (default 300), CONNS (default 4),
# DURATION (default 10s), PAGES (default "/ /persons /units/23293 /units/51 /units").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/diaban}
N=${N:-300}
CONNS=${CONNS:-4}
DURATION=${DURATION:-10s}
PAGES=${PAGES:-"/ /persons /units/23293 /units/51 /units"}
[ -x "$BIN" ] || cargo build --release -p diaban
for tool in curl awk gzip sort; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done

dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

# The demo server on a free port; its temporary database and key go to $dir.
TMPDIR="$dir" "$BIN" serve --demo --addr 127.0.0.1:0 --log-level warn >"$dir/out" 2>"$dir/err" &
pid=$!
base=""
for _ in $(seq 1 600); do
  base=$(sed -n 's/^diaban listening on \(http:[^ ]*\)$/\1/p' "$dir/out")
  [ -n "$base" ] && curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "server did not start" >&2; exit 1; }
user=$(awk '$3 == "province_officer" {print $1; exit}' "$dir/out")
pass=$(awk '$3 == "province_officer" {print $2; exit}' "$dir/out")
curl -sf -c "$dir/jar" -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"$pass\"}" "$base/api/v1/session"
cookie=$(awk '$6 == "dz_session" {print "dz_session=" $7}' "$dir/jar")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }

echo "diaban $("$BIN" --version 2>/dev/null | awk '{print $2}') at $base, signed in as $user; $(nproc) cores"
echo
echo "## weight (bytes)"
printf '%-14s %10s %10s %12s\n' page html gzip cached-assets
for page in $PAGES; do
  curl -sf -H "Cookie: $cookie" "$base$page" >"$dir/page.html"
  html=$(wc -c <"$dir/page.html")
  gz=$(gzip -6 -c "$dir/page.html" | wc -c)
  assets=0
  for a in $(grep -o '/assets/[^"]*' "$dir/page.html" | sort -u); do
    s=$(curl -sf -o /dev/null -w '%{size_download}' "$base$a")
    assets=$((assets + s))
  done
  printf '%-14s %10d %10d %12d\n' "$page" "$html" "$gz" "$assets"
done
cc=$(curl -sfI "$base/assets/css/app.css" | tr -d '\r' | awk -F': ' 'tolower($1) == "cache-control" {print $2}')
echo "(assets: Cache-Control: $cc, with ETag; the map also fetches /assets/geo/vietnam.geojson, $(curl -sf -o /dev/null -w '%{size_download}' "$base/assets/geo/vietnam.geojson") bytes, cached the same way)"

echo
echo "## render time, $N sequential requests per page (ms)"
printf '%-14s %8s %8s %8s %8s\n' page p50 p95 p99 max
for page in $PAGES; do
  for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null -H "Cookie: $cookie" "$base$page"; done  # warm-up
  for _ in $(seq 1 "$N"); do
    curl -sf -o /dev/null -H "Cookie: $cookie" -w '%{time_total}\n' "$base$page"
  done | sort -g | awk -v page="$page" '
    { t[NR] = $1 * 1000 }
    function q(f,   i) { i = int(f * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; return t[i] }
    END { printf "%-14s %8.2f %8.2f %8.2f %8.2f\n", page, q(0.50), q(0.95), q(0.99), t[NR] }'
done

if command -v wrk >/dev/null; then
  cat >"$dir/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("%d %d %.2f %.2f %.2f %.2f\n", summary.requests, summary.errors.status
    + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
LUA
  echo
  echo "## wrk: $CONNS connections, 2 threads, $DURATION per page (ms)"
  printf '%-14s %8s %7s %9s %8s %8s %8s\n' page requests errors req/s p50 p95 p99
  for page in $PAGES; do
    wrk -t2 -c"$CONNS" -d"$DURATION" -H "Cookie: $cookie" -s "$dir/p95.lua" "$base$page" | tail -n 1 |
      awk -v page="$page" '{printf "%-14s %8d %7d %9.0f %8.2f %8.2f %8.2f\n", page, $1, $2, $3, $4, $5, $6}'
  done
else
  echo "(wrk not installed: apt-get install wrk for the throughput figures)"
fi
