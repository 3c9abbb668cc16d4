"""gensim's loader on the same GloVe text file, for the comparison that
`cargo run --release --example io_bench` prints.

    pip install gensim
    python3 benches/gensim_load.py /tmp/glove_400k_300.txt
"""
import os
import sys
import time

from gensim.models import KeyedVectors

path = sys.argv[1]
size = os.path.getsize(path)
with open(path, "rb") as f:  # warm the page cache, as io_bench does
    while f.read(1 << 24):
        pass
t = time.perf_counter()
c = time.process_time()
kv = KeyedVectors.load_word2vec_format(path, binary=False, no_header=True)
secs = time.perf_counter() - t
cpu = time.process_time() - c
print(f"gensim load_word2vec_format(no_header=True): {size / 1e6 / secs:.1f} MB/s "
      f"({secs:.2f} s wall, {cpu:.2f} CPU-s = {size / 1e6 / cpu:.0f} MB per CPU-s), "
      f"{len(kv.index_to_key)} x {kv.vector_size}")
