"""glove_wgpu.Vectors: gensim 4's KeyedVectors API over the native exact search.

The native half (glove_wgpu._native.Vectors, python/src/vectors.rs) holds the
words and the matrix, builds the exact search indexes on the GPU or the CPU,
and answers the nearest-neighbour searches; this half adds gensim's methods,
with gensim's signatures, return types and errors, computing what gensim
computes with numpy and handing every top-k search to the native one.

Where the answers differ from gensim's, the difference is written in the
method's docstring and in python/README.md ("Differences from gensim").
"""

import itertools
import logging
import math
import warnings
from functools import cached_property
from numbers import Integral
from types import MappingProxyType

import numpy as np

from . import _native
from ._errors import FileError, InvalidInputError, UnknownWordError
from ._tensors import as_queries, check_return_tensors, host_array, host_ints, is_torch_tensor, results

logger = logging.getLogger("glove_wgpu")

COSMUL_EPSILON = 1e-6
"""3CosMul's epsilon, gensim's ``most_similar_cosmul`` constant: a score is
``prod(cos'(x, p)) / (prod(cos'(x, n)) + epsilon)`` with ``cos' = (1 + cos) / 2``.
(The command line's ``--method mul`` and the Rust library use Levy and
Goldberg's 0.001.)"""

_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)


def _is_vector(x):
    """An array-like that is not a key: an ndarray, a tensor, a DLPack producer."""
    return not isinstance(x, (_KEY_TYPES, tuple, list)) and (
        isinstance(x, np.ndarray) or is_torch_tensor(x) or hasattr(x, "__dlpack__") or hasattr(x, "__array__")
    )


def _ensure_list(value):
    """gensim's _ensure_list, taking tensors as arrays: None, one key, one
    vector, a 2-D array (its rows) or a list of them."""
    if value is None:
        return []
    if _is_vector(value):
        value = host_array(value)
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return [host_array(v) if _is_vector(v) else v for v in value]


def _unitvec(v):
    """gensim's matutils.unitvec for a float vector: v / |v|, or v when zero."""
    norm = np.linalg.norm(v)
    if norm > 0:
        return (v / norm).astype(np.float32 if v.dtype == np.float32 else v.dtype)
    return v


def _argsort(x, topn, reverse=False):
    """gensim's matutils.argsort: the indices of the `topn` largest (reverse)."""
    x = np.asarray(x)
    if topn is None:
        topn = x.size
    if topn <= 0:
        return []
    if reverse:
        x = -x
    if topn >= x.size or not hasattr(np, "argpartition"):
        return np.argsort(x)[:topn]
    most_extreme = np.argpartition(x, topn)[:topn]
    return most_extreme.take(np.argsort(x.take(most_extreme)))


def _open_text(path, encoding="utf8"):
    """A text file, gzip/bz2/xz-compressed ones included (by magic bytes)."""
    import bz2
    import gzip
    import lzma

    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as e:
        raise FileError(e.errno, f"opening {path}: {e.strerror}") from e
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding=encoding)
    if magic[:3] == b"BZh":
        return bz2.open(path, "rt", encoding=encoding)
    if magic == b"\xfd7zXZ\x00":
        return lzma.open(path, "rt", encoding=encoding)
    return open(path, encoding=encoding)


def _unknown(key, n):
    if isinstance(key, str):
        return UnknownWordError(f'unknown word: "{key}"')
    return UnknownWordError(f"Key '{key}' not present (not a word, nor a row below {n})")


def _restore(cls, words, vectors, vector_size, backend, f16, state):
    """Unpickles a Vectors (see Vectors.__reduce__)."""
    if words:
        v = cls(words, vectors, backend=backend, f16=f16)
    else:
        v = cls(vector_size=vector_size, backend=backend, f16=f16)
    v.__dict__.update(state)
    return v


