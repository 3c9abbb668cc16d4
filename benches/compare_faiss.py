#!/usr/bin/env python3
"""Exact search: glove-wgpu's CPU twin beside faiss-cpu IndexFlatIP and numpy, in one run.

Usage: python3 benches/compare_faiss.py [--n 100000 --dim 100 --queries 4096 --k 10] [--rounds 3]
Needs: pip install faiss-cpu numpy; cargo build --release.
Each round runs glove-wgpu (its own timer: best of --repeat), faiss and numpy
on random unit vectors of the same shape; the medians over rounds are printed
with the ratio glove-wgpu / faiss. Rounds interleave the tools so that a busy
machine slows them alike.
"""
import argparse, json, statistics, subprocess, time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--dim", type=int, default=100)
ap.add_argument("--queries", type=int, default=4096)
ap.add_argument("--k", type=int, default=10)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--binary", default="target/release/glove-wgpu")
a = ap.parse_args()

import faiss  # noqa: E402

rng = np.random.default_rng(0)
def unit(n):
    x = rng.standard_normal((n, a.dim), dtype=np.float32) * 1.0
    return x / np.linalg.norm(x, axis=1, keepdims=True)
E, Q = unit(a.n), unit(a.queries)
index = faiss.IndexFlatIP(a.dim)
index.add(E)
index.search(Q[:8], a.k)  # warm-up

res = {"glove-wgpu": [], "faiss": [], "numpy": []}
for _ in range(a.rounds):
    out = subprocess.run([a.binary, "bench", "search", "--backend", "cpu", "--n", str(a.n), "--dim", str(a.dim),
                          "--queries", str(a.queries), "--k", str(a.k), "--repeat", "2", "--verify", "4", "--json"],
                         check=True, capture_output=True, text=True).stdout
    res["glove-wgpu"].append(json.loads(out)["seconds"])
    t = time.perf_counter(); index.search(Q, a.k); res["faiss"].append(time.perf_counter() - t)
    if a.n * a.queries <= 1_000_000_000:
        t = time.perf_counter()
        S = Q @ E.T
        idx = np.argpartition(-S, a.k, axis=1)[:, :a.k]
        res["numpy"].append(time.perf_counter() - t)
        del S

flop = 2.0 * a.n * a.dim * a.queries
print(f"n={a.n} dim={a.dim} queries={a.queries} k={a.k}, faiss {faiss.__version__}, numpy {np.__version__}, medians of {a.rounds} rounds")
base = statistics.median(res["faiss"])
for name, ts in res.items():
    if not ts:
        continue
    s = statistics.median(ts)
    print(f"{name:<11} {s*1e3:9.1f} ms {a.queries/s:10.0f} queries/s {flop/s/1e9:7.1f} GFLOP/s  x faiss {base/s:5.2f}")
