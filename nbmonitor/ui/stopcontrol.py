"""The panel's "stop this run after the current step" control: sets `run.should_stop` mid-run.

A training loop checks it (`if run.should_stop: break`). The kernel is busy with that loop, so
the click reaches it through a kernel subshell the panel owns (`subshell.py`; ipykernel >= 7);
elsewhere it is heard when the running cell ends, and the button's tooltip says so.

Traits (the Python <-> JS contract, js/stop.js):
  run: str, the name of the run it stops ("" hides the control, also through its `layout.display`:
       no run of this kernel to stop, or the focus run has finished)
  live: bool, the click reaches the kernel while a cell runs (a subshell)
  requested: bool, the browser sets it; the kernel asks the run to stop
  heard: str, the kernel's answer ("stop requested at step 41"), "" until then
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from .._js import js_module, js_path
from .subshell import Subshell

LIVE_TIP = "stop this run after its current step: sets run.should_stop, which the training loop checks"
LATE_TIP = ("stop this run after its current step (sets run.should_stop). This kernel cannot hear "
            "widgets while a cell runs (no kernel subshells: ipykernel < 7?), so it acts when the running cell ends")

__all__ = ["StopControl", "RunStopper", "LIVE_TIP", "LATE_TIP"]


class StopControl(anywidget.AnyWidget):
    _esm = js_module("stop.js")
    _css = js_path("stop.css")
    run = traitlets.Unicode("").tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    tip = traitlets.Unicode(LATE_TIP).tag(sync=True)
    requested = traitlets.Bool(False).tag(sync=True)
    heard = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layout.display = "none"  # no run to stop yet (hidden by its layout: ipywidgets resets an inline style)

    @traitlets.observe("live")
    def _tip(self, change) -> None:
        self.tip = LIVE_TIP if change["new"] else LATE_TIP

    @traitlets.observe("run")
    def _shown(self, change) -> None:
        self.layout.display = None if change["new"] else "none"


class RunStopper:
    """One panel's stop control: the widget, the runs of this kernel it may stop, the panel's subshell it uses.

    lock: the panel's (the click is handled on the subshell's thread, beside the publisher thread);
    focus: the run id the panel follows (the header's run), which the control stops.
    """

    def __init__(self, lock: threading.RLock, focus: Callable[[], str | None]):
        self.widget = StopControl()
        self._lock = lock
        self._focus = focus
        self._runs: dict[str, Any] = {}  # run id -> Run, the runs this kernel logs
        self._target_id: str | None = None
        self.subshell: Subshell | None = None
        self.widget.observe(self._on_request, "requested")

    def attach(self, run: Any) -> None:
        """A run of this kernel the control may stop."""
        with self._lock:
            self._runs[run.id] = run
            self.refresh()

    def target(self) -> Any:
        """The run a click stops: the panel's focus run if it is one of ours and running."""
        run = self._runs.get(self._focus() or "")
        if run is None:
            running = [r for r in self._runs.values() if not r.finished]
            run = running[-1] if running else None
        return run if run is not None and not run.finished else None

    def refresh(self) -> None:
        """Show the run a click would stop (a new run of a sweep gets a fresh control)."""
        with self._lock:
            run = self.target()
            rid = run.id if run is not None else None
            if rid != self._target_id:
                self._target_id = rid
                with self.widget.hold_sync():
                    self.widget.run = run.name if run is not None else ""
                    self.widget.requested = bool(run is not None and run.should_stop)
                    self.widget.heard = ""

    def open(self, subshell: Subshell | None = None) -> None:
        """Route the control to the panel's kernel subshell (None where the kernel has none: acts when the cell ends)."""
        if self.subshell is None and subshell is not None and subshell.route(self.widget):
            self.subshell = subshell
        self.widget.live = self.subshell is not None
        self.refresh()  # shown again after close() (a view that went static and is live again)

    def close(self) -> None:
        """The panel ended (its subshell goes): the control hides."""
        self.subshell = None
        with self._lock:
            self._target_id = None
            self.widget.run = ""
            self.widget.live = False

    def _on_request(self, change: dict) -> None:
        if not change["new"]:
            return
        with self._lock:
            run = self.target()
            if run is not None:
                run.request_stop()
                heard = f"asked after {run.step} steps"
            else:
                heard = "no running run of this kernel to stop"
            self.widget.heard = heard
