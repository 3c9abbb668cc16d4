"""Ctrl-C during a long `nearest`: the search runs in chunks of about a fifth of
a second and checks for signals between them, so KeyboardInterrupt comes within
a chunk, not when the whole search ends (it came 23 s later on lavapipe).

No clock is read to decide: a child process counts the signal checks made while
its search runs (a SIGALRM handler every 20 ms runs only when the native search
checks for signals, since the search holds no GIL) and, at the fifth, sends
itself a real SIGINT. The search must then end in KeyboardInterrupt, before
returning a result. A search that checked only at its end would run the handler
at most once or twice, finish, and return."""

import subprocess
import sys

import pytest

from conftest import require_gpu

CHILD = r"""
import os, signal, sys, time
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
# Long enough for dozens of chunks (sized, not asserted, by the clock).
q = rng.standard_normal((max(64, int(seconds / per_query)), d), dtype=np.float32)

searching, checks = False, 0
def on_alarm(signum, frame):
    global checks
    if searching:
        checks += 1
        if checks == 5:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, mid-search
signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
hits = None
try:
    searching = True
    hits = v.nearest(q, k=1)
    searching = False
    print(f"finished: {len(q)} queries answered, {checks} signal checks during the search", flush=True)
except KeyboardInterrupt:
    searching = False
    print(f"interrupted: result returned={hits is not None}, {checks} signal checks", flush=True)
finally:
    signal.setitimer(signal.ITIMER_REAL, 0)
"""


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
def test_ctrl_c_stops_a_long_search(backend):
    if backend == "gpu":
        require_gpu()
    # The timeout only guards against a hang; nothing is timed.
    out = subprocess.run([sys.executable, "-c", CHILD, backend, "10"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("interrupted: result returned=False"), out.stdout + out.stderr
