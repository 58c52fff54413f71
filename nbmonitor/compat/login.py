"""`login()`, `Settings`, `termlog`/`termwarn`/`termerror` and `AlertLevel`: W&B's names, all local.

There is no account and no network: `login()` returns True at once, whatever
key it is given; `Settings` holds the options W&B code passes to `init()`
(only `mode`, `dir`/`root_dir`, `project`, `silent` and `quiet` change what
nbmonitor does; the others are kept and ignored).
"""

from __future__ import annotations

import enum
import sys
from typing import Any


def login(key: str | None = None, relogin: bool | None = None, host: str | None = None, *,
          anonymous: str | None = None, timeout: float | None = None, verify: bool = False,
          force: bool | None = None, **_: Any) -> bool:
    """Return True: nbmonitor is local and needs no account (W&B's `login()` without the prompt)."""
    return True


class AlertLevel(str, enum.Enum):
    """W&B's alert levels; `nbmonitor.alert(level=AlertLevel.WARN)` takes them as well as strings."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


class Settings:
    """W&B's `wandb.Settings(...)`: keyword options for `init(settings=...)`.

    Every keyword is accepted and kept as an attribute (W&B has ~200); those
    nbmonitor uses: `mode` ("online", "offline", "disabled"), `root_dir` or
    `dir` (the store's root), `project`, `silent`/`quiet` (no end-of-run block).
    """

    def __init__(self, **options: Any):
        self.__dict__.update(options)

    def get(self, name: str, default: Any = None) -> Any:
        return self.__dict__.get(name, default)

    def update(self, other: Any = None, **options: Any) -> None:
        if other is not None:
            self.__dict__.update(other if isinstance(other, dict) else vars(other))
        self.__dict__.update(options)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None  # an option W&B has but nobody set

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(self.__dict__.items()))
        return f"Settings({inner})"


def _term(prefix: str, string: str, newline: bool = True, repeat: bool = True, **_: Any) -> None:
    end = "\n" if newline else ""
    print(f"{prefix}{string}", end=end, file=sys.stderr)


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True, **kw: Any) -> None:
    """Print a line to stderr as W&B's `termlog` does (prefixed `nbmonitor: `)."""
    _term("nbmonitor: " if prefix else "", string, newline)


def termwarn(string: str, newline: bool = True, repeat: bool = True, **kw: Any) -> None:
    """Print a warning line to stderr (`nbmonitor: WARNING ...`)."""
    _term("nbmonitor: WARNING ", string, newline)


def termerror(string: str, newline: bool = True, repeat: bool = True, **kw: Any) -> None:
    """Print an error line to stderr (`nbmonitor: ERROR ...`)."""
    _term("nbmonitor: ERROR ", string, newline)
