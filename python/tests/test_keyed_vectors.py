"""Keys, rows, changes and copies: what glove_wgpu.Vectors promises beyond
gensim's answers (test_gensim_api.py holds those)."""

import copy
import pickle

import numpy as np
import pytest

import glove_wgpu
from conftest import random_words


@pytest.fixture
def v(rng):
    return glove_wgpu.Vectors(random_words(50), rng.standard_normal((50, 8), dtype=np.float32), backend="cpu")


def test_key_lookups_are_one_cached_mapping(v):
    """One mapping, made once: key_to_index[w] is a dict look-up, not a new
    dict per access (it was 155 ms a look-up on 200k words)."""
    kti = v.key_to_index
    assert v.key_to_index is kti and v.index_to_key is v.index_to_key
    assert kti["w7"] == 7 and kti.get("zzz") is None and "w3" in kti and len(kti) == 50
    with pytest.raises(TypeError):
        kti["w1"] = 3  # a read-only view: the vectors' own index cannot be corrupted
    assert dict(kti) == {w: i for i, w in enumerate(v.index_to_key)}


def test_key_lookups_follow_changes(v):
    kti, itk = v.key_to_index, v.index_to_key
    v.add_vectors(["new1", "new2"], np.ones((2, 8), np.float32))
    assert kti["new2"] == 51 and itk[-1] == "new2" and len(itk) == 52
    v["new3"] = np.zeros(8, np.float32)
    assert v.key_to_index["new3"] == 52 and v.index_to_key[52] == "new3"


def test_rows_by_int_and_iteration(v):
    np.testing.assert_array_equal(v[3], v["w3"])
    np.testing.assert_array_equal(v[np.int64(4)], v["w4"])
    np.testing.assert_array_equal(v[[0, "w1"]], v.vectors[:2])
    with pytest.raises(KeyError, match="50"):
        v[50]
    with pytest.raises(KeyError, match="-1"):
        v[-1]
    # Iteration yields the words in row order (gensim's KeyedVectors has no
    # __iter__: its fallback through __getitem__ ends in a KeyError).
    assert list(v) == v.index_to_key
    assert 3 in v and 49 in v and 50 not in v and -1 not in v and "w3" in v and "zzz" not in v


def test_topn_zero_and_none(v):
    assert v.most_similar("w1", topn=0) == []
    every = v.most_similar("w1", topn=None)
    assert every.shape == (50,) and every.dtype == np.float32
    assert every[1] == pytest.approx(1.0, abs=1e-6)


def test_pickle_copy_deepcopy(v):
    v.set_vecattr("w2", "count", 5)
    for clone in [pickle.loads(pickle.dumps(v)), copy.deepcopy(v), copy.copy(v)]:
        assert isinstance(clone, glove_wgpu.Vectors)
        assert clone.index_to_key == v.index_to_key
        np.testing.assert_array_equal(clone.vectors, v.vectors)
        assert clone.get_vecattr("w2", "count") == 5
        assert clone.most_similar("w1", topn=3) == v.most_similar("w1", topn=3)
        clone.set_vecattr("w2", "count", 6)
        assert v.get_vecattr("w2", "count") == 5


def test_f16_and_backend_survive_pickle(rng):
    v = glove_wgpu.Vectors(random_words(20), rng.standard_normal((20, 4)), backend="cpu", f16=True)
    clone = pickle.loads(pickle.dumps(v))
    assert "f16" in repr(clone) and clone.backend == "cpu"


