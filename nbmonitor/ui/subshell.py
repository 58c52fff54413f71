"""A kernel subshell a panel owns, so that one of its widgets is heard while a training cell runs.

The view controls act in the browser; "stop this run after the current step" must reach the
kernel, which is busy with the training cell, so an ipywidgets callback would wait for the cell to
end. ipykernel >= 7 (JEP 91) runs *subshells*, each on its own thread. `Subshell.open()` makes one
(on ipykernel's shell-channel thread, as a `create_subshell_request` does) and `route(widget)` sends
that widget's comm messages to it. ipykernel routes a comm's incoming messages to the subshell that
last *published* on it (`Comm._reply_subshell_for`), which for a widget a cell made is the main
shell, whatever subshell the front end used (JupyterLab's `commsOverSubshells` on or off): `route`
pins that choice to the panel's subshell. The widget's callbacks then run on the subshell's thread,
so callers guard shared state with their own lock.

Kernel status: a subshell publishes busy/idle around each message it handles, and JupyterLab and
Notebook 7 take that idle as the kernel's ("Idle" while the training cell runs). `keep_status()`,
called from a routed callback, publishes "busy" again for the cell the main shell is running
(IPython's pre/post_run_cell events say which) right after that idle, so the status stays true.

Where there are no subshells (ipykernel < 7, another kernel, no kernel) `open()` returns None and
the widget stays on the main shell: its messages are handled when the running cell ends.

This leans on ipykernel 7's internals (`shell_channel_thread.manager`, `Comm._reply_subshell_for`,
`Kernel._publish_status`), each looked up defensively: any of them missing means "no subshell".
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("nbmonitor.ui.subshell")

OPEN_TIMEOUT_S = 5.0
_cell: dict[str, Any] = {"parent": None}  # the execute_request the main shell runs now (None: idle)
_watching: set[int] = set()  # id() of the kernels whose cells we follow

__all__ = ["Subshell", "cell_running"]


def _kernel() -> Any:
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return None
        k = Kernel.instance()
    except Exception:
        return None
    thread = getattr(k, "shell_channel_thread", None)
    if not getattr(k, "_supports_kernel_subshells", False) or thread is None:
        return None
    mgr = getattr(thread, "manager", None)
    if mgr is None or not hasattr(mgr, "_create_subshell") or not hasattr(mgr, "_shell_channel_io_loop"):
        return None
    return k


def _watch_cells(k: Any) -> None:
    """Follow which cell the main shell runs (for `keep_status`)."""
    if id(k) in _watching or getattr(k, "shell", None) is None:
        return

    def pre(*_: Any) -> None:
        _cell["parent"] = k.get_parent("shell")

    def post(*_: Any) -> None:
        _cell["parent"] = None

    k.shell.events.register("pre_run_cell", pre)
    k.shell.events.register("post_run_cell", post)
    _watching.add(id(k))
    if threading.current_thread() is threading.main_thread():  # called from the cell running now
        _cell["parent"] = k.get_parent("shell")


def cell_running() -> bool:
    """Whether the main shell is running a cell (as far as the cells followed so far tell)."""
    return _cell["parent"] is not None


def _on_shell_channel(k: Any, fn: Any, wait: bool) -> Any:
    """Run `fn(manager)` on ipykernel's shell-channel thread (where subshells are made and deleted)."""
    mgr = k.shell_channel_thread.manager
    box: dict[str, Any] = {}
    done = threading.Event()

    def call() -> None:
        try:
            box["value"] = fn(mgr)
        except BaseException as e:  # reported to the caller
            box["error"] = e
        finally:
            done.set()

    mgr._shell_channel_io_loop.add_callback(call)
    if not wait:
        return None
    if not done.wait(OPEN_TIMEOUT_S):
        raise TimeoutError("the kernel's shell-channel thread did not answer")
    if "error" in box:
        raise box["error"]
    return box["value"]


class Subshell:
    """A subshell of the running ipykernel, owned by whoever opened it; `close()` deletes it."""

    def __init__(self, kernel: Any, subshell_id: str):
        self.kernel = kernel
        self.id = subshell_id
        self._routed: list[Any] = []  # comms pinned to this subshell
        self._after: list[tuple[Any, Any]] = []  # (widget, its keep_status callback)
        self._closed = False

    @classmethod
    def open(cls) -> Subshell | None:
        """A new subshell of this kernel, or None where the kernel has none (the caller degrades)."""
        k = _kernel()
        if k is None:
            return None
        try:
            sid = _on_shell_channel(k, lambda mgr: mgr._create_subshell(), wait=True)
        except Exception as e:
            log.info("nbmonitor: no kernel subshell (%s); the stop control acts when the cell ends", e)
            return None
        _watch_cells(k)
        return cls(k, str(sid))

    def route(self, widget: Any, answers: bool = False) -> bool:
        """Send `widget`'s comm messages from the front end to this subshell; False if it cannot.

        answers: the widget answers custom messages (its own `on_msg` handlers, registered before):
        after each, the kernel status is made true again (`keep_status`)."""
        comm = getattr(widget, "comm", None)
        if self._closed or comm is None or not callable(getattr(comm, "_reply_subshell_for", None)):
            return False
        if any(c is comm for c in self._routed):
            return True  # routed already
        sid = self.id
        comm._reply_subshell_for = lambda data, default: sid  # the instance's answer over the class's
        self._routed.append(comm)
        if answers and hasattr(widget, "on_msg"):
            def after(*_: Any) -> None:
                self.keep_status()

            widget.on_msg(after)
            self._after.append((widget, after))
        return True

    def keep_status(self) -> None:
        """From a routed callback: once this message's "idle" is out, say "busy" again for the running cell."""
        parent = _cell["parent"]
        k = self.kernel
        publish = getattr(k, "_publish_status", None)
        if parent is None or publish is None or threading.current_thread() is threading.main_thread():
            return

        def busy() -> None:
            if _cell["parent"] is parent:  # that cell still runs
                try:
                    publish("busy", "shell", parent=parent)
                except Exception as e:  # a status message is not worth failing over
                    log.debug("nbmonitor: could not restore the busy status: %s", e)

        try:
            import asyncio

            # the handler runs inside ipykernel's dispatch on this thread's loop, which publishes
            # "idle" before it yields: a callback scheduled now runs after that
            asyncio.get_running_loop().call_soon(busy)
        except RuntimeError:
            threading.Timer(0.05, busy).start()

    def close(self) -> None:
        """Route the widgets back to the main shell and delete the subshell (without waiting for it)."""
        if self._closed:
            return
        self._closed = True
        for comm in self._routed:
            comm.__dict__.pop("_reply_subshell_for", None)
        self._routed.clear()
        for widget, after in self._after:
            widget.on_msg(after, remove=True)
        self._after.clear()
        sid = self.id
        try:
            _on_shell_channel(self.kernel, lambda mgr: mgr._delete_subshell(sid), wait=False)
        except Exception as e:
            log.debug("nbmonitor: could not delete subshell %s: %s", sid, e)
