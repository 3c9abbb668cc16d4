"""Arrays in, arrays out: whatever a caller's model produced, as the float32
host array the search reads, and results as torch tensors when asked.

Inputs are taken as they come:
- a numpy array: as it is when it is C-contiguous float32 (no copy), else
  converted;
- a PyTorch tensor: ``detach()``-ed (``requires_grad`` is fine; the caller's
  tensor and its graph are left alone), copied to the host when it lives on a
  GPU (CUDA, MPS, ...: one device-to-host copy, in the tensor's own dtype so
  that bf16 moves half the bytes), then converted to float32 (bf16, f16, f64 and
  integers); a CPU float32 tensor is read in place;
- any other DLPack producer (CuPy, JAX, ...): read in place on the host, or
  asked for a host copy (DLPack 1.0's ``dl_device``) when it lives on a device;
- anything ``numpy.asarray`` takes (``__array__``, nested lists).
"""

import numpy as np

from ._errors import InvalidInputError

# DLPack device types whose memory the host can read.
_HOST_DEVICES = {1, 3}  # kDLCPU, kDLCUDAHost

RETURN_TENSORS = (None, "np", "pt")


def is_torch_tensor(x):
    """True for a torch.Tensor (or a subclass, e.g. a Parameter), without
    importing torch."""
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach")


def _from_torch(t):
    import torch  # type: ignore[import-not-found]  # optional: only reached with a torch tensor

    t = t.detach()
    if t.device.type != "cpu":
        t = t.to("cpu")  # the one copy to the host, in the tensor's dtype
    if t.dtype != torch.float32:
        t = t.to(torch.float32)
    if t.is_conj():
        t = t.resolve_conj()
    return np.ascontiguousarray(t.numpy(), dtype=np.float32)


class _Capsule:
    """A DLPack capsule with the producer's device, for numpy < 2.1 (whose
    from_dlpack cannot ask for a host copy itself)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)


def _from_device_dlpack(x, device):
    try:
        return np.from_dlpack(x, device="cpu", copy=True)
    except TypeError:
        pass  # numpy < 2.1
    except (BufferError, RuntimeError, ValueError) as e:
        raise _no_host_copy(x, device, e) from e
    try:
        return np.from_dlpack(_Capsule(x.__dlpack__(dl_device=(1, 0), copy=True)))
    except Exception as e:  # the producer's own exception kinds vary
        raise _no_host_copy(x, device, e) from e


def _no_host_copy(x, device, e):
    return InvalidInputError(
        f"a {type(x).__name__} on DLPack device {tuple(device)} could not be copied to the host "
        f"({e}); copy it to the host first (e.g. .cpu() or .get())"
    )


def host_array(x):
    """`x` as a C-contiguous float32 numpy array on the host (see the module's
    docstring for what is taken and when a copy is made)."""
    if isinstance(x, np.ndarray):
        return np.ascontiguousarray(x, dtype=np.float32)
    if is_torch_tensor(x):
        return _from_torch(x)
    if hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__"):
        device = x.__dlpack_device__()
        if int(device[0]) in _HOST_DEVICES:
            try:
                a = np.from_dlpack(x)
            except (BufferError, RuntimeError, TypeError):
                a = None  # e.g. a dtype DLPack cannot carry: __array__ below
            if a is not None:
                return np.ascontiguousarray(a, dtype=np.float32)
        else:
            return np.ascontiguousarray(_from_device_dlpack(x, device), dtype=np.float32)
    try:
        return np.ascontiguousarray(np.asarray(x), dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise InvalidInputError(f"cannot read a {type(x).__name__} as float32 vectors: {e}") from e


def host_ints(x):
    """`x` (ids: an int, a list, an array or a tensor on any device) as numpy."""
    if is_torch_tensor(x):
        return x.detach().to("cpu").numpy()
    return x


def check_return_tensors(value):
    if value not in RETURN_TENSORS:
        raise InvalidInputError(f'return_tensors must be None, "np" or "pt", got {value!r}')


def results(arrays, return_tensors):
    """`arrays` as numpy (None, "np") or as torch tensors sharing their memory
    ("pt": ``torch.from_numpy``, no copy)."""
    if return_tensors != "pt":
        return arrays
    try:
        import torch  # type: ignore[import-not-found]  # optional: only with return_tensors="pt"
    except ImportError as e:
        raise ImportError('return_tensors="pt" needs PyTorch (pip install torch)') from e
    if isinstance(arrays, tuple):
        return tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in arrays)
    return torch.from_numpy(np.ascontiguousarray(arrays))


def as_queries(queries, exclude):
    """``(q, single, exclude)``: the queries as an ``(m, d)`` float32 array,
    whether one ``(d,)`` vector was given, and ``exclude`` as one list of ints
    per query (a flat list goes with one vector)."""
    q = host_array(queries)
    single = q.ndim == 1
    if single:
        q = q.reshape(1, -1)
        if exclude is not None and (len(exclude) == 0 or not isinstance(exclude[0], (list, tuple, np.ndarray))):
            exclude = [exclude]
    if exclude is not None:
        exclude = [list(map(int, e)) for e in exclude]
    return q, single, exclude
