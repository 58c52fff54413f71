"""The run an integration logs to: started by it (and finished by it) or the user's own.

`Session.start(...)` joins the current run when the user already called
`nbmonitor.init()` (and then never finishes it, as W&B's integrations do), or
starts one. Frameworks log after their own end hook (`trainer.evaluate()`
after `train()`, `trainer.test()` after `fit()`): `log()` then reopens the
same run (`resume="allow"`, no new panel) and closes it again at once. Steps
never go back in a run, so a step lower than the run's is logged at the run's.
Only nbmonitor's public API is used here.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Mapping
from typing import Any

import nbmonitor

log = logging.getLogger("nbmonitor.integrations")


def scalars(data: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric entries of a framework's log dict (numbers, 1-element tensors/arrays); text and lists stay out."""
    return {k: v for k, v in data.items() if _is_scalar(v)}


def _is_scalar(v: Any) -> bool:
    if isinstance(v, numbers.Real):
        return True
    numel = getattr(v, "numel", None)
    if callable(numel):  # torch
        return numel() == 1 and not v.dtype.is_complex
    size = getattr(v, "size", None)  # numpy, and Keras backends' arrays
    return size == 1 and getattr(getattr(v, "dtype", None), "kind", "") in "biuf"


class Session:
    """One framework run's link to an nbmonitor run."""

    def __init__(self, **init_kwargs: Any):
        self.init_kwargs = {k: v for k, v in init_kwargs.items() if v is not None}
        self.run: Any = None  # the nbmonitor Run
        self.owned = False  # started here, so finished here
        self.closed = False  # finished by the framework's end hook

    @property
    def active(self) -> bool:
        return self.run is not None and not self.closed

    def start(self, config: Mapping[str, Any] | None = None, **defaults: Any):
        """Join the user's current run or start one (`defaults` give way to the user's init kwargs)."""
        if self.active:
            if config:
                self.run.config.update(dict(config))
            return self.run
        current = nbmonitor.run
        if current is not None:
            self.run, self.owned = current, False
            if config:
                current.config.update(dict(config))
        else:
            kwargs = {**{k: v for k, v in defaults.items() if v is not None}, **self.init_kwargs}
            if config:
                kwargs["config"] = {**dict(config), **dict(kwargs.get("config") or {})}
            self.run, self.owned = nbmonitor.init(**kwargs), True
        self.closed = False
        return self.run

    def log(self, data: Mapping[str, Any], step: int | None = None) -> None:
        if not data:
            return
        if self.run is None:
            self.start()

        def write(run) -> None:
            run.log(dict(data), step=None if step is None else max(int(step), run.step))

        self._on_run(write)

    def set_summary(self, data: Mapping[str, Any]) -> None:
        if self.run is not None and data:
            self._on_run(lambda run: run.summary.update(dict(data)))

    def _on_run(self, fn) -> None:
        """`fn(run)` on the open run; after the framework's end hook, on the run reopened for that call."""
        if not self.closed:
            fn(self.run)
            return
        if nbmonitor.run is not None:  # the user has started another run since: leave it alone
            log.debug("nbmonitor: logged after run %s finished, while another run is open: dropped", self.run.name)
            return
        run = self.run
        self.run = nbmonitor.init(project=run.project, id=run.id, resume="allow", store=run.store, display=False,
                                  system_metrics=False)
        try:
            fn(self.run)
        finally:
            self.run.finish(quiet=True)

    def finish(self, exit_code: int = 0, quiet: bool | None = None) -> None:
        """Finish the run if this integration started it (the user's own run stays open)."""
        if self.run is None or self.closed:
            return
        if self.owned:
            self.run.finish(exit_code=exit_code, quiet=quiet)
            self.closed = True
        else:
            self.run.flush()
