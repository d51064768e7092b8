#!/usr/bin/env python3
"""Check docs/model.md through a second implementation: agora against the
NumPy peer (agora_numpy.py), replicates of both, the mean of each metric at
chosen months compared within the replicate noise.

    python3 benches/numpy_peer/compare.py --agora target/release/agora \
        --citizens 10000 --replicates 8 --scenario fracture

A metric agrees when |mean_agora - mean_numpy| <= 3 * sqrt(se_a^2 + se_n^2)
+ 0.005 (an absolute allowance of half a point for metrics whose replicate
spread is tiny). The two use different random numbers, so only
distributions can agree. Exit status 0 whatever agrees; the table says.
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agora_numpy  # noqa: E402

MONTHS = {"2012-01 (step 0)": 0, "2013-04 (step 15)": 15, "2026-01 (branch, step 168)": 168, "2030-12 (end, step 227)": 227}
METRICS = ["digitalization", "digital_interaction", "adoption", "presence_share", "reach", "adopter_share",
           "transformed_share", "integration", "trust", "trust_gap", "satisfaction", "participation",
           "unheard_share", "service_rate", "repeat_share", "pending_share", "productivity", "roi_barrier",
           "security_barrier", "organizational_barrier", "abandoned_share", "failed_projects", "fracture", "cost"]


def stats(xs):
    xs = [x for x in xs if x == x]
    if not xs:
        return float("nan"), float("nan")
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, 0.0
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


def agora_series(binary, scenario, citizens, replicates, seed):
    out = tempfile.mkdtemp(prefix="agora-compare-")
    subprocess.run([binary, "run", scenario, "--replicates", str(replicates), "--seed", str(seed),
                    "--set", f"population.citizens={citizens}", "--out", out + "/r", "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    rows = {}
    with open(out + "/r/timeseries.csv") as f:
        for r in csv.DictReader(f):
            rows.setdefault(int(r["replicate"]), {})[int(r["step"])] = r
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agora", default="target/release/agora")
    p.add_argument("--scenario", default="fracture")
    p.add_argument("--citizens", type=int, default=10000)
    p.add_argument("--replicates", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    a = agora_series(args.agora, args.scenario, args.citizens, args.replicates, args.seed)
    idx = {m: i for i, m in enumerate(agora_numpy.METRICS)}
    npy = []
    for rep in range(args.replicates):
        rows, _, _ = agora_numpy.run(args.citizens, 227, 1000 + rep, args.scenario)
        npy.append(rows)
    print(f"{args.scenario}, {args.citizens} citizens, {args.replicates} replicates each; "
          "mean (standard error); ok: within 3 combined standard errors + 0.005")
    print("| month | metric | agora | numpy | difference | ok |")
    print("|---|---|---|---|---|---|")
    bad = 0
    for label, step in MONTHS.items():
        for m in METRICS:
            av = [float(a[r][step][m]) if a[r][step][m] != "" else float("nan") for r in a]
            nv = [float(rows[step][idx[m]]) for rows in npy]
            (ma, sa), (mn, sn) = stats(av), stats(nv)
            if ma != ma and mn != mn:
                continue
            tol = 3 * math.sqrt(sa ** 2 + sn ** 2) + 0.005
            ok = abs(ma - mn) <= tol
            bad += not ok
            print(f"| {label} | {m} | {ma:.4f} ({sa:.4f}) | {mn:.4f} ({sn:.4f}) | {ma - mn:+.4f} | {'yes' if ok else '**no**'} |")
    print(f"\n{bad} disagreements")


if __name__ == "__main__":
    main()
