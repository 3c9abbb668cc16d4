"""PyTorch outputs taken as they come (requires_grad, bf16, any device) and
results handed back as tensors; array-likes through DLPack and __array__ for
the same paths where torch is not installed."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glove_wgpu
from conftest import random_words

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def data(rng):
    matrix = rng.standard_normal((300, 16), dtype=np.float32)
    queries = rng.standard_normal((9, 16), dtype=np.float32)
    v = glove_wgpu.Vectors(random_words(300), matrix, backend="cpu")
    return v, matrix, queries


def test_torch_outputs_as_they_come(data):
    torch = pytest.importorskip("torch")
    v, matrix, queries = data
    want = v.nearest(queries, k=3)
    model = torch.nn.Linear(16, 16)
    with torch.no_grad():
        model.weight.copy_(torch.eye(16))
        model.bias.zero_()
    out = model(torch.from_numpy(queries))  # requires_grad
    assert out.requires_grad
    for q in [out, out.t().contiguous().t(), out.double(), out[None][0]]:
        ids, scores = v.nearest(q, k=3)
        np.testing.assert_array_equal(ids, want[0])
        np.testing.assert_allclose(scores, want[1], rtol=1e-6)
    # Half precisions: the search runs on the values the tensor holds.
    for dtype in [torch.bfloat16, torch.float16]:
        q = out.to(dtype)
        ids, scores = v.nearest(q, k=3)
        exact = v.nearest(q.float().detach().numpy(), k=3)
        np.testing.assert_array_equal(ids, exact[0])
        np.testing.assert_array_equal(scores, exact[1])
    assert out.grad_fn is not None  # the caller's tensor is left as it was


def test_return_tensors_pt(data):
    torch = pytest.importorskip("torch")
    v, matrix, queries = data
    ids, scores = v.nearest(torch.from_numpy(queries), k=2, return_tensors="pt")
    assert isinstance(ids, torch.Tensor) and isinstance(scores, torch.Tensor)
    assert ids.dtype == torch.int64 and scores.dtype == torch.float32 and ids.shape == (9, 2)
    assert ids.device.type == "cpu" and ids.is_contiguous()
    want = v.nearest(queries, k=2)
    np.testing.assert_array_equal(ids.numpy(), want[0])
    np.testing.assert_array_equal(scores.numpy(), want[1])
    # most_similar: (ids, scores) of the topn, or every similarity for topn=None.
    q = torch.from_numpy(queries[0]).requires_grad_()
    top_ids, top_scores = v.most_similar(positive=[q], topn=4, return_tensors="pt")
    pairs = v.most_similar(positive=[queries[0]], topn=4)
    assert v.words(top_ids.numpy()) == [w for w, _ in pairs]
    np.testing.assert_allclose(top_scores.numpy(), [s for _, s in pairs], rtol=1e-6)
    every = v.similar_by_vector(q, topn=None, return_tensors="pt")
    assert isinstance(every, torch.Tensor) and every.shape == (300,)


class FakeCudaTensor:
    """Stands in for a CUDA tensor with requires_grad (no GPU here): what the
    conversion does to it is recorded. Its class says it is torch's."""

    __module__ = "torch"

    def __init__(self, cpu, log):
        self.cpu_tensor, self.log = cpu, log
        self.device = type("device", (), {"type": "cuda"})()
        self.requires_grad = True
        self.dtype = cpu.dtype

    def detach(self):
        self.log.append("detach")
        return self

    def to(self, *args, **kwargs):
        self.log.append(("to", args, tuple(sorted(kwargs.items()))))
        return self.cpu_tensor.to(*args, **kwargs)

    def __array__(self, *args, **kwargs):
        raise TypeError("can't convert cuda:0 device type tensor to numpy")

    def __dlpack__(self, *args, **kwargs):
        raise BufferError("a CUDA tensor")

    def __dlpack_device__(self):
        return (2, 0)


def test_cuda_tensor_is_copied_to_the_host(data):
    torch = pytest.importorskip("torch")
    v, matrix, queries = data
    log = []
    ids, _ = v.nearest(FakeCudaTensor(torch.from_numpy(queries).bfloat16(), log), k=2)
    assert log[0] == "detach" and log[1][0] == "to" and "cpu" in str(log[1])
    np.testing.assert_array_equal(ids, v.nearest(torch.from_numpy(queries).bfloat16(), k=2)[0])


class DlpackOnDevice:
    """A DLPack producer on a device (kDLCUDA) that can copy itself to the host
    when asked for dl_device=(1, 0), as DLPack 1.0 allows: how numpy reaches a
    CuPy or JAX array without torch."""

    def __init__(self, host, can_copy):
        self.host, self.can_copy, self.asked = host, can_copy, []

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        self.asked.append((dl_device, copy))
        if dl_device is not None and tuple(dl_device) == (1, 0) and self.can_copy:
            return self.host.__dlpack__()
        raise BufferError("this device's memory cannot be exported to the host")


def test_dlpack_on_a_device_without_torch(data):
    v, matrix, queries = data
    q = DlpackOnDevice(queries, can_copy=True)
    ids, _ = v.nearest(q, k=2)
    np.testing.assert_array_equal(ids, v.nearest(queries, k=2)[0])
    assert ((1, 0), True) in [(tuple(d) if d else None, c) for d, c in q.asked]
    with pytest.raises(glove_wgpu.InvalidInputError, match="device.*host|host.*device"):
        v.nearest(DlpackOnDevice(queries, can_copy=False), k=2)


def test_half_precision_array_likes(data):
    v, matrix, queries = data
    half = queries.astype(np.float16)
    ids, scores = v.nearest(half, k=2)
    np.testing.assert_array_equal(ids, v.nearest(half.astype(np.float32), k=2)[0])


def test_return_tensors_checked(data):
    v, matrix, queries = data
    with pytest.raises(glove_wgpu.InvalidInputError, match='return_tensors'):
        v.nearest(queries, return_tensors="tf")
    ids, scores = v.nearest(queries, return_tensors="np")
    assert isinstance(ids, np.ndarray)


def test_torch_example_runs():
    """The seed question's workflow (examples/torch_nearest_words.py): a torch
    model's outputs mapped to their nearest words in one call."""
    pytest.importorskip("torch")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "torch_nearest_words.py"), "--quick"],
        capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "nearest words" in out.stdout, out.stdout
