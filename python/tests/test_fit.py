"""Training from Python: the cost falls, the report and the progress callback
agree, the defaults are the command line's."""

import numpy as np
import pytest

import glove_wgpu
from conftest import DATA, require_gpu


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The first 200 KB of the bundled King James Bible (about 40,000 tokens)."""
    path = tmp_path_factory.mktemp("corpus") / "kjv-head.txt"
    path.write_bytes(DATA.joinpath("kjv.txt").read_bytes()[:200_000].rsplit(b" ", 1)[0])
    return path


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
def test_cost_falls(corpus, backend):
    if backend == "gpu":
        require_gpu()
    epochs = []
    vectors, report = glove_wgpu.fit(
        corpus, dim=16, epochs=6, min_count=5, backend=backend, progress=epochs.append
    )
    costs = [e["cost"] for e in epochs]
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4, 5, 6]
    assert all(b < a for a, b in zip(costs, costs[1:])), costs
    assert costs[-1] < 0.8 * costs[0], costs
    assert report["final_cost"] == pytest.approx(costs[-1])
    assert [e["cost"] for e in report["epochs"]] == pytest.approx(costs)
    assert report["vocab_size"] == len(vectors) > 500
    assert vectors.vector_size == 16 and vectors.index_to_key[:2] == ["and", "the"]
    assert np.isfinite(vectors.vectors).all()
    assert [s["stage"] for s in report["stages"]] == [
        "vocabulary", "cooccurrences", "shuffle", "training"
    ]


def test_defaults_are_the_command_lines(corpus):
    assert glove_wgpu.FIT_DEFAULTS["dim"] == 50 and glove_wgpu.FIT_DEFAULTS["window"] == 15
    vectors, report = glove_wgpu.fit(corpus, epochs=1, backend="cpu")
    c, d = report["config"], glove_wgpu.FIT_DEFAULTS
    assert vectors.vector_size == d["dim"]
    for key in ["dim", "x_max", "alpha", "seed", "row_cap"]:
        assert c[key] == pytest.approx(d[key]), key


def test_same_seed_same_vectors(corpus):
    kwargs = dict(dim=8, epochs=2, backend="cpu", cpu_trainer="exact", seed=3)
    a, _ = glove_wgpu.fit(corpus, **kwargs)
    b, _ = glove_wgpu.fit(corpus, **kwargs)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    c, _ = glove_wgpu.fit(corpus, **{**kwargs, "seed": 4})
    assert not np.array_equal(a.vectors, c.vectors)
