"""Turning what a user logs into a float or a media event.

`log()` keeps a value whose exact type is in `RAW` (float, int, bool, the
numpy number scalars: immutable, always a number) as it is, and the writer
thread converts whole columns of them at once when it seals the buffer
(`columns`); a dict of such values costs `log()` one set test per value and a
dict copy. Other types are looked up in `FAST` (type -> converter): a 0-d
array or a CPU tensor costs one dict lookup and an `.item()` (a mutable array
or tensor is never kept: it could change before the seal). Anything else goes
to `classify`, the slow path: media objects (recognised by the `_nbm_event`
method they all share), torch tensors (whose type is then added to `FAST`),
number subclasses, and the errors, which always name the key. New kinds of
values belong in `classify`, after the fast lookup has missed, so they never
slow scalars down. An int too large for a float (past 2**1024) is stored as
+-inf; `stored(v)` is the float a reader (the summary) sees for a kept value.

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
def _ndarray(a: np.ndarray) -> Any:
    v = a.item()  # ValueError unless one element; a Python float/int/bool for numbers
    if type(v) is float:
        return v
    if a.dtype.kind in "biuf":
        return v if type(v) in RAW else float(v)  # a long double
    raise NotScalar  # complex, string, date, object


def _tensor(t: Any) -> Any:
    if t.is_cpu:
        v = t.item()  # RuntimeError unless one element; works with requires_grad
        if type(v) is not complex:
            return v  # float, int or bool
        raise NotScalar
    if t.numel() == 1 and not t.is_complex():
        return Deferred(t.detach())  # no .item()/float() here: that would wait for the GPU
    raise NotScalar


RAW: frozenset[type] = frozenset((
    float, int, bool, np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
))
FAST: dict[type, Callable[[Any], Any]] = {np.ndarray: _ndarray, np.longdouble: float}
FAST.update(dict.fromkeys(RAW, float))


def stored(value: Any) -> Any:
    """The float a kept value (`RAW`) or a `Deferred` is stored as; anything else as it is."""
    t = type(value)
    if t is float:
        return value
    if t is Deferred:
        return value.item()
    if t in RAW:
        return to_float(value)
    return value


def to_float(value: Any) -> float:
    """float(value), with an int too large for a float as +-inf (what a float64 column can hold), NaN if none."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):  # not reached for what log() keeps (RAW); a seal must never fail
        return math.nan


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
