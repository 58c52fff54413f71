"""Turning what a user logs into a float or a media event.

`log()` calls `to_scalar` only for values that are not already a `float`, so the
common case costs one type check. Media objects (images, tables, histograms)
are recognised by the `_nbm_event` method they all share.
"""

from __future__ import annotations

import numbers
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Loggable(Protocol):
    """A non-scalar value `log()` accepts (nbm.Image, nbm.Table, nbm.Histogram...).

    `_nbm_event(key)` returns `(kind, payload, files)`: a kind name, a JSON-able
    dict, and a dict of file name -> bytes that the store keeps beside the
    database (the payload refers to them by those names).
    """

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]: ...


def describe(value: Any) -> str:
    t = type(value)
    name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    shape = getattr(value, "shape", None)
    return f"{name} of shape {tuple(shape)}" if shape is not None else name


def to_scalar(key: str, value: Any) -> float:
    """The float for a logged number; TypeError naming the key otherwise."""
    if isinstance(value, (bool, numbers.Real)) and not hasattr(value, "shape"):
        return float(value)
    size = getattr(value, "size", None)
    numel = getattr(value, "numel", None)
    if callable(numel):  # torch.Tensor
        if numel() == 1 and not value.dtype.is_complex:
            return float(value.detach().reshape(()).item())
        raise TypeError(
            f"nbmonitor.log: key {key!r} got a {describe(value)}; only single numbers are "
            "logged as scalars (wrap a tensor of many values in nbm.Histogram)"
        )
    if size is not None and hasattr(value, "dtype"):  # numpy array or scalar
        if size == 1 and value.dtype.kind in "biuf":
            return float(value.reshape(()).item() if hasattr(value, "reshape") else value)
        raise TypeError(
            f"nbmonitor.log: key {key!r} got a {describe(value)}; only single numbers are "
            "logged as scalars (wrap an array of many values in nbm.Histogram)"
        )
    raise TypeError(
        f"nbmonitor.log: key {key!r} got a value of type {describe(value)}; expected a number "
        "(int, float, bool, numpy scalar, 1-element tensor) or a media object (nbm.Image, nbm.Table, nbm.Histogram)"
    )
