#!/usr/bin/env bash
# Times `diaban analyze ehsa` on 2,000,000 synthetic incidents over 36 months (the issue's
# workload): resolution 8, and resolution 9 with --time-steps 2. Generates the data once
# (seeded, so every run times the same file), builds release binaries, then runs hyperfine
# for the wall time and /usr/bin/time -v for the peak memory.
#
#   scripts/bench-ehsa.sh            # DATA_DIR=/tmp/diaban-bench, RUNS=10
#   RUNS=20 DATA_DIR=/var/tmp/b scripts/bench-ehsa.sh
#
# Uses the release `diaban` binary; ANALYZE="path/to/diaban analyze" names another.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
DATA_DIR=${DATA_DIR:-/tmp/diaban-bench}
RUNS=${RUNS:-10}
mkdir -p "$DATA_DIR"

cargo build --release -p diaban-analytics --example gen_incidents
if [ -n "${ANALYZE:-}" ]; then
  read -r -a CMD <<<"$ANALYZE"
else
  cargo build --release -p diaban
  CMD=("$TARGET/release/diaban" analyze)
fi
echo "command: ${CMD[*]}"

INPUT="$DATA_DIR/incidents-2m.csv"
if [ ! -s "$INPUT" ]; then
  "$TARGET/release/examples/gen_incidents" --incidents 2000000 --months 36 --seed 42 --out "$INPUT"
fi
ls -l "$INPUT"

RES8=("${CMD[@]}" ehsa "$INPUT" --out "$DATA_DIR/ehsa-res8.csv")
RES9=("${CMD[@]}" ehsa "$INPUT" --out "$DATA_DIR/ehsa-res9-n2.csv" --res 9 --time-steps 2)

# One run with phase timings, so a regression can be located.
"${RES8[@]}" --progress
"${RES9[@]}" --progress

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "$RUNS" -N "${RES8[*]}" "${RES9[*]}"
else
  echo "hyperfine not found (apt-get install -y hyperfine); timing one run each" >&2
fi

peak() {
  local label=$1
  shift
  /usr/bin/time -v "$@" 2>&1 | grep -E "Maximum resident set size|Elapsed \(wall" | sed "s|^\s*|$label: |"
}
peak "res 8" "${RES8[@]}"
peak "res 9, N 2" "${RES9[@]}"
