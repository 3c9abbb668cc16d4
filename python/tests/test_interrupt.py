"""Ctrl-C during a long `nearest`: the search runs in chunks sized to about a
fifth of a second each and checks for signals between them, so
KeyboardInterrupt comes within a chunk, not when the whole search ends (it came
23 s later on lavapipe)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import require_gpu

CHILD = r"""
import sys, time
import numpy as np
import glove_wgpu

backend, seconds = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)
n, d = (20_000, 64) if backend == "gpu" else (100_000, 64)
v = glove_wgpu.Vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, d), dtype=np.float32),
                       backend=backend)
q = rng.standard_normal((64, d), dtype=np.float32)
v.nearest(q[:8])  # the index is built, the kernels compiled
t = time.perf_counter()
v.nearest(q)
per_query = (time.perf_counter() - t) / len(q)
m = max(64, int(seconds / per_query))
q = rng.standard_normal((m, d), dtype=np.float32)
print(f"searching {m} queries, about {m * per_query:.1f} s", flush=True)
t = time.perf_counter()
try:
    v.nearest(q, k=1)
    print(f"finished after {time.perf_counter() - t:.2f} s", flush=True)
except KeyboardInterrupt:
    print(f"interrupted after {time.perf_counter() - t:.2f} s", flush=True)
"""


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
def test_ctrl_c_stops_a_long_search(backend):
    if backend == "gpu":
        require_gpu()
    seconds = 12.0
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, backend, str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = child.stdout.readline()
        assert first.startswith("searching"), first + child.stderr.read()
        time.sleep(1.0)
        sent = time.perf_counter()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        waited = time.perf_counter() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert out.startswith("interrupted"), out + err
    assert waited < 3.0, f"KeyboardInterrupt came {waited:.1f} s after Ctrl-C ({first.strip()}; {out.strip()})"
