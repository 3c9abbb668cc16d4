"""GloVe word embeddings trained and searched on any GPU (Vulkan, Metal, DX12)
through wgpu, with a CPU fallback: a Python front for the glove-wgpu Rust library,
with gensim 4's ``KeyedVectors`` API.

>>> import numpy as np, glove_wgpu
>>> v = glove_wgpu.Vectors(["king", "queen", "apple"],
...                        np.array([[1, .1], [.9, .2], [-.1, 1]], np.float32), backend="cpu")
>>> ids, scores = v.nearest(np.array([[.95, .15]], np.float32), k=2)
>>> v.words(ids)
[['king', 'queen']]
>>> v.most_similar("king", topn=1)[0][0]
'queen'
>>> index = v.build_index(lists=2)        # an IVF approximate-nearest-neighbour index
>>> index.most_similar("king", topn=1)[0][0]
'queen'
"""

from ._errors import (
    FileError,
    GloveError,
    GpuError,
    InvalidInputError,
    OutOfMemoryError,
    UnknownWordError,
)
from ._fit import fit
from ._index import Index
from ._native import FIT_DEFAULTS, __version__
from ._vectors import COSMUL_EPSILON, Vectors

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
