"""glove_wgpu.Index: the IVF approximate-nearest-neighbour index of the Rust
library (glove_wgpu::ivf), with the search conventions of glove_wgpu.Vectors.

The native half (glove_wgpu._native.Index, python/src/index.rs) holds the
index, builds, loads, saves and changes it, and answers the batched searches;
this half adds ``nearest`` and ``most_similar`` with the argument handling,
return shapes and errors of ``Vectors.nearest`` and ``Vectors.most_similar``.
"""

from numbers import Integral
from types import MappingProxyType

import numpy as np

from . import _native
from ._errors import InvalidInputError, UnknownWordError
from ._tensors import as_queries, check_return_tensors, host_array, host_ints, results


def check_k(k, name="k"):
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"{name} must be an int, got {type(k).__name__}")


def _ensure_list(value):
    """None, one key, one vector, a 2-D array (its rows) or a list of them."""
    if value is None:
        return []
    if isinstance(value, (str, int, np.integer)):
        return [value]
    if not isinstance(value, (list, tuple)):
        value = host_array(value)
        return [value] if value.ndim == 1 else list(value)
    return list(value)


class Index(_native.Index):
    """An IVF-Flat approximate-nearest-neighbour index over words and their
    vectors, searched on the GPU or the CPU.

    Made by ``Vectors.build_index(...)`` (seeded k-means into ``lists`` lists,
    every row to its nearest list, and the recall measured against exact search
    on a sample of the index's own rows, for every number of lists read) or
    ``Index.load(path)``. A search reads the lists nearest each query: the
    fewest whose calibrated recall reaches ``recall`` (default: the one the
    index was built with, ``index.recall``), or exactly ``nprobe``; the hits
    are exact within the lists read.

    The index keeps its own copy of the vectors (unit vectors for cosine,
    rounded to f16 with ``f16=True``): it does not follow later changes to the
    ``Vectors`` it was built from; ``add`` and ``remove`` change it. Ids are
    the index's own (``index.words(ids)``, ``index.key_to_index``): a word's
    row when the index was built, new words after them; removed words keep
    their ids until the index is saved, and the file renumbers the rest.

    >>> import numpy as np, glove_wgpu
    >>> rng = np.random.default_rng(0)
    >>> centres = rng.standard_normal((8, 16)).astype(np.float32)
    >>> matrix = centres[np.arange(400) % 8] + 0.1 * rng.standard_normal((400, 16), dtype=np.float32)
    >>> v = glove_wgpu.Vectors([f"w{i}" for i in range(400)], matrix, backend="cpu")
    >>> index = v.build_index(lists=8, seed=1)
    >>> (len(index), index.dim, index.metric, index.lists)
    (400, 16, 'cosine', 8)
    >>> ids, scores = index.nearest(matrix[:3], k=2)
    >>> ids[:, 0].tolist()
    [0, 1, 2]
    >>> index.most_similar("w0", topn=1)[0][0] in {f"w{i}" for i in range(0, 400, 8)}
    True
    """

    def __new__(cls, *, _share=None):
        return super().__new__(cls, _share=_share)

    @classmethod
    def _adopt(cls, native):
        """A `cls` sharing the index of another native Index."""
        return _native.Index.__new__(cls, _share=native)

    @classmethod
    def load(cls, path, backend="auto"):
        """Reads an index file written by ``save``, searched on ``backend``
        (``"auto"``, ``"gpu"`` or ``"cpu"``). A file of another format
        version, a damaged one (checksum) or a truncated one is an
        ``InvalidInputError`` naming the file; a missing one a ``FileError``.

        >>> import os, tempfile, numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), backend="cpu")
        >>> path = os.path.join(tempfile.mkdtemp(), "v.ivf")
        >>> v.build_index(lists=2).save(path)
        >>> len(glove_wgpu.Index.load(path, backend="cpu"))
        3
        """
        return cls._adopt(_native.Index.load(path, backend))

    # -- keys -------------------------------------------------------------

    def _key_cache(self):
        d = self.__dict__
        if "_kti" not in d:
            words, ids = self._keys()
            d["_kti"] = MappingProxyType(dict(zip(words, ids)))
        return d["_kti"]

    @property
    def key_to_index(self):
        """Live word to id: a read-only mapping, made on first use after each
        change.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b"], np.eye(2, dtype=np.float32), backend="cpu")
        >>> dict(v.build_index(lists=1).key_to_index)
        {'a': 0, 'b': 1}
        """
        return self._key_cache()

    def __contains__(self, word):
        return word in self._key_cache()

    def __iter__(self):
        """The live words in id order."""
        return iter(list(self._key_cache()))

    def get_index(self, word, default=None):
        """The id of a live word; ``default`` when there is none and it is
        given, else ``UnknownWordError`` (a ``KeyError``)."""
        i = self._key_cache().get(word, -1)
        if i >= 0:
            return i
        if default is not None:
            return default
        raise UnknownWordError(f"unknown word: {word!r} is not in the index")

    def get_vector(self, word):
        """The vector the index holds for ``word`` (a new array): a unit vector
        for cosine, rounded to f16 in an f16 index.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a"], np.array([[3, 4]], np.float32), backend="cpu")
        >>> v.build_index().get_vector("a").tolist()
        [0.6000000238418579, 0.800000011920929]
        """
        return self._stored([self.get_index(word)])[0]

    def _id_of(self, key):
        """The id of a word, or of an id that is a live word's."""
        if isinstance(key, str):
            return self.get_index(key)
        i = int(key)
        try:
            word = self.words(i) if i >= 0 else None
        except InvalidInputError:
            word = None
        if word is None or self._key_cache().get(word) != i:
            raise UnknownWordError(f"Key '{key}' not present (no live word has this id)")
        return i

    def words(self, ids):
        """Words of ids: an int gives a str, an array (or tensor) of ints
        nested lists of the same shape (e.g. the ids from ``nearest``).

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b"], np.eye(2, dtype=np.float32), backend="cpu")
        >>> v.build_index().words([[1, 0]])
        [['b', 'a']]
        """
        return super().words(host_ints(ids))

    # -- changes ----------------------------------------------------------

    def add(self, words, vectors):
        """Adds ``words`` with the rows of the ``(len(words), d)`` ``vectors``
        (an array-like or tensor), each to its nearest list; they take the next
        ids. Everything is checked before anything changes: a word already in
        the index, a separator in a word, a wrong shape or a non-finite value
        is an ``InvalidInputError``.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b"], np.eye(2, dtype=np.float32), backend="cpu")
        >>> index = v.build_index(lists=2)
        >>> index.add(["c"], [[0.9, 0.1]])
        >>> (len(index), index.get_index("c"), index.most_similar("a", topn=1)[0][0])
        (3, 2, 'c')
        """
        super().add(words, host_array(vectors))
        self.__dict__.pop("_kti", None)

    def remove(self, words):
        """Removes a word or a sequence of words: searches skip them at once,
        ``save`` drops them. An unknown word is an ``UnknownWordError`` and
        nothing is removed.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), backend="cpu")
        >>> index = v.build_index(lists=1)
        >>> index.remove("c")
        >>> (len(index), "c" in index)
        (2, False)
        """
        try:
            super().remove(words)
        finally:
            self.__dict__.pop("_kti", None)

    # -- search -----------------------------------------------------------

    def nearest(self, queries, k=1, *, recall=None, nprobe=None, exclude=None, return_tensors=None):
        """Reverse lookup in bulk through the index: the ``k`` nearest live
        words of every query row, reading the lists ``recall`` picks from the
        calibration (default ``index.recall``) or exactly ``nprobe`` lists (at
        most all of them; not both).

        ``queries`` is an ``(m, d)`` array or a ``(d,)`` vector, taken as
        ``Vectors.nearest`` takes it (numpy, PyTorch tensors as they come,
        DLPack, ``__array__``). Returns ``(ids, scores)``, ``(m, k)`` int64 and
        float32 arrays (``(k,)`` for one vector; ``k`` at most ``len(index)``),
        best first, ties to the lower id; ids are the index's
        (``index.words(ids)``); scores are similarities for ``"cosine"`` and
        ``"dot"`` and distances for ``"euclidean"``, as the exact search's.
        Where the lists read hold fewer than ``k`` words (or ``exclude``, one
        list of ids per query, leaves fewer), ids are -1 and scores NaN.
        ``return_tensors="pt"``: torch tensors sharing the arrays' memory. The
        search runs in chunks and Ctrl-C stops it between two.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), backend="cpu")
        >>> index = v.build_index(lists=3)
        >>> ids, scores = index.nearest(np.array([0.9, 0.1, 0], np.float32), k=2, nprobe=3)
        >>> index.words(ids)
        ['a', 'b']
        """
        check_return_tensors(return_tensors)
        check_k(k)
        q, single, exclude = as_queries(queries, exclude)
        ids, scores = self._search(q, k, exclude, recall, nprobe)
        if single:
            ids, scores = ids[0], scores[0]
        return results((ids, scores), return_tensors)

    def _query(self, positive, negative):
        """The query of ``most_similar`` and the ids of the words in it."""
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        if not positive and not negative:
            raise InvalidInputError("cannot compute similarity with no input")
        items = [(x, 1.0) for x in positive] + [(x, -1.0) for x in negative]
        used, total, weight = [], np.zeros(self.dim, np.float64), 0.0
        for item, sign in items:
            w = sign
            if isinstance(item, tuple):
                item, w = item[0], float(item[1])  # the weight replaces the sign, as gensim's
            if isinstance(item, (str, int, np.integer)):
                i = self._id_of(item)
                vec = self._stored([i])[0].astype(np.float64)
                used.append(i)
            else:
                vec = host_array(item).astype(np.float64)
                if vec.shape != (self.dim,):
                    raise InvalidInputError(f"a vector of {self.dim} values is needed, got shape {vec.shape}")
            if self.metric == "cosine":
                norm = np.linalg.norm(vec)
                vec = vec / norm if norm > 0 else vec
            total += w * vec
            weight += abs(w)
        mean = total / weight if weight > 0 else total
        if self.metric == "cosine":
            norm = np.linalg.norm(mean)
            mean = mean / norm if norm > 0 else mean
        return mean.astype(np.float32), used

    def most_similar(self, positive=None, negative=None, topn=10, *, recall=None, nprobe=None, return_tensors=None):
        """gensim's ``most_similar`` through the index: the ``topn`` words
        nearest to the weighted mean of ``positive`` (weight 1) and
        ``negative`` (weight -1), the input words excluded, as ``[(word,
        score), ...]``.

        ``positive`` and ``negative`` are a word (or an id), a vector (array or
        tensor), a 2-D array (its rows), or a list of words, vectors and
        ``(word, weight)`` pairs. Words are the index's stored vectors. For a
        cosine index the mean is of unit vectors, as gensim's (the same ranking
        as the Rust library's sum); for ``"dot"`` and ``"euclidean"`` it is of
        the vectors as stored, ranked by the index's metric. ``recall`` and
        ``nprobe`` are as for ``nearest``; ``topn < 1`` gives ``[]``.
        ``return_tensors="pt"`` (or ``"np"``): ``(ids, scores)`` instead of the
        list. An unknown word is an ``UnknownWordError``.

        >>> import numpy as np, glove_wgpu
        >>> v = glove_wgpu.Vectors(["x", "y", "xy", "-y"],
        ...                        np.array([[1, 0], [0, 1], [1, 1], [0, -1]], np.float32), backend="cpu")
        >>> [(w, round(s, 5)) for w, s in v.build_index(lists=1).most_similar(["x", "y"], topn=2)]
        [('xy', 1.0), ('-y', -0.70711)]
        """
        check_return_tensors(return_tensors)
        check_k(topn, "topn")
        if topn < 1:
            return results((np.zeros(0, np.int64), np.zeros(0, np.float32)), return_tensors) if return_tensors else []
        mean, used = self._query(positive, negative)
        ids, scores = self._search(mean.reshape(1, -1), topn, [used], recall, nprobe)
        keep = ids[0] >= 0
        ids, scores = ids[0][keep], scores[0][keep]
        if return_tensors:
            return results((ids, scores), return_tensors)
        return list(zip(self.words(ids), (float(s) for s in scores.tolist())))
