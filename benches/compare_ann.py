#!/usr/bin/env python3
"""Approximate search: glove-wgpu's IVF index beside hnswlib and faiss IVF-Flat, in one run.

Usage:
  python3 benches/compare_ann.py --vectors V [--queries Q | --holdout 10000] [--k 10]
      [--lists N] [--nprobe 1,2,4,...] [--ef 10,20,40,...] [--faiss-nprobe 1,2,4,...]
      [--threads 2] [--backend cpu] [--binary target/release/glove-wgpu]
Needs: pip install numpy faiss-cpu hnswlib; cargo build --release.

V and Q are word2vec binary files (examples/clustered_vectors writes them) or
GloVe text (what `glove-wgpu fit` writes). With --holdout N the last N rows of V
are the queries and the rest the indexed rows (both written as word2vec binary
files next to V for glove-wgpu). The metric is cosine: faiss and hnswlib get
normalised rows and inner product. Recall@k of every method is measured against
faiss' exact IndexFlatIP on the same queries; glove-wgpu's own line
(`bench ann --json`) measures it against its own exact search, and both are
printed. Every method runs with --threads threads on the whole query batch.
"""
import argparse, json, os, struct, subprocess, time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--vectors", required=True)
ap.add_argument("--queries")
ap.add_argument("--holdout", type=int, default=0)
ap.add_argument("--k", type=int, default=10)
ap.add_argument("--lists", type=int, default=0, help="0: glove-wgpu's default, used for faiss too")
ap.add_argument("--nprobe", default="1,2,4,8,16,32,64")
ap.add_argument("--faiss-nprobe", default="")
ap.add_argument("--ef", default="10,20,40,80,160,320")
ap.add_argument("--m", type=int, default=16, help="hnswlib M")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--backend", default="cpu")
ap.add_argument("--binary", default="target/release/glove-wgpu")
a = ap.parse_args()

import faiss  # noqa: E402
import hnswlib  # noqa: E402

faiss.omp_set_num_threads(a.threads)


def read(path):
    """Words and an (n, d) float32 matrix from word2vec binary or GloVe text."""
    with open(path, "rb") as f:
        data = f.read()
    first, rest = data.split(b"\n", 1)
    parts = first.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        n, d = int(parts[0]), int(parts[1])
        words, rows, at = [], np.empty((n, d), np.float32), 0
        for i in range(n):
            sp = rest.index(b" ", at)
            words.append(rest[at:sp].decode().lstrip("\n"))
            rows[i] = np.frombuffer(rest, np.float32, d, sp + 1)
            at = sp + 1 + 4 * d
        return words, rows
    words, rows = [], []
    for line in data.decode().splitlines():
        w, *v = line.split(" ")
        words.append(w)
        rows.append(np.array(v, np.float32))
    return words, np.stack(rows)


def write_w2v(path, words, rows):
    with open(path, "wb") as f:
        f.write(f"{len(words)} {rows.shape[1]}\n".encode())
        for w, r in zip(words, rows):
            f.write(w.encode() + b" " + r.astype(np.float32).tobytes() + b"\n")


words, E = read(a.vectors)
if a.queries:
    _, Q = read(a.queries)
    vec_path, q_path = a.vectors, a.queries
else:
    h = a.holdout or 10_000
    words, E, Q = words[:-h], E[:-h], E[-h:]
    stem = os.path.splitext(a.vectors)[0]
    vec_path, q_path = f"{stem}.base.bin", f"{stem}.queries.bin"
    write_w2v(vec_path, words, E)
    write_w2v(q_path, [f"q{i}" for i in range(len(Q))], Q)
n, d, m, k = E.shape[0], E.shape[1], Q.shape[0], a.k


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-30)


En, Qn = np.ascontiguousarray(unit(E)), np.ascontiguousarray(unit(Q))


def recall(ids, truth):
    return float(np.mean([len(set(a_) & set(b_)) / k for a_, b_ in zip(ids, truth)]))


rows = []  # (method, setting, recall, queries/s, build seconds)

flat = faiss.IndexFlatIP(d)
flat.add(En)
flat.search(Qn[:8], k)
t = time.perf_counter()
_, truth = flat.search(Qn, k)
rows.append(("faiss IndexFlatIP (exact)", "", 1.0, m / (time.perf_counter() - t), None))

# glove-wgpu: its own build, exact search and IVF searches, one JSON line per nprobe.
cmd = [a.binary, "bench", "ann", "--vectors", vec_path, "--queries", q_path, "--k", str(k),
       "--metric", "cosine", "--backend", a.backend, "--nprobe", a.nprobe, "--repeat", "2", "--json"]
if a.lists:
    cmd += ["--lists", str(a.lists)]
env = dict(os.environ, RAYON_NUM_THREADS=str(a.threads))
out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
ours = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
lists = ours[0]["lists"]
rows.append((f"glove-wgpu exact ({a.backend})", "", 1.0, ours[0]["exact_queries_per_s"], None))
for o in ours:
    rows.append((f"glove-wgpu IVF-Flat, {lists} lists", f"nprobe {o['nprobe']}", o["recall"],
                 o["queries_per_s"], o["build_seconds"]))

# faiss IVF-Flat with the same number of lists (its default training sample).
t = time.perf_counter()
quant = faiss.IndexFlatIP(d)
ivf = faiss.IndexIVFFlat(quant, d, lists, faiss.METRIC_INNER_PRODUCT)
ivf.train(En)
ivf.add(En)
build = time.perf_counter() - t
for p in [int(x) for x in (a.faiss_nprobe or a.nprobe).split(",")]:
    if p > lists:
        continue
    ivf.nprobe = p
    ivf.search(Qn[:8], k)
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        _, ids = ivf.search(Qn, k)
        best = min(best, time.perf_counter() - t)
    rows.append((f"faiss IVF-Flat, {lists} lists", f"nprobe {p}", recall(ids, truth), m / best, build))

# hnswlib, M 16, ef_construction 200.
t = time.perf_counter()
hnsw = hnswlib.Index(space="ip", dim=d)
hnsw.init_index(max_elements=n, M=a.m, ef_construction=200, random_seed=1)
hnsw.add_items(En, np.arange(n), num_threads=a.threads)
build = time.perf_counter() - t
for ef in [int(x) for x in a.ef.split(",")]:
    hnsw.set_ef(max(ef, k))
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        ids, _ = hnsw.knn_query(Qn, k=k, num_threads=a.threads)
        best = min(best, time.perf_counter() - t)
    rows.append((f"hnswlib M {a.m}", f"ef {ef}", recall(ids, truth), m / best, build))

print(f"n={n} dim={d} queries={m} k={k} cosine, {a.threads} threads, faiss {faiss.__version__}, "
      f"hnswlib {getattr(hnswlib, '__version__', '0.8.0')}, numpy {np.__version__}")
print("| method | setting | recall@%d | queries/s | build s |" % k)
print("| --- | --- | --- | --- | --- |")
for meth, setting, r, qps, b in rows:
    print(f"| {meth} | {setting} | {r:.3f} | {qps:,.0f} | {'' if b is None else f'{b:.1f}'} |")
