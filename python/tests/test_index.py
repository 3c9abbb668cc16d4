"""The IVF index from Python (glove_wgpu.Index): recall against numpy's exact
search on clustered data, on both backends; the file (round trip, damage);
add and remove; the index= keyword of Vectors against the Index's own
methods; k beyond the index; and the errors of bad arguments."""

import inspect

import numpy as np
import pytest

import glove_wgpu
from conftest import random_words, require_gpu
from glove_wgpu import _native

# 2,000 rows of 24 dimensions around 40 centres: clusters an IVF index can
# find, sizes that fill no GPU tile evenly.
N, D, CENTRES = 2003, 24, 40


def clustered(rng, n=N, d=D, centres=CENTRES, spread=0.35):
    c = rng.standard_normal((centres, d)).astype(np.float32)
    labels = rng.integers(0, centres, n)
    return (c[labels] + spread * rng.standard_normal((n, d))).astype(np.float32), c


def exact(matrix, queries, k, metric="cosine"):
    """Top-k ids and the score of every row, with numpy in float64."""
    e, q = matrix.astype(np.float64), queries.astype(np.float64)
    if metric == "cosine":
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
    if metric == "euclidean":
        s = np.sqrt(((q[:, None, :] - e[None, :, :]) ** 2).sum(-1))
        order = np.argsort(s, axis=1, kind="stable")
    else:
        s = q @ e.T
        order = np.argsort(-s, axis=1, kind="stable")
    return order[:, :k], s


def recall_at(ids, want):
    return np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(ids.tolist(), want.tolist())])


@pytest.fixture
def data(rng):
    matrix, centres = clustered(rng)
    # Fresh points around the same centres.
    labels = rng.integers(0, CENTRES, 150)
    queries = (centres[labels] + 0.35 * rng.standard_normal((150, D))).astype(np.float32)
    return matrix, queries


def test_recall_against_exact_search(backend, data):
    matrix, queries = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend=backend)
    index = v.build_index(seed=1)
    assert (len(index), index.dim, index.metric, index.precision) == (N, D, "cosine", "f32")
    assert index.lists == round(4 * N**0.5) and index.recall == 0.95
    if backend == "gpu":
        assert index.backend != "cpu"  # the GPU path, not a fallback
    nprobe = index.nprobe_for(0.95)
    assert 1 <= nprobe <= index.lists
    assert index.calibration["recall"][nprobe - 1] >= 0.95
    ids, scores = index.nearest(queries, k=10)
    assert ids.shape == scores.shape == (150, 10) and ids.dtype == np.int64 and scores.dtype == np.float32
    want, all_scores = exact(matrix, queries, 10)
    assert recall_at(ids, want) >= 0.9
    # Hits are exact within the lists read: each score is the row's true
    # cosine, and the scores are best first.
    assert (ids >= 0).all()
    np.testing.assert_allclose(np.take_along_axis(all_scores, ids, axis=1), scores, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()
    # Every list read: the exact answer.
    ids, scores = index.nearest(queries, k=10, nprobe=index.lists)
    assert (ids == want).mean() > 0.999
    # Fewer lists, lower recall: the knob does something.
    low, _ = index.nearest(queries, k=10, nprobe=1)
    assert recall_at(low, want) < recall_at(ids, want)


@pytest.mark.parametrize("metric", ["dot", "euclidean"])
def test_other_metrics_read_every_list_exactly(backend, metric, data):
    matrix, queries = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend=backend)
    index = v.build_index(lists=16, metric=metric, seed=2)
    ids, scores = index.nearest(queries, k=5, nprobe=16)
    want, all_scores = exact(matrix, queries, 5, metric)
    assert (ids == want).mean() > 0.999
    np.testing.assert_allclose(np.take_along_axis(all_scores, ids, axis=1), scores, rtol=1e-4, atol=1e-4)
    # nearest through Vectors takes the index's metric (metric=None) or the same name.
    got, _ = v.nearest(queries, k=5, index=index, nprobe=16, metric=metric)
    np.testing.assert_array_equal(got, ids)
    got, _ = v.nearest(queries, k=5, index=index, nprobe=16)
    np.testing.assert_array_equal(got, ids)


