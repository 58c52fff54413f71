"""Views that never end (`nbm.panel()`, `%monitor`) become their static view when nothing runs.

A run's own panel ends when the run finishes (`Panel.end()`); a view of a project or a
folder has no such moment, so a notebook saved later would keep a widget output that
shows "Error displaying widget: model not found" once the kernel is gone. With
`StaticWhenIdle` the panel's output becomes the static view (HTML the sanitizer keeps,
and text) when:

- the cell that showed it finishes and none of its runs goes on (a look at results), or
- later, once its runs have stopped (finished, or a logdir's run idle) for `IDLE_END_S`.

It keeps watching at a slower pace (`DORMANT_INTERVAL_S`), and when a run goes on again
(the next run of a sweep in another process, a logdir growing again) the output is the
live panel again; while static, it is redrawn when new data arrives (at most every
`REDRAW_EVERY_S`). Outside IPython nothing changes (there is no cell to finish).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .panel import Panel
    from .publisher import Update

log = logging.getLogger("nbmonitor.ui.idle")

IDLE_END_S = 10.0  # runs stopped this long (after the cell): the output becomes static
DORMANT_INTERVAL_S = 1.0  # how often a static view looks for a run going on again
REDRAW_EVERY_S = 4.0  # a static view is redrawn with new data at most this often

__all__ = ["DORMANT_INTERVAL_S", "IDLE_END_S", "REDRAW_EVERY_S", "StaticWhenIdle"]


class StaticWhenIdle:
    """Turns `panel`'s output static when its cell is over and its runs have stopped; live again when one goes on."""

    def __init__(self, panel: Panel):
        self.panel = panel
        self.cell_over = False
        self.idle_since: float | None = None
        self._live_interval = panel.publisher.interval
        self._shell: Any = None
        self._redrawn = -1e18

    def watch_cell(self) -> None:
        """Hear when the cell showing the panel finishes (IPython's post_run_cell)."""
        try:
            from IPython import get_ipython

            shell = get_ipython()
        except ImportError:
            shell = None
        if shell is None or self._shell is not None:
            return
        self._shell = shell
        shell.events.register("post_run_cell", self.cell_done)

    def _unhook(self) -> None:
        shell, self._shell = self._shell, None
        if shell is not None:
            try:
                shell.events.unregister("post_run_cell", self.cell_done)
            except ValueError:
                pass

    def cell_done(self, result: Any = None) -> None:
        """The cell is over: static now if none of the panel's runs goes on."""
        self._unhook()
        self.cell_over = True
        try:
            self.panel.flush()
            if not self.live() and not self.panel.ended:
                self.to_static()
        except Exception as e:  # the cell's end must not fail because of the panel
            log.warning("nbmonitor: could not make the panel static: %s", e, exc_info=True)

    def live(self) -> bool:
        return any(tr.running for tr in self.panel.publisher.runs.values())

    def step(self, upd: Update, now: float | None = None) -> None:
        """After each update (the publisher thread): static once idle long enough, live when a run goes on."""
        if not self.cell_over:
            return
        now = time.monotonic() if now is None else now
        if self.panel.ended:
            if self.live():
                self.to_live()
            elif upd and now - self._redrawn >= REDRAW_EVERY_S:
                self._redrawn = now
                self.panel.refresh_display()
            return
        if self.live():
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        elif now - self.idle_since >= IDLE_END_S:
            self.to_static()

    def to_static(self) -> None:
        self.idle_since = None
        self._redrawn = time.monotonic()
        self.panel.set_static()
        self.panel.publisher.interval = max(self._live_interval, DORMANT_INTERVAL_S)

    def to_live(self) -> None:
        self.panel.publisher.interval = self._live_interval
        self.panel.resume()

    def close(self) -> None:
        self._unhook()
