"""nbmonitor: a Jupyter-native training monitor. Live panels in the cell; no server, no account."""

from __future__ import annotations

from .api import compare, config, finish, get_run, init, log, panel, runs, summary
from .errors import (
    NbmonitorError,
    NbmonitorWarning,
    NotInitializedError,
    RunClosedError,
    RunNotFoundError,
    StoreError,
)
from .tensorboard.writer import SummaryWriter
from .tracking.alerts import alert, on_alert
from .tracking.media import Histogram, Image, Table
from .tracking.run import Run
from .tracking.watch import unwatch, watch

__version__ = "0.1.0"


def __getattr__(name: str):
    # `nbmonitor.run` is the current run, as `wandb.run` is: None before init() and after finish().
    if name == "run":
        from .tracking import current

        return current.get()
    raise AttributeError(f"module 'nbmonitor' has no attribute {name!r}")

__all__ = [
    "Histogram",
    "Image",
    "NbmonitorError",
    "NbmonitorWarning",
    "NotInitializedError",
    "Run",
    "RunClosedError",
    "RunNotFoundError",
    "StoreError",
    "SummaryWriter",
    "Table",
    "__version__",
    "alert",
    "compare",
    "config",
    "finish",
    "get_run",
    "init",
    "log",
    "on_alert",
    "panel",
    "run",
    "runs",
    "summary",
    "unwatch",
    "watch",
]


def load_ipython_extension(ipython) -> None:
    """`%load_ext nbmonitor`: registers `%monitor` (imported only now, so `import nbmonitor` stays light)."""
    from .magic import load_ipython_extension as load

    load(ipython)
