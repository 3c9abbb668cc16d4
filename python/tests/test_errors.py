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
        (lambda v: v.most_similar(), "cannot compute mean with no input"),
        (lambda v: v.most_similar(positive=[np.ones(2)]), "a vector of 3 values"),
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
    with pytest.raises(TypeError):
        v.most_similar(positive=[object()])
    with pytest.raises(TypeError, match="key"):
        v[None]


def test_malformed_files(tmp_path, v):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 0.1 0.2\nb 0.3\n")
    with pytest.raises(InvalidInputError, match="bad.txt: line 2"):
        glove_wgpu.Vectors.load(bad)
    with pytest.raises(InvalidInputError, match='unknown format "glove2"'):
        glove_wgpu.Vectors.load(bad, format="glove2")
    questions = tmp_path / "q.txt"
    questions.write_text(": s\na b c\n")  # an invalid line is skipped, as gensim does
    with pytest.raises(InvalidInputError, match="no analogy questions in .*q.txt"):
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


def test_misspelt_backend_variable():
    """A misspelt GLOVE_WGPU_BACKEND was ignored: wgpu skips unknown names, so
    "auto" fell back to the CPU in silence and "gpu" said every API was "not
    requested". Now: an InvalidInputError naming the variable and the name, from
    every way to a device; "cpu" never reads it, and wgpu's aliases and a blank
    value still pass (fresh processes: devices are made once per process)."""
    code = (
        "import sys, numpy as np, glove_wgpu\n"
        "for backend in ['auto', 'gpu']:\n"
        "    for make in [lambda: glove_wgpu.Vectors(['a'], np.ones((1, 2)), backend=backend),\n"
        "                 lambda: glove_wgpu.fit(sys.argv[1], backend=backend)]:\n"
        "        try:\n"
        "            make()\n"
        "        except glove_wgpu.InvalidInputError as e:\n"
        "            assert isinstance(e, ValueError)\n"
        "            print(e)\n"
        "glove_wgpu.Vectors(['a'], np.ones((1, 2)), backend='cpu').nearest(np.ones(2))\n"
    )
    missing = "/nonexistent/corpus.txt"  # the setting is refused before the corpus is opened
    env = dict(os.environ, GLOVE_WGPU_BACKEND="vulkn, gl")
    out = subprocess.run([sys.executable, "-c", code, missing], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4, out.stdout
    for line in lines:
        assert 'GLOVE_WGPU_BACKEND="vulkn, gl": unknown graphics API vulkn (known: vulkan,' in line, line
    env = {k: v for k, v in os.environ.items() if k != "GLOVE_WGPU_BACKEND"}
    for value in [" VK ,", ""]:
        good = (
            "import numpy as np, glove_wgpu\n"
            "glove_wgpu.Vectors(['a'], np.ones((1, 2)), backend='auto').nearest(np.ones(2))\n"
        )
        out = subprocess.run([sys.executable, "-c", good], env=dict(env, WGPU_BACKEND="bad", GLOVE_WGPU_BACKEND=value),
                             capture_output=True, text=True)
        assert out.returncode == 0, (value, out.stderr)
    out = subprocess.run([sys.executable, "-c", good], env=dict(env, WGPU_BACKEND="bad"),
                         capture_output=True, text=True)
    assert 'WGPU_BACKEND="bad": unknown graphics API bad' in out.stderr, out.stderr


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


def test_empty_vectors_file_names_the_file(tmp_path):
    """It said "vector dimension must be at least 1", without the file."""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for fmt in [None, "glove", "word2vec"]:
        with pytest.raises(InvalidInputError, match=r"empty\.txt: (no vectors in it|line 1: empty file)"):
            glove_wgpu.Vectors.load(empty, format=fmt, backend="cpu")


def test_a_directory_as_the_corpus(tmp_path):
    """It blamed a temporary path ("copying the corpus to /tmp/...")."""
    with pytest.raises(FileError, match="is a directory") as e:
        glove_wgpu.fit(tmp_path, backend="cpu")
    assert str(tmp_path) in str(e.value) and "tmp-" not in str(e.value).replace(str(tmp_path), "")
    assert e.value.errno == errno.EISDIR


@pytest.mark.parametrize(
    "name", ["dim", "epochs", "min_count", "max_vocab", "window", "seed", "batch_size",
             "row_cap", "threads", "memory_mb", "gpu_memory_mb"]
)
def test_negative_settings_name_the_setting(tmp_path, name):
    """dim=-1 raised OverflowError ("can't convert negative int to unsigned")."""
    with pytest.raises(InvalidInputError, match=f"{name} must be"):
        glove_wgpu.fit(tmp_path / "c.txt", backend="cpu", **{name: -1})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"window": 0}, "window must be at least 1"),
        ({"max_vocab": 0}, "max_vocab must be at least 1"),
        ({"dim": 0}, "dim must be at least 1"),
        ({"epochs": 0}, "epochs"),
        ({"x_max": -1.0}, "x_max"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
    ],
)
def test_settings_are_checked_before_the_corpus_is_read(tmp_path, caplog, kwargs, message):
    """The corpus is not even opened: a missing one would be a FileError."""
    caplog.set_level("INFO", logger="glove_wgpu")
    with pytest.raises(InvalidInputError, match=message):
        glove_wgpu.fit(tmp_path / "missing.txt", backend="cpu", **kwargs)
    assert not [r for r in caplog.records if "vocabulary" in r.getMessage()]


def test_empty_vocabulary_names_min_count(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 2)
    with pytest.raises(InvalidInputError, match=r"min_count=5.*c\.txt") as e:
        glove_wgpu.fit(corpus, backend="cpu", epochs=1)
    assert "the vocabulary is empty" in str(e.value)
    with pytest.raises(InvalidInputError, match=r"max_vocab|min_count=1"):
        glove_wgpu.fit(tmp_path / "c.txt", backend="cpu", min_count=100)


def test_bad_changes_and_keys(v):
    with pytest.raises(UnknownWordError, match="zzz"):
        v.similarity("a", "zzz")
    with pytest.raises(TypeError, match="key"):
        v[2.5]
    with pytest.raises(InvalidInputError, match="3 dimensions"):
        v.add_vector("d", np.zeros(2))
