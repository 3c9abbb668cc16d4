"""The same calls on glove_wgpu.Vectors and on gensim's KeyedVectors, on the
same vectors, for every method of gensim 4's KeyedVectors that glove_wgpu has:
the ranks must be equal and the scores within 1e-5, or differ as the
documentation says (python/README.md, "Differences from gensim").

Each case is a call written once and applied to both objects; `same` compares
what comes back (lists of (word, score), arrays, floats, words, exceptions)."""

import math
import pickle
import warnings

import numpy as np
import pytest

import glove_wgpu
from conftest import DATA

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors

ATOL = 1e-5
N, D = 600, 24


def make_words(n):
    return [f"w{i}" for i in range(n - 3)] + ["héllo", "naïve", "日本"]


@pytest.fixture(scope="module")
def matrix():
    rng = np.random.default_rng(19)
    return rng.standard_normal((N, D), dtype=np.float32)


def gensim_vectors(words, matrix):
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(words, matrix)
    return kv


@pytest.fixture
def both(backend, matrix):
    """(ours, theirs) on the same words and matrix, fresh for every test."""
    words = make_words(N)
    return glove_wgpu.Vectors(words, matrix, backend=backend), gensim_vectors(words, matrix)


def outcome(call, kv):
    """What `call(kv)` returns, or the exception it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return call(kv)
        except Exception as e:  # compared by type below
            return e


def same(ours, theirs, atol=ATOL):
    """Asserts the two results are equal: words and ranks exactly, numbers
    within `atol`, exceptions of the same built-in kind."""
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), f"gensim raised {theirs!r}, glove_wgpu returned {ours!r}"
        kinds = (KeyError, ValueError, ZeroDivisionError, TypeError, IndexError, AttributeError)
        kind = next(k for k in kinds if isinstance(theirs, k))
        assert isinstance(ours, kind), f"gensim raised {theirs!r}, glove_wgpu {ours!r}"
        return
    assert not isinstance(ours, Exception), f"glove_wgpu raised {ours!r}, gensim returned {theirs!r}"
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), type(ours)
        assert ours.shape == theirs.shape
        if theirs.dtype.kind == "f":
            np.testing.assert_allclose(ours, theirs, atol=atol, rtol=0)
        else:
            np.testing.assert_array_equal(ours, theirs)
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, type(theirs)) or isinstance(ours, (list, tuple)), type(ours)
        assert len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            same(a, b, atol)
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for key in theirs:
            same(ours[key], theirs[key], atol)
    elif isinstance(theirs, (float, np.floating)):
        assert isinstance(ours, (float, np.floating)), type(ours)
        if math.isnan(theirs):
            assert math.isnan(ours)
        else:
            assert abs(ours - theirs) <= atol, (ours, theirs)
    else:
        assert ours == theirs and type(ours) is type(theirs) or (
            isinstance(theirs, (int, np.integer)) and ours == theirs
        ), (ours, theirs)


v0 = np.linspace(-1, 1, D, dtype=np.float32)
v1 = np.cos(np.arange(D, dtype=np.float32))

# Calls that read (the same vectors before and after).
READS = {
    # most_similar and its habits: words, vectors, (key, weight) pairs, ints,
    # restrict_vocab, clip_end, topn=None (every similarity) and topn=0.
    "most_similar word": lambda kv: kv.most_similar("w1"),
    "most_similar list": lambda kv: kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=7),
    "most_similar negative only": lambda kv: kv.most_similar(negative=["w4"], topn=5),
    "most_similar vector": lambda kv: kv.most_similar(positive=[v0], topn=5),
    "most_similar one vector": lambda kv: kv.most_similar(v0, topn=5),
    "most_similar 2-D array": lambda kv: kv.most_similar(np.stack([v0, v1]), topn=5),
    "most_similar vector and word": lambda kv: kv.most_similar(positive=[v0, "w5"], negative=[v1], topn=6),
    "most_similar weights": lambda kv: kv.most_similar(positive=[("w1", 2.0), ("w2", 0.5)], negative=[("w3", -0.3)]),
    "most_similar int key": lambda kv: kv.most_similar(positive=[3, np.int64(4)], topn=4),
    "most_similar unicode": lambda kv: kv.most_similar("日本", topn=3),
    "most_similar restrict_vocab": lambda kv: kv.most_similar("w1", topn=5, restrict_vocab=100),
    "most_similar restrict past the end": lambda kv: kv.most_similar("w1", topn=5, restrict_vocab=10 * N),
    "most_similar clip_end": lambda kv: kv.most_similar("w1", topn=5, clip_end=300),
    "most_similar clip_start": lambda kv: kv.most_similar("w500", topn=5, clip_start=200, clip_end=400),
    "most_similar topn=None": lambda kv: kv.most_similar(positive=["w1", "w2"], negative=["w9"], topn=None),
    "most_similar topn=None restricted": lambda kv: kv.most_similar("w1", topn=None, restrict_vocab=50),
    "most_similar topn=0": lambda kv: kv.most_similar("w1", topn=0),
    "most_similar topn=-1": lambda kv: kv.most_similar("w1", topn=-1),
    "most_similar topn > n": lambda kv: kv.most_similar("w1", topn=N + 50),
    "most_similar unknown": lambda kv: kv.most_similar("zzz"),
    "most_similar unknown negative": lambda kv: kv.most_similar("w1", negative=["zzz"]),
    "most_similar nothing": lambda kv: kv.most_similar(),
    "similar_by_word": lambda kv: kv.similar_by_word("w8", topn=4),
    "similar_by_word restricted": lambda kv: kv.similar_by_word("w8", topn=4, restrict_vocab=80),
    "similar_by_key": lambda kv: kv.similar_by_key("w9", topn=4),
    "similar_by_key topn=None": lambda kv: kv.similar_by_key("w9", topn=None),
    "similar_by_vector": lambda kv: kv.similar_by_vector(v1, topn=6),
    "similar_by_vector restricted": lambda kv: kv.similar_by_vector(v1, topn=6, restrict_vocab=120),
    "similar_by_vector topn=None": lambda kv: kv.similar_by_vector(v1, topn=None),
    # 3CosMul with gensim's epsilon (1e-6).
    "cosmul analogy": lambda kv: kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=7),
    "cosmul word": lambda kv: kv.most_similar_cosmul("w5", topn=5),
    "cosmul word and negative": lambda kv: kv.most_similar_cosmul("w5", "w6", topn=5),
    "cosmul vector": lambda kv: kv.most_similar_cosmul(positive=[v0, "w7"], negative=["w8"], topn=5),
    "cosmul topn=None": lambda kv: kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=None),
    "cosmul topn=0": lambda kv: kv.most_similar_cosmul("w1", topn=0),
    "cosmul unknown": lambda kv: kv.most_similar_cosmul("zzz"),
    "cosmul nothing positive": lambda kv: kv.most_similar_cosmul(negative=["w1"]),
    # Pairs and sets of words.
    "similarity": lambda kv: kv.similarity("w1", "w2"),
    "similarity unknown": lambda kv: kv.similarity("w1", "zzz"),
    "distance": lambda kv: kv.distance("w3", "w4"),
    "distances to all": lambda kv: kv.distances("w3"),
    "distances to some": lambda kv: kv.distances("w3", ["w4", "w5", "w3"]),
    "distances of a vector": lambda kv: kv.distances(v0, ["w4", "w5"]),
    "distances unknown": lambda kv: kv.distances("w3", ["w4", "zzz"]),
    "n_similarity": lambda kv: kv.n_similarity(["w1", "w2"], ["w3", "w4", "w5"]),
    "n_similarity empty": lambda kv: kv.n_similarity([], ["w3"]),
    "doesnt_match": lambda kv: kv.doesnt_match(["w1", "w2", "w3", "w4"]),
    "doesnt_match some unknown": lambda kv: kv.doesnt_match(["w1", "w2", "zzz", "w4"]),
    "doesnt_match none known": lambda kv: kv.doesnt_match(["zzz", "yyy"]),
    "rank": lambda kv: kv.rank("w1", "w2"),
    "rank unknown": lambda kv: kv.rank("w1", "zzz"),
    "closer_than": lambda kv: kv.closer_than("w1", "w2"),
    "words_closer_than": lambda kv: kv.words_closer_than("w10", "w20"),
    "most_similar_to_given": lambda kv: kv.most_similar_to_given("w1", ["w2", "w3", "w4"]),
    "rank_by_centrality": lambda kv: kv.rank_by_centrality(["w1", "w2", "w3", "w4"]),
    "rank_by_centrality raw": lambda kv: kv.rank_by_centrality(["w1", "w2", "w3"], use_norm=False),
    "relative_cosine_similarity": lambda kv: kv.relative_cosine_similarity("w1", "w2", topn=5),
    # Vectors, norms, means.
    "get_vector": lambda kv: kv.get_vector("w5"),
    "get_vector norm": lambda kv: kv.get_vector("w5", norm=True),
    "get_vector int": lambda kv: kv.get_vector(5, norm=True),
    "get_vector unknown": lambda kv: kv.get_vector("zzz"),
    "get_normed_vectors": lambda kv: kv.get_normed_vectors(),
    "norms after fill_norms": lambda kv: (kv.fill_norms(), kv.norms)[1],
    "fill_norms force": lambda kv: (kv.fill_norms(force=True), kv.norms)[1],
    "get_mean_vector": lambda kv: kv.get_mean_vector(["w1", "w2", "w3"]),
    "get_mean_vector weights": lambda kv: kv.get_mean_vector(["w1", "w2"], weights=[0.2, 0.8]),
    "get_mean_vector weights array": lambda kv: kv.get_mean_vector(["w1", "w2"], weights=np.array([1.0, -2.0])),
    "get_mean_vector raw": lambda kv: kv.get_mean_vector(["w1", "w2"], pre_normalize=False),
    "get_mean_vector post": lambda kv: kv.get_mean_vector(["w1", v0], post_normalize=True),
    "get_mean_vector missing": lambda kv: kv.get_mean_vector(["w1", "zzz"]),
    "get_mean_vector missing strict": lambda kv: kv.get_mean_vector(["w1", "zzz"], ignore_missing=False),
    "get_mean_vector empty": lambda kv: kv.get_mean_vector([]),
    "get_mean_vector bad weights": lambda kv: kv.get_mean_vector(["w1"], weights=[1.0, 2.0]),
    "cosine_similarities": lambda kv: type(kv).cosine_similarities(v0, np.stack([v1, v0, -v0])),
    "cosine_similarities on object": lambda kv: kv.cosine_similarities(v1, kv.vectors[:10]),
    # Keys.
    "has_index_for": lambda kv: [kv.has_index_for(k) for k in ["w1", "zzz", 3, N, -1, np.int32(7)]],
    "in": lambda kv: [k in kv for k in ["w1", "zzz", 3, N, -1, np.int64(7), 2.5]],
    "get_index": lambda kv: [kv.get_index("w7"), kv.get_index(7), kv.get_index("zzz", -1)],
    "get_index unknown": lambda kv: kv.get_index("zzz"),
    "get_index out of range": lambda kv: kv.get_index(N),
    "getitem word": lambda kv: kv["w2"],
    "getitem int": lambda kv: kv[3],
    "getitem numpy int": lambda kv: kv[np.int64(3)],
    "getitem list": lambda kv: kv[["w2", "w1"]],
    "getitem int list": lambda kv: kv[[3, 1, 2]],
    "getitem mixed list": lambda kv: kv[["w3", 1]],
    "getitem unknown": lambda kv: kv["zzz"],
    "getitem out of range": lambda kv: kv[N + 1],
    "len": lambda kv: len(kv),
    "index_to_key": lambda kv: list(kv.index_to_key),
    "key_to_index": lambda kv: dict(kv.key_to_index),
    "key_to_index lookup": lambda kv: kv.key_to_index["naïve"],
    "vector_size": lambda kv: kv.vector_size,
    "vectors": lambda kv: kv.vectors,
    "vectors_norm": lambda kv: kv.vectors_norm,
    "index2word": lambda kv: kv.index2word,
}


@pytest.mark.parametrize("name", list(READS))
def test_reads_as_gensim(both, name):
    ours, theirs = both
    call = READS[name]
    same(outcome(call, ours), outcome(call, theirs))


# Calls that change the vectors: the same changes on both, then the same answers.
WRITES = {
    "add_vector": lambda kv: kv.add_vector("new", v0),
    "add_vectors": lambda kv: kv.add_vectors(["n1", "n2"], np.stack([v0, v1])),
    "add_vectors list of arrays": lambda kv: kv.add_vectors(["n1", "n2"], [v0, v1]),
    "add_vectors one key": lambda kv: kv.add_vectors("n1", v0),
    "add_vectors keep existing": lambda kv: kv.add_vectors(["w1", "n2"], np.stack([v0, v1])),
    "add_vectors replace": lambda kv: kv.add_vectors(["w1", "n2"], np.stack([v0, v1]), replace=True),
    "setitem existing": lambda kv: kv.__setitem__("w1", v1),
    "setitem new": lambda kv: kv.__setitem__("n1", v1),
    "setitem list": lambda kv: kv.__setitem__(["w1", "n1"], np.stack([v1, v0])),
    "unit_normalize_all": lambda kv: kv.unit_normalize_all(),
    "init_sims replace": lambda kv: kv.init_sims(replace=True),
    "set_vecattr and sort": lambda kv: (
        [kv.set_vecattr(k, "count", (i * 7919) % 101) for i, k in enumerate(kv.index_to_key)],
        kv.sort_by_descending_frequency(),
    )[1],
}

AFTER = [
    lambda kv: kv.add_vectors([], np.zeros((0, D), np.float32)),  # a no-op on both
    lambda kv: len(kv),
    lambda kv: list(kv.index_to_key),
    lambda kv: dict(kv.key_to_index),
    lambda kv: kv.vectors,
    lambda kv: kv.get_normed_vectors(),
    lambda kv: kv.most_similar("w1", topn=8),
    lambda kv: kv.most_similar(positive=[v1], topn=8),
    lambda kv: kv.most_similar(positive=[v0], topn=8, restrict_vocab=N + 1),
    lambda kv: kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5),
    lambda kv: kv[-1 + len(kv)],
    lambda kv: [kv.get_index(k, -1) for k in ["w1", "n1", "n2", "new"]],
]


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_as_gensim(both, name):
    ours, theirs = both
    call = WRITES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gensim warns on add_vector, init_sims
        same(outcome(call, ours), outcome(call, theirs))
    for after in AFTER:
        same(outcome(after, ours), outcome(after, theirs))


def test_vecattrs_as_gensim(both):
    ours, theirs = both
    for kv in both:
        kv.set_vecattr("w3", "count", 42)
        kv.set_vecattr(4, "tag", "four")
    for kv in both:
        assert kv.get_vecattr("w3", "count") == 42 and kv.get_vecattr("w4", "tag") == "four"
        assert kv.get_vecattr("w5", "count") == 0
    same(outcome(lambda kv: kv.get_vecattr("w1", "nothing"), ours),
         outcome(lambda kv: kv.get_vecattr("w1", "nothing"), theirs))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"binary": True},
        {"write_header": False},
        {"prefix": "p_"},
        {"total_vec": N},
    ],
)
def test_save_word2vec_format_as_gensim(tmp_path, both, kwargs):
    ours, theirs = both
    ours.save_word2vec_format(tmp_path / "ours", **kwargs)
    theirs.save_word2vec_format(tmp_path / "theirs", **kwargs)
    read = dict(binary=kwargs.get("binary", False), no_header=not kwargs.get("write_header", True))
    a = KeyedVectors.load_word2vec_format(tmp_path / "ours", **read)
    b = KeyedVectors.load_word2vec_format(tmp_path / "theirs", **read)
    assert a.index_to_key == b.index_to_key
    # gensim writes str(np.float32): the shortest decimal that reads back to the same f32, as we do.
    np.testing.assert_array_equal(a.vectors, b.vectors)


def test_save_word2vec_format_with_counts_as_gensim(tmp_path, both):
    ours, theirs = both
    for kv in both:
        for i, k in enumerate(kv.index_to_key):
            kv.set_vecattr(k, "count", (i * 31) % 17 + 1)
    for kv, name in [(ours, "ours"), (theirs, "theirs")]:
        kv.save_word2vec_format(tmp_path / name, fvocab=tmp_path / f"{name}.vocab")
    assert (tmp_path / "ours.vocab").read_text() == (tmp_path / "theirs.vocab").read_text()
    a = KeyedVectors.load_word2vec_format(tmp_path / "ours")
    b = KeyedVectors.load_word2vec_format(tmp_path / "theirs")
    assert a.index_to_key == b.index_to_key
    np.testing.assert_array_equal(a.vectors, b.vectors)
    # Without counts, fvocab has nothing to write: the same ValueError.
    fresh = [glove_wgpu.Vectors(["a"], np.ones((1, 2)), backend="cpu"), gensim_vectors(["a"], np.ones((1, 2)))]
    results = [outcome(lambda kv: kv.save_word2vec_format(tmp_path / "x", fvocab=tmp_path / "v"), kv) for kv in fresh]
    same(*results)


@pytest.mark.parametrize(
    "write, read",
    [
        ({}, {}),
        ({"binary": True}, {"binary": True}),
        ({"write_header": False}, {"no_header": True}),
        ({}, {"limit": 100}),
        ({"binary": True}, {"binary": True, "limit": 7}),
        ({"write_header": False}, {"no_header": True, "limit": 3}),
    ],
)
def test_load_word2vec_format_as_gensim(tmp_path, matrix, write, read):
    words = make_words(N)
    path = tmp_path / "vectors"
    gensim_vectors(words, matrix).save_word2vec_format(path, **write)
    ours = glove_wgpu.Vectors.load_word2vec_format(path, backend="cpu", **read)
    theirs = KeyedVectors.load_word2vec_format(path, **read)
    assert isinstance(ours, glove_wgpu.Vectors)
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    # gensim makes up descending counts; so do we.
    assert [ours.get_vecattr(k, "count") for k in ours.index_to_key[:5]] == [
        theirs.get_vecattr(k, "count") for k in theirs.index_to_key[:5]
    ]
    same(ours.most_similar("w1", topn=3), theirs.most_similar("w1", topn=3))


def test_load_word2vec_format_with_fvocab_as_gensim(tmp_path, matrix):
    words = make_words(N)
    kv = gensim_vectors(words, matrix)
    for i, k in enumerate(words):
        kv.set_vecattr(k, "count", 1000 - i)
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    ours = glove_wgpu.Vectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt", backend="cpu")
    theirs = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert [ours.get_vecattr(k, "count") for k in words] == [theirs.get_vecattr(k, "count") for k in words]


def analogy_world():
    """Vectors in which `country : capital` is one offset, with noise, and
    questions on them: one section right and wrong, mixed-case words, a word
    out of the vocabulary, and a word past restrict_vocab."""
    rng = np.random.default_rng(3)
    n, d = 40, 16
    offset = rng.standard_normal(d) * 2
    countries = rng.standard_normal((n, d))
    capitals = countries + offset + rng.standard_normal((n, d)) * 0.9
    words = [f"country{i}" for i in range(n)] + [f"capital{i}" for i in range(n)] + ["Rare"]
    matrix = np.vstack([countries, capitals, rng.standard_normal((1, d))]).astype(np.float32)
    lines = [": capital-world"]
    for i in range(0, n, 2):
        j = (i + 5) % n
        lines.append(f"country{i} capital{i} country{j} capital{j}")
    lines.append(": gram-unknown")
    lines.append("country1 capital1 atlantis capital2")
    lines.append("Country3 CAPITAL3 country4 capital4")
    lines.append("country5 capital5 rare capital6")
    lines.append("a malformed line")
    return words, matrix, "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"restrict_vocab": 60},
        {"case_insensitive": False},
        {"dummy4unknown": True},
    ],
)
def test_evaluate_word_analogies_as_gensim(tmp_path, backend, kwargs):
    words, matrix, questions = analogy_world()
    path = tmp_path / "questions.txt"
    path.write_text(questions)
    ours = glove_wgpu.Vectors(words, matrix, backend=backend).evaluate_word_analogies(path, **kwargs)
    theirs = gensim_vectors(words, matrix).evaluate_word_analogies(path, **kwargs)
    if not kwargs:
        assert 0 < theirs[0] < 1, "the questions should be neither all right nor all wrong"
    same(ours, theirs)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"restrict_vocab": 100}, {"case_insensitive": False}, {"dummy4unknown": True}],
)
def test_evaluate_word_pairs_as_gensim(tmp_path, kwargs):
    pairs = DATA / "wordsim353.tsv"
    text = pairs.read_text()
    words = sorted({w for line in text.splitlines() if line and not line.startswith("#") for w in line.split("\t")[:2]})
    words = [w.lower() for w in words[: int(len(words) * 0.9)]]  # some pairs out of the vocabulary
    words = list(dict.fromkeys(words))
    matrix = np.random.default_rng(5).standard_normal((len(words), 10), dtype=np.float32)
    ours = glove_wgpu.Vectors(words, matrix, backend="cpu").evaluate_word_pairs(pairs, **kwargs)
    theirs = gensim_vectors(words, matrix).evaluate_word_pairs(pairs, **kwargs)
    # gensim returns scipy result objects; compare (statistic, p-value).
    same([tuple(ours[0]), tuple(ours[1]), ours[2]], [tuple(theirs[0]), tuple(theirs[1]), theirs[2]])


def test_pickle_and_copies_keep_everything(both):
    ours, theirs = both
    import copy

    ours.set_vecattr("w1", "count", 9)
    for clone in [pickle.loads(pickle.dumps(ours)), copy.deepcopy(ours), copy.copy(ours)]:
        assert type(clone) is type(ours)
        assert clone.index_to_key == ours.index_to_key and clone.backend == ours.backend
        np.testing.assert_array_equal(clone.vectors, ours.vectors)
        assert clone.get_vecattr("w1", "count") == 9
        same(clone.most_similar("w1", topn=5), theirs.most_similar("w1", topn=5))
        # A clone is its own: changing it leaves the original as it was.
        clone["w1"] = v0
        np.testing.assert_array_equal(ours["w1"], theirs["w1"])
