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

Kernel status: a subshell (and the control thread) publishes busy/idle around each message it
handles, and JupyterLab and Notebook 7 take that idle as the kernel's: "Idle" while the training
cell runs, after any widget message the front end sent on a subshell (JupyterLab sends every comm
message on one by default) or a subshell request. Once a panel is made, the kernel's status
publisher is wrapped (`_guard_status`): an "idle" published off the main thread while the main shell
runs a cell (IPython's pre/post_run_cell events say which) is followed at once by "busy" for that
cell, so the status stays true for the whole cell. The panel does this before it makes its widgets
(`keep_kernel_status_true()`): the front end asks for its subshell on their first message.

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
_cell_lock = threading.Lock()
_watching: set[int] = set()  # id() of the kernels whose cells we follow

__all__ = ["Subshell", "cell_running", "keep_kernel_status_true"]


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
    """Follow which cell the main shell runs, and keep the kernel status "busy" while it does."""
    if id(k) in _watching or getattr(k, "shell", None) is None:
        return

    def pre(*_: Any) -> None:
        with _cell_lock:
            _cell["parent"] = k.get_parent("shell")

    def post(*_: Any) -> None:
        with _cell_lock:  # after a re-published "busy" for it, never before (the cell's own idle comes last)
            _cell["parent"] = None

    k.shell.events.register("pre_run_cell", pre)
    k.shell.events.register("post_run_cell", post)
    _watching.add(id(k))
    if threading.current_thread() is threading.main_thread():  # called from the cell running now
        _cell["parent"] = k.get_parent("shell")
    _guard_status(k)


def keep_kernel_status_true() -> None:
    """In an ipykernel with subshells: from now on, keep the status "busy" while a cell runs (`_guard_status`)."""
    k = _kernel()
    if k is not None:
        _watch_cells(k)


def _guard_status(k: Any) -> None:
    """Wrap `k._publish_status`: an "idle" from another thread while a cell runs is followed by "busy" for it."""
    publish = getattr(k, "_publish_status", None)
    if publish is None or getattr(publish, "_nbm_guard", False):
        return

    def publish_status(status: str, channel: str, parent: Any = None) -> None:
        publish(status, channel, parent)
        if status != "idle" or threading.current_thread() is threading.main_thread():
            return
        with _cell_lock:
            cell = _cell["parent"]
            if cell is not None:
                try:
                    publish("busy", "shell", cell)
                except Exception as e:  # a status message is not worth failing over
                    log.debug("nbmonitor: could not restore the busy status: %s", e)

    publish_status._nbm_guard = True  # type: ignore[attr-defined]
    k._publish_status = publish_status


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

    def route(self, widget: Any) -> bool:
        """Send `widget`'s comm messages from the front end to this subshell; False if it cannot."""
        comm = getattr(widget, "comm", None)
        if self._closed or comm is None or not callable(getattr(comm, "_reply_subshell_for", None)):
            return False
        if any(c is comm for c in self._routed):
            return True  # routed already
        sid = self.id
        comm._reply_subshell_for = lambda data, default: sid  # the instance's answer over the class's
        self._routed.append(comm)
        return True

    def close(self) -> None:
        """Route the widgets back to the main shell and delete the subshell (without waiting for it)."""
        if self._closed:
            return
        self._closed = True
        for comm in self._routed:
            comm.__dict__.pop("_reply_subshell_for", None)
        self._routed.clear()
        sid = self.id
        try:
            _on_shell_channel(self.kernel, lambda mgr: mgr._delete_subshell(sid), wait=False)
        except Exception as e:
            log.debug("nbmonitor: could not delete subshell %s: %s", sid, e)
