"""The process's current run: one place, asked by `log()`, `alert()`, `watch()` and `nbmonitor.run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import Run

_current: Run | None = None


def get() -> Run | None:
    """The current run, or None before `init()` and after `finish()`."""
    return _current


def set(run: Run | None) -> None:  # noqa: A001 - module-level setter, read as current.set(run)
    global _current
    _current = run