def test_gpu_builds_the_cpu_index(data, tmp_path):
    """The build is deterministic across devices: the same file bytes."""
    require_gpu()
    matrix, queries = data
    files = []
    for backend in ["cpu", "gpu"]:
        v = glove_wgpu.Vectors(random_words(N), matrix, backend=backend)
        index = v.build_index(lists=30, seed=5)
        assert (index.backend == "cpu") == (backend == "cpu")
        files.append(tmp_path / f"{backend}.ivf")
        index.save(files[-1])
    assert files[0].read_bytes() == files[1].read_bytes()
    # Loaded on either device, the same answers.
    a = glove_wgpu.Index.load(files[0], backend="cpu").nearest(queries, k=7)
    b = glove_wgpu.Index.load(files[0], backend="gpu").nearest(queries, k=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1], atol=1e-5)


def test_f16_index_is_close(data):
    matrix, queries = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend="cpu")
    index = v.build_index(lists=20, f16=True, seed=1)
    assert index.precision == "f16"
    ids, scores = index.nearest(queries, k=1, nprobe=20)
    want, all_scores = exact(matrix, queries, 1)
    assert (ids == want).mean() > 0.95
    np.testing.assert_allclose(scores[:, 0], all_scores[np.arange(150), want[:, 0]], atol=2e-3)


def test_save_load_round_trip(data, tmp_path):
    matrix, queries = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend="cpu")
    index = v.build_index(lists=25, recall=0.9, seed=3)
    path = tmp_path / "v.ivf"
    index.save(path)
    back = glove_wgpu.Index.load(str(path), backend="cpu")
    assert (len(back), back.dim, back.metric, back.lists, back.precision) == (N, D, "cosine", 25, "f32")
    assert back.recall == index.recall and back.calibration == index.calibration
    assert back.list_sizes() == index.list_sizes() and back.nprobe_for(0.99) == index.nprobe_for(0.99)
    assert dict(back.key_to_index) == dict(index.key_to_index)
    for kwargs in [{}, {"nprobe": 3}, {"recall": 0.99}]:
        a, b = index.nearest(queries, k=9, **kwargs), back.nearest(queries, k=9, **kwargs)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert back.most_similar("w3", topn=5) == index.most_similar("w3", topn=5)
    # Saving the loaded index writes the same bytes.
    back.save(tmp_path / "again.ivf")
    assert (tmp_path / "again.ivf").read_bytes() == path.read_bytes()


