"""Type stubs of glove_wgpu (the Rust extension glove_wgpu._native and the
exceptions of glove_wgpu._errors)."""

import os
from typing import Any, Callable, Literal, Optional, Sequence, Tuple, TypedDict, Union, final, overload

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
    "FIT_DEFAULTS",
    "FileError",
    "GloveError",
    "GpuError",
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
_WordScores = list[Tuple[str, float]]

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
"""The value each setting of ``fit`` left at ``None`` takes: the command line's defaults."""

@final
class Vectors:
    """Word vectors with exact nearest-neighbour search on the GPU or the CPU,
    shaped after gensim's ``KeyedVectors``.

    Build one from words and a matrix, read one with ``Vectors.load``, or train
    one with ``fit``. ``backend="auto"`` uses a hardware GPU when there is one and
    the CPU otherwise; ``"gpu"`` insists (``GpuError`` without one); ``f16``
    stores the search copy of the matrix in half precision."""

    def __new__(
        cls,
        words: Sequence[str],
        vectors: npt.ArrayLike,
        *,
        backend: _Backend = "auto",
        f16: bool = False,
    ) -> "Vectors":
        """Vectors from a list of words and an ``(n, d)`` matrix (copied)."""
    @staticmethod
    def load(
        path: _PathLike,
        format: Optional[_FileFormat] = None,
        backend: _Backend = "auto",
        f16: bool = False,
    ) -> "Vectors":
        """Reads a vectors file; ``format=None`` detects it."""
    def save(self, path: _PathLike, format: _FileFormat = "glove") -> None:
        """Writes the vectors to ``path`` in ``format``."""
    def __len__(self) -> int: ...
    def __contains__(self, word: object, /) -> bool: ...
    @overload
    def __getitem__(self, word: str, /) -> npt.NDArray[np.float32]:
        """A word's vector: a read-only view of the matrix."""
    @overload
    def __getitem__(self, words: Sequence[str], /) -> npt.NDArray[np.float32]:
        """The words' vectors stacked into a new ``(len(words), d)`` array."""
    @property
    def vectors(self) -> npt.NDArray[np.float32]:
        """The ``(n, d)`` float32 matrix, a read-only view (no copy)."""
    @property
    def index_to_key(self) -> list[str]:
        """The words in row order."""
    @property
    def key_to_index(self) -> dict[str, int]:
        """Word to row."""
    @property
    def vector_size(self) -> int:
        """The dimension."""
    @property
    def backend(self) -> str:
        """``"cpu"`` or the GPU adapter's name."""
    def get_index(self, word: str) -> int:
        """The row of ``word``; ``UnknownWordError`` (a ``KeyError``) if unknown."""
    @overload
    def words(self, ids: int) -> str: ...
    @overload
    def words(self, ids: npt.ArrayLike) -> Any:
        """The words of an array of ids, as nested lists of its shape."""
    @overload
    def nearest(
        self, queries: npt.ArrayLike, k: int = 1, metric: _Metric = "cosine"
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Reverse lookup in bulk: for an ``(m, d)`` array (or a ``(d,)``
        vector), the ``k`` nearest rows of each query as ``(ids, scores)`` of
        shape ``(m, k)`` (``(k,)``), best first. Scores are similarities for
        ``"cosine"`` and ``"dot"``, distances for ``"euclidean"``. C-contiguous
        float32 input is read in place; tensors on the CPU are accepted
        (``__array__`` or DLPack)."""
    @overload
    def nearest(self, queries: Any, k: int = 1, metric: _Metric = "cosine") -> Any: ...
    def most_similar(
        self,
        positive: Union[str, Sequence[str], None] = None,
        negative: Union[str, Sequence[str], None] = None,
        topn: int = 10,
    ) -> _WordScores:
        """The ``topn`` words nearest (cosine) to the sum of the unit vectors of
        ``positive`` minus those of ``negative``, the input words excluded."""
    def similar_by_word(self, word: str, topn: int = 10) -> _WordScores:
        """``most_similar([word], topn=topn)``."""
    def similar_by_vector(self, vector: npt.ArrayLike, topn: int = 10) -> _WordScores:
        """The ``topn`` words nearest (cosine) to a ``(d,)`` vector; nothing excluded."""
    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        topn: int = 1,
        method: Literal["add", "mul"] = "add",
    ) -> _WordScores:
        """``a : b :: c : ?`` by 3CosAdd (``"add"``) or 3CosMul (``"mul"``),
        ``a``, ``b`` and ``c`` excluded."""
    def evaluate_word_analogies(
        self, analogies: _PathLike, case_insensitive: bool = True
    ) -> Tuple[float, list[_AnalogySection]]:
        """Google analogy questions by 3CosAdd: ``(accuracy, sections)`` as
        gensim returns them, the last section ``"Total accuracy"``."""
    def evaluate_word_pairs(
        self, pairs: _PathLike, case_insensitive: bool = True
    ) -> Tuple[Tuple[float, float], Tuple[float, float], float]:
        """WordSim-353-style pairs: ``((pearson, nan), (spearman, nan),
        oov_percent)`` as gensim returns them (p-values are not computed)."""

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
    """Trains GloVe vectors on a text corpus (vocabulary, co-occurrences,
    shuffle, training: the command line's ``fit``). Settings left at ``None``
    take the command line's defaults (``FIT_DEFAULTS``). ``progress`` is called
    after every epoch; an exception it raises stops training and is raised.
    Notes and stage times go to the ``glove_wgpu`` logger, and with ``verbose``
    the progress of the counting steps too (once a second). The settings are
    checked before any work; training and the returned vectors' index share one
    device. Returns the vectors and the report (the command line's
    ``report.json``, with its ``version``)."""
