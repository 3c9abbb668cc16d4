"""Type stubs of glove_wgpu: the Vectors class (glove_wgpu._vectors over the
Rust extension glove_wgpu._native), the Index class (glove_wgpu._index), fit,
and the exceptions of glove_wgpu._errors."""

import os
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    Union,
    overload,
)

import numpy as np
import numpy.typing as npt

from ._errors import (
    FileError as FileError,
    GloveError as GloveError,
    GpuError as GpuError,
    InvalidInputError as InvalidInputError,
    OutOfMemoryError as OutOfMemoryError,
    UnknownWordError as UnknownWordError,
)

__version__: str
__all__ = [
    "COSMUL_EPSILON",
    "FIT_DEFAULTS",
    "FileError",
    "GloveError",
    "GpuError",
    "Index",
    "InvalidInputError",
    "OutOfMemoryError",
    "UnknownWordError",
    "Vectors",
    "__version__",
    "fit",
]

_PathLike = Union[str, "os.PathLike[str]"]
_Backend = Literal["auto", "gpu", "cpu"]
_Metric = Literal["cosine", "dot", "euclidean"]
_FileFormat = Literal["glove", "word2vec", "word2vec-bin", "fasttext"]
_ReturnTensors = Optional[Literal["np", "pt"]]
_WordScores = list[Tuple[str, float]]
_Key = Union[str, int, np.integer[Any]]
_Vector = Any
"""A ``(d,)`` vector: a numpy array, a PyTorch tensor (any device, dtype,
``requires_grad``), or any DLPack or ``__array__`` producer."""
_KeyOrVector = Union[_Key, _Vector, Tuple[Union[_Key, _Vector], float]]
_Words = Union[_KeyOrVector, Sequence[_KeyOrVector], None]

class _EpochReport(TypedDict):
    """What ``fit``'s progress callback receives after every epoch."""

    epoch: int
    """Epoch number, from 1."""
    cost: float
    """Mean cost of the epoch's updates."""
    seconds: float
    """Wall-clock seconds."""
    updates: int
    """Co-occurrence triples visited."""

class _AnalogySection(TypedDict):
    """One section of ``evaluate_word_analogies`` (gensim's shape)."""

    section: str
    correct: list[Tuple[str, str, str, str]]
    incorrect: list[Tuple[str, str, str, str]]

FIT_DEFAULTS: dict[str, Any]
"""The value each setting of ``fit`` left at ``None`` takes."""

COSMUL_EPSILON: float
"""3CosMul's epsilon, gensim's 1e-6."""

