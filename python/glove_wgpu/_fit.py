"""glove_wgpu.fit: the whole training pipeline in one call (the native
glove_wgpu._native.fit), returning glove_wgpu.Vectors."""

from . import _native
from ._vectors import Vectors


def fit(
    corpus, *, dim=None, epochs=None, min_count=None, max_vocab=None, window=None,
    symmetric=None, distance_weighting=None, x_max=None, alpha=None, eta=None, clip=None,
    seed=None, batch_size=None, row_cap=None, backend=None, cpu_trainer=None, threads=None,
    save=None, memory_mb=None, gpu_memory_mb=None, work_dir=None, temp_dir=None,
    checkpoint_dir=None, resume=False, progress=None, verbose=False, f16=False,
):
    """Trains GloVe vectors on the text file ``corpus`` (whitespace-separated
    tokens, a line break ends a document): vocabulary, co-occurrence counts,
    shuffle and training. Returns ``(vectors, report)``: a ``Vectors`` indexed on
    the run's device (``f16``: half precision), and the report as a dict (the
    command line's ``report.json``, with its ``version``).

    A setting left at ``None`` takes its default, Stanford GloVe's where it has
    one (``glove_wgpu.FIT_DEFAULTS`` holds them):

    - ``dim=50``: the vector size; ``epochs=25``: passes over the co-occurrences.
    - ``min_count=5``: the least count a word needs to be kept;
      ``max_vocab=None``: keep every such word (else the most frequent ones).
    - ``window=15``: context words on each side; ``symmetric=True``: both sides
      (else one side only); ``distance_weighting=True``: a pair at distance
      ``d`` counts ``1/d`` (else 1).
    - ``x_max=100.0`` and ``alpha=0.75``: the weighting ``min(1, (x/x_max)^alpha)``;
      ``eta=0.05``: AdaGrad's learning rate; ``clip=100.0``: the gradient clip.
    - ``seed=1``: initialisation and shuffle (the same seed gives the same
      vectors with ``cpu_trainer="exact"`` or on the same GPU).
    - ``batch_size=None``: triples per GPU batch, chosen for the device;
      ``row_cap=8``: the most triples of one row in a batch unless its fair
      share is more (``0``: no cap).
    - ``backend="auto"``: a hardware GPU when there is one, else the CPU;
      ``"gpu"`` insists, ``"cpu"`` never looks. ``cpu_trainer="hogwild"``:
      Stanford's lock-free threads (``"exact"``: one thread, reproducible;
      ``"batched"``: the GPU's batches on the CPU). ``threads=0``: every core.
    - ``save="w+c"``: word plus context vectors (``"w"``: words only; ``"both"``:
      side by side).
    - ``memory_mb=4096``: the host memory budget of counting, shuffling and
      training (spilled to disk beyond it); ``gpu_memory_mb=4096``: the device
      memory budget of training.

    ``work_dir``: keep the vocabulary and co-occurrence files there (default: a
    temporary folder in ``temp_dir``, removed at the end). ``checkpoint_dir``:
    write a checkpoint after every epoch; ``resume``: continue from it.

    ``progress(epoch)`` is called after every epoch with a dict ``{"epoch",
    "cost", "seconds", "updates"}``; an exception it raises stops the run and
    is raised by ``fit``. Ctrl-C stops the run at the next event. Notes (a
    fallback to the CPU) and stage times go to the ``glove_wgpu`` logger, and
    with ``verbose`` the progress of the counting steps too (once a second).

    Every setting is checked, with its name, before the corpus is opened
    (``InvalidInputError``); an empty vocabulary names ``min_count``."""
    native, report = _native.fit(
        corpus, dim=dim, epochs=epochs, min_count=min_count, max_vocab=max_vocab, window=window,
        symmetric=symmetric, distance_weighting=distance_weighting, x_max=x_max, alpha=alpha,
        eta=eta, clip=clip, seed=seed, batch_size=batch_size, row_cap=row_cap, backend=backend,
        cpu_trainer=cpu_trainer, threads=threads, save=save, memory_mb=memory_mb,
        gpu_memory_mb=gpu_memory_mb, work_dir=work_dir, temp_dir=temp_dir,
        checkpoint_dir=checkpoint_dir, resume=resume, progress=progress, verbose=verbose, f16=f16,
    )
    return Vectors._adopt(native), report