def test_a_damaged_file_is_a_clear_error(data, tmp_path):
    matrix, _ = data
    v = glove_wgpu.Vectors(random_words(300), matrix[:300], backend="cpu")
    path = tmp_path / "v.ivf"
    v.build_index(lists=4).save(path)
    good = path.read_bytes()
    for at in [len(good) // 2, len(good) - 1]:
        bad = bytearray(good)
        bad[at] ^= 0x20  # one bit of one byte
        path.write_bytes(bytes(bad))
        with pytest.raises(glove_wgpu.InvalidInputError, match="v.ivf") as e:
            glove_wgpu.Index.load(path, backend="cpu")
        assert "checksum" in str(e.value).lower(), str(e.value)
    path.write_bytes(good[: len(good) // 3])  # truncated
    with pytest.raises(glove_wgpu.InvalidInputError, match="v.ivf"):
        glove_wgpu.Index.load(path, backend="cpu")
    path.write_bytes(b"a vectors file, not an index")
    with pytest.raises(glove_wgpu.InvalidInputError, match="v.ivf"):
        glove_wgpu.Index.load(path, backend="cpu")
    with pytest.raises(glove_wgpu.FileError) as e:
        glove_wgpu.Index.load(tmp_path / "missing.ivf", backend="cpu")
    assert e.value.errno == 2


def test_add_and_remove(data, tmp_path):
    matrix, _ = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend="cpu")
    index = v.build_index(lists=20, seed=1)
    lists = index.lists
    # New words near existing rows: each is its twin's nearest neighbour.
    twins = [5, 17, 400]
    new = matrix[twins] + 0.05 * np.random.default_rng(1).standard_normal((3, D), dtype=np.float32)
    index.add(["new0", "new1", "new2"], new)
    assert len(index) == N + 3 and index.lists == lists and sum(index.list_sizes()) == N + 3
    assert [index.get_index(w) for w in ["new0", "new1", "new2"]] == [N, N + 1, N + 2]
    assert "new1" in index and index.key_to_index["new2"] == N + 2
    ids, _ = index.nearest(new, k=2)
    assert ids[:, 0].tolist() == [N, N + 1, N + 2]
    assert ids[:, 1].tolist() == twins
    assert index.most_similar("w17", topn=1)[0][0] == "new1"
    # Checked whole before any change.
    with pytest.raises(glove_wgpu.InvalidInputError, match="already in the index"):
        index.add(["fresh", "w3"], matrix[:2])
    with pytest.raises(glove_wgpu.InvalidInputError, match=f"{D} dimensions"):
        index.add(["fresh"], np.ones((1, D + 1), np.float32))
    with pytest.raises(glove_wgpu.InvalidInputError, match="non-finite"):
        index.add(["fresh"], np.full((1, D), np.nan, np.float32))
    with pytest.raises(TypeError):
        index.add("fresh", matrix[0])
    assert len(index) == N + 3 and "fresh" not in index

    index.remove(["w5", "new1"])
    index.remove("w6")
    assert len(index) == N
    assert "w5" not in index and "w6" not in index and "w7" in index
    ids, _ = index.nearest(matrix[5:7], k=3, nprobe=lists)
    assert not {5, 6, N + 1} & set(ids.ravel().tolist())
    assert ids[0, 0] == N  # new0, w5's twin, is left
    with pytest.raises(glove_wgpu.UnknownWordError, match="w5"):
        index.most_similar("w5")
    # An unknown word removes nothing.
    with pytest.raises(glove_wgpu.UnknownWordError, match="nope"):
        index.remove(["w8", "nope"])
    assert "w8" in index and len(index) == N
    # Removed ids keep their words until a save; the file renumbers.
    assert index.words([5, N + 1]) == ["w5", "new1"]
    path = tmp_path / "changed.ivf"
    index.save(path)
    back = glove_wgpu.Index.load(path, backend="cpu")
    assert len(back) == N and back.get_index("w7") == 5 and back.get_index("new2") == N - 1
    q = matrix[[0, 100, 1000]]
    a, b = index.nearest(q, k=5), back.nearest(q, k=5)
    assert index.words(a[0]) == back.words(b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_index_keyword_equals_the_index_methods(backend, data):
    matrix, queries = data
    words = random_words(N)
    v = glove_wgpu.Vectors(words, matrix, backend=backend)
    index = v.build_index(lists=30, seed=4)
    for kwargs in [{}, {"nprobe": 2}, {"recall": 0.99}]:
        a = v.nearest(queries, k=6, index=index, **kwargs)
        b = index.nearest(queries, k=6, **kwargs)
        np.testing.assert_array_equal(a[0], b[0])  # built from v: the same ids
        np.testing.assert_array_equal(a[1], b[1])
    one = v.nearest(queries[0], k=4, index=index, exclude=[3, 9])
    assert one[0].shape == (4,) and not {3, 9} & set(one[0].tolist())
    got = v.most_similar(positive=["w1", "w2"], negative=["w3"], topn=8, index=index, nprobe=5)
    want = index.most_similar(positive=["w1", "w2"], negative=["w3"], topn=8, nprobe=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
    assert not {"w1", "w2", "w3"} & {w for w, _ in got}
    assert v.similar_by_word("w10", topn=3, index=index) == v.most_similar("w10", topn=3, index=index)
    assert [w for w, _ in v.similar_by_vector(matrix[10], topn=3, index=index)] == [
        w for w, _ in index.most_similar(positive=[matrix[10]], topn=3)
    ]
    # Read every list, the index is the exact search.
    exact_words = [w for w, _ in v.most_similar("w10", topn=5)]
    assert [w for w, _ in v.most_similar("w10", topn=5, index=index, nprobe=index.lists)] == exact_words
    assert [w for w, _ in index.most_similar("w10", topn=5, nprobe=index.lists)] == exact_words
    ids, scores = index.most_similar("w10", topn=5, nprobe=index.lists, return_tensors="np")
    assert index.words(ids) == exact_words and scores.dtype == np.float32
    # Ids through Vectors are its rows, matched by word, after it reorders.
    v.set_vecattr("w0", "count", 0)
    v.expandos["count"][:] = np.arange(N)  # the last row first
    v.sort_by_descending_frequency()
    ids, scores = v.nearest(queries, k=6, index=index)
    want_ids, want_scores = index.nearest(queries, k=6)
    assert v.words(ids) == index.words(want_ids)
    np.testing.assert_array_equal(scores, want_scores)
    # A hit whose word these vectors lack is an error, not a wrong row.
    index.add(["only-in-index"], queries[:1])
    with pytest.raises(glove_wgpu.InvalidInputError, match="only-in-index"):
        v.nearest(queries[:1], k=1, index=index)


def test_k_larger_than_the_index(rng):
    matrix, _ = clustered(rng, n=60, centres=4)
    v = glove_wgpu.Vectors(random_words(60), matrix, backend="cpu")
    index = v.build_index(lists=4, seed=0)
    ids, scores = index.nearest(matrix[:3], k=100, nprobe=4)
    assert ids.shape == scores.shape == (3, 60)
    assert all(sorted(r) == list(range(60)) for r in ids.tolist())
    # One list read holds fewer than k: the rest is -1 and NaN.
    ids, scores = index.nearest(matrix[:3], k=100, nprobe=1)
    assert ids.shape == (3, 60)
    found = ids >= 0
    assert (found.sum(1) < 60).all() and (found.sum(1) > 0).all()
    assert np.isnan(scores[~found]).all() and not np.isnan(scores[found]).any()
    assert (found[:, :-1] >= found[:, 1:]).all()  # hits first
    got = index.most_similar("w0", topn=100, nprobe=1)
    assert 0 < len(got) < 59 and "w0" not in {w for w, _ in got}
    assert len(index.most_similar("w0", topn=100, nprobe=4)) == 59
    assert index.most_similar("w0", topn=0) == []
    ids, scores = v.nearest(matrix[:2], k=100, index=index, nprobe=4)
    assert ids.shape == (2, 60)
    # Every word removed: k = 0 columns.
    index.remove(list(index))
    ids, scores = index.nearest(matrix[:2], k=3)
    assert ids.shape == (2, 0) and len(index) == 0


def test_bad_arguments_raise_clear_errors(data):
    matrix, queries = data
    v = glove_wgpu.Vectors(random_words(N), matrix, backend="cpu")
    index = v.build_index(lists=10)
    for recall in [0, -0.5, 1.01, float("nan")]:
        with pytest.raises(glove_wgpu.InvalidInputError, match=r"recall must be in \(0, 1\]"):
            index.nearest(queries, recall=recall)
        with pytest.raises(glove_wgpu.InvalidInputError, match="recall"):
            index.nprobe_for(recall)
        with pytest.raises(glove_wgpu.InvalidInputError, match="recall"):
            v.build_index(recall=recall)
        with pytest.raises(glove_wgpu.InvalidInputError, match="recall"):
            v.nearest(queries, index=index, recall=recall)
    assert index.nprobe_for(1.0) <= index.lists and index.nprobe_for(1e-6) == 1
    with pytest.raises(glove_wgpu.InvalidInputError, match="nprobe must be at least 1"):
        index.nearest(queries, nprobe=0)
    with pytest.raises(glove_wgpu.InvalidInputError, match="not both"):
        index.nearest(queries, recall=0.9, nprobe=2)
    with pytest.raises(glove_wgpu.InvalidInputError, match="k must be at least 1"):
        index.nearest(queries, k=0)
    with pytest.raises(TypeError, match="k must be an int"):
        index.nearest(queries, k=2.0)
    # Unknown words, by name and by id.
    with pytest.raises(glove_wgpu.UnknownWordError, match="nope"):
        index.most_similar("nope")
    with pytest.raises(KeyError):
        index.most_similar(positive=["w1"], negative=[N + 10])
    with pytest.raises(glove_wgpu.UnknownWordError):
        index.get_vector("nope")
    with pytest.raises(glove_wgpu.UnknownWordError, match="nope"):
        v.most_similar("nope", index=index)
    with pytest.raises(glove_wgpu.InvalidInputError, match="no input"):
        index.most_similar()
    # Wrong dimension.
    with pytest.raises(glove_wgpu.InvalidInputError, match=f"{D + 1} columns, the index has {D} dimensions"):
        index.nearest(np.ones((2, D + 1), np.float32))
    with pytest.raises(glove_wgpu.InvalidInputError, match=f"{D} values"):
        index.most_similar(positive=[np.ones(D - 1, np.float32)])
    other = glove_wgpu.Vectors(["a", "b"], np.eye(2, dtype=np.float32), backend="cpu")
    with pytest.raises(glove_wgpu.InvalidInputError, match=f"the index has {D} dimensions, these vectors 2"):
        other.nearest(np.ones(2, np.float32), index=index)
    with pytest.raises(glove_wgpu.InvalidInputError, match="exclude has 1 lists for 150 queries"):
        index.nearest(queries, exclude=[[1]])
    # Settings that do not go together.
    with pytest.raises(glove_wgpu.InvalidInputError, match="ranks by cosine, not euclidean"):
        v.nearest(queries, index=index, metric="euclidean")
    with pytest.raises(glove_wgpu.InvalidInputError, match="restrict_vocab"):
        v.nearest(queries, index=index, restrict_vocab=10)
    with pytest.raises(glove_wgpu.InvalidInputError, match="recall and nprobe go with index="):
        v.nearest(queries, nprobe=3)
    with pytest.raises(glove_wgpu.InvalidInputError, match="restrict_vocab"):
        v.most_similar("w1", index=index, restrict_vocab=100)
    dot = v.build_index(lists=4, metric="dot")
    with pytest.raises(glove_wgpu.InvalidInputError, match="use index.most_similar"):
        v.most_similar("w1", index=dot)
    with pytest.raises(TypeError, match="glove_wgpu.Index"):
        v.nearest(queries, index="index.ivf")
    # Build settings, by name.
    for kwargs, match in [
        ({"lists": 0}, "lists must be at least 1"),
        ({"metric": "manhattan"}, "manhattan"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"iterations": 0}, "iterations must be at least 1"),
        ({"train_per_list": 5}, "train_per_list must be at least 39"),
        ({"backend": "tpu"}, "tpu"),
    ]:
        with pytest.raises(glove_wgpu.InvalidInputError, match=match):
            v.build_index(**kwargs)
    with pytest.raises(glove_wgpu.InvalidInputError, match="at least one vector"):
        glove_wgpu.Vectors(vector_size=3, backend="cpu").build_index()
    with pytest.raises(TypeError, match="build_index"):
        glove_wgpu.Index()


def test_build_index_defaults_are_the_librarys():
    """The Python signature states the defaults; the library (and the command
    line) define them: they must agree."""
    params = inspect.signature(glove_wgpu.Vectors.build_index).parameters
    for name, value in _native._INDEX_DEFAULTS.items():
        assert params[name].default == value, name


def test_repr_and_lookups(rng):
    v = glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32) + 0.1, backend="cpu")
    index = v.build_index(lists=2, f16=True)
    assert repr(index) == 'Index(3 words x 3, metric="cosine", precision="f16", lists=2, backend="cpu")'
    assert list(index) == ["a", "b", "c"] and index.words(1) == "b"
    assert index.words(np.array([[2], [0]])) == [["c"], ["a"]]
    np.testing.assert_allclose(np.linalg.norm(index.get_vector("a")), 1.0, atol=1e-3)
    with pytest.raises(glove_wgpu.InvalidInputError, match="out of range"):
        index.words([7])
    assert index.calibration["recall"][-1] == 1.0 and len(index.calibration["recall"]) == 2


def test_docstring_examples_run():
    import doctest

    from glove_wgpu import _index, _vectors

    for module in [_index, _vectors]:
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# Ctrl-C during a long Index.nearest, as tests/test_interrupt.py does it for
# Vectors.nearest: a SIGALRM handler counts the signal checks the search makes
# (it runs only when the native search checks for signals) and sends a real
# SIGINT at the fifth; the search must end in KeyboardInterrupt.
INTERRUPT_CHILD = r"""
import os, signal, sys, time
import numpy as np
import glove_wgpu

backend, seconds = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)
n, d = (20_000, 64) if backend == "gpu" else (100_000, 64)
v = glove_wgpu.Vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, d), dtype=np.float32),
                       backend=backend)
index = v.build_index(lists=16)
q = rng.standard_normal((64, d), dtype=np.float32)
index.nearest(q[:8], nprobe=16)
t = time.perf_counter()
index.nearest(q, nprobe=16)
per_query = (time.perf_counter() - t) / len(q)
q = rng.standard_normal((max(64, int(seconds / per_query)), d), dtype=np.float32)

searching, checks = False, 0
def on_alarm(signum, frame):
    global checks
    if searching:
        checks += 1
        if checks == 5:
            os.kill(os.getpid(), signal.SIGINT)
signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
hits = None
try:
    searching = True
    hits = index.nearest(q, k=1, nprobe=16)
    searching = False
    print(f"finished: {len(q)} queries answered, {checks} signal checks during the search", flush=True)
except KeyboardInterrupt:
    searching = False
    print(f"interrupted: result returned={hits is not None}, {checks} signal checks", flush=True)
finally:
    signal.setitimer(signal.ITIMER_REAL, 0)
"""


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
def test_ctrl_c_stops_a_long_index_search(backend):
    import subprocess
    import sys

    if backend == "gpu":
        require_gpu()
    out = subprocess.run([sys.executable, "-c", INTERRUPT_CHILD, backend, "10"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("interrupted: result returned=False"), out.stdout + out.stderr
