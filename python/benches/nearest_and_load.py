"""Reverse lookup and load time on a generated GloVe-6B-sized matrix.

    python benches/nearest_and_load.py [--rows 400000] [--dim 300] [--queries 4096] [--file /tmp/x.txt]

Times, in one run and on one generated matrix (standard normal, float32), the
nearest word (cosine, k=1) of every query row:
- glove_wgpu on the CPU (and on the GPU when one is found: backend="gpu");
- numpy: unit rows once, then matmul + argmax over chunks of queries;
- the broadcasting code of the question that started the project, in PyTorch
  when it is installed (torch.nn.functional.cosine_similarity over
  queries[:, None] against the matrix), else the same broadcasting in numpy;
  it is timed on a few queries and scaled, since it needs hours for 4,096;
and the time to load the matrix from a GloVe text file (written once, removed
after) with glove_wgpu and with gensim's load_word2vec_format.

Every result is checked against numpy's answer before it is reported.
"""

import argparse
import os
import tempfile
import time

import numpy as np

import glove_wgpu


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def numpy_nearest(unit_matrix, queries, chunk=512):
    out = np.empty(len(queries), np.int64)
    for s in range(0, len(queries), chunk):
        q = queries[s : s + chunk]
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
        out[s : s + chunk] = np.argmax(q @ unit_matrix.T, axis=1)
    return out


def broadcast_nearest(matrix, queries):
    """One query row at a time against the whole matrix by broadcasting."""
    try:
        import torch

        e = torch.from_numpy(matrix)
        q = torch.from_numpy(queries)
        f = torch.nn.functional.cosine_similarity
        return np.array([int(f(q[i : i + 1], e, dim=-1).argmax()) for i in range(len(q))]), "PyTorch CPU"
    except ImportError:
        norms = np.linalg.norm(matrix, axis=1)
        out = []
        for row in queries:
            sims = (row[None, :] * matrix).sum(axis=1) / (norms * np.linalg.norm(row))
            out.append(int(np.argmax(sims)))
        return np.array(out), "numpy (torch not installed)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--queries", type=int, default=4096)
    ap.add_argument("--broadcast-queries", type=int, default=16)
    ap.add_argument("--file", default=None, help="GloVe text file to write, time and remove")
    ap.add_argument("--no-load", action="store_true")
    ap.add_argument(
        "--backends", default="cpu,gpu", help="glove_wgpu backends to time (lavapipe: leave out gpu)"
    )
    a = ap.parse_args()

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((a.rows, a.dim), dtype=np.float32)
    queries = rng.standard_normal((a.queries, a.dim), dtype=np.float32)
    words = [f"w{i}" for i in range(a.rows)]
    print(f"{a.rows} x {a.dim} float32, {a.queries} queries, k=1, cosine; {os.cpu_count()} cores")

    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    want, t = timed(lambda: numpy_nearest(unit, queries))
    print(f"numpy matmul + argmax (chunks of 512): {t:8.3f} s  {a.queries / t:10.0f} queries/s")

    for backend in a.backends.split(","):
        try:
            v, t_build = timed(lambda: glove_wgpu.Vectors(words, matrix, backend=backend))
        except glove_wgpu.GpuError as e:
            print(f"glove_wgpu {backend}: no GPU ({e})")
            continue
        v.nearest(queries[:64])  # warm-up
        (ids, _), t = timed(lambda: v.nearest(queries, k=1))
        agree = (ids[:, 0] == want).mean()
        assert agree > 0.999, f"glove_wgpu {backend} agrees with numpy on {agree:.4%} only"
        print(
            f"glove_wgpu {backend:3} ({v.backend}): {t:8.3f} s  {a.queries / t:10.0f} queries/s"
            f"  (index built in {t_build:.2f} s, agrees with numpy on {agree:.2%})"
        )
        del v

    nb = a.broadcast_queries
    (got, name), t = timed(lambda: broadcast_nearest(matrix, queries[:nb]))
    assert (got == want[:nb]).all(), "broadcasting disagrees with numpy"
    print(
        f"broadcasting, {name}: {t:8.3f} s for {nb} queries, so about {t / nb * a.queries:8.1f} s"
        f" for {a.queries}  {nb / t:10.1f} queries/s"
    )

    if a.no_load:
        return
    path = a.file or os.path.join(tempfile.gettempdir(), "glove_wgpu_bench_400k.txt")
    try:
        _, t = timed(lambda: glove_wgpu.Vectors(words, matrix, backend="cpu").save(path))
        print(f"wrote {path}: {os.path.getsize(path) / 1e9:.2f} GB in {t:.1f} s")
        v, t = timed(lambda: glove_wgpu.Vectors.load(path, backend="cpu"))
        assert v.index_to_key[:3] == words[:3] and np.array_equal(v.vectors, matrix)
        print(f"load, glove_wgpu (read + cosine index): {t:8.2f} s")
        del v
        from gensim.models import KeyedVectors

        kv, t = timed(lambda: KeyedVectors.load_word2vec_format(path, binary=False, no_header=True))
        assert np.array_equal(kv.vectors[:10], matrix[:10])
        print(f"load, gensim load_word2vec_format:      {t:8.2f} s")
    finally:
        if os.path.exists(path):
            os.remove(path)


if __name__ == "__main__":
    main()
