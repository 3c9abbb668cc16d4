"""Regenerates stanford_glove.txt and fasttext.vec byte for byte as the C/C++
tools print them (neither tool is installed here, so their print statements
are emulated; the words and values are those of gensim_expected.json).

    python3 tests/data/make_c_fixtures.py   # from the repository root

- Stanford GloVe `glove.c` (save_params, text): `fprintf("%s", word)`, then
  `fprintf(" %lf", value)` per dimension, then `"\n"`; no header.
- fastText `saveVectors`: `ofs << nwords << " " << dim << std::endl`, then per
  word `ofs << word << " " << vec << std::endl`, where `operator<<(Vector)`
  prints each value with `std::setprecision(5)` (`%g` with 5 significant
  digits) followed by one space, so every row ends in a trailing space.
"""
import json
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "gensim_expected.json"), encoding="utf-8") as f:
    exp = json.load(f)
rows = [
    (w, [struct.unpack("<f", struct.pack("<I", b))[0] for b in bits])
    for w, bits in zip(exp["words"], exp["bits"])
]
with open(os.path.join(here, "stanford_glove.txt"), "wb") as f:
    for w, v in rows:
        f.write((w + "".join(" %lf" % x for x in v) + "\n").encode("utf-8"))
with open(os.path.join(here, "fasttext.vec"), "wb") as f:
    f.write(("%d %d\n" % (len(rows), exp["dim"])).encode())
    for w, v in rows:
        f.write((w + " " + "".join("%.5g " % x for x in v) + "\n").encode("utf-8"))