def test_vectors_is_a_read_only_snapshot(v):
    """`vectors` is a read-only view (no copy) of the matrix as it is; a change
    makes a new matrix and leaves views taken before as they were."""
    m = v.vectors
    assert not m.flags.writeable and np.shares_memory(m, v.vectors)
    before = m.copy()
    with pytest.raises(ValueError):
        m[0, 0] = 1.0
    v["w0"] = np.full(8, 3.0, np.float32)
    np.testing.assert_array_equal(m, before)  # the old view: unchanged
    np.testing.assert_array_equal(v.vectors[0], np.full(8, 3.0))
    assert not np.shares_memory(m, v.vectors)
    # A row is a copy: writing it changes nothing else.
    row = v["w1"]
    row[0] = 99.0
    assert v["w1"][0] != 99.0


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
def test_changes_reach_the_exact_indexes(backend, rng, metric):
    """The rule for a built index: every exact index (one per metric and row
    range) follows the vectors. A change drops them; the next search builds
    them again from the new matrix."""
    matrix = rng.standard_normal((300, 16), dtype=np.float32)
    v = glove_wgpu.Vectors(random_words(300), matrix, backend=backend)
    target = rng.standard_normal(16).astype(np.float32) * 10
    ids, _ = v.nearest(target, k=1, metric=metric)
    assert ids[0] != 7
    v["w7"] = target
    ids, scores = v.nearest(target, k=1, metric=metric)
    assert ids[0] == 7
    v.add_vectors(["far"], target[None, :] * (1.0001 if metric == "dot" else 1.0))
    ids, _ = v.nearest(target, k=2, metric=metric)
    assert sorted(ids.tolist()) == [7, 300]
    assert v.most_similar(positive=[target], topn=2)[0][0] in {"w7", "far"}
    assert v.words(300) == "far"


def test_changes_are_checked_before_anything_changes(v):
    before = v.vectors.copy()
    with pytest.raises(glove_wgpu.InvalidInputError, match="non-finite"):
        v.add_vectors(["ok", "bad"], np.array([[0] * 8, [np.nan] * 8], np.float32))
    with pytest.raises(glove_wgpu.InvalidInputError, match="separator"):
        v.add_vectors(["ok", "two words"], np.zeros((2, 8), np.float32))
    with pytest.raises(glove_wgpu.InvalidInputError, match="8 dimensions"):
        v["w1"] = np.zeros(5, np.float32)
    with pytest.raises(glove_wgpu.InvalidInputError, match="2 keys"):
        v.add_vectors(["a1", "a2"], np.zeros((3, 8), np.float32))
    assert len(v) == 50 and "ok" not in v
    np.testing.assert_array_equal(v.vectors, before)


def test_empty_vectors_grow(rng):
    v = glove_wgpu.Vectors(vector_size=4, backend="cpu")
    assert len(v) == 0 and v.vector_size == 4 and v.vectors.shape == (0, 4)
    assert v.nearest(np.ones(4, np.float32), k=3)[0].shape == (0,)
    v.add_vectors(["a", "b"], np.eye(2, 4, dtype=np.float32))
    assert v.most_similar("a", topn=1)[0][0] == "b"
    with pytest.raises(glove_wgpu.InvalidInputError, match="vector_size"):
        glove_wgpu.Vectors(backend="cpu")


def test_nearest_exclude_and_restrict(rng):
    matrix = rng.standard_normal((100, 8), dtype=np.float32)
    v = glove_wgpu.Vectors(random_words(100), matrix, backend="cpu")
    ids, _ = v.nearest(matrix[:3], k=2, exclude=[[0], [1, 5], []])
    assert ids[0, 0] != 0 and 1 not in ids[1] and ids[2, 0] == 2
    ids, _ = v.nearest(matrix[50:53], k=4, restrict_vocab=20)
    assert ids.max() < 20
    # k is at most the rows searched; where exclusions leave fewer, the rest
    # is padded with id -1 and a NaN score.
    ids, scores = v.nearest(matrix[:1], k=5, restrict_vocab=3, exclude=[[0]])
    assert sorted(ids[0, :2].tolist()) == [1, 2] and ids[0, 2:].tolist() == [-1]
    assert np.isnan(scores[0, 2:]).all()


def test_analogy_mul_uses_gensims_epsilon(rng):
    """3CosMul: gensim's most_similar_cosmul formula with its epsilon, 1e-6."""
    assert glove_wgpu.COSMUL_EPSILON == 1e-6
    matrix = rng.standard_normal((300, 12), dtype=np.float32)
    v = glove_wgpu.Vectors(random_words(300), matrix, backend="cpu")
    u = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    cos = (u @ u[[5, 6, 7]].T + 1) / 2
    for eps in [1e-6, 1e-3]:
        score = cos[:, 1] * cos[:, 2] / (cos[:, 0] + eps)
        score[[5, 6, 7]] = -np.inf
        kwargs = {} if eps == 1e-6 else {"epsilon": eps}
        got = v.analogy("w5", "w6", "w7", topn=1, method="mul", **kwargs)
        assert got[0][0] == f"w{int(np.argmax(score))}"
        assert got[0][1] == pytest.approx(score.max(), rel=1e-5)
