#!/usr/bin/env python3
"""agora against the NumPy peer, timed in one run (issue #30, BENCHMARKS.md).

Whole processes, one thread each, interleaved rounds: per round the NumPy
peer (`agora_numpy.py`, process start to exit, its CSV written) and then
`agora run fracture --replicates 1 --threads 1 --set
population.citizens=N` (process start to exit, its results folder written).
Prints each round, the median and range of each, and of the per-round
ratio NumPy / agora (the goal: at least 12).

    python3 benches/numpy_peer/ratio.py --agora target/release/agora --citizens 100000 --rounds 5
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")}


def wall(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agora", default="target/release/agora")
    p.add_argument("--citizens", type=int, default=100000)
    p.add_argument("--steps", type=int, default=227)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    env = dict(os.environ, **ONE_THREAD)
    tmp = tempfile.mkdtemp(prefix="agora-ratio-")
    peer = [sys.executable, os.path.join(HERE, "agora_numpy.py"), "--scenario", "fracture",
            "--citizens", str(args.citizens), "--steps", str(args.steps), "--out", os.path.join(tmp, "numpy.csv")]
    numpy_s, agora_s, ratio = [], [], []
    for r in range(args.rounds):
        n = wall(peer, env)
        out = os.path.join(tmp, "agora")
        shutil.rmtree(out, ignore_errors=True)
        a = wall([args.agora, "run", "fracture", "--replicates", "1", "--threads", "1", "--steps", str(args.steps),
                  "--set", f"population.citizens={args.citizens}", "--out", out, "--quiet"], env)
        numpy_s.append(n)
        agora_s.append(a)
        ratio.append(n / a)
        print(f"round {r + 1}: numpy {n:.3f} s, agora {a:.3f} s, ratio {n / a:.2f}", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.citizens} citizens x {args.steps} months, fracture, one thread, {args.rounds} rounds")
    for name, xs in (("numpy s", numpy_s), ("agora s", agora_s), ("numpy / agora", ratio)):
        print(f"{name:>14}: median {median(xs):.3f}, range {min(xs):.3f}-{max(xs):.3f}")


if __name__ == "__main__":
    main()
