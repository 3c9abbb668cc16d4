"""Shared fixtures: the repository's bundled data, random matrices, and the
backends every search test runs on.

GPU tests: with ``CI`` set they use ``backend="gpu"`` (lavapipe in CI) and fail
when no adapter is found; elsewhere they are skipped, with the reason shown by
``pytest -rs``, when there is none."""

import os
from pathlib import Path

import numpy as np
import pytest

import glove_wgpu

DATA = Path(__file__).resolve().parents[2] / "data"


def _gpu_problem():
    """None when backend="gpu" works here, else why not."""
    try:
        glove_wgpu.Vectors(["a"], np.ones((1, 4), np.float32), backend="gpu")
        return None
    except glove_wgpu.GpuError as e:
        return str(e)


_GPU_PROBLEM = _gpu_problem()


def require_gpu():
    """Fails in CI and skips elsewhere when there is no GPU adapter."""
    if _GPU_PROBLEM is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but backend='gpu' failed: {_GPU_PROBLEM}")
    pytest.skip(f"no GPU adapter: {_GPU_PROBLEM}")


@pytest.fixture(params=["cpu", "gpu"])
def backend(request):
    """Each backend in turn; "gpu" needs an adapter (see require_gpu)."""
    if request.param == "gpu":
        require_gpu()
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def random_words(n):
    return [f"w{i}" for i in range(n)]