class Vectors:
    """Word vectors with exact nearest-neighbour search on the GPU or the CPU:
    gensim 4's ``KeyedVectors`` API.

    ``Vectors(words, vectors)``, ``Vectors(vector_size=d)`` (empty),
    ``Vectors.load(path)`` or ``fit(...)``. ``backend="auto"`` uses a hardware
    GPU when there is one and the CPU otherwise; ``"gpu"`` insists
    (``GpuError`` without one); ``f16`` stores the search copy of the matrix in
    half precision. The exact indexes always answer for the vectors as they
    are: a change drops them and the next search builds them again."""

    @property
    def expandos(self) -> dict[str, npt.NDArray[Any]]:
        """Per-vector attributes: name to an array of one value per row."""
    def __new__(
        cls,
        words: Optional[Sequence[str]] = None,
        vectors: Optional[npt.ArrayLike] = None,
        *,
        vector_size: Optional[int] = None,
        backend: _Backend = "auto",
        f16: bool = False,
    ) -> "Vectors":
        """Vectors from words and an ``(n, d)`` matrix (copied), or an empty
        set of ``vector_size`` dimensions."""
    # Files.
    @classmethod
    def load(
        cls,
        path: _PathLike,
        format: Optional[_FileFormat] = None,
        backend: _Backend = "auto",
        f16: bool = False,
    ) -> "Vectors":
        """Reads a vectors file; ``format=None`` detects it."""
    @classmethod
    def load_word2vec_format(
        cls,
        fname: _PathLike,
        fvocab: Optional[_PathLike] = None,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
        limit: Optional[int] = None,
        datatype: Any = ...,
        no_header: bool = False,
        *,
        backend: _Backend = "auto",
        f16: bool = False,
    ) -> "Vectors":
        """gensim's ``load_word2vec_format`` (UTF-8, float32)."""
    def save(self, path: _PathLike, format: _FileFormat = "glove") -> None:
        """Writes the vectors to ``path`` in ``format``, atomically."""
    def save_word2vec_format(
        self,
        fname: _PathLike,
        fvocab: Optional[_PathLike] = None,
        binary: bool = False,
        total_vec: Optional[int] = None,
        write_header: bool = True,
        prefix: str = "",
        append: bool = False,
        sort_attr: str = "count",
    ) -> None:
        """gensim's ``save_word2vec_format``."""
    # Keys and rows.
    def __len__(self) -> int: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __iter__(self) -> Iterator[str]:
        """The words in row order."""
    @overload
    def __getitem__(self, key: _Key, /) -> npt.NDArray[np.float32]:
        """A key's vector (a new array)."""
    @overload
    def __getitem__(self, keys: Iterable[_Key], /) -> npt.NDArray[np.float32]:
        """The keys' vectors stacked into a new ``(len(keys), d)`` array."""
    def __setitem__(self, keys: Union[_Key, list[_Key]], weights: npt.ArrayLike, /) -> None:
        """Adds the new keys, replaces the vectors of the others."""
    @property
    def vectors(self) -> npt.NDArray[np.float32]:
        """The ``(n, d)`` float32 matrix, a read-only view (no copy)."""
    @property
    def index_to_key(self) -> list[str]:
        """The words in row order (one list, kept up to date; read it only)."""
    @property
    def key_to_index(self) -> Mapping[str, int]:
        """Word to row: a read-only mapping over one cached dict."""
    @property
    def vector_size(self) -> int:
        """The dimension."""
    @property
    def backend(self) -> str:
        """``"cpu"`` or the GPU adapter's name."""
    @property
    def norms(self) -> npt.NDArray[np.float32]:
        """The rows' norms, read-only, never stale."""
    def get_index(self, key: Any, default: Optional[int] = None) -> int:
        """The row of a word or row number; ``UnknownWordError`` (a
        ``KeyError``) unless ``default`` is given."""
    def has_index_for(self, key: Any) -> bool: ...
    def get_vector(self, key: _Key, norm: bool = False) -> npt.NDArray[np.float32]:
        """A key's vector (a new array); ``norm``: of unit length."""
    def word_vec(self, *args: Any, **kwargs: Any) -> npt.NDArray[np.float32]:
        """Deprecated alias of ``get_vector``."""
    def get_normed_vectors(self) -> npt.NDArray[np.float32]:
        """The unit rows, read-only."""
    def fill_norms(self, force: bool = False) -> None: ...
    def get_vecattr(self, key: _Key, attr: str) -> Any: ...
    def set_vecattr(self, key: _Key, attr: str, val: Any) -> None: ...
    def allocate_vecattrs(self, attrs: Optional[Iterable[str]] = None, types: Optional[Iterable[Any]] = None) -> None: ...
    # Changes.
    def add_vector(self, key: str, vector: npt.ArrayLike) -> int:
        """Adds one key; returns its row."""
    def add_vectors(
        self,
        keys: Union[_Key, Sequence[_Key]],
        weights: npt.ArrayLike,
        extras: Optional[Mapping[str, npt.ArrayLike]] = None,
        replace: bool = False,
    ) -> None:
        """Adds the new keys (the others keep their vectors unless ``replace``)."""
    def unit_normalize_all(self) -> None: ...
    def init_sims(self, replace: bool = False) -> None:
        """Deprecated (as in gensim)."""
    def sort_by_descending_frequency(self) -> None: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    def __copy__(self) -> "Vectors": ...
    def __deepcopy__(self, memo: Any) -> "Vectors": ...
    def to_gensim(self) -> Any:
        """A gensim ``KeyedVectors`` with the same words, vectors and attributes."""
    # Search.
    @overload
    def words(self, ids: int) -> str: ...
    @overload
    def words(self, ids: Any) -> Any:
        """The words of an array (or tensor) of ids, as nested lists of its shape."""
    def build_index(
        self,
        *,
        lists: Optional[int] = None,
        recall: float = 0.95,
        f16: bool = False,
        metric: _Metric = "cosine",
        seed: int = 0,
        train_per_list: int = 64,
        iterations: int = 10,
        backend: Optional[_Backend] = None,
    ) -> "Index":
        """An IVF approximate-nearest-neighbour index over the vectors as they
        are now (its own copy); ``backend=None``: these vectors' device."""
    def nearest(
        self,
        queries: Any,
        k: int = 1,
        metric: Optional[_Metric] = None,
        *,
        exclude: Optional[Sequence[Sequence[int]]] = None,
        restrict_vocab: Optional[int] = None,
        index: Optional["Index"] = None,
        recall: Optional[float] = None,
        nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Tuple[Any, Any]:
        """Reverse lookup in bulk: for an ``(m, d)`` array or tensor (or a
        ``(d,)`` vector), the ``k`` nearest rows of each query as ``(ids,
        scores)`` of shape ``(m, k)`` (``(k,)``), best first: int64 and float32
        numpy arrays, or torch tensors with ``return_tensors="pt"`` (no copy).
        Tensors are taken as they come (``requires_grad``, bf16, any device:
        detached, copied to the host, converted). ``metric=None``: cosine, or
        the index's. ``index``: an IVF ``Index`` answers (``recall`` or
        ``nprobe`` lists), ids still this object's rows."""
    def most_similar(
        self,
        positive: _Words = None,
        negative: _Words = None,
        topn: Optional[int] = 10,
        clip_start: int = 0,
        clip_end: Optional[int] = None,
        restrict_vocab: Optional[int] = None,
        indexer: Any = None,
        *,
        index: Optional["Index"] = None,
        recall: Optional[float] = None,
        nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Any:
        """gensim's ``most_similar``: ``[(word, similarity), ...]``, or every
        similarity as an array for ``topn=None``; ``index``: a cosine IVF
        ``Index`` answers."""
    def similar_by_key(
        self, key: _Key, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None, *,
        index: Optional["Index"] = None, recall: Optional[float] = None, nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Any: ...
    def similar_by_word(
        self, word: _Key, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None, *,
        index: Optional["Index"] = None, recall: Optional[float] = None, nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Any: ...
    def similar_by_vector(
        self, vector: _Vector, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None, *,
        index: Optional["Index"] = None, recall: Optional[float] = None, nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Any: ...
    def most_similar_cosmul(
        self,
        positive: _Words = None,
        negative: _Words = None,
        topn: Optional[int] = 10,
        restrict_vocab: Optional[int] = None,
        *,
        epsilon: float = 1e-6,
        return_tensors: _ReturnTensors = None,
    ) -> Any:
        """gensim's ``most_similar_cosmul`` (3CosMul, epsilon 1e-6)."""
    def analogy(
        self,
        a: _Key,
        b: _Key,
        c: _Key,
        topn: int = 1,
        method: Literal["add", "mul"] = "add",
        *,
        epsilon: float = 1e-6,
    ) -> _WordScores:
        """``a : b :: c : ?`` by 3CosAdd (``"add"``) or 3CosMul (``"mul"``)."""
    # Pairs and sets of keys.
    def get_mean_vector(
        self,
        keys: Sequence[Any],
        weights: Optional[npt.ArrayLike] = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> npt.NDArray[np.float32]: ...
    @staticmethod
    def cosine_similarities(vector_1: npt.ArrayLike, vectors_all: npt.ArrayLike) -> npt.NDArray[Any]: ...
    def similarity(self, w1: _Key, w2: _Key) -> np.float32: ...
    def distance(self, w1: _Key, w2: _Key) -> np.float32: ...
    def distances(self, word_or_vector: Any, other_words: Sequence[_Key] = ()) -> npt.NDArray[np.float32]: ...
    def n_similarity(self, ws1: Sequence[_Key], ws2: Sequence[_Key]) -> np.float32: ...
    def rank_by_centrality(self, words: Sequence[_Key], use_norm: bool = True) -> list[Tuple[np.float32, _Key]]: ...
    def doesnt_match(self, words: Sequence[_Key]) -> _Key: ...
    def closer_than(self, key1: _Key, key2: _Key) -> list[str]: ...
    def words_closer_than(self, word1: _Key, word2: _Key) -> list[str]: ...
    def rank(self, key1: _Key, key2: _Key) -> int: ...
    def most_similar_to_given(self, key1: _Key, keys_list: Sequence[_Key]) -> _Key: ...
    def relative_cosine_similarity(self, wa: _Key, wb: _Key, topn: int = 10) -> float: ...
    # Evaluation.
    def evaluate_word_analogies(
        self,
        analogies: _PathLike,
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        similarity_function: Literal["most_similar", "most_similar_cosmul"] = "most_similar",
    ) -> Tuple[float, list[_AnalogySection]]:
        """Google analogy questions: ``(accuracy, sections)`` as gensim returns them."""
    def evaluate_word_pairs(
        self,
        pairs: _PathLike,
        delimiter: str = "\t",
        encoding: str = "utf8",
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ) -> Tuple[Tuple[float, float], Tuple[float, float], float]:
        """``((pearson, p), (spearman, p), oov_percent)`` as gensim computes them."""

class _Calibration(TypedDict):
    """An index's recall table, measured when it was built."""

    k: int
    """True neighbours per sampled query."""
    queries: int
    """Sampled queries (rows of the index)."""
    recall: list[float]
    """``recall[p - 1]``: the share of the true neighbours found reading ``p`` lists."""

class Index:
    """An IVF-Flat approximate-nearest-neighbour index over words and their
    vectors, searched on the GPU or the CPU: ``Vectors.build_index(...)`` or
    ``Index.load(path)``. A search reads the lists its ``recall`` (default
    ``index.recall``) or ``nprobe`` picks. The index keeps its own copy of the
    vectors; ids are its own (``words(ids)``, ``key_to_index``)."""

    def __new__(cls, *, _share: Optional["Index"] = None) -> "Index": ...
    @classmethod
    def load(cls, path: _PathLike, backend: _Backend = "auto") -> "Index":
        """Reads an index file written by ``save``."""
    def save(self, path: _PathLike) -> None:
        """Writes the index atomically, without its removed words (the file
        renumbers the ids)."""
    def __len__(self) -> int:
        """Live words."""
    def __contains__(self, word: object, /) -> bool: ...
    def __iter__(self) -> Iterator[str]:
        """The live words in id order."""
    @property
    def dim(self) -> int: ...
    @property
    def metric(self) -> _Metric: ...
    @property
    def lists(self) -> int: ...
    @property
    def precision(self) -> Literal["f32", "f16"]: ...
    @property
    def recall(self) -> float:
        """The recall searches ask for by default."""
    @property
    def backend(self) -> str:
        """``"cpu"`` or the GPU adapter's name."""
    @property
    def calibration(self) -> _Calibration: ...
    @property
    def key_to_index(self) -> Mapping[str, int]:
        """Live word to id, read-only."""
    def list_sizes(self) -> list[int]:
        """Live words in each list."""
    def nprobe_for(self, recall: float) -> int:
        """The lists a search asking for ``recall`` reads."""
    def get_index(self, word: str, default: Optional[int] = None) -> int: ...
    def get_vector(self, word: str) -> npt.NDArray[np.float32]:
        """The vector the index holds for ``word`` (unit for cosine)."""
    @overload
    def words(self, ids: int) -> str: ...
    @overload
    def words(self, ids: Any) -> Any:
        """The words of an array (or tensor) of ids, as nested lists of its shape."""
    def add(self, words: Sequence[str], vectors: npt.ArrayLike) -> None:
        """Adds new words, each to its nearest list."""
    def remove(self, words: Union[str, Sequence[str]]) -> None:
        """Removes words (skipped by searches at once, dropped by ``save``)."""
    def nearest(
        self,
        queries: Any,
        k: int = 1,
        *,
        recall: Optional[float] = None,
        nprobe: Optional[int] = None,
        exclude: Optional[Sequence[Sequence[int]]] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Tuple[Any, Any]:
        """``Vectors.nearest`` through the index: ``(ids, scores)`` of shape
        ``(m, k)`` (``(k,)`` for one vector), the index's ids, -1 and NaN where
        the lists read hold fewer than ``k`` words."""
    def most_similar(
        self,
        positive: _Words = None,
        negative: _Words = None,
        topn: int = 10,
        *,
        recall: Optional[float] = None,
        nprobe: Optional[int] = None,
        return_tensors: _ReturnTensors = None,
    ) -> Any:
        """gensim's ``most_similar`` through the index: ``[(word, score), ...]``."""

def fit(
    corpus: _PathLike,
    *,
    dim: Optional[int] = None,
    epochs: Optional[int] = None,
    min_count: Optional[int] = None,
    max_vocab: Optional[int] = None,
    window: Optional[int] = None,
    symmetric: Optional[bool] = None,
    distance_weighting: Optional[bool] = None,
    x_max: Optional[float] = None,
    alpha: Optional[float] = None,
    eta: Optional[float] = None,
    clip: Optional[float] = None,
    seed: Optional[int] = None,
    batch_size: Optional[int] = None,
    row_cap: Optional[int] = None,
    backend: Optional[_Backend] = None,
    cpu_trainer: Optional[Literal["hogwild", "exact", "batched"]] = None,
    threads: Optional[int] = None,
    save: Optional[Literal["w+c", "w", "both"]] = None,
    memory_mb: Optional[int] = None,
    gpu_memory_mb: Optional[int] = None,
    work_dir: Optional[_PathLike] = None,
    temp_dir: Optional[_PathLike] = None,
    checkpoint_dir: Optional[_PathLike] = None,
    resume: bool = False,
    progress: Optional[Callable[[_EpochReport], object]] = None,
    verbose: bool = False,
    f16: bool = False,
) -> Tuple[Vectors, dict[str, Any]]:
    """Trains GloVe vectors on a text corpus. Defaults: dim=50, epochs=25,
    min_count=5, max_vocab=None, window=15, symmetric=True,
    distance_weighting=True, x_max=100.0, alpha=0.75, eta=0.05, clip=100.0,
    seed=1, batch_size=None, row_cap=8, backend="auto", cpu_trainer="hogwild",
    threads=0, save="w+c", memory_mb=4096, gpu_memory_mb=4096 (see
    ``FIT_DEFAULTS``). Returns the vectors and the report."""
