"""The question that started glove-wgpu: a PyTorch model emits vectors in the
space of a word embedding (a batch at every step, with requires_grad, on
whatever device the model runs on, often in bf16), and we want the nearest
vocabulary word of each, in one call, without a Python loop and without the
(batch x vocabulary) score matrix.

    python examples/torch_nearest_words.py [--vectors glove.6B.100d.txt] [--quick]

Without --vectors, vectors are trained on the bundled King James Bible first.
The "model" here is a linear map trained for a few steps to undo noise added
to word vectors: its outputs are what a real model's would be, a tensor that
is part of an autograd graph, on the GPU when there is one.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch

# PyTorch's compiler (torch._dynamo, loaded by the optimizers) brings Triton and
# its LLVM: load it before glove_wgpu looks for a GPU, since a Mesa Vulkan driver
# with its own LLVM loaded first makes Triton's load crash (python/README.md,
# "Known problems").
import torch._dynamo  # noqa: F401, E402

import glove_wgpu  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vectors", help="a GloVe, word2vec or fastText file (default: train on data/kjv.txt)")
    p.add_argument("--batch", type=int, default=4096, help="model outputs per step")
    p.add_argument("--quick", action="store_true", help="few epochs and steps (for the tests)")
    args = p.parse_args()

    if args.vectors:
        vectors = glove_wgpu.Vectors.load(args.vectors)
    else:
        vectors, _ = glove_wgpu.fit(DATA / "kjv.txt", dim=50, epochs=3 if args.quick else 15)
    print(f"{vectors!r}")

    device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    table = torch.from_numpy(np.array(vectors.vectors)).to(device)  # (n, d) on the model's device
    n, d = table.shape
    model = torch.nn.Linear(d, d).to(device)
    with torch.no_grad():  # start from the identity, as a model that has learnt something
        model.weight.copy_(torch.eye(d))
        model.bias.zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator(device="cpu").manual_seed(0)
    for _ in range(20 if args.quick else 300):  # learn to denoise word vectors
        rows = torch.randint(0, n, (256,), generator=gen).to(device)
        clean = table[rows]
        noisy = clean + 0.3 * clean.std() * torch.randn(clean.shape, generator=gen).to(device)
        loss = torch.nn.functional.mse_loss(model(noisy), clean)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    # One step of "inference": noisy vectors of known words through the model.
    batch = min(args.batch, n)
    rows = torch.randint(0, n, (batch,), generator=gen).to(device)
    inputs = table[rows] + 0.3 * table.std() * torch.randn((batch, d), generator=gen).to(device)
    with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
        outputs = model(inputs)  # (batch, d), requires_grad, on `device`, bf16 under autocast
    print(f"outputs: {tuple(outputs.shape)} {outputs.dtype} on {outputs.device}, "
          f"requires_grad={outputs.requires_grad}")

    # The one call: every row's nearest word, whatever the tensor (it is
    # detached, copied to the host and converted; `outputs` is untouched).
    t = time.perf_counter()
    ids, scores = vectors.nearest(outputs, k=1, return_tensors="pt")
    took = time.perf_counter() - t
    words = vectors.words(ids[:, 0])  # ids: an int64 CPU tensor, no copy of the results
    wanted = vectors.words(rows.cpu())
    right = sum(a == b for a, b in zip(words, wanted))
    print(f"nearest words of {batch} outputs in {took * 1e3:.1f} ms on {vectors.backend}: "
          f"{right / batch:.1%} are the words the inputs came from")
    for w, want, s in list(zip(words, wanted, scores[:, 0].tolist()))[:8]:
        print(f"  {want:>12} -> {w:<12} cosine {s:.3f}")


if __name__ == "__main__":
    main()