class Vectors(_native.Vectors):
    """Word vectors with exact nearest-neighbour search on the GPU or the CPU:
    gensim 4's ``KeyedVectors`` API.

    ``Vectors(words, vectors)`` from a list of words and an ``(n, d)`` matrix
    (any array-like or tensor; copied), ``Vectors(vector_size=d)`` for an empty
    set to ``add_vectors`` to, ``Vectors.load(path)`` from a GloVe, word2vec or
    fastText file, or ``glove_wgpu.fit`` to train one. ``backend="auto"`` uses a
    hardware GPU when there is one and the CPU otherwise, ``"gpu"`` insists
    (``GpuError`` without one), ``"cpu"`` never looks for one (the environment's
    ``GLOVE_WGPU_BACKEND`` restricts the graphics APIs looked through, and an
    API name it does not know is an ``InvalidInputError``); ``f16`` stores the
    search copy of the matrix in half precision.

    Changes (``add_vector``, ``add_vectors``, ``v[key] = vector``,
    ``unit_normalize_all``, ``sort_by_descending_frequency``) are checked whole
    before anything changes. The rule for built indexes: the exact indexes (one
    per metric and ``restrict_vocab``) always answer for the vectors as they
    are; a change drops them, and the next search builds them again from the
    new matrix (one pass over it, one upload on a GPU), so change in batches
    rather than between searches. ``vectors`` views taken before a change keep
    showing the old matrix."""

    def __new__(cls, words=None, vectors=None, *, vector_size=None, backend="auto", f16=False):
        if vectors is not None:
            vectors = host_array(vectors)
        return super().__new__(cls, words, vectors, vector_size=vector_size, backend=backend, f16=f16)

    @classmethod
    def _adopt(cls, native):
        """A `cls` sharing the data of another native Vectors (no copy until
        either changes)."""
        return _native.Vectors.__new__(cls, _share=native)

    # -- files ------------------------------------------------------------

    @classmethod
    def load(cls, path, format=None, backend="auto", f16=False):
        """Reads ``path`` in ``format`` (``"glove"``, ``"word2vec"``,
        ``"word2vec-bin"``, ``"fasttext"``; ``None`` detects it), indexed on
        ``backend`` (``f16``: half precision). Unlike gensim's ``load`` (its own
        pickle format), this reads the vector file formats; use ``pickle`` for
        a whole object."""
        return cls._adopt(_native.Vectors.load(path, format, backend, f16))

    @classmethod
    def load_word2vec_format(
        cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
        limit=None, datatype=np.float32, no_header=False, *, backend="auto", f16=False,
    ):
        """gensim's ``load_word2vec_format``: a word2vec text (``binary=False``)
        or binary file, or a GloVe file (``no_header=True``), read by the Rust
        readers (about 50x gensim's speed). ``fvocab``: the word counts
        (``word count`` lines) as the ``"count"`` attribute; without it, counts
        are made up in descending order, as gensim does. ``limit``: the first
        ``limit`` vectors only (the file is still read whole). Differences: the
        encoding must be UTF-8 with ``unicode_errors="strict"``, ``datatype``
        float32, and a duplicate word is an error (gensim keeps the first).
        ``backend`` and ``f16`` are as for ``Vectors``."""
        if str(encoding).replace("-", "").lower() != "utf8" or unicode_errors != "strict":
            raise InvalidInputError(
                f"only UTF-8 with unicode_errors='strict' is read, got encoding={encoding!r}, "
                f"unicode_errors={unicode_errors!r}"
            )
        if np.dtype(datatype) != np.float32:
            raise InvalidInputError(f"datatype must be float32 (f16=True halves the search copy), got {datatype}")
        if no_header and binary:
            raise NotImplementedError("no_header only available for text-format files")
        fmt = "word2vec-bin" if binary else ("glove" if no_header else "word2vec")
        v = cls.load(fname, format=fmt, backend=backend, f16=f16)
        if limit and limit < len(v):
            v._reset(v.index_to_key[:limit], v.vectors[:limit])
            v._keys_changed()
        counts = None
        if fvocab is not None:
            counts = {}
            with _open_text(fvocab) as fin:
                for line in fin:
                    word, count = line.strip().split()
                    counts[word] = int(count)
        n = len(v)
        if counts is None:
            v.expandos["count"] = np.arange(n, 0, -1, dtype=np.int64)
        else:
            for word in v.index_to_key:
                if word not in counts:
                    logger.warning("vocabulary file is incomplete: '%s' is missing", word)
            v.expandos["count"] = np.array([counts.get(w, 0) for w in v.index_to_key], dtype=np.int64)
        return v

    def save_word2vec_format(
        self, fname, fvocab=None, binary=False, total_vec=None, write_header=True,
        prefix="", append=False, sort_attr="count",
    ):
        """gensim's ``save_word2vec_format``: word2vec text or binary, or GloVe
        text (``write_header=False``), in descending ``sort_attr`` order when
        the vectors have that attribute (else in row order), written by the
        Rust writers (atomically) except with ``append`` or a ``total_vec``
        other than the number of vectors, which gensim's Python loop writes.
        Values are written as the shortest decimal that reads back to the same
        float32, as gensim's ``str(np.float32)`` does."""
        if sort_attr in self.expandos:
            attr = self.expandos[sort_attr]
            order = sorted(range(len(self)), key=lambda i: -attr[i])
        else:
            if fvocab is not None:
                raise ValueError(f"Cannot store vocabulary with '{sort_attr}' because that attribute does not exist")
            order = list(range(len(self)))
        keys = self.index_to_key
        if fvocab is not None:
            with open(fvocab, "ab" if append else "wb") as vout:
                for i in order:
                    vout.write(f"{prefix}{keys[i]} {self.expandos[sort_attr][i]}\n".encode("utf8"))
        if total_vec is None:
            total_vec = len(self)
        if append or total_vec != len(self):
            with open(fname, "ab" if append else "wb") as fout:
                if write_header:
                    fout.write(f"{total_vec} {self.vector_size}\n".encode("utf8"))
                vectors = self.vectors
                for i in order:
                    row = vectors[i]
                    if binary:
                        fout.write(f"{prefix}{keys[i]} ".encode("utf8") + row.astype(np.float32).tobytes())
                    else:
                        fout.write(f"{prefix}{keys[i]} {' '.join(str(x) for x in row)}\n".encode("utf8"))
            return
        fmt = "word2vec-bin" if binary else ("word2vec" if write_header else "glove")
        if order == list(range(len(self))) and not prefix:
            self.save(fname, format=fmt)
        else:
            words = [prefix + keys[i] for i in order]
            _native.Vectors(words, self.vectors[order], backend="cpu").save(fname, format=fmt)

    # -- keys -------------------------------------------------------------

    def _keys_built(self):
        """Makes the key caches once: the list, the dict and its read-only view
        (stored in the instance's __dict__, where later reads find them
        without a call)."""
        d = self.__dict__
        if "_kti" not in d:
            itk = self._keys()
            kti = {w: i for i, w in enumerate(itk)}
            d["index_to_key"], d["_kti"], d["key_to_index"] = itk, kti, MappingProxyType(kti)
        return d

    def _keys_changed(self, added=None):
        """Brings the key caches up to date after a change: `added` words
        appended, or everything (in place, so the mappings handed out follow)."""
        d = self.__dict__
        if "_kti" not in d:
            return
        itk, kti = d["index_to_key"], d["_kti"]
        if added is not None:
            n = len(itk)
            itk.extend(added)
            kti.update((w, n + i) for i, w in enumerate(added))
        else:
            itk[:] = self._keys()
            kti.clear()
            kti.update((w, i) for i, w in enumerate(itk))

    @cached_property
    def index_to_key(self):
        """The words in row order: one list, kept up to date by changes (as
        gensim's; read it, do not change it)."""
        return self._keys_built()["index_to_key"]

    @cached_property
    def key_to_index(self):
        """Word to row: a read-only mapping over one dict made once and kept up
        to date by changes (a look-up is a dict look-up; gensim's is a dict)."""
        return self._keys_built()["key_to_index"]

    @property
    def expandos(self):
        """Per-vector attributes (``set_vecattr``): name to an array of one value
        per row."""
        return self.__dict__.setdefault("_expandos", {})

    def get_index(self, key, default=None):
        """The row of ``key``: a word, or a row number below ``len(self)``;
        ``default`` when there is none and it is given, else
        ``UnknownWordError`` (a ``KeyError``)."""
        val = self.key_to_index.get(key, -1)
        if val >= 0:
            return val
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self):
            return key
        if default is not None:
            return default
        raise _unknown(key, len(self))

    def has_index_for(self, key):
        """Whether ``key`` is a word here or a row number below ``len(self)``."""
        return self.get_index(key, -1) >= 0

    def __contains__(self, key):
        return self.has_index_for(key)

    def __iter__(self):
        """The words in row order (gensim's KeyedVectors has no ``__iter__``)."""
        return iter(list(self.index_to_key))

    def get_vector(self, key, norm=False):
        """The vector of a word or row number (a new array); ``norm``: of unit
        length (a zero vector stays zero, where gensim gives NaN)."""
        index = self.get_index(key)
        if norm:
            return np.array(self._unit()[index])
        return np.array(self.vectors[index])

    def word_vec(self, *args, **kwargs):
        """Deprecated alias of ``get_vector`` (as in gensim)."""
        warnings.warn("Use get_vector instead", DeprecationWarning, stacklevel=2)
        return self.get_vector(*args, **kwargs)

    def get_vecattr(self, key, attr):
        """The attribute ``attr`` of ``key`` (``KeyError`` if unknown)."""
        return self.expandos[attr][self.get_index(key)]

    def set_vecattr(self, key, attr, val):
        """Sets the attribute ``attr`` of ``key`` to ``val`` (the first value
        set fixes the attribute's type, as in gensim)."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def allocate_vecattrs(self, attrs=None, types=None):
        """Makes sure the arrays of the attributes ``attrs`` (of ``types``)
        exist, one value per row (gensim's)."""
        expandos = self.expandos
        if attrs is None:
            attrs = list(expandos)
            types = [expandos[a].dtype for a in attrs]
        target = len(self)
        for attr, t in zip(attrs, types):
            if t is int:
                t = np.int64
            if t is str:
                t = object
            if attr not in expandos:
                expandos[attr] = np.zeros(target, dtype=t)
                continue
            prev = expandos[attr]
            if not np.issubdtype(t, prev.dtype):
                raise TypeError(f"Can't allocate type {t} for attribute {attr}, conflicts with its existing type {prev.dtype}")
            if len(prev) != target:
                grown = np.zeros(target, dtype=prev.dtype)
                keep = min(len(prev), target)
                grown[:keep] = prev[:keep]
                expandos[attr] = grown

    # -- changes ----------------------------------------------------------

    def add_vector(self, key, vector):
        """Adds ``key`` with ``vector`` as the last row and returns its row (a
        key already there keeps its vector, and its row is returned)."""
        n = len(self)
        self.add_vectors([key], host_array(vector).reshape(1, -1))
        return self.get_index(key) if len(self) == n else n

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Appends the new ``keys`` (words) with their rows of ``weights`` (an
        ``(n, d)`` array, a list of vectors, or one vector for one key); a key
        already there keeps its vector unless ``replace``. ``extras``: per-key
        attributes, ``{name: array of one value per key}``. Everything is
        checked before anything changes. The exact indexes follow (see the
        class's docstring)."""
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = host_array(weights).reshape(1, -1)
        else:
            keys = list(keys)
            weights = host_array(weights)
            if weights.size == 0:
                weights = weights.reshape(0, self.vector_size)
        if weights.ndim != 2 or weights.shape[0] != len(keys):
            raise InvalidInputError(
                f"{len(keys)} keys need {len(keys)} vectors of {self.vector_size} dimensions, got shape {weights.shape}"
            )
        extras = {} if extras is None else {a: np.asarray(x) for a, x in extras.items()}
        for attr, x in extras.items():
            if len(x) != len(keys):
                raise InvalidInputError(f"extras[{attr!r}] has {len(x)} values for {len(keys)} keys")
        kti = self.key_to_index
        old = [i for i, k in enumerate(keys) if self.has_index_for(k)]
        new = [i for i, k in enumerate(keys) if not self.has_index_for(k)]
        for i in new:
            if not isinstance(keys[i], str):
                raise TypeError(f"a new key is a word (str), not {type(keys[i]).__name__}: {keys[i]!r}")
        if weights.shape[1] != self.vector_size:
            raise InvalidInputError(
                f"vectors of {weights.shape[1]} values for {self.vector_size} dimensions"
            )
        used = new + (old if replace else [])
        bad = [i for i in used if not np.isfinite(weights[i]).all()]
        if bad:
            raise InvalidInputError(f"the vector for {keys[bad[0]]!r} has a non-finite value")
        self.allocate_vecattrs(list(extras), [x.dtype for x in extras.values()])
        n = len(self)
        new_words = [keys[i] for i in new]
        self._append(new_words, weights[new])
        self._keys_changed(added=new_words)
        if replace and old:
            self._set_rows([kti[keys[i]] if isinstance(keys[i], str) else int(keys[i]) for i in old], weights[old])
        self.allocate_vecattrs()
        for attr, x in extras.items():
            self.expandos[attr][n:] = x[new]
            if replace and old:
                self.expandos[attr][[self.get_index(keys[i]) for i in old]] = x[old]

    def __setitem__(self, keys, weights):
        """``v[key] = vector`` or ``v[[k1, k2]] = (2, d) array``: add the new
        keys, replace the vectors of those already there."""
        if not isinstance(keys, list):
            keys = [keys]
            weights = host_array(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def unit_normalize_all(self):
        """Scales every vector to unit length (a zero vector stays zero: the
        matrix holds finite values only, where gensim gives NaN)."""
        self._set_rows(list(range(len(self))), self._unit())

    def init_sims(self, replace=False):
        """Deprecated (as in gensim): ``fill_norms``, and with ``replace``
        ``unit_normalize_all``."""
        warnings.warn("Use fill_norms() instead", DeprecationWarning, stacklevel=2)
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def sort_by_descending_frequency(self):
        """Reorders the rows by descending ``"count"`` attribute (ties: the
        later row first, as gensim's ``lexsort``)."""
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((-np.arange(len(counts)), -counts))
        keys = self.index_to_key
        self._reset([keys[i] for i in order], self.vectors[order])
        self._keys_changed()
        self.allocate_vecattrs()
        for attr in self.expandos:
            self.expandos[attr] = self.expandos[attr][order]

    # -- norms ------------------------------------------------------------

    @property
    def norms(self):
        """The rows' Euclidean norms, ``(n,)`` float32, read-only (never stale:
        computed once after each change)."""
        return self._norms()

    def fill_norms(self, force=False):
        """Makes the norms ready (they are never stale here, so ``force``
        changes nothing)."""
        self._norms()

    def get_normed_vectors(self):
        """The unit rows, ``(n, d)`` float32, a read-only array computed once
        after each change (a zero row stays zero)."""
        return self._unit()

    # -- copies -----------------------------------------------------------

    def __reduce__(self):
        backend, f16 = self._settings()
        state = {k: v for k, v in self.__dict__.items() if k == "_expandos"}
        words = list(self.index_to_key)
        return (_restore, (type(self), words, np.array(self.vectors), self.vector_size, backend, f16, state))

    def __copy__(self):
        clone = type(self)._adopt(self)
        if "_expandos" in self.__dict__:
            clone.__dict__["_expandos"] = {k: np.array(v) for k, v in self.expandos.items()}
        return clone

    def __deepcopy__(self, memo):
        import copy

        clone = type(self)._adopt(self)
        if "_expandos" in self.__dict__:
            clone.__dict__["_expandos"] = copy.deepcopy(self.expandos, memo)
        return clone

    def to_gensim(self):
        """A gensim ``KeyedVectors`` with the same words, vectors and
        attributes (for what glove_wgpu does not do, e.g. ``wmdistance``)."""
        from gensim.models import KeyedVectors  # type: ignore[import-untyped]

        kv = KeyedVectors(vector_size=self.vector_size)
        kv.add_vectors(list(self.index_to_key), np.array(self.vectors))
        for attr, values in self.expandos.items():
            kv.expandos[attr] = np.array(values)
        return kv

    # -- search -----------------------------------------------------------

    def words(self, ids):
        """Words of ids: an int gives a str, an array (or tensor) of ints
        nested lists of the same shape (e.g. the ids from ``nearest``)."""
        return super().words(host_ints(ids))

    def build_index(
        self, *, lists=None, recall=0.95, f16=False, metric="cosine", seed=0, train_per_list=64,
        iterations=10, backend=None,
    ):
        """Builds an IVF approximate-nearest-neighbour index (a
        ``glove_wgpu.Index``) over the vectors as they are now, as the command
        line's ``index build`` does: seeded k-means into ``lists`` lists
        (``None``: ``4 sqrt(n)``, at most one per row) on ``train_per_list``
        sampled rows per list for at most ``iterations`` iterations, every row
        to its nearest list, and the recall against exact search measured on a
        sample of the rows for every number of lists read (the index's
        ``calibration``). ``recall`` is what searches ask for by default (in
        (0, 1]); ``f16`` stores the rows in half precision; ``metric`` is
        ``"cosine"``, ``"dot"`` or ``"euclidean"``; the same ``seed`` gives the
        same index on any device. ``backend`` (``"auto"``, ``"gpu"``,
        ``"cpu"``) is where the index is built and searched; ``None``: where
        these vectors are searched.

        The index keeps its own copy of the vectors: later changes to this
        object do not reach it (``index.add`` and ``index.remove`` change it).
        Search it with ``index.nearest`` and ``index.most_similar``, or pass it
        as ``index=`` to ``nearest`` and ``most_similar`` here. Ctrl-C stops
        the build; notes (fewer rows than lists) go to the ``glove_wgpu``
        logger.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors([f"w{i}" for i in range(100)],
        ...                        np.random.default_rng(0).standard_normal((100, 8)), backend="cpu")
        >>> index = v.build_index(lists=4, recall=0.9, seed=3)
        >>> (len(index), index.lists, index.recall)
        (100, 4, 0.9)
        >>> ids, _ = v.nearest(v.vectors[:2], k=1, index=index, nprobe=4)
        >>> ids[:, 0].tolist()
        [0, 1]
        """
        from ._index import Index

        native = _native.Index._build(
            self, lists=lists, recall=recall, f16=f16, metric=metric, seed=seed,
            train_per_list=train_per_list, iterations=iterations, backend=backend,
        )
        return Index._adopt(native)

    def _check_index(self, index, recall, nprobe):
        """Refuses an ``index=`` that is not an Index of these dimensions, and
        ``recall`` or ``nprobe`` without one."""
        if index is None:
            if recall is not None or nprobe is not None:
                raise InvalidInputError("recall and nprobe go with index= (an IVF index); the exact search reads every row")
            return
        if not isinstance(index, _native.Index):
            raise TypeError(f"index must be a glove_wgpu.Index (from build_index or Index.load), not {type(index).__name__}")
        if index.dim != self.vector_size:
            raise InvalidInputError(f"the index has {index.dim} dimensions, these vectors {self.vector_size}")

    def nearest(
        self, queries, k=1, metric=None, *, exclude=None, restrict_vocab=None, index=None, recall=None,
        nprobe=None, return_tensors=None,
    ):
        """Reverse lookup in bulk: the ``k`` nearest rows of every query row, in
        one exact search on the GPU or the CPU (or through an IVF ``index``).

        ``queries`` is an ``(m, d)`` array or a ``(d,)`` vector: numpy (a
        C-contiguous float32 array is read in place), a PyTorch tensor as it
        comes (``requires_grad``, bf16, on a GPU: detached, copied to the host,
        converted to float32; the caller's tensor is untouched), or any DLPack
        or ``__array__`` producer. Returns ``(ids, scores)``, ``(m, k)`` int64
        and float32 arrays (``(k,)`` for one vector), best first, ties to the
        lower id; scores are similarities for ``"cosine"`` (``metric=None``)
        and ``"dot"`` and distances for ``"euclidean"``. ``exclude``: one list
        of ids per query that it must not return; ``restrict_vocab``: search
        the first rows only; where fewer rows than ``k`` remain, ids are -1 and
        scores NaN. ``return_tensors="pt"``: torch tensors on the CPU that
        share the result arrays' memory (no copy). The search runs in chunks of
        about a fifth of a second and Ctrl-C stops it between two.

        ``index``: an ``Index`` (``build_index``, ``Index.load``) answers
        instead, reading the lists ``recall`` picks (default: the index's) or
        ``nprobe`` lists; its metric is the search's (``metric`` may only
        repeat it) and ``restrict_vocab`` does not go with it. Ids in
        ``exclude`` and in the answer are this object's rows, matched by word
        (a hit whose word is not here is an ``InvalidInputError``); where the
        lists read hold fewer than ``k`` rows, ids are -1 and scores NaN.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), backend="cpu")
        >>> ids, scores = v.nearest(np.array([[0.9, 0.1, 0]], np.float32), k=2)
        >>> v.words(ids)
        [['a', 'b']]
        """
        check_return_tensors(return_tensors)
        self._check_index(index, recall, nprobe)
        if isinstance(k, bool) or not isinstance(k, Integral):
            raise TypeError(f"k must be an int, got {type(k).__name__}")
        q, single, exclude = as_queries(queries, exclude)
        if index is None:
            ids, scores = self._search(q, k, "cosine" if metric is None else metric, exclude, restrict_vocab)
        else:
            if metric is not None and metric != index.metric:
                raise InvalidInputError(f"the index ranks by {index.metric}, not {metric}: build one with metric={metric!r}")
            if restrict_vocab is not None:
                raise InvalidInputError("restrict_vocab does not go with index=: the index holds the rows it holds")
            ids, scores = index._search(q, k, exclude, recall, nprobe, self)
        if single:
            ids, scores = ids[0], scores[0]
        return results((ids, scores), return_tensors)

    def most_similar(
        self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
        restrict_vocab=None, indexer=None, *, index=None, recall=None, nprobe=None, return_tensors=None,
    ):
        """gensim's ``most_similar``: the ``topn`` keys nearest (cosine) to the
        mean of the unit vectors of ``positive`` (weight 1) and ``negative``
        (weight -1), the input keys excluded, as ``[(word, similarity), ...]``.

        ``positive`` and ``negative`` are a key (word or row number), a vector
        (array or tensor), a 2-D array (its rows), or a list of keys, vectors
        and ``(key, weight)`` pairs. ``restrict_vocab=r`` (or ``clip_end``)
        searches the first ``r`` rows; ``clip_start`` starts later (searched
        with numpy). ``topn=None``: every similarity as an array; ``topn < 1``:
        ``[]``. ``indexer``: an object with ``most_similar(vector, topn)`` that
        answers instead (gensim's approximate indexers). The search is the
        exact one of ``nearest``, on the GPU or the CPU; ``index``: a cosine
        ``Index`` answers instead, reading the lists ``recall`` picks or
        ``nprobe`` lists (the same query, so the same answer as
        ``index.most_similar`` up to rounding; not with ``restrict_vocab``,
        ``clip_start``, ``clip_end`` or ``indexer``; ``topn=None`` computes
        every similarity with numpy, as with ``indexer``).
        ``return_tensors="pt"``: ``(ids, scores)`` torch tensors instead of the
        list (every similarity as one tensor for ``topn=None``).

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["x", "y", "xy"], np.array([[1, 0], [0, 1], [1, 1]], np.float32),
        ...                        backend="cpu")
        >>> [w for w, _ in v.most_similar(positive=["x", "y"], topn=1)]
        ['xy']
        >>> [w for w, _ in v.most_similar(positive=["x", "y"], topn=1, index=v.build_index(lists=1))]
        ['xy']
        """
        check_return_tensors(return_tensors)
        self._check_index(index, recall, nprobe)
        if index is not None:
            if index.metric != "cosine":
                raise InvalidInputError(
                    f"most_similar ranks by cosine and the index by {index.metric}: use index.most_similar"
                )
            if restrict_vocab or clip_start or clip_end is not None or indexer is not None:
                raise InvalidInputError("restrict_vocab, clip_start, clip_end and indexer do not go with index=")
        if isinstance(topn, Integral) and topn < 1:
            return results((np.zeros(0, np.int64), np.zeros(0, np.float32)), return_tensors) if return_tensors else []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        n = len(self)
        clip_end = clip_end or n
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        keys = []
        weight = np.concatenate((np.ones(len(positive)), -1.0 * np.ones(len(negative))))
        for idx, item in enumerate(positive + negative):
            if isinstance(item, _EXTENDED_KEY_TYPES):
                keys.append(item)
            else:
                keys.append(host_array(item[0]) if _is_vector(item[0]) else item[0])
                weight[idx] = item[1]
        mean = self.get_mean_vector(keys, weight, pre_normalize=True, post_normalize=True, ignore_missing=False)
        all_keys = [self.get_index(k) for k in keys if isinstance(k, _KEY_TYPES) and self.has_index_for(k)]
        if indexer is not None and isinstance(topn, int):
            return indexer.most_similar(mean, topn)
        if not topn:
            dists = np.dot(self.vectors[clip_start:clip_end], mean) / self.norms[clip_start:clip_end]
            return results(dists, return_tensors) if return_tensors else dists
        if index is not None:
            ids, scores = index._search(mean.reshape(1, -1), topn, [all_keys], recall, nprobe, self)
            keep = ids[0] >= 0
            ids, scores = ids[0][keep], scores[0][keep]
        elif clip_start > 0:
            dists = np.dot(self.vectors[clip_start:clip_end], mean) / self.norms[clip_start:clip_end]
            best = _argsort(dists, topn=topn + len(all_keys), reverse=True)
            ids = np.array([s + clip_start for s in best if (s + clip_start) not in all_keys][:topn], np.int64)
            scores = dists[ids - clip_start].astype(np.float32)
        else:
            ids, scores = self._search(mean.reshape(1, -1), topn, "cosine", [all_keys], clip_end)
            keep = ids[0] >= 0
            ids, scores = ids[0][keep], scores[0][keep]
        if return_tensors:
            return results((ids, scores), return_tensors)
        keys = self.index_to_key
        return [(keys[i], float(s)) for i, s in zip(ids.tolist(), scores.tolist())]

    def similar_by_key(
        self, key, topn=10, restrict_vocab=None, *, index=None, recall=None, nprobe=None, return_tensors=None,
    ):
        """``most_similar(positive=[key], topn, restrict_vocab)`` (``index``,
        ``recall``, ``nprobe``: as for ``most_similar``)."""
        return self.most_similar(
            positive=[key], topn=topn, restrict_vocab=restrict_vocab, index=index, recall=recall, nprobe=nprobe,
            return_tensors=return_tensors,
        )

    def similar_by_word(
        self, word, topn=10, restrict_vocab=None, *, index=None, recall=None, nprobe=None, return_tensors=None,
    ):
        """``similar_by_key`` (gensim's alias)."""
        return self.similar_by_key(
            word, topn, restrict_vocab, index=index, recall=recall, nprobe=nprobe, return_tensors=return_tensors
        )

    def similar_by_vector(
        self, vector, topn=10, restrict_vocab=None, *, index=None, recall=None, nprobe=None, return_tensors=None,
    ):
        """``most_similar(positive=[vector], topn, restrict_vocab)``: nothing is
        excluded. ``vector``: an array or a tensor as it comes."""
        vector = host_array(vector)
        if vector.shape != (self.vector_size,):
            raise InvalidInputError(f"similar_by_vector takes one vector of {self.vector_size} values, got shape {vector.shape}")
        return self.most_similar(
            positive=[vector], topn=topn, restrict_vocab=restrict_vocab, index=index, recall=recall, nprobe=nprobe,
            return_tensors=return_tensors,
        )

    def most_similar_cosmul(
        self, positive=None, negative=None, topn=10, restrict_vocab=None, *,
        epsilon=COSMUL_EPSILON, return_tensors=None,
    ):
        """gensim's ``most_similar_cosmul`` (3CosMul, Levy and Goldberg 2014):
        ``prod((1 + cos(x, p)) / 2) / (prod((1 + cos(x, n)) / 2) + epsilon)``
        over the keys and vectors of ``positive`` and ``negative`` (words as
        unit vectors, raw vectors as they are), the input words excluded;
        ``epsilon`` defaults to gensim's 1e-6 (``COSMUL_EPSILON``). Computed with
        numpy over every row, as gensim. Differences: ``restrict_vocab`` limits
        the rows (gensim ignores it), and row numbers are keys (gensim takes
        them as numbers to multiply the vectors by)."""
        check_return_tensors(return_tensors)
        if isinstance(topn, Integral) and topn < 1:
            return results((np.zeros(0, np.int64), np.zeros(0, np.float32)), return_tensors) if return_tensors else []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        all_words = {self.get_index(w) for w in positive + negative if isinstance(w, _KEY_TYPES) and w in self}
        positive = [self.get_vector(w, norm=True) if isinstance(w, _KEY_TYPES) else w for w in positive]
        negative = [self.get_vector(w, norm=True) if isinstance(w, _KEY_TYPES) else w for w in negative]
        if not positive:
            raise InvalidInputError("cannot compute similarity with no input")
        vectors, norms = self.vectors, self.norms
        if restrict_vocab:
            vectors, norms = vectors[:restrict_vocab], norms[:restrict_vocab]
        pos_dists = [((1 + np.dot(vectors, term) / norms) / 2) for term in positive]
        neg_dists = [((1 + np.dot(vectors, term) / norms) / 2) for term in negative]
        dists = np.prod(pos_dists, axis=0) / (np.prod(neg_dists, axis=0) + epsilon)
        if not topn:
            return results(dists, return_tensors) if return_tensors else dists
        best = _argsort(dists, topn=topn + len(all_words), reverse=True)
        ids = [int(s) for s in best if s not in all_words][:topn]
        if return_tensors:
            return results((np.array(ids, np.int64), dists[ids].astype(np.float32)), return_tensors)
        keys = self.index_to_key
        return [(keys[i], float(dists[i])) for i in ids]

    def analogy(self, a, b, c, topn=1, method="add", *, epsilon=COSMUL_EPSILON):
        """``a : b :: c : ?``, the ``topn`` best answers as ``[(word, score),
        ...]``, ``a``, ``b`` and ``c`` excluded: ``method="add"`` is 3CosAdd
        (``most_similar(positive=[b, c], negative=[a])``), ``"mul"`` 3CosMul
        (``most_similar_cosmul(positive=[b, c], negative=[a])``, gensim's
        epsilon 1e-6 unless ``epsilon`` says otherwise)."""
        if method == "add":
            return self.most_similar(positive=[b, c], negative=[a], topn=topn)
        if method == "mul":
            return self.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn, epsilon=epsilon)
        raise InvalidInputError(f'unknown analogy method "{method}" (expected one of: add, mul)')

    # -- pairs and sets of keys -------------------------------------------

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
        """gensim's ``get_mean_vector``: the weighted mean of the vectors of
        ``keys`` (words, row numbers, or vectors), divided by the sum of the
        absolute weights; ``pre_normalize``: of their unit vectors;
        ``post_normalize``: scaled to unit length; a missing key is skipped
        unless ``ignore_missing`` is false (``KeyError``)."""
        if len(keys) == 0:
            raise InvalidInputError("cannot compute mean with no input")
        if isinstance(weights, list):
            weights = np.array(weights, dtype=np.float32)
        if weights is None:
            weights = np.ones(len(keys), dtype=np.float32)
        if len(keys) != weights.shape[0]:
            raise InvalidInputError("keys and weights array must have same number of elements")
        mean = np.zeros(self.vector_size, np.float32)
        total_weight = 0
        for idx, key in enumerate(keys):
            if _is_vector(key):
                key = host_array(key)
                if key.shape != (self.vector_size,):
                    raise InvalidInputError(f"a vector of {self.vector_size} values is needed, got shape {key.shape}")
                mean += weights[idx] * key
                total_weight += abs(weights[idx])
            elif key in self:
                mean += weights[idx] * self.get_vector(key, norm=pre_normalize)
                total_weight += abs(weights[idx])
            elif not ignore_missing:
                raise _unknown(key, len(self))
        if total_weight > 0:
            mean = mean / total_weight
        if post_normalize:
            mean = _unitvec(mean).astype(np.float32)
        return mean

    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """The cosine similarity of ``vector_1`` (``(d,)``) with each row of
        ``vectors_all`` (``(n, d)``), as gensim's."""
        norm = np.linalg.norm(vector_1)
        all_norms = np.linalg.norm(vectors_all, axis=1)
        dot_products = np.dot(vectors_all, vector_1)
        return dot_products / (norm * all_norms)

    def similarity(self, w1, w2):
        """The cosine similarity of two keys (a numpy float32)."""
        return np.dot(_unitvec(self[w1]), _unitvec(self[w2]))

    def distance(self, w1, w2):
        """``1 - similarity(w1, w2)``."""
        return 1 - self.similarity(w1, w2)

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances from a key or a vector to each of ``other_words``,
        or to every row when it is empty."""
        if isinstance(word_or_vector, _KEY_TYPES):
            input_vector = self.get_vector(word_or_vector)
        else:
            input_vector = host_array(word_or_vector)
        if not other_words:
            other_vectors = self.vectors
        else:
            other_vectors = self.vectors[[self.get_index(w) for w in other_words]]
        return 1 - self.cosine_similarities(input_vector, other_vectors)

    def n_similarity(self, ws1, ws2):
        """The cosine similarity of the means of two sets of keys
        (``ZeroDivisionError`` when one is empty, as gensim)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        mean1 = self.get_mean_vector(ws1, pre_normalize=False)
        mean2 = self.get_mean_vector(ws2, pre_normalize=False)
        return np.dot(_unitvec(mean1), _unitvec(mean2))

    def rank_by_centrality(self, words, use_norm=True):
        """``[(similarity, word), ...]`` to the unit mean of ``words`` (unknown
        ones skipped with a warning), most central first."""
        used_words = [w for w in words if w in self]
        if len(used_words) != len(words):
            logger.warning("vectors for words %s are not present in the model, ignoring these words",
                           set(words) - set(used_words))
        if not used_words:
            raise InvalidInputError("cannot select a word from an empty list")
        vectors = np.vstack([self.get_vector(w, norm=use_norm) for w in used_words]).astype(np.float32)
        mean = self.get_mean_vector(vectors, post_normalize=True)
        dists = np.dot(vectors, mean)
        return sorted(zip(dists, used_words), reverse=True)

    def doesnt_match(self, words):
        """The word of ``words`` furthest from their mean."""
        return self.rank_by_centrality(words)[-1][1]

    def closer_than(self, key1, key2):
        """Every key nearer (cosine) to ``key1`` than ``key2`` is."""
        all_distances = self.distances(key1)
        e1_index = self.get_index(key1)
        e2_index = self.get_index(key2)
        closer = np.where(all_distances < all_distances[e2_index])[0]
        keys = self.index_to_key
        return [keys[i] for i in closer if i != e1_index]

    def words_closer_than(self, word1, word2):
        """Deprecated alias of ``closer_than`` (as in gensim)."""
        warnings.warn("Use closer_than instead", DeprecationWarning, stacklevel=2)
        return self.closer_than(word1, word2)

    def rank(self, key1, key2):
        """The rank of ``key2`` among the keys nearest to ``key1`` (1: the
        nearest)."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa, wb, topn=10):
        """``similarity(wa, wb)`` over the sum of the similarities of the
        ``topn`` words nearest to ``wa`` (Leeuwenberg et al.)."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise InvalidInputError("Cannot calculate relative cosine similarity without any similar words.")
        return float(self.similarity(wa, wb)) / (sum(s for _, s in sims))

    # -- evaluation -------------------------------------------------------

    def _ok_vocab(self, restrict_vocab, case_insensitive):
        ok_keys = self.index_to_key[:restrict_vocab]
        if case_insensitive:
            return {k.upper(): i for i, k in reversed(list(enumerate(ok_keys)))}
        return {k: i for i, k in reversed(list(enumerate(ok_keys)))}

    def evaluate_word_analogies(
        self, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False,
        similarity_function="most_similar",
    ):
        """gensim's ``evaluate_word_analogies``: the questions of
        ``questions-words.txt`` (``a b c expected`` lines under ``: section``
        headers; invalid lines skipped) among the first ``restrict_vocab``
        words, answered by 3CosAdd over those words (``similarity_function=
        "most_similar_cosmul"``: 3CosMul; gensim always uses 3CosAdd), in
        batches on the exact search. Returns ``(accuracy, sections)``: each
        section a dict of ``"section"``, ``"correct"`` and ``"incorrect"``
        (4-tuples, upper-cased when ``case_insensitive``), the last one
        ``"Total accuracy"``. ``dummy4unknown``: questions with an unknown word
        count as wrong instead of being left out."""
        if similarity_function not in ("most_similar", "most_similar_cosmul"):
            raise InvalidInputError(f"similarity_function must be 'most_similar' or 'most_similar_cosmul', got {similarity_function!r}")
        ok_vocab = self._ok_vocab(restrict_vocab, case_insensitive)
        # Each section's questions in file order: (quad, question number), the
        # number None for a question with an unknown word (dummy4unknown).
        sections, items = [], None
        asked = []  # (a, b, c) rows of the questions to answer
        quadruplets = oov = 0
        with _open_text(analogies) as fin:
            for line_no, line in enumerate(fin):
                if line.startswith(": "):
                    items = []
                    sections.append((line.lstrip(": ").strip(), items))
                    continue
                if items is None:
                    raise InvalidInputError(f"Missing section header before line #{line_no} in {analogies}")
                words = [w.upper() for w in line.split()] if case_insensitive else line.split()
                if len(words) != 4:
                    logger.info("Skipping invalid line #%i in %s", line_no, analogies)
                    continue
                quadruplets += 1
                if not all(w in ok_vocab for w in words):
                    oov += 1
                    if dummy4unknown:
                        items.append((tuple(words), None))
                    continue
                items.append((tuple(words), len(asked)))
                asked.append((ok_vocab[words[0]], ok_vocab[words[1]], ok_vocab[words[2]]))
        if not quadruplets:
            raise InvalidInputError(f"no analogy questions in {analogies}")
        keys = self.index_to_key
        candidates = self._analogy_answers(asked, restrict_vocab, similarity_function)
        out = []
        for name, entries in sections:
            section = {"section": name, "correct": [], "incorrect": []}
            for quad, q in entries:
                predicted = None
                if q is not None:
                    ignore = set(quad[:3])
                    for i in candidates[q]:
                        predicted = keys[i].upper() if case_insensitive else keys[i]
                        if predicted in ok_vocab and predicted not in ignore:
                            break
                section["correct" if predicted == quad[3] else "incorrect"].append(quad)
            out.append(section)
        total = {
            "section": "Total accuracy",
            "correct": list(itertools.chain.from_iterable(s["correct"] for s in out)),
            "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in out)),
        }
        for s in out + [total]:
            right, wrong = len(s["correct"]), len(s["incorrect"])
            if right + wrong:
                logger.info("%s: %.1f%% (%i/%i)", s["section"], 100.0 * right / (right + wrong), right, right + wrong)
        logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / quadruplets)
        right, wrong = len(total["correct"]), len(total["incorrect"])
        out.append(total)
        return (right / (right + wrong) if right + wrong else 0.0), out

    def _analogy_answers(self, questions, restrict_vocab, similarity_function, batch=4096):
        """The 5 best candidates (ids) of each question ``(a, b, c)``, the
        question's words excluded, among the first ``restrict_vocab`` rows."""
        out = []
        if similarity_function == "most_similar_cosmul":
            for a, b, c in questions:
                pairs = self.most_similar_cosmul(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict_vocab)
                out.append([self.get_index(w) for w, _ in pairs])
            return out
        unit = self._unit()
        for s in range(0, len(questions), batch):
            qs = np.array(questions[s : s + batch], np.int64).reshape(-1, 3)
            # gensim's mean of (b, c, -a), then its unit vector.
            mean = (unit[qs[:, 1]] + unit[qs[:, 2]] - unit[qs[:, 0]]) / np.float32(3)
            norms = np.linalg.norm(mean, axis=1, keepdims=True)
            mean = np.where(norms > 0, mean / np.where(norms > 0, norms, 1), mean).astype(np.float32)
            ids, _ = self._search(mean, 5, "cosine", qs.tolist(), restrict_vocab)
            out.extend([int(i) for i in row if i >= 0] for row in ids)
        return out

    def evaluate_word_pairs(
        self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000, case_insensitive=True,
        dummy4unknown=False,
    ):
        """gensim's ``evaluate_word_pairs``: the Pearson and Spearman
        correlations between the human scores of ``pairs`` (``word1 word2
        score`` lines split by ``delimiter``, ``#`` comments, invalid lines
        skipped) and the cosine similarities of the pairs whose words are among
        the first ``restrict_vocab``. Returns ``((pearson, p-value), (spearman,
        p-value), oov_percent)`` as plain tuples (gensim returns scipy's result
        objects, which unpack the same); p-values need scipy and are NaN
        without it. ``dummy4unknown``: pairs with an unknown word count with
        similarity 0."""
        ok_vocab = self._ok_vocab(restrict_vocab, case_insensitive)
        gold, ids, oov = [], [], 0
        with _open_text(pairs, encoding=encoding) as fin:
            for line_no, line in enumerate(fin):
                if not line or line.startswith("#"):
                    continue
                try:
                    parts = [w.upper() for w in line.split(delimiter)] if case_insensitive else line.split(delimiter)
                    a, b, sim = parts
                    sim = float(sim)
                except (ValueError, TypeError):
                    logger.info("Skipping invalid line #%d in %s", line_no, pairs)
                    continue
                if a not in ok_vocab or b not in ok_vocab:
                    oov += 1
                    if dummy4unknown:
                        gold.append(sim)
                        ids.append(None)
                    continue
                gold.append(sim)
                ids.append((ok_vocab[a], ok_vocab[b]))
        if not gold:
            raise InvalidInputError(
                f"No valid similarity judgements found in {pairs}: either invalid format or all are "
                f"out-of-vocabulary in {self!r}"
            )
        unit = self._unit()
        model = np.zeros(len(gold), np.float64)
        known = [i for i, p in enumerate(ids) if p is not None]
        if known:
            pa = np.array([ids[i][0] for i in known])
            pb = np.array([ids[i][1] for i in known])
            model[known] = np.einsum("ij,ij->i", unit[pa], unit[pb])
        gold = np.array(gold, np.float64)
        pearson, spearman = _correlations(gold, model)
        oov_ratio = float(oov) / (len(gold) if dummy4unknown else len(gold) + oov) * 100
        logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
        logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
        logger.info("Pairs with unknown words ratio: %.1f%%", oov_ratio)
        return pearson, spearman, oov_ratio


def _correlations(x, y):
    """((pearson r, p), (spearman rho, p)): scipy's when it is installed, else
    the coefficients with NaN p-values."""
    try:
        from scipy import stats  # type: ignore[import-untyped]
    except ImportError:
        stats = None
    if stats is not None:
        p = stats.pearsonr(x, y)
        s = stats.spearmanr(x, y)
        return (float(p[0]), float(p[1])), (float(s[0]), float(s[1]))

    def pearson(a, b):
        a, b = a - a.mean(), b - b.mean()
        d = math.sqrt((a * a).sum() * (b * b).sum())
        return float((a * b).sum() / d) if d > 0 else math.nan

    def ranks(a):
        order = np.argsort(a, kind="stable")
        r = np.empty(len(a), np.float64)
        r[order] = np.arange(len(a))
        for v in np.unique(a):  # ties share their mean rank
            tie = a == v
            r[tie] = r[tie].mean()
        return r

    return (pearson(x, y), math.nan), (pearson(ranks(x), ranks(y)), math.nan)
