"""The process's one background writer thread, and the hooks that end runs.

About ten times a second it seals each live run's buffer (so readers in this
process see new points quickly); it writes a run's first points as soon as it
sees them and then what is sealed every `FLUSH_INTERVAL_S`, so a SIGKILL loses
at most about that much. At interpreter exit it finishes the runs still open
(`finished`, or `failed`/`killed` after an uncaught exception or Ctrl-C,
`crashed` when a Jupyter kernel goes away under an open run); on SIGTERM or
SIGHUP it writes them, marks them `killed`, and lets the signal do its work.
Other writers (the `SummaryWriter`) share these exit hooks through `on_exit`.

Signal safety: a Python signal handler runs in the main thread between two
bytecodes, possibly while that thread holds a run's write lock. The handler
therefore never takes such a lock itself. Every lock of this module and of a
run is a `SignalSafeLock`: while the main thread holds one (or waits for one),
the handler only records the signal, and the lock's release acts on it. The
final writes happen on a fresh thread (its own SQLite connection, no open
transaction of the interrupted code), which the handler waits for, bounded.
Ctrl-C is deferred the same way (where Python's own handler was in place), so
a KeyboardInterrupt never lands while rows move from a run's buffer to its
pending list or into the store: a second Ctrl-C during the last write at exit
loses nothing.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
import warnings
from typing import TYPE_CHECKING

from ..errors import NbmonitorWarning

if TYPE_CHECKING:
    from .run import Run

SEAL_INTERVAL_S = 0.1
FLUSH_INTERVAL_S = 0.5  # the most a SIGKILL loses is about this plus one write
FINAL_WRITE_TIMEOUT_S = 20.0  # how long a SIGTERM/SIGHUP waits for the last writes
# A run keeps its last few written blocks in memory (~2 s), without their events, so a reader of this
# process that comes late (a panel tick on a busy machine) reads them there and not from the store.
RECENT_WRITES = 4
RECENT_POINTS = 25_000  # a write of more points than this is not kept (memory: <= 4 x 25,000 x 24 B a run)
_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))

_MAIN = threading.main_thread().ident
_critical = 0  # how many SignalSafeLocks the main thread holds or waits for
_deferred: int | None = None  # a SIGTERM/SIGHUP that arrived inside such a section
_deferred_int = False  # a Ctrl-C that arrived inside such a section: raised when it ends
_terminating = False
_exit_exc: type | None = None  # the exception that ended the script, from sys.excepthook


class SignalSafeLock:
    """A mutex that a SIGTERM/SIGHUP arriving in the main thread never waits for.

    While the main thread holds (or waits for) it, the signal handler only
    records the signal; releasing the last such lock acts on it.
    """

    __slots__ = ("_lock", "_owner")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def held_here(self) -> bool:
        """True when the calling thread holds the lock (it is not reentrant: do not wait for it then)."""
        return self._owner == threading.get_ident()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        global _critical
        if threading.get_ident() != _MAIN:
            got = self._lock.acquire(blocking, timeout)
            if got:
                self._owner = threading.get_ident()
            return got
        _critical += 1  # before acquiring: a signal from here on is deferred
        try:
            got = self._lock.acquire(blocking, timeout)
        except BaseException:
            _critical -= 1
            raise
        if not got:
            _critical -= 1
        else:
            self._owner = _MAIN
        return got

    def release(self) -> None:
        global _critical
        self._owner = None
        self._lock.release()
        if threading.get_ident() == _MAIN:
            _critical -= 1  # after releasing: a signal in between is still deferred
            if not _critical:
                _act_on_deferred()

    def __enter__(self) -> SignalSafeLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


_lock = SignalSafeLock()
_runs: list[Run] = []
_thread: threading.Thread | None = None
_wake = threading.Event()
_hooks_installed = False
_closers: list = []  # callables run at exit and on SIGTERM, before the runs are finished


def register(run: Run) -> None:
    global _thread
    with _lock:
        if run not in _runs:
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


def keep_recent(recent: list, written: list, final: bool = False) -> list:
    """The blocks a run keeps in memory after writing the chunks `written` (see RECENT_WRITES)."""
    if final or sum(len(c) for c in written) > RECENT_POINTS:
        return []
    return [*recent[1 - RECENT_WRITES:], (written, [])] if written else recent


def warn(message: str) -> None:
    """An NbmonitorWarning that never raises, even where warnings are errors (the writer thread)."""
    try:
        warnings.warn(message, NbmonitorWarning, stacklevel=2)
    except Exception:
        try:
            sys.stderr.write(f"NbmonitorWarning: {message}\n")
        except Exception:
            pass


def _loop() -> None:
    failed: set[str] = set()
    last: dict[str, float] = {}  # run id -> monotonic time of its last write
    while True:
        _wake.wait(SEAL_INTERVAL_S)
        _wake.clear()
        now = time.monotonic()
        for run in live_runs():
            try:
                due = now - last.get(run.id, 0.0) >= FLUSH_INTERVAL_S
                if due or run.never_wrote_points():
                    run.flush()
                    last[run.id] = time.monotonic()
                else:
                    run.seal()
                failed.discard(run.id)
            except Exception as e:  # the data stays pending; the next flush tries again
                last[run.id] = time.monotonic()
                if run.id not in failed:
                    failed.add(run.id)
                    warn(f"nbmonitor: could not write run {run.name!r} (kept in memory, retrying): {e}")


def _exit_state() -> str | None:
    """The state of runs still open at interpreter exit (None: each run's default, `finished`)."""
    exc = _exit_exc
    if exc is not None:
        return "killed" if issubclass(exc, KeyboardInterrupt) else "failed"
    if _in_kernel():
        return "crashed"  # a kernel shut down or restarted under an open run
    return None


def _in_kernel() -> bool:
    try:
        from .._env import in_notebook

        if in_notebook():
            return True
        app = sys.modules.get("ipykernel.kernelapp")
        return app is not None and app.IPKernelApp.initialized()
    except Exception:
        return False


def _finish_all(state: str | None = None, *, at_exit: bool = False) -> None:
    if at_exit:
        state = state or _exit_state()
    with _lock:
        closers = list(_closers)
    for fn in closers:
        try:
            fn()
        except Exception:
            pass
    for run in live_runs():
        for _attempt in range(3):  # a second Ctrl-C while writing: write anyway
            try:
                run.finish(quiet=True, state=state)
                break
            except KeyboardInterrupt:
                continue
            except Exception as e:
                warn(f"nbmonitor: could not write run {run.name!r} at exit: {e}")
                break


def _at_exit() -> None:
    _finish_all(at_exit=True)


def _act_on_deferred() -> None:
    global _deferred_int
    if _deferred is not None:
        _terminate(_deferred)
    if _deferred_int:
        _deferred_int = False
        raise KeyboardInterrupt  # the Ctrl-C that came while rows were moving between buffers


def _on_sigint(signum, frame) -> None:
    """Python's Ctrl-C, except inside a section that moves rows between a run's buffers: raised at its end."""
    global _deferred_int
    if _critical:
        _deferred_int = True
        return
    raise KeyboardInterrupt


def _on_signal(signum, frame) -> None:
    global _deferred
    if _critical:  # the interrupted code holds a lock: act when it lets go
        _deferred = signum
        return
    _terminate(signum)


def _terminate(signum: int) -> None:
    """Write every open run as `killed` on a fresh thread, then die of the signal."""
    global _terminating, _deferred
    _deferred = None
    if _terminating:
        return
    _terminating = True
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C now would cut the last write
    except (ValueError, OSError):
        pass
    t = threading.Thread(target=_finish_all, kwargs={"state": "killed"}, name="nbmonitor-final", daemon=True)
    t.start()
    t.join(FINAL_WRITE_TIMEOUT_S)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _excepthook(exc_type, exc, tb, previous) -> None:
    global _exit_exc
    _exit_exc = exc_type  # an uncaught exception is ending the script: atexit runs next
    previous(exc_type, exc, tb)


def _install_exit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_at_exit)
    previous = sys.excepthook
    sys.excepthook = lambda t, e, tb: _excepthook(t, e, tb, previous)
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            try:
                if signal.getsignal(sig) in (signal.SIG_DFL, None):
                    signal.signal(sig, _on_signal)
            except (ValueError, OSError):  # not allowed here (embedded interpreters)
                pass
        try:
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, _on_sigint)
        except (ValueError, OSError):
            pass
