"""The process's one background writer thread.

About ten times a second it seals each live run's buffer (so readers in this
process see new points quickly) and at least once a second it writes what is
sealed to the store. At interpreter exit it finishes the runs still open; on
SIGTERM it writes them, marks them killed, and lets the signal do its work.
Other writers (the `SummaryWriter`) share these exit hooks through `on_exit`.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time
import warnings
from typing import TYPE_CHECKING

from ..errors import NbmonitorWarning

if TYPE_CHECKING:
    from .run import Run

SEAL_INTERVAL_S = 0.1
FLUSH_INTERVAL_S = 1.0

_lock = threading.Lock()
_runs: list[Run] = []
_thread: threading.Thread | None = None
_wake = threading.Event()
_hooks_installed = False
_closers: list = []  # callables run at exit and on SIGTERM, before the runs are finished


def register(run: Run) -> None:
    global _thread
    with _lock:
        _runs.append(run)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="nbmonitor-writer", daemon=True)
            _thread.start()
    _install_exit_hooks()


def unregister(run: Run) -> None:
    with _lock:
        if run in _runs:
            _runs.remove(run)


def on_exit(fn) -> None:
    """Call `fn()` at interpreter exit and on SIGTERM (e.g. a SummaryWriter's close)."""
    with _lock:
        _closers.append(fn)
    _install_exit_hooks()


def remove_on_exit(fn) -> None:
    with _lock:
        if fn in _closers:
            _closers.remove(fn)


def live_runs() -> list[Run]:
    with _lock:
        return list(_runs)


def _loop() -> None:
    last_flush = time.monotonic()
    failed: set[str] = set()
    while True:
        _wake.wait(SEAL_INTERVAL_S)
        _wake.clear()
        runs = live_runs()
        flush = time.monotonic() - last_flush >= FLUSH_INTERVAL_S
        for run in runs:
            try:
                if flush:
                    run.flush()
                else:
                    run.seal()
                failed.discard(run.id)
            except Exception as e:  # keep the data pending and try again next time
                if run.id not in failed:
                    failed.add(run.id)
                    warnings.warn(f"nbmonitor: could not write run {run.name!r}: {e} (its points stay in memory; "
                                  "retrying)", NbmonitorWarning, stacklevel=1)
        if flush:
            last_flush = time.monotonic()


def _finish_all(state: str | None = None) -> None:
    with _lock:
        closers = list(_closers)
    for fn in closers:
        try:
            fn()
        except Exception:
            pass
    for run in live_runs():
        try:
            run.finish(quiet=True, state=state)
        except Exception:
            pass


def _on_sigterm(signum, frame) -> None:
    _finish_all(state="killed")
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _install_exit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_finish_all)
    if threading.current_thread() is threading.main_thread():
        try:
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                signal.signal(signal.SIGTERM, _on_sigterm)
        except (ValueError, OSError):  # not allowed here (embedded interpreters)
            pass
