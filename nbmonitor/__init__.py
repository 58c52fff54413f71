"""nbmonitor: a Jupyter-native training monitor. Live panels in the cell; no server, no account."""

from __future__ import annotations

from .api import config, finish, get_run, init, log, runs, summary
from .errors import (
    NbmonitorError,
    NbmonitorWarning,
    NotInitializedError,
    RunClosedError,
    RunNotFoundError,
    StoreError,
)
from .run import Run

__version__ = "0.1.0"

__all__ = [
    "NbmonitorError",
    "NbmonitorWarning",
    "NotInitializedError",
    "Run",
    "RunClosedError",
    "RunNotFoundError",
    "StoreError",
    "__version__",
    "config",
    "finish",
    "get_run",
    "init",
    "log",
    "runs",
    "summary",
]
