"""Key look-ups on a 200k-word vocabulary: glove_wgpu beside gensim.

    python benches/key_lookup.py [--words 200000] [--lookups 100000]

Times, per look-up, over the same random words (all in the vocabulary):
- `v.key_to_index[w]`: the property each time, then the mapping (the call of
  the issue that found 155 ms a look-up: the mapping was a new dict each time);
- `kti[w]` on the mapping held once;
- `v.index_to_key[i]`, `w in v`, `v.get_index(w)` and `v[w]` (the vector);
and gensim 4's KeyedVectors on the same words and vectors when it is
installed. Every answer is checked against the word's row before it is
reported. The first access (the mapping built once) is timed apart. The words
looked up are new string objects, as a tokenizer's would be.
"""

import argparse
import time

import numpy as np

import glove_wgpu


def per_call(f, items, rounds=5):
    """Best of `rounds` passes over `items`, in ns per call."""
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for x in items:
            f(x)
        best = min(best, time.perf_counter() - t)
    return best / len(items) * 1e9


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, default=200_000)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--lookups", type=int, default=100_000)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    words = [f"word{i}" for i in range(args.words)]
    matrix = rng.standard_normal((args.words, args.dim), dtype=np.float32)
    rows = rng.integers(0, args.words, args.lookups)
    # Fresh string objects, as a tokenizer's would be (not the very objects the
    # dicts hold, which a look-up would match by identity).
    sample = [words[i].encode().decode() for i in rows]

    v = glove_wgpu.Vectors(words, matrix, backend="cpu")
    t = time.perf_counter()
    kti = v.key_to_index
    first = time.perf_counter() - t
    assert [kti[w] for w in sample] == rows.tolist()
    assert [v.key_to_index[w] for w in sample[:1000]] == rows[:1000].tolist()
    assert [v.index_to_key[i] for i in rows[:1000]] == sample[:1000]
    np.testing.assert_array_equal(v[sample[0]], matrix[rows[0]])
    print(f"{args.words:,} words, {args.lookups:,} look-ups of random words; ns per look-up (best of 5)")
    print(f"first access (the mapping built once): {first * 1e3:.1f} ms")
    cases = {
        "v.key_to_index[w]": lambda w: v.key_to_index[w],
        "kti[w] (held)": lambda w: kti[w],
        "v.index_to_key[i]": None,
        "w in v": lambda w: w in v,
        "v.get_index(w)": lambda w: v.get_index(w),
        "v[w] (the vector)": lambda w: v[w],
    }
    ours = {}
    for name, f in cases.items():
        if f is None:
            ours[name] = per_call(lambda i: v.index_to_key[i], rows.tolist())
        else:
            ours[name] = per_call(f, sample)
    theirs = {}
    try:
        from gensim.models import KeyedVectors
    except ImportError:
        KeyedVectors = None
    if KeyedVectors is not None:
        kv = KeyedVectors(vector_size=args.dim)
        kv.add_vectors(words, matrix)
        gk = kv.key_to_index
        assert [gk[w] for w in sample[:1000]] == rows[:1000].tolist()
        theirs = {
            "v.key_to_index[w]": per_call(lambda w: kv.key_to_index[w], sample),
            "kti[w] (held)": per_call(lambda w: gk[w], sample),
            "v.index_to_key[i]": per_call(lambda i: kv.index_to_key[i], rows.tolist()),
            "w in v": per_call(lambda w: w in kv, sample),
            "v.get_index(w)": per_call(lambda w: kv.get_index(w), sample),
            "v[w] (the vector)": per_call(lambda w: kv[w], sample),
        }
    print(f"{'call':<22} {'glove_wgpu':>12} {'gensim':>10}")
    for name in cases:
        g = f"{theirs[name]:>10.0f}" if name in theirs else f"{'-':>10}"
        print(f"{name:<22} {ours[name]:>12.0f} {g}")
    limit = ours["v.key_to_index[w]"]
    print(f"key_to_index[w]: {limit:.0f} ns per look-up ({'under' if limit < 1000 else 'OVER'} 1 us)")


if __name__ == "__main__":
    main()
