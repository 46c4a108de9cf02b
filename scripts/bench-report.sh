#!/usr/bin/env bash
# Times an annual provincial report on the demo data (issue 10's check: under 1 s):
# fills a fresh demo database with the release binary, then runs
# crates/web/examples/bench_report.rs on it (figures, XLSX, DOCX; RUNS runs, default 10).
#
#   scripts/bench-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p diaban
cargo build --quiet --release -p diaban-web --example bench_report
target="${CARGO_TARGET_DIR:-target}/release"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
DIABAN_LOG=warn "$target/diaban" demo --db "sqlite://$dir/demo.db" --key-file "$dir/data.key" >/dev/null
"$target/examples/bench_report" "sqlite://$dir/demo.db"
