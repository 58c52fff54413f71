"""Turning what a user logs into a float or a media event.

`log()` looks a value's exact type up in `FAST` (type -> converter): a Python
float costs one `is` check, an int, a bool, a numpy scalar, a 0-d array or a
CPU tensor one dict lookup and a call. Anything else goes to `classify`, the
slow path: media objects (recognised by the `_nbm_event` method they all
share), torch tensors (whose type is then added to `FAST`), number subclasses,
and the errors, which always name the key. New kinds of values belong in
`classify`, after the fast lookup has missed, so they never slow scalars down.

A tensor on a GPU is never converted on the calling thread (that would wait
for the GPU): its converter returns a `Deferred` holding the detached tensor,
and the writer thread turns a batch of them into floats with `resolve` when it
seals the buffer.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np


class Loggable(Protocol):
    """A non-scalar value `log()` accepts (nbm.Image, nbm.Table, nbm.Histogram...).

    `_nbm_event(key)` returns `(kind, payload, files)`: a kind name, a JSON-able
    dict, and a dict of file name -> bytes that the store keeps beside the
    database (the payload refers to them by those names). `log()` recognises it
    by that attribute (`is_media`), never by an isinstance check on this class.
    """

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]: ...


class Deferred:
    """A value on an accelerator, converted to a float off the training thread (see `resolve`).

    It deliberately has no `__float__`, so numpy refuses it and the sealer
    converts a whole batch at once; `item()` converts (and waits) when a reader
    needs the number now (the summary, say).
    """

    __slots__ = ("tensor", "value")

    def __init__(self, tensor: Any):
        self.tensor = tensor
        self.value: float | None = None

    def item(self) -> float:
        if self.value is None:
            self.value = _float_or_nan(self.tensor)
        return self.value

    def __repr__(self) -> str:
        return f"Deferred({self.tensor!r})"


class NotScalar(Exception):
    """Raised by a converter in `FAST` for a value of its type that is not one number."""


def describe(value: Any) -> str:
    t = type(value)
    name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    shape = getattr(value, "shape", None)
    return f"{name} of shape {tuple(shape)}" if shape is not None else name


def is_media(value: Any) -> bool:
    return callable(getattr(type(value), "_nbm_event", None))


# -- the fast path: exact type -> converter -------------------------------------
def _ndarray(a: np.ndarray) -> float:
    if a.dtype.kind in "biuf":
        if not a.ndim:
            return float(a)
        if a.size == 1:
            return float(a.reshape(()))
    raise NotScalar


def _tensor(t: Any) -> Any:
    if t.is_cpu:
        if t.numel() == 1 and not t.is_complex():
            return float(t.detach() if t.requires_grad else t)
        raise NotScalar
    if t.numel() == 1 and not t.is_complex():
        return Deferred(t.detach())  # no .item()/float() here: that would wait for the GPU
    raise NotScalar


FAST: dict[type, Callable[[Any], Any]] = {float: float, int: float, bool: float, np.ndarray: _ndarray}
for _t in (np.float16, np.float32, np.float64, np.longdouble, np.int8, np.int16, np.int32, np.int64,
           np.uint8, np.uint16, np.uint32, np.uint64, np.bool_):
    FAST[_t] = float
del _t


def _is_torch_tensor_type(t: type) -> bool:
    torch = sys.modules.get("torch")  # a tensor exists only once torch is imported; never import it here
    return torch is not None and issubclass(t, torch.Tensor)


def classify(key: str, value: Any) -> tuple[str, Any]:
    """The slow path: ("scalar", float or Deferred) or ("media", value); TypeError naming the key otherwise."""
    conv = FAST.get(type(value))
    if conv is None and _is_torch_tensor_type(type(value)):
        conv = FAST[type(value)] = _tensor  # later tensors of this type take the fast path
    if conv is not None:
        try:
            return "scalar", conv(value)
        except (NotScalar, ValueError, RuntimeError, OverflowError):
            raise TypeError(_not_one_number(key, value)) from None
    if is_media(value):
        return "media", value
    if isinstance(value, (bool, numbers.Real)) and not hasattr(value, "shape"):
        return "scalar", float(value)
    if getattr(value, "size", None) is not None and hasattr(value, "dtype"):  # an array-like of numbers
        if value.size == 1 and getattr(value.dtype, "kind", "") in "biuf":
            return "scalar", float(np.asarray(value).reshape(()))
        raise TypeError(_not_one_number(key, value))
    raise TypeError(
        f"nbmonitor.log: key {key!r} got a value of type {describe(value)}; expected a number "
        "(int, float, bool, numpy scalar, 1-element tensor) or a media object (nbm.Image, nbm.Table, nbm.Histogram)"
    )


def _not_one_number(key: str, value: Any) -> str:
    what = "a tensor" if callable(getattr(value, "numel", None)) else "an array"
    return (f"nbmonitor.log: key {key!r} got a {describe(value)}; only single numbers are "
            f"logged as scalars (wrap {what} of many values in nbm.Histogram)")


def to_scalar(key: str, value: Any) -> float:
    """The float for a logged number (converted now, even on a GPU); TypeError naming the key otherwise."""
    kind, v = classify(key, value)
    if kind != "scalar":
        raise TypeError(f"nbmonitor: key {key!r} got a media object where a number is expected")
    return v.item() if type(v) is Deferred else v


def resolve(values: list) -> list[float]:
    """`values` with each `Deferred` replaced by its float: one device-to-host copy per device, not one per value."""
    idx = [i for i, v in enumerate(values) if type(v) is Deferred]
    if not idx:
        return values
    out = list(values)
    by_device: dict[Any, list[int]] = {}
    for i in idx:
        if values[i].value is None:
            by_device.setdefault(values[i].tensor.device, []).append(i)
    for ids in by_device.values():
        try:
            import torch

            flat = torch.stack([values[i].tensor.reshape(()) for i in ids]).cpu().double().tolist()
        except Exception:  # mixed dtypes on an old torch, say: one at a time
            flat = [_float_or_nan(values[i].tensor) for i in ids]
        for i, f in zip(ids, flat):
            values[i].value = f
    for i in idx:
        out[i] = values[i].value
    return out


def _float_or_nan(tensor: Any) -> float:
    try:
        return float(tensor)
    except Exception:
        return math.nan
