#!/usr/bin/env python3
"""Independent, deliberately plain reference for emerging hot spot analysis.

It follows ANALYTICS.md section 1 line by line, with the `h3` package for
cells and numpy for the cube, and no attempt at speed. It exists to check the
Rust implementation: `cross_check.py` runs both on random inputs and compares
the outputs, and the `fixture_expected_*` files in this folder were produced by
it from `fixture_incidents.csv` (made with the `gen_incidents` example, seed
2025, 4,000 incidents, 12 months, 25 centres, region 15.0-15.2 N,
108.7-108.9 E, start year 2024).

Usage:
    ehsa_reference.py INPUT.csv OUTPUT.csv [--res 8] [--k 1] [--time-steps 1]
                      [--alpha 0.05] [--no-fdr]

Requires: pip install numpy h3  (h3 >= 4)
"""

import argparse
import csv
import datetime
import math
import sys

import h3
import numpy as np


def read_incidents(path):
    """Rows of (lat, lon, year, month); any bad row is fatal, as the spec
    requires when the caller does not ask to skip them."""
    out = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for line_no, row in enumerate(reader, start=2):
            lat = float(row["lat"])
            lon = float(row["lon"])
            if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
                sys.exit(f"line {line_no}: coordinate out of range")
            d = datetime.date.fromisoformat(row["date"].strip())
            out.append((lat, lon, d.year, d.month))
    if not out:
        sys.exit("no incidents")
    return out


def mann_kendall(z):
    n = len(z)
    s = 0
    for k in range(n - 1):
        for j in range(k + 1, n):
            d = z[j] - z[k]
            s += int(d > 0) - int(d < 0)
    _, counts = np.unique(np.asarray(z), return_counts=True)
    ties = sum(int(t) * (int(t) - 1) * (2 * int(t) + 5) for t in counts)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    if s > 0 and var > 0:
        zs = (s - 1) / math.sqrt(var)
    elif s < 0 and var > 0:
        zs = (s + 1) / math.sqrt(var)
    else:
        zs = 0.0
    p = math.erfc(abs(zs) / math.sqrt(2.0))
    tau = s / (n * (n - 1) / 2) if n > 1 else 0.0
    return tau, zs, p


def category(hot, cold, tau, mk_p):
    n = len(hot)
    h, c = sum(hot), sum(cold)
    fh, fc = h / n, c / n

    def run(flags):
        r = 0
        for f in reversed(flags):
            if not f:
                break
            r += 1
        return r

    run_hot, run_cold = run(hot), run(cold)
    sig = mk_p <= 0.05
    rules = [
        ("NEW_HOT", hot[-1] and h == 1),
        ("NEW_COLD", cold[-1] and c == 1),
        ("CONSECUTIVE_HOT", run_hot >= 2 and h == run_hot and fh < 0.9),
        ("CONSECUTIVE_COLD", run_cold >= 2 and c == run_cold and fc < 0.9),
        ("INTENSIFYING_HOT", fh >= 0.9 and hot[-1] and sig and tau > 0),
        ("INTENSIFYING_COLD", fc >= 0.9 and cold[-1] and sig and tau < 0),
        ("DIMINISHING_HOT", fh >= 0.9 and hot[-1] and sig and tau < 0),
        ("DIMINISHING_COLD", fc >= 0.9 and cold[-1] and sig and tau > 0),
        ("PERSISTENT_HOT", fh >= 0.9 and hot[-1] and not sig),
        ("PERSISTENT_COLD", fc >= 0.9 and cold[-1] and not sig),
        ("HISTORICAL_HOT", (not hot[-1]) and fh >= 0.9),
        ("HISTORICAL_COLD", (not cold[-1]) and fc >= 0.9),
        ("OSCILLATING_HOT", hot[-1] and c >= 1 and fh < 0.9),
        ("OSCILLATING_COLD", cold[-1] and h >= 1 and fc < 0.9),
        ("SPORADIC_HOT", hot[-1] and c == 0 and fh < 0.9),
        ("SPORADIC_COLD", cold[-1] and h == 0 and fc < 0.9),
    ]
    for name, matches in rules:
        if matches:
            return name
    return "NO_PATTERN"


def ehsa(incidents, res, k, time_steps, alpha, fdr):
    cells = [h3.latlng_to_cell(lat, lon, res) for lat, lon, _, _ in incidents]
    months = [y * 12 + m - 1 for _, _, y, m in incidents]
    first = min(months)
    steps = max(months) - first + 1
    locations = sorted(set(cells))
    row_of = {c: i for i, c in enumerate(locations)}
    n_loc = len(locations)

    x = np.zeros((n_loc, steps), dtype=np.int64)
    for c, mo in zip(cells, months):
        x[row_of[c], mo - first] += 1

    m = n_loc * steps
    total = int(x.sum())
    xbar = total / m
    s_global = math.sqrt(float((x.astype(np.float64) ** 2).sum()) / m - xbar**2) if m else 0.0
    # Exactly zero when all bins are equal (the float expression above may
    # leave a rounding residue).
    if int((x * x).sum()) * m == total * total:
        s_global = 0.0

    neighbours = []
    for c in locations:
        neighbours.append(sorted(row_of[d] for d in h3.grid_disk(c, k) if d in row_of))

    z = np.zeros((n_loc, steps))
    for i in range(n_loc):
        for t in range(steps):
            t0 = max(0, t - time_steps)
            w = len(neighbours[i]) * (t - t0 + 1)
            nb_sum = int(x[neighbours[i], t0 : t + 1].sum())
            if s_global == 0 or w == m:
                z[i, t] = 0.0
                continue
            numerator = nb_sum * m - total * w  # exact integer
            z[i, t] = (numerator / m) / (s_global * math.sqrt((m * w - w * w) / (m - 1)))

    p = np.vectorize(lambda v: math.erfc(abs(v) / math.sqrt(2.0)))(z)
    if fdr:
        flat = np.sort(p.ravel())
        cutoff = None
        for rank in range(m, 0, -1):
            if flat[rank - 1] <= rank * alpha / m:
                cutoff = flat[rank - 1]
                break
        sig = p <= cutoff if cutoff is not None else np.zeros_like(p, dtype=bool)
    else:
        sig = p <= alpha

    rows = []
    for i, c in enumerate(locations):
        hot = [bool(sig[i, t] and z[i, t] > 0) for t in range(steps)]
        cold = [bool(sig[i, t] and z[i, t] < 0) for t in range(steps)]
        tau, mk_z, mk_p = mann_kendall([float(v) for v in z[i]])
        lat, lon = h3.cell_to_latlng(c)
        rows.append(
            (
                c,
                lat,
                lon,
                category(hot, cold, tau, mk_p),
                sum(hot),
                sum(cold),
                z[i, steps - 1],
                tau,
                mk_z,
                mk_p,
            )
        )
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--res", type=int, default=8)
    ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--time-steps", type=int, default=1)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--no-fdr", action="store_true")
    a = ap.parse_args()
    rows = ehsa(read_incidents(a.input), a.res, a.k, a.time_steps, a.alpha, not a.no_fdr)
    with open(a.output, "w", newline="") as f:
        f.write("cell,lat,lon,category,hot_bins,cold_bins,final_z,mk_tau,mk_z,mk_p\n")
        for c, lat, lon, cat, hb, cb, fz, tau, mz, mp in rows:
            f.write(
                f"{c},{lat:.6f},{lon:.6f},{cat},{hb},{cb},{fz:.6f},{tau:.6f},{mz:.6f},{mp:.6f}\n"
            )


if __name__ == "__main__":
    main()
