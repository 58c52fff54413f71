"""Alerts: `alert(title, text, level, wait_duration)` and `on_alert(fn)` callbacks.

An alert is an event of kind "alert" (payload `{"title", "text", "level"}`)
recorded in the current run at its current step, shown by the panel as a
banner, and handed to every callback registered with `on_alert`, so users can
wire Slack or email themselves. A callback that raises gets a warning, never
stops training.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from ..errors import NbmonitorWarning, NotInitializedError, RunClosedError

LEVELS = ("INFO", "WARN", "ERROR")
ALERT_KEY = "alert"


@dataclasses.dataclass(frozen=True)
class Alert:
    """What an `on_alert` callback receives."""

    title: str
    text: str
    level: str
    step: int
    time: float
    run_name: str
    project: str


_callbacks: list[Callable[[Alert], Any]] = []
_last_sent: dict[tuple[str, str], float] = {}  # (run id, title) -> time of the last alert sent
_lock = threading.Lock()


def _level(level: Any) -> str:
    name = getattr(level, "value", level)  # W&B's AlertLevel.WARN and friends
    name = str(name).upper()
    if name == "WARNING":
        name = "WARN"
    if name not in LEVELS:
        raise ValueError(f"nbmonitor.alert: level must be one of {', '.join(LEVELS)}, got {level!r}")
    return name


def _seconds(wait_duration: Any) -> float | None:
    if wait_duration is None:
        return None
    if isinstance(wait_duration, datetime.timedelta):
        return wait_duration.total_seconds()
    if isinstance(wait_duration, (int, float)) and not isinstance(wait_duration, bool) and wait_duration >= 0:
        return float(wait_duration)
    raise TypeError(
        f"nbmonitor.alert: wait_duration must be seconds (a non-negative number) or a timedelta, got {wait_duration!r}"
    )


def alert(title: str, text: str, level: Any = "WARN", wait_duration: Any = None) -> bool:
    """Record an alert in the current run and call the `on_alert` callbacks.

    `level` is "INFO", "WARN" or "ERROR"; `wait_duration` (seconds or a
    timedelta) drops a repeat of the same title sent less than that long ago.
    Returns True if the alert was recorded, False if it was suppressed.
    """
    from . import current

    if not isinstance(title, str) or not isinstance(text, str):
        raise TypeError("nbmonitor.alert: title and text must be strings")
    lvl = _level(level)
    wait = _seconds(wait_duration)
    run = current.get()
    if run is None:
        raise NotInitializedError("nbmonitor.alert() called before nbmonitor.init()")
    if getattr(run, "disabled", False):  # init(mode="disabled")
        return False
    return record_alert(run, title, text, lvl, wait)


def record_alert(run: Any, title: str, text: str, level: str, wait: float | None) -> bool:
    if run.finished:
        raise RunClosedError(f"run {run.name!r} has finished; nbmonitor.alert needs an active run")
    now = time.time()
    with _lock:
        last = _last_sent.get((run.id, title))
        if wait is not None and last is not None and now - last < wait:
            return False
        _last_sent[(run.id, title)] = now
    step = run.step
    # An event with no summary entry, recorded as log() records media.
    run.add_event(ALERT_KEY, "alert", {"title": title, "text": text, "level": level})
    info = Alert(title, text, level, step, now, run.name, run.project)
    for fn in list(_callbacks):
        try:
            fn(info)
        except Exception as e:  # a user's Slack hook failing must not stop training
            warnings.warn(f"nbmonitor.on_alert callback {fn!r} raised {type(e).__name__}: {e}",
                          NbmonitorWarning, stacklevel=3)
    return True


def on_alert(fn: Callable[[Alert], Any]) -> Callable[[Alert], Any]:
    """Call `fn(alert)` for every alert recorded in this process; usable as a decorator."""
    if not callable(fn):
        raise TypeError(f"nbmonitor.on_alert takes a callable, got {fn!r}")
    if fn not in _callbacks:
        _callbacks.append(fn)
    return fn


def remove_alert_callback(fn: Callable[[Alert], Any]) -> None:
    """Stop calling `fn` (registered with `on_alert`)."""
    if fn in _callbacks:
        _callbacks.remove(fn)


def alert_run(run: Any, title: str, text: str, level: Any = "WARN", wait_duration: Any = None) -> bool:
    """`alert` on a given run (what `run.alert(...)` calls); a disabled run records nothing."""
    if not isinstance(title, str) or not isinstance(text, str):
        raise TypeError("nbmonitor.alert: title and text must be strings")
    lvl, wait = _level(level), _seconds(wait_duration)
    if getattr(run, "disabled", False):
        return False
    return record_alert(run, title, text, lvl, wait)
