#!/usr/bin/env bash
# Property-based fuzzing of the import readers, the text checks at the edge, the identity
# number parser and the period parser (issue 19, item 9; `cargo fuzz` needs nightly Rust).
# Each target runs PROPTEST_CASES cases (default 20000 here; the test suite runs a few
# dozen). Record the runs and what they found in docs/security.md, "Fuzzing".
#
#   PROPTEST_CASES=100000 ./scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
echo "fuzz: ${PROPTEST_CASES} cases per target"
cargo test --release -p diaban-web --test fuzz_readers -- --test-threads=2
cargo test --release -p diaban-domain --test fuzz_parsers -- --test-threads=2
