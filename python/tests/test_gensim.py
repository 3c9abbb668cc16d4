"""Round-trips with gensim (files written by one, read by the other) and the
same answers as gensim's KeyedVectors on the same vectors."""

import numpy as np
import pytest

import glove_wgpu
from conftest import DATA

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors


def gensim_vectors(words, matrix):
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(words, matrix)
    return kv


@pytest.fixture
def words_and_matrix(rng):
    words = [f"w{i}" for i in range(500)] + ["héllo", "naïve", "日本"]
    matrix = rng.standard_normal((len(words), 24), dtype=np.float32)
    return words, matrix


@pytest.mark.parametrize(
    "format, binary, no_header",
    [
        ("glove", False, True),
        ("word2vec", False, False),
        ("word2vec-bin", True, False),
        ("fasttext", False, False),
    ],
)
def test_ours_read_by_gensim(tmp_path, words_and_matrix, format, binary, no_header):
    words, matrix = words_and_matrix
    path = tmp_path / ("v.vec" if format == "fasttext" else "v.txt")
    glove_wgpu.Vectors(words, matrix, backend="cpu").save(path, format=format)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary, no_header=no_header)
    assert kv.index_to_key == words
    # Text is written with the shortest decimal that reads back to the same f32.
    np.testing.assert_array_equal(kv.vectors, matrix)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("format", [None, "given"])
def test_gensim_read_by_ours(tmp_path, words_and_matrix, binary, format):
    words, matrix = words_and_matrix
    path = tmp_path / "g.bin"
    gensim_vectors(words, matrix).save_word2vec_format(path, binary=binary)
    fmt = None if format is None else ("word2vec-bin" if binary else "word2vec")
    v = glove_wgpu.Vectors.load(path, format=fmt, backend="cpu")
    assert v.index_to_key == words
    if binary:
        np.testing.assert_array_equal(v.vectors, matrix)
    else:  # gensim writes text with "%f"-like rounding
        np.testing.assert_allclose(v.vectors, matrix, atol=1e-6)


def test_round_trip_through_both(tmp_path, words_and_matrix):
    words, matrix = words_and_matrix
    glove_wgpu.Vectors(words, matrix, backend="cpu").save(tmp_path / "a.bin", format="word2vec-bin")
    kv = KeyedVectors.load_word2vec_format(tmp_path / "a.bin", binary=True)
    kv.save_word2vec_format(tmp_path / "b.bin", binary=True)
    back = glove_wgpu.Vectors.load(tmp_path / "b.bin", backend="cpu")
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.vectors, matrix)


def test_most_similar_as_gensim(backend, words_and_matrix):
    words, matrix = words_and_matrix
    kv = gensim_vectors(words, matrix)
    v = glove_wgpu.Vectors(words, matrix, backend=backend)
    for pos, neg in [(["w1"], []), (["w1", "w2"], ["w3"]), ([], ["w4"])]:
        ours = v.most_similar(positive=pos, negative=neg, topn=7)
        theirs = kv.most_similar(positive=pos, negative=neg, topn=7)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    ours = v.similar_by_vector(matrix[10] + 0.1, topn=5)
    theirs = kv.similar_by_vector(matrix[10] + 0.1, topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]


def analogy_world(rng):
    """Vectors in which `country : capital` is one offset, with noise, and
    questions on them (some with a word out of the vocabulary)."""
    n, d = 40, 16
    offset = rng.standard_normal(d) * 2
    countries = rng.standard_normal((n, d))
    capitals = countries + offset + rng.standard_normal((n, d)) * 0.9
    words = [f"country{i}" for i in range(n)] + [f"capital{i}" for i in range(n)]
    matrix = np.vstack([countries, capitals]).astype(np.float32)
    lines = [": capital-world"]
    for i in range(0, n, 2):
        j = (i + 5) % n
        lines.append(f"country{i} capital{i} country{j} capital{j}")
    lines.append(": gram-unknown")
    lines.append("country1 capital1 atlantis capital2")
    lines.append("country3 capital3 country4 capital4")
    return words, matrix, "\n".join(lines) + "\n"


def test_evaluate_word_analogies_as_gensim(tmp_path, backend, rng):
    words, matrix, questions = analogy_world(rng)
    path = tmp_path / "questions.txt"
    path.write_text(questions)
    score, sections = glove_wgpu.Vectors(words, matrix, backend=backend).evaluate_word_analogies(path)
    g_score, g_sections = gensim_vectors(words, matrix).evaluate_word_analogies(path)
    assert 0 < score < 1, "the questions should be neither all right nor all wrong"
    assert score == pytest.approx(g_score)
    assert [s["section"] for s in sections] == [s["section"] for s in g_sections]

    def lower(qs):  # gensim upper-cases the words it reports
        return [tuple(w.lower() for w in q) for q in qs]

    for ours, theirs in zip(sections, g_sections):
        assert lower(ours["correct"]) == lower(theirs["correct"])
        assert lower(ours["incorrect"]) == lower(theirs["incorrect"])


def test_evaluate_word_pairs_as_gensim(rng):
    pairs = DATA / "wordsim353.tsv"
    words = sorted(
        {w.lower() for line in pairs.read_text().splitlines() if line and not line.startswith("#")
         for w in line.split("\t")[:2]}
    )
    words = words[: int(len(words) * 0.9)]  # leave some pairs out of the vocabulary
    matrix = rng.standard_normal((len(words), 10), dtype=np.float32)
    pearson, spearman, oov = glove_wgpu.Vectors(words, matrix, backend="cpu").evaluate_word_pairs(pairs)
    g_pearson, g_spearman, g_oov = gensim_vectors(words, matrix).evaluate_word_pairs(pairs)
    assert pearson[0] == pytest.approx(g_pearson[0], abs=1e-5)
    assert spearman[0] == pytest.approx(g_spearman[0], abs=1e-5)
    assert 0 < oov < 100 and oov == pytest.approx(g_oov)
