"""`watch(model)`: weight and gradient histograms from torch hooks; `unwatch()`.

Every `log_freq` training steps (a forward pass in training mode with
gradients enabled for parameters, a gradient computed for gradients), each parameter and/or its
gradient is binned on its own device (`media.tensor_histogram`: min, max and
sum reduced and `torch.histc` run there; only the bins come back) and logged
into the current run with `commit=False` at its current step, under
`parameters/<name>` and `gradients/<name>`.

The gradient hooks hold the parameter's name and a counter, never a tensor, so
they keep no graph alive; on the steps in between they only count. A gradient
holding NaN or inf (seen on a logging step) raises one alert per parameter.
torch is imported here only, when `watch` is called.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..errors import NotInitializedError

LOG_CHOICES = ("gradients", "parameters", "all", None)
NUM_BINS = 64

_watches: dict[int, _Watch] = {}  # id(model) -> its hooks


def _torch():
    try:
        import torch
    except ImportError as e:  # pragma: no cover - torch is an extra
        raise ImportError('nbmonitor.watch needs PyTorch: pip install "nbmonitor[torch]"') from e
    return torch


class _Watch:
    """The hooks on one model and their counters."""

    def __init__(self, model: Any, prefix: str, log: str | None, log_freq: int):
        self.model_ref = weakref.ref(model)
        self.prefix = prefix
        self.log_freq = log_freq
        self.handles: list[Any] = []
        self.forwards = 0
        self.alerted: set[str] = set()
        self._grad_enabled = _torch().is_grad_enabled
        if log in ("parameters", "all"):
            self.handles.append(model.register_forward_hook(self._on_forward))
        if log in ("gradients", "all"):
            for name, p in model.named_parameters():
                if p.requires_grad:
                    self.handles.append(p.register_hook(self._grad_hook(prefix + name)))

    def _on_forward(self, module: Any, inputs: Any, output: Any) -> None:
        if not module.training or not self._grad_enabled():
            return  # evaluation (eval() or no_grad) is not a training step
        self.forwards += 1
        if self.forwards % self.log_freq:
            return
        run = _run()
        if run is None:
            return
        from .media import tensor_histogram

        data = {}
        for name, p in module.named_parameters():
            try:
                payload, _ = tensor_histogram(p, NUM_BINS)
            except ValueError:  # all NaN: nothing to bin
                continue
            data[f"parameters/{self.prefix}{name}"] = _Binned(payload)
        if data:
            run.log(data, commit=False)

    def _grad_hook(self, name: str):
        calls = [0]  # gradients seen for this parameter; the hook holds no tensor
        freq = self.log_freq

        def hook(grad: Any) -> None:
            calls[0] += 1
            if calls[0] % freq == 0:
                self._log_gradient(name, grad)

        return hook

    def _log_gradient(self, name: str, grad: Any) -> None:
        run = _run()
        if run is None:
            return
        from .media import tensor_histogram

        try:
            payload, nonfinite = tensor_histogram(grad, NUM_BINS)
        except ValueError:  # every value NaN or inf
            payload, nonfinite = None, grad.numel()
        if nonfinite and name not in self.alerted:
            self.alerted.add(name)
            from .alerts import record_alert

            record_alert(run, f"Non-finite gradient in {name}",
                    f"The gradient of {name} holds {nonfinite} NaN or inf value(s) of {grad.numel()} "
                    f"at step {run.step}.", "WARN", None)
        if payload is not None:
            run.log({f"gradients/{name}": _Binned(payload)}, commit=False)

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()


class _Binned:
    """A ready histogram payload, logged as a `Histogram` would be."""

    __slots__ = ("payload",)

    def __init__(self, payload: dict):
        self.payload = payload

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "histogram", self.payload, {}


def _run():
    from . import current

    run = current.get()
    return None if run is None or run.finished else run


def watch(models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
          idx: int | None = None, log_graph: bool = False) -> None:
    """Log histograms of a model's gradients and/or parameters every `log_freq` training steps.

    `models`: a `torch.nn.Module` or a list of them. `log`: "gradients",
    "parameters", "all" or None. `criterion`, `idx` and `log_graph` are
    accepted for W&B compatibility and unused. Calling it again on a model
    replaces its hooks; `unwatch(model)` removes them.
    """
    torch = _torch()
    mods = list(models) if isinstance(models, (list, tuple)) else [models]
    if not mods:
        raise ValueError("nbmonitor.watch: no model given")
    for m in mods:
        if not isinstance(m, torch.nn.Module):
            raise TypeError(f"nbmonitor.watch expects a torch.nn.Module (or a list of them), got {type(m).__name__}")
    if log not in LOG_CHOICES:
        raise ValueError(f"nbmonitor.watch: log must be 'gradients', 'parameters', 'all' or None, got {log!r}")
    if not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1:
        raise ValueError(f"nbmonitor.watch: log_freq must be a positive int, got {log_freq!r}")
    if _run() is None:
        raise NotInitializedError("nbmonitor.watch() called before nbmonitor.init()")
    if getattr(_run(), "disabled", False):
        return  # init(mode="disabled"): nothing is recorded
    for i, m in enumerate(mods):
        unwatch(m)
        prefix = f"{i}." if len(mods) > 1 else ""
        _watches[id(m)] = _Watch(m, prefix, log, log_freq)


def unwatch(model: Any = None) -> None:
    """Remove the hooks `watch` put on `model` (on every watched model if None)."""
    if model is None:
        for w in list(_watches.values()):
            w.remove()
        _watches.clear()
        return
    for m in list(model) if isinstance(model, (list, tuple)) else [model]:
        found = _watches.get(id(m))
        if found is not None and found.model_ref() is m:
            del _watches[id(m)]
            found.remove()
