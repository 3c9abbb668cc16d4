"""GloVe word embeddings trained and searched on any GPU (Vulkan, Metal, DX12)
through wgpu, with a CPU fallback: a Python front for the glove-wgpu Rust library.

>>> import numpy as np, glove_wgpu
>>> v = glove_wgpu.Vectors(["king", "queen", "apple"],
...                        np.array([[1, .1], [.9, .2], [-.1, 1]], np.float32), backend="cpu")
>>> ids, scores = v.nearest(np.array([[.95, .15]], np.float32), k=2)
>>> v.words(ids)
[['king', 'queen']]
"""

from ._errors import (
    FileError,
    GloveError,
    GpuError,
    InvalidInputError,
    OutOfMemoryError,
    UnknownWordError,
)
from ._native import FIT_DEFAULTS, Vectors, __version__, fit

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
