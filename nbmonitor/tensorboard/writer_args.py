"""The SummaryWriter's argument checks and copies, done on the calling thread (torch's messages
and exceptions), and `module_tree` for `add_graph`."""

from __future__ import annotations

import numbers
import time
from typing import Any

import numpy as np

from ..tracking.values import Deferred, classify

DATAFORMATS = ("CHW", "HWC", "HW", "NCHW", "NHWC")


def check_tag(method: str, tag: Any) -> None:
    if not isinstance(tag, str):
        raise TypeError(f"SummaryWriter.{method}: tag must be a string, got {type(tag).__name__}")


def scalar_arg(method: str, tag: str, v: Any) -> float:
    """The float of a scalar argument, by the same converter as `nbm.log()`; torch's exceptions otherwise
    (ValueError for a tensor or array of many values, TypeError for what is no number)."""
    try:
        kind, x = classify(tag, v)
    except TypeError:
        kind, x = "", None
    if kind == "scalar":
        return x.item() if type(x) is Deferred else x
    shape = getattr(v, "shape", None)
    if shape is not None and hasattr(v, "dtype"):
        what = "a tensor" if callable(getattr(v, "numel", None)) else "an array"
        raise ValueError(f"SummaryWriter.{method}({tag!r}): expected a single number, got {what} of shape "
                         f"{tuple(shape)} and dtype {v.dtype} (use add_histogram for many values)")
    raise TypeError(f"SummaryWriter.{method}({tag!r}): expected a number, got {type(v).__name__}")


def step_arg(method: str, tag: str, step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        t: Any = step
        if callable(getattr(t, "numel", None)) and t.numel() == 1 and not t.is_floating_point():
            return int(t.item())
        raise TypeError(f"SummaryWriter.{method}({tag!r}): global_step must be an int, got {type(step).__name__}")
    return int(step)


def opt_step_arg(method: str, tag: str, step: Any) -> int | None:
    return None if step is None else step_arg(method, tag, step)


def wall_arg(walltime: Any) -> float:
    return time.time() if walltime is None else float(walltime)


def snapshot(method: str, tag: str, x: Any) -> np.ndarray:
    """A numpy copy the caller cannot change afterwards (tensors copied to the host once)."""
    if callable(getattr(x, "numel", None)) and hasattr(x, "detach"):  # torch.Tensor
        import torch

        t = x.detach()
        if t.dtype == torch.bfloat16:
            return t.float().cpu().numpy()
        return t.to("cpu", copy=True).numpy()
    try:
        return np.array(x, copy=True)
    except (TypeError, ValueError) as e:
        raise TypeError(f"SummaryWriter.{method}({tag!r}): cannot read {type(x).__name__} as an array: {e}") from None


def check_image(method: str, tag: str, arr: np.ndarray, dataformats: Any) -> None:
    if not isinstance(dataformats, str) or dataformats.upper() not in DATAFORMATS:
        raise ValueError(f"SummaryWriter.{method}({tag!r}): dataformats must be one of {', '.join(DATAFORMATS)}, "
                         f"got {dataformats!r}")
    if arr.ndim != len(dataformats):
        raise ValueError(f"SummaryWriter.{method}({tag!r}): an image of dataformats {dataformats!r} needs "
                         f"{len(dataformats)} dimensions, got shape {arr.shape}")
    if arr.dtype.kind not in "buif":
        raise TypeError(f"SummaryWriter.{method}({tag!r}): image values must be numbers, got dtype {arr.dtype}")
    c = dataformats.upper().find("C")
    if c >= 0 and arr.shape[c] not in (1, 3, 4):
        raise ValueError(f"SummaryWriter.{method}({tag!r}): {arr.shape[c]} channels in shape {arr.shape} "
                         f"(dataformats {dataformats!r}); expected 1, 3 or 4")
    if arr.size == 0:
        raise ValueError(f"SummaryWriter.{method}({tag!r}): the image is empty (shape {arr.shape})")


def module_tree(model: Any, name: str = "") -> dict:
    """A torch module's tree: {"name", "type", "params" (of it and its children), "children"}."""
    children = [module_tree(m, n) for n, m in model.named_children()]
    own = sum(p.numel() for p in model.parameters(recurse=False))
    return {"name": name or type(model).__name__, "type": type(model).__name__,
            "params": int(own + sum(c["params"] for c in children)), "children": children}
