"""Type stubs of the Rust extension glove_wgpu._native (python/src): the
storage and search half of glove_wgpu.Vectors, and the native fit."""

import os
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
from typing_extensions import disjoint_base
import numpy.typing as npt

_PathLike = Union[str, "os.PathLike[str]"]

__version__: str
__all__ = ["Vectors", "Index", "fit", "FIT_DEFAULTS", "_INDEX_DEFAULTS", "__version__"]
FIT_DEFAULTS: dict[str, Any]
_INDEX_DEFAULTS: dict[str, Any]

@disjoint_base
class Vectors:
    def __new__(
        cls,
        words: Any = None,
        vectors: Any = None,
        *,
        vector_size: Optional[int] = None,
        backend: str = "auto",
        f16: bool = False,
        _share: Optional["Vectors"] = None,
    ) -> "Vectors": ...
    @staticmethod
    def load(path: _PathLike, format: Optional[str] = None, backend: str = "auto", f16: bool = False) -> "Vectors": ...
    def save(self, path: _PathLike, format: str = "glove") -> None: ...
    def __len__(self) -> int: ...
    def __getitem__(self, key: Any, /) -> npt.NDArray[np.float32]: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...
    @property
    def vector_size(self) -> int: ...
    @property
    def backend(self) -> str: ...
    def _unit(self) -> npt.NDArray[np.float32]: ...
    def _norms(self) -> npt.NDArray[np.float32]: ...
    def _keys(self) -> list[str]: ...
    def _settings(self) -> Tuple[str, bool]: ...
    def words(self, ids: Any) -> Any: ...
    def _search(
        self,
        queries: Any,
        k: int,
        metric: str,
        exclude: Optional[Sequence[Sequence[int]]] = None,
        rows: Optional[int] = None,
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]: ...
    def _set_rows(self, ids: Sequence[int], vectors: Any) -> None: ...
    def _append(self, words: Sequence[str], vectors: Any) -> None: ...
    def _reset(self, words: Sequence[str], vectors: Any) -> None: ...

@disjoint_base
class Index:
    def __new__(cls, *, _share: Optional["Index"] = None) -> "Index": ...
    @staticmethod
    def _build(
        vectors: Vectors,
        *,
        lists: Optional[int] = None,
        recall: float = 0.95,
        f16: bool = False,
        metric: str = "cosine",
        seed: int = 0,
        train_per_list: int = 64,
        iterations: int = 10,
        backend: Optional[str] = None,
    ) -> "Index": ...
    @staticmethod
    def load(path: _PathLike, backend: str = "auto") -> "Index": ...
    def save(self, path: _PathLike) -> None: ...
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def metric(self) -> str: ...
    @property
    def lists(self) -> int: ...
    @property
    def precision(self) -> str: ...
    @property
    def recall(self) -> float: ...
    @property
    def backend(self) -> str: ...
    @property
    def calibration(self) -> dict[str, Any]: ...
    def list_sizes(self) -> list[int]: ...
    def nprobe_for(self, recall: float) -> int: ...
    def _keys(self) -> Tuple[list[str], list[int]]: ...
    def _stored(self, ids: Sequence[int]) -> npt.NDArray[np.float32]: ...
    def words(self, ids: Any) -> Any: ...
    def _search(
        self,
        queries: Any,
        k: int,
        exclude: Optional[Sequence[Sequence[int]]] = None,
        recall: Optional[float] = None,
        nprobe: Optional[int] = None,
        rows_of: Optional[Vectors] = None,
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]: ...
    def add(self, words: Sequence[str], vectors: Any) -> None: ...
    def remove(self, words: Union[str, Sequence[str]]) -> None: ...

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
    backend: Optional[str] = None,
    cpu_trainer: Optional[str] = None,
    threads: Optional[int] = None,
    save: Optional[str] = None,
    memory_mb: Optional[int] = None,
    gpu_memory_mb: Optional[int] = None,
    work_dir: Optional[_PathLike] = None,
    temp_dir: Optional[_PathLike] = None,
    checkpoint_dir: Optional[_PathLike] = None,
    resume: bool = False,
    progress: Optional[Callable[[Any], object]] = None,
    verbose: bool = False,
    f16: bool = False,
) -> Tuple[Vectors, dict[str, Any]]: ...
