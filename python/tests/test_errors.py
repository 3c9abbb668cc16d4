"""Every error path: each raises its GloveError subclass, which is also the
built-in exception of its kind, with the library's message."""

import errno
import os
import subprocess
import sys

import numpy as np
import pytest

import glove_wgpu
from glove_wgpu import FileError, GloveError, GpuError, InvalidInputError, UnknownWordError


@pytest.fixture
def v():
    return glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), backend="cpu")


def test_classes_have_both_bases():
    assert issubclass(UnknownWordError, KeyError) and issubclass(UnknownWordError, GloveError)
    assert issubclass(InvalidInputError, ValueError) and issubclass(InvalidInputError, GloveError)
    assert issubclass(FileError, OSError) and issubclass(FileError, GloveError)
    assert issubclass(GpuError, RuntimeError) and issubclass(GpuError, GloveError)
    assert issubclass(glove_wgpu.OutOfMemoryError, MemoryError)


@pytest.mark.parametrize(
    "call",
    [
        lambda v: v["zzz"],
        lambda v: v[["a", "zzz"]],
        lambda v: v.get_index("zzz"),
        lambda v: v.most_similar("zzz"),
        lambda v: v.most_similar(positive=["a"], negative=["zzz"]),
        lambda v: v.similar_by_word("zzz"),
        lambda v: v.analogy("a", "b", "zzz"),
        lambda v: v.analogy("a", "zzz", "c", method="mul"),
    ],
)
def test_unknown_words(v, call):
    with pytest.raises(UnknownWordError, match='unknown word: "zzz"') as e:
        call(v)
    assert isinstance(e.value, KeyError) and str(e.value) == 'unknown word: "zzz"'


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda v: v.nearest(np.zeros((2, 4), np.float32)), "2 columns|4 columns"),
        (lambda v: v.nearest(np.zeros((2, 2, 3), np.float32)), "1-D .* or 2-D"),
        (lambda v: v.nearest(np.zeros((1, 3)), k=0), "k must be at least 1"),
        (lambda v: v.nearest(np.full((1, 3), np.nan)), "non-finite"),
        (lambda v: v.nearest(np.zeros((1, 3)), metric="manhattan"), 'unknown metric "manhattan"'),
        (lambda v: v.most_similar("a", topn=0), "topn must be at least 1"),
        (lambda v: v.most_similar(), "no words given"),
        (lambda v: v.similar_by_vector(np.zeros((2, 3))), "one vector"),
        (lambda v: v.analogy("a", "b", "c", method="sub"), 'unknown analogy method "sub"'),
        (lambda v: v.words([0, 3]), "word id 3 out of range"),
        (lambda v: v.words(-1), "word id -1 out of range"),
        (lambda v: v.save("x.txt", format="csv"), 'unknown format "csv"'),
    ],
)
def test_invalid_input(v, call, message):
    with pytest.raises(InvalidInputError, match=message) as e:
        call(v)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "words, matrix, kwargs, message",
    [
        (["a", "b"], np.zeros((3, 2)), {}, "one row per word"),
        (["a", "b"], np.zeros(4), {}, "one row per word"),
        (["a", "a"], np.zeros((2, 2)), {}, 'duplicate word "a"'),
        (["a", "b c"], np.zeros((2, 2)), {}, "separator"),
        (["a", ""], np.zeros((2, 2)), {}, "empty"),
        (["a", "b"], np.array([[0, 1], [np.inf, 0]]), {}, "non-finite"),
        (["a"], np.zeros((1, 2)), {"backend": "tpu"}, 'unknown backend "tpu"'),
    ],
)
def test_invalid_vectors(words, matrix, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        glove_wgpu.Vectors(words, matrix, **kwargs)


def test_type_errors(v):
    with pytest.raises(TypeError, match="integers"):
        v.words([0.5])
    with pytest.raises(TypeError, match="sequence of words"):
        v.most_similar(positive=[1, 2])
    with pytest.raises(TypeError, match="sequence of words"):
        v[5]


def test_malformed_files(tmp_path, v):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 0.1 0.2\nb 0.3\n")
    with pytest.raises(InvalidInputError, match="bad.txt: line 2"):
        glove_wgpu.Vectors.load(bad)
    with pytest.raises(InvalidInputError, match='unknown format "glove2"'):
        glove_wgpu.Vectors.load(bad, format="glove2")
    questions = tmp_path / "q.txt"
    questions.write_text(": s\na b c\n")
    with pytest.raises(InvalidInputError, match="q.txt: line 2: an analogy question has 4 words"):
        v.evaluate_word_analogies(questions)
    pairs = tmp_path / "p.tsv"
    pairs.write_text("a\tb\tlots\n")
    with pytest.raises(InvalidInputError, match="p.tsv"):
        v.evaluate_word_pairs(pairs)


def test_file_errors(tmp_path, v):
    missing = tmp_path / "missing.txt"
    for call in [
        lambda: glove_wgpu.Vectors.load(missing),
        lambda: glove_wgpu.Vectors.load(missing, format="glove"),
        lambda: v.evaluate_word_analogies(missing),
        lambda: v.evaluate_word_pairs(missing),
        lambda: glove_wgpu.fit(missing, backend="cpu"),
    ]:
        with pytest.raises(FileError, match="missing.txt") as e:
            call()
        assert isinstance(e.value, OSError) and e.value.errno == errno.ENOENT
    with pytest.raises(FileError, match="no-dir"):
        v.save(tmp_path / "no-dir" / "v.txt")


def test_no_adapter_is_a_gpu_error():
    """backend="gpu" with no adapter matching: a GpuError at once (a fresh
    process, since GPU contexts are made once per process)."""
    code = (
        "import numpy as np, glove_wgpu\n"
        "try:\n"
        "    glove_wgpu.Vectors(['a'], np.ones((1, 2)), backend='gpu')\n"
        "except glove_wgpu.GpuError as e:\n"
        "    assert isinstance(e, RuntimeError), e\n"
        "    print('GpuError:', e)\n"
    )
    env = dict(os.environ, GLOVE_WGPU_ADAPTER="no such adapter")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "GpuError: no GPU adapter found" in out.stdout, out.stdout


def test_progress_callback_exception_is_raised_as_itself(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 50)

    class Stop(Exception):
        pass

    seen = []

    def progress(epoch):
        seen.append(epoch["epoch"])
        if epoch["epoch"] == 2:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        glove_wgpu.fit(corpus, dim=4, epochs=10, min_count=1, backend="cpu", progress=progress)
    assert seen == [1, 2]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"backend": "tpu"}, 'unknown backend "tpu"'),
        ({"cpu_trainer": "sgd"}, 'unknown cpu_trainer "sgd"'),
        ({"save": "c"}, 'unknown save "c"'),
        ({"dim": 0}, "dim"),
    ],
)
def test_fit_invalid_settings(tmp_path, kwargs, message):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 50)
    with pytest.raises(InvalidInputError, match=message):
        glove_wgpu.fit(corpus, min_count=1, epochs=1, **{"backend": "cpu", **kwargs})
