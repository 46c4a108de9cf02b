#!/usr/bin/env python3
"""Cross-checks the Rust EHSA against ehsa_reference.py on random inputs.

For each case it generates incidents with the `gen_incidents` example (a
seed, a size, a region and a number of months drawn at random), runs the
`analyze` example (the `diaban analyze` CLI module) and the reference with
the same random parameters, and compares the two CSV files: identical cells,
categories and bin counts, and every float within one unit of the sixth
decimal (the two compute z with differently ordered but equivalent
arithmetic, so the last printed digit may round differently).

Usage (from the repository root):
    cargo build --release -p diaban-analytics --examples
    python3 crates/analytics/tests/reference/cross_check.py [--cases 20] [--seed 1]

Set TARGET_DIR when cargo builds elsewhere than target/.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    with open(path) as f:
        lines = f.read().splitlines()
    return lines[0], [line.split(",") for line in lines[1:]]


def compare(rust_csv, ref_csv):
    """Returns the differences (empty when the files agree), the number of
    byte-identical rows and the number of rows."""
    head_a, rows_a = read(rust_csv)
    head_b, rows_b = read(ref_csv)
    problems = []
    if head_a != head_b:
        problems.append(f"headers differ: {head_a!r} vs {head_b!r}")
    if [r[0] for r in rows_a] != [r[0] for r in rows_b]:
        problems.append(f"cells differ: {len(rows_a)} vs {len(rows_b)} rows")
        return problems, 0, len(rows_a)
    exact = 0
    for a, b in zip(rows_a, rows_b):
        if a == b:
            exact += 1
            continue
        if a[3:6] != b[3:6]:
            problems.append(f"{a[0]}: {a[3:6]} vs {b[3:6]}")
            continue
        for col in (1, 2, 6, 7, 8, 9):
            if abs(float(a[col]) - float(b[col])) > 1.000001e-6:
                problems.append(f"{a[0]} column {col}: {a[col]} vs {b[col]}")
    return problems, exact, len(rows_a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    target = os.environ.get("TARGET_DIR", "target")
    gen = os.path.join(target, "release", "examples", "gen_incidents")
    analyze = os.path.join(target, "release", "examples", "analyze")
    reference = os.path.join(HERE, "ehsa_reference.py")
    rng = random.Random(a.seed)
    failures = 0
    seen = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(a.cases):
            lat0 = rng.uniform(-60, 60)
            lon0 = rng.uniform(-170, 170)
            span = rng.choice([0.05, 0.1, 0.3])
            res = rng.choice([7, 8, 9])
            params = {
                "incidents": rng.choice([500, 3000, 20000]),
                "months": rng.choice([1, 2, 5, 12, 24]),
                "centres": rng.choice([3, 10, 40]),
                "seed": rng.randrange(1 << 30),
            }
            k = rng.choice([1, 1, 2])
            n = rng.choice([0, 1, 1, 2])
            alpha = rng.choice([0.05, 0.05, 0.1, 0.01])
            fdr = rng.random() < 0.75
            inp = os.path.join(tmp, f"in{case}.csv")
            out_rust = os.path.join(tmp, f"rust{case}.csv")
            out_ref = os.path.join(tmp, f"ref{case}.csv")
            region = f"{lat0},{lat0 + span},{lon0},{lon0 + span}"
            subprocess.run(
                [gen, "--out", inp, "--region", region]
                + [x for kv in params.items() for x in (f"--{kv[0]}", str(kv[1]))],
                check=True,
            )
            common = ["--res", str(res), "--k", str(k), "--time-steps", str(n), "--alpha", str(alpha)]
            if not fdr:
                common.append("--no-fdr")
            subprocess.run([analyze, "ehsa", inp, "--out", out_rust] + common, check=True,
                           stderr=subprocess.DEVNULL)
            subprocess.run([sys.executable, reference, inp, out_ref] + common, check=True)
            problems, exact, total = compare(out_rust, out_ref)
            for row in read(out_ref)[1]:
                seen[row[3]] = seen.get(row[3], 0) + 1
            label = f"case {case}: {params} region={region} res={res} K={k} N={n} alpha={alpha} fdr={fdr}"
            if problems:
                failures += 1
                print(f"FAIL {label}")
                for p in problems[:10]:
                    print("   ", p)
            else:
                print(f"ok   {label}: {total} cells, {exact} rows byte-identical")
    print("categories compared:", ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    print(f"{a.cases - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
