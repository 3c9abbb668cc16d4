"""Regenerates the gensim fixtures in this folder.

    pip install gensim==4.4.0 numpy
    python3 tests/data/make_gensim_fixtures.py   # from the repository root

Writes gensim.bin (save_word2vec_format(binary=True)), gensim.txt
(binary=False) and gensim_expected.json (the words and the exact f32 bit
patterns of their vectors) with KeyedVectors from gensim 4.4.0.
"""
import json
import os

import numpy as np
from gensim.models import KeyedVectors

here = os.path.dirname(os.path.abspath(__file__))
words = ["the", ",", "naïve", "東京", "😀", "c++", "l'été", "Straße", "don't", "Ω≈ç"]
dim = 5
rng = np.random.default_rng(42)
vectors = (rng.standard_normal((len(words), dim)) * 0.5).astype(np.float32)
vectors[0, 0] = 1e-8  # a value whose shortest form uses an exponent
vectors[1, 1] = -0.0
kv = KeyedVectors(vector_size=dim)
kv.add_vectors(words, vectors)
kv.save_word2vec_format(os.path.join(here, "gensim.bin"), binary=True)
kv.save_word2vec_format(os.path.join(here, "gensim.txt"), binary=False)
with open(os.path.join(here, "gensim_expected.json"), "w") as f:
    json.dump(
        {"dim": dim, "words": words, "bits": [[int(b) for b in row] for row in vectors.view(np.uint32)]},
        f,
        ensure_ascii=False,
    )
