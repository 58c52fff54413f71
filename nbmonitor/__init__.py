"""nbmonitor: a Jupyter-native training monitor. Live panels in the cell; no server, no account."""

from __future__ import annotations

from .alerts import alert, on_alert
from .api import config, finish, get_run, init, log, panel, runs, summary
from .compare import compare
from .errors import (
    NbmonitorError,
    NbmonitorWarning,
    NotInitializedError,
    RunClosedError,
    RunNotFoundError,
    StoreError,
)
from .hooks import unwatch, watch
from .media import Histogram, Image, Table
from .run import Run
from .writer import SummaryWriter

__version__ = "0.1.0"

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
    "runs",
    "summary",
    "unwatch",
    "watch",
]


def load_ipython_extension(ipython) -> None:
    """`%load_ext nbmonitor`: registers `%monitor` (imported only now, so `import nbmonitor` stays light)."""
    from .magic import load_ipython_extension as load

    load(ipython)
