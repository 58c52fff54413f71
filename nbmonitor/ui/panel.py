"""The live panel: header, sparkline table, charts by key prefix, event views.

    Panel(source, project=None, runs=None, keys=None, smoothing=0.0, height=None)

builds a panel over any `Source` (the live runs of this process, a store another
process writes, TensorBoard event files); `display(panel)` (or `panel.show()`)
puts it in the cell and starts its publisher thread; `panel.stop()` stops it;
`panel.end()` stops it and replaces its output with the static view.
`nbmonitor.init()` shows one automatically (`show_live_panel`), updated until
the run finishes, when the output becomes the static view (`static.py`: HTML
that JupyterLab's sanitizer keeps, and a deterministic `text/plain`), so a saved
notebook shows the result where no kernel or widget JavaScript is (no "model
not found" when it is reopened).

While it is shown, a second output carries a static copy refreshed every
`FALLBACK_EVERY_S` seconds (only while runs go on) for front ends that cannot
load widget JavaScript; where the panel's stylesheet loads, that copy is hidden
(js/charts.css), so a front end that renders widgets shows the panel once.

Widget messages are spent from a `MessageBudget` (10 a second by default):
the header and the table at most twice a second each, charts with the rest,
least recently sent first; so the kernel's message rate does not grow with
the number of `log()` calls. The view controls (smoothing, log scale, runs
shown, reset zoom) act in the browser (`charts.ChartControls`), also while the
kernel runs a training cell; sections collapse client-side (one Accordion each).
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
import time
from collections.abc import Iterable

import numpy as np

from ..sources import Source
from ..store import is_system_key
from .axes import series_means, xmapper
from .display import colab_metadata
from .events import EventViews
from .idle import StaticWhenIdle
from .publisher import MAX_RUNS, MessageBudget, Publisher, TrackedRun, Update, as_f32
from .static import SPARK_POINTS, format_number, panel_html, panel_text, state_label
from .subshell import Subshell, keep_kernel_status_true
from .zoomquery import ZoomQueries, event_reader

log = logging.getLogger("nbmonitor.ui.panel")

HEADER_EVERY_S = 0.5
TABLE_EVERY_S = 0.5
SPARK_REDRAW = 120  # a live table's sparkline is drawn again once 1/120 of its points are new (half a column)
CONTROLS_EVERY_S = 0.5  # the browser-side controls learn of new marks (the whole list of model ids) at most this often
SHOWN_RUNS = 10  # runs drawn at first (the newest); the panel's "show more runs" draws more
FALLBACK_EVERY_S = 4.0  # the live static copy: at most this stale (the issue asks <= 5 s)
CHART_HEIGHT = 260
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

__all__ = ["Panel", "format_number", "section_of", "colab_metadata"]


def section_of(key: str) -> str:
    """`train/loss` -> `train`, TensorBoard's `Loss/train` -> `Loss`; a key without '/' -> `charts`;
    the system metrics (`system/...`) -> `System`."""
    if is_system_key(key):
        return SYSTEM_SECTION
    head, sep, _ = key.partition("/")
    return head if sep and head else "charts"


SYSTEM_SECTION = "System"


def _section_order(name: str) -> tuple[bool, str]:
    """Sections by name, the machine's (System) last."""
    return (name == SYSTEM_SECTION, name)


def _patterns(p: str | Iterable[str] | None) -> list[str] | None:
    if p is None:
        return None
    return [p] if isinstance(p, str) else list(p)


class Panel:
    """A live panel over `source`: the runs of `project` (all projects if None).

    runs: run names/ids or glob patterns to show (default: all, of which the newest `max_runs` are read);
    max_runs: how many runs are read (the newest); shown_runs: how many of them are drawn at first (the
    newest; "show more runs" in the panel draws more, in the browser; 0: all);
    keys: glob patterns of the keys to chart (default: all);
    smoothing: initial EMA weight of the charts, 0 <= s < 1;
    height: the most pixels the chart area takes before it scrolls;
    follow: the run id the header and table follow (default: the newest running run);
    max_messages_per_s: the widget-message budget.
    """

    def __init__(self, source: Source, project: str | None = None, runs: str | Iterable[str] | None = None,
                 keys: str | Iterable[str] | None = None, smoothing: float = 0.0, height: int | None = None,
                 *, follow: str | None = None, interval: float = 0.1, max_runs: int = MAX_RUNS,
                 shown_runs: int = SHOWN_RUNS,
                 max_messages_per_s: float = 10.0, static_when_idle: bool = False):
        import ipywidgets as w

        from . import widgets as pw
        from .charts import Chart, ChartControls
        from .groups import Groups
        from .stopcontrol import RunStopper

        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        keep_kernel_status_true()  # before any widget: the front end's first comm message may ask for a subshell
        self.source = source
        self.project = project
        self.publisher = Publisher(source, project, _patterns(runs), _patterns(keys), interval=interval,
                                   max_runs=max_runs, follow=follow)
        self.budget = MessageBudget(max_messages_per_s, max_messages_per_s)
        self._lock = threading.RLock()
        self._handle = None  # the panel's output
        self._fallback = None  # the live static copy's output
        self._fallback_sent = -1e18
        self._ended = False
        self._charts: dict[str, Chart] = {}
        self._sections: dict[str, tuple[w.Widget, w.GridBox]] = {}
        self._dirty: dict[tuple[str, str], float] = {}  # (key, run_id) -> when it became dirty
        self._sent: dict[tuple[str, str], float] = {}  # (key, run_id) -> last sent
        self._nf_dirty: set[str] = set()
        self._header_dirty = self._table_dirty = True
        self._header_sent = self._table_sent = self._controls_sent = -1e18
        self._controls_due = False  # new marks the controls have not been told of
        self._sparks: dict[tuple[str, str], tuple] = {}  # (run, key) -> (points, non-finite, spark, marks) last drawn
        self.messages = 0  # widget updates sent (not counting widgets' creation)
        self._stamp = 0
        # a view with no run of its own to end it (nbm.panel(), %monitor): static when nothing runs (idle.py)
        self.idle = StaticWhenIdle(self) if static_when_idle else None

        self.header = pw.HeaderWidget()
        self.table = pw.SparkTableWidget()
        self.controls = ChartControls(smoothing=float(smoothing), limit=max(int(shown_runs), 0),
                                      layout=w.Layout(flex="1 1 auto"))
        self.zoom = ZoomQueries(self.controls, self.publisher, self._lock)  # zoomed in: the range's raw points
        self.stopper = RunStopper(self._lock, lambda: self.publisher.focus)  # "stop after this step"
        self.subshell: Subshell | None = None  # where those two are heard mid-run (subshell.py), while shown
        # "show more runs" heard once the kernel is free (maybe after the output became static): redraw it
        self.controls.observe(self._limit_changed, names=["limit"])
        self._charts_box = w.VBox(layout=w.Layout(
            max_height=f"{int(height)}px" if height else None, overflow="auto" if height else None))
        self.events = EventViews()
        self.events.reader = event_reader(self.publisher, self._lock)  # the media views' older steps, from the store
        self._views_box = self.events.box
        bar = w.HBox([self.controls, self.stopper.widget], layout=w.Layout(width="100%", align_items="center"))
        self.groups = Groups(self.controls)  # runs sharing a group: one band per chart (groups.py)
        self.widget = w.VBox([self.header, bar, self.groups.widget, self.table, self._charts_box, self._views_box],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("nbm-panel")

    # the view state lives in the browser (charts.ChartControls); these read what it last told the kernel
    @property
    def smoothing(self) -> float:
        return self.controls.smoothing

    @property
    def log_scale(self) -> bool:
        return self.controls.log

    @property
    def hidden(self) -> set[str]:
        return set(self.controls.hidden)

    def attach(self, run) -> Panel:
        """A run of this kernel the panel's "stop after this step" control may stop (`run.should_stop`)."""
        self.stopper.attach(run)
        return self

    def alerts(self) -> list[dict]:
        return list(self.events.alerts)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Panel:
        """Start the publisher thread (display the panel with `show()` or `display(panel)`)."""
        if not self.publisher.running:
            self.publisher.start(self._on_update)
        return self

    def stop(self) -> None:
        """Stop following the source; the widgets keep what they show."""
        self.publisher.stop()
        if self.idle is not None:
            self.idle.close()

    def close(self) -> None:
        """Stop, and close the panel's widgets (their views disappear from the page)."""
        self.stop()
        self._unroute()
        self.zoom.widget.close()
        for ch in self._charts.values():
            ch.close()
        stack = [self.widget]
        while stack:
            wdg = stack.pop()
            stack += [c for c in getattr(wdg, "children", ()) if hasattr(c, "close")]
            wdg.close()

    def flush(self) -> Update:
        """Read everything new now and send all of it, outside the budget (the final update)."""
        with self.publisher.ticking, self._lock:  # this order, as the publisher thread's
            self.publisher._runs_read_at = -1e18
            upd = self.publisher.poll()
            self._apply(upd, final=True)
            return upd

    def show(self) -> Panel:
        """Display the panel in the cell (and its live static copy) and start it."""
        from IPython.display import display

        self.flush()
        # routed (and the kernel status guarded, subshell.py) before the front end can answer the display
        self._route()
        self._handle = display(self._bundle(), raw=True, display_id=True, metadata=colab_metadata())
        # the static copy: refreshed while runs go on; what a front end without widget JS shows,
        # and what stays in a saved notebook for a panel that never ends (nbm.panel(), %monitor)
        self._fallback = display(self._fallback_bundle(), raw=True, display_id=True)
        self._fallback_sent = time.monotonic()
        if self.idle is not None:
            self.idle.watch_cell()
        return self.start()

    def resume(self) -> Panel:
        """Start again after `end()` (the next run of a sweep in the same cell): the output is the panel again."""
        with self._lock:
            if self._ended and self._handle is not None:
                self._ended = False
                self._handle.update(self._bundle(), raw=True, metadata=colab_metadata())
                if self._fallback is not None:
                    self._fallback.update(self._fallback_bundle(), raw=True)
                    self._fallback_sent = time.monotonic()
        self._route()
        return self.start()

    def end(self) -> None:
        """Stop, and make the panel's output the static view (kept by a saved notebook, reopened
        without its kernel, untrusted, exported); the widgets stay usable from Python."""
        self.stop()
        self.set_static()

    def set_static(self) -> None:
        """Make the output the static view (the publisher goes on if it runs: `resume()` makes it live)."""
        self.flush()
        self._unroute()
        with self._lock:
            self._ended = True
            if self._handle is not None:
                self._handle.update(self._static_bundle(), raw=True)
            if self._fallback is not None:
                self._fallback.update({"text/plain": ""}, raw=True)

    def _route(self) -> None:
        """The widgets that must be heard while a cell runs (stop, zoom requests) go to a kernel subshell
        the panel owns, where the kernel has them (subshell.py); else the main shell hears them after the cell."""
        if self.subshell is None:
            self.subshell = Subshell.open()
        self.stopper.open(self.subshell)
        self.zoom.open(self.subshell)
        sub = self.subshell
        with self._lock:  # the views are made on the publisher thread, under the lock
            self.events.route((lambda widget: sub.route(widget)) if sub is not None else None)

    def _unroute(self) -> None:
        sub, self.subshell = self.subshell, None
        self.stopper.close()
        self.zoom.close()
        with self._lock:
            self.events.route(None)
        if sub is not None:
            sub.close()

    @property
    def ended(self) -> bool:
        """The output is the static view."""
        return self._ended

    def run_finished(self, run) -> None:
        """`Run.finish()` callback: the final state in the widgets; the output becomes static when
        no other run of the panel goes on."""
        try:
            others = any(tr.running and tr.id != run.id for tr in self.publisher.runs.values())
            if others:
                self.flush()
            else:
                self.end()
        except Exception as e:  # finishing the run must not fail because of the panel
            log.warning("nbmonitor: could not show the panel's final state: %s", e, exc_info=True)

    def _ipython_display_(self) -> None:
        if self._handle is None:  # a panel is shown once; make another for a second view
            self.show()

    def _limit_changed(self, _change) -> None:
        if self._ended:
            self.refresh_display()

    def refresh_display(self) -> None:
        """Bring the displayed output up to date (the static view once ended, else the live copy)."""
        with self._lock:
            if self._handle is not None and self._ended:
                self._handle.update(self._static_bundle(), raw=True)
            elif self._fallback is not None:
                self._fallback.update(self._fallback_bundle(), raw=True)
                self._fallback_sent = time.monotonic()

    def _bundle(self) -> dict:
        return {
            _WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id},
            "text/plain": self.text(),
        }

    def _static_bundle(self) -> dict:
        return {"text/plain": self.text(), "text/html": self.html()}

    def _fallback_bundle(self) -> dict:
        return {"text/html": self.html(live=True)}

    # -- controls (also from Python; the browser applies them) --------------------------------------
    def set_smoothing(self, weight: float) -> None:
        self.controls.smoothing = weight

    def set_log_scale(self, on: bool) -> None:
        with self._lock:
            self.controls.log = bool(on)
            self._nf_dirty.update(self._charts)
            self._send(final=True)

    def set_run_visible(self, run_id: str, visible: bool) -> None:
        h = [r for r in self.controls.hidden if r != run_id]
        self.controls.hidden = h if visible else [*h, run_id]

    def reset_zoom(self) -> None:
        for ch in self._charts.values():
            ch.reset_zoom()
        self.controls.reset += 1

    # -- updates (the publisher thread) --------------------------------------------------------------
    def _on_update(self, upd: Update) -> None:
        with self._lock:
            self._apply(upd, final=False)
            if (self._fallback is not None and not self._ended and time.monotonic() - self._fallback_sent >= FALLBACK_EVERY_S
                    and any(tr.running for tr in self.publisher.runs.values())):
                self.refresh_display()
            if self.idle is not None:
                self.idle.step(upd)

    def _apply(self, upd: Update, final: bool) -> None:
        pub = self.publisher
        now = time.monotonic()
        for run_id in upd.dropped_runs:
            self._drop_run(run_id)
        if upd.runs_changed:
            self.groups.refresh(pub.runs, self._charts)
            self._update_legend()
            self.stopper.refresh()
            self._header_dirty = self._table_dirty = True
        dirty, runs, focus, touch = self._dirty, pub.runs, pub.focus, self.groups.touch  # once, not once a line
        for run_id, key in upd.series:
            dirty.setdefault((key, run_id), now)
            touch(run_id, key, now)
            if runs[run_id].series[key].decimator.nonfinite:
                self._nf_dirty.add(key)
            if run_id == focus:
                self._table_dirty = True
        if upd.series or upd.runs_changed:
            self._header_dirty = True
        if self.groups.update_timing(pub.runs):  # a straggler in a group: the header's flag
            self._header_dirty = True
        if upd.events:
            self._add_events(upd.events)
        if upd.axes_changed:
            self._axes_changed(now)
        focus_run = pub.focus_run()
        if focus_run is not None and focus_run.running:
            self._header_dirty = True  # steps/s and elapsed move on
        self._send(final)

    def _send(self, final: bool) -> None:
        self._controls_dirty = False
        now = time.monotonic()
        spend = self._spend_all if final else self._spend
        if self._header_dirty and (final or now - self._header_sent >= HEADER_EVERY_S) and spend():
            self._send_header()
            self._header_sent = now
        if self._table_dirty and (final or now - self._table_sent >= TABLE_EVERY_S) and spend():
            self._send_table(live=not final)
            self._table_sent = now
        pub = self.publisher
        for key in sorted(self._nf_dirty):
            if key in self._charts and spend():
                self._send_nonfinite(key)
                self._nf_dirty.discard(key)
        bands = self.groups.pending(pub.runs, self._charted, final)  # groups' bands (groups.py), sent as lines
        # least recently sent first (then the longest dirty, then as listed): a heap, as only the first
        # few are sent a tick while hundreds of lines wait
        sent, n = self._sent.get, len(self._dirty)
        queue = [(*(bands.get(kr) or (sent(kr, -1.0), t)), i, kr) for i, (kr, t) in enumerate(self._dirty.items())] \
            if bands else [(sent(kr, -1.0), t, i, kr) for i, (kr, t) in enumerate(self._dirty.items())]
        queue += [(*rank, n + i, kr) for i, (kr, rank) in enumerate(bands.items())]
        heapq.heapify(queue)
        while queue:
            key, run_id = heapq.heappop(queue)[-1]
            if (key, run_id) in bands:
                if not spend():
                    break
                if self.groups.send_band(key, run_id, pub.runs, self._chart):
                    self._controls_dirty = True
                continue
            tr = pub.runs.get(run_id)
            if tr is None or key not in tr.series or self.key_hidden(key):
                del self._dirty[(key, run_id)]
                continue
            if not spend():
                break
            chart = self._chart(key)
            label, xmap = xmapper(tr, key)  # define_metric(step_metric=): drawn against that metric
            if chart.set_x_label(label):
                self._controls_dirty = True
            if chart.set_data(run_id, tr.label, tr.color, tr.series[key].decimator, xmap):
                self._controls_dirty = True
            self._sent[(key, run_id)] = now
            del self._dirty[(key, run_id)]
        # new marks: the browser-side controls must know them (while hundreds of lines are made, ten a
        # second, the list goes at most every CONTROLS_EVERY_S, not once a line)
        self._controls_due |= self._controls_dirty
        self._controls_dirty = False
        if self._controls_due and (final or now - self._controls_sent >= CONTROLS_EVERY_S):
            self.controls.charts = [ch.models() for ch in self._charts.values()]
            self._controls_due = False
            self._controls_sent = now

    def _spend(self) -> bool:
        ok = self.budget.take()
        self.messages += ok
        return ok

    def _spend_all(self) -> bool:
        self.budget.force()
        self.messages += 1
        return True

    # -- pieces -----------------------------------------------------------------------------------------
    def _chart(self, key: str):
        ch = self._charts.get(key)
        if ch is None:
            import ipywidgets as w

            from .charts import Chart

            ch = self._charts[key] = Chart(key, CHART_HEIGHT, log=self.log_scale)
            self._controls_dirty = True
            name = section_of(key)
            sec = self._sections.get(name)
            if sec is None:  # an Accordion of one: collapses in the browser, also mid-run
                grid = w.GridBox(layout=w.Layout(
                    grid_template_columns="repeat(auto-fill, minmax(min(400px, 100%), 1fr))",
                    grid_gap="4px 8px", width="100%", overflow="hidden"))
                grid.add_class("nbm-chart-grid")
                box = w.Accordion(children=[grid], titles=(name,), selected_index=0)
                box.add_class("nbm-section")
                sec = self._sections[name] = (box, grid)
                self._charts_box.children = tuple(self._sections[n][0] for n in sorted(self._sections, key=_section_order))
            grid = sec[1]
            keys = sorted(k for k in self._charts if section_of(k) == name)
            grid.children = tuple(self._charts[k].figure for k in keys)
        return ch

    def _send_header(self) -> None:
        pub = self.publisher
        tr = pub.focus_run()
        h = self.header
        self._stamp += 1
        with h.hold_sync():
            h.project = self.project or (tr.record.project if tr else "")
            if tr is not None:
                r = tr.record
                h.run = tr.label
                h.color = tr.color
                h.state = state_label(r)
                h.step = tr.step
                h.total = int(r.total_steps or 0)
                # a logdir's run (active/idle) ends at its last event: its wall time is what it knows
                end = time.time() if r.state == "running" else (r.updated or r.heartbeat or r.created)
                h.elapsed = max(0.0, end - r.created)
                rate = tr.steps_per_s()
                h.rate = float(rate) if rate is not None and math.isfinite(rate) else -1.0
            h.runs = len(pub.runs)
            h.error = pub.last_error or ""
            h.alerts = self.alerts()
            h.flags = self.groups.flags(pub.runs)
            h.stamp = self._stamp
        self._header_dirty = False

    def _table_rows(self, tr: TrackedRun | None, live: bool = False) -> tuple[list[dict], list[np.ndarray]]:
        """The table of `tr`'s keys; `live`: a sparkline is drawn again only once 1/SPARK_REDRAW of the key's
        points are new (it looks the same before; last/min/max are always exact), not on every refresh."""
        rows, sparks = [], []
        if tr is None:
            return rows, sparks
        offset = 0
        for key in sorted(tr.series):
            # The table is the run's own keys; system metrics have their section's charts (as W&B's)
            if is_system_key(key) or not self.publisher.key_wanted(key) or tr.axes.hidden(key):
                continue
            dec = tr.series[key].decimator
            got = self._sparks.get((tr.id, key)) if live else None
            if got is not None and got[1] == dec.nonfinite and dec.count - got[0] < max(1, got[0] // SPARK_REDRAW):
                spark, nf = got[2], got[3]
            else:
                spark, nf = series_means(tr, key, SPARK_POINTS)  # against its step metric, if it has one
                self._sparks[(tr.id, key)] = (dec.count, dec.nonfinite, spark, nf)
            last = dec.last[1] if dec.last else float("nan")
            lo, hi = dec.min_max()
            rows.append({
                "key": key, "last": format_number(last), "last_exact": repr(last),
                "min": format_number(lo), "max": format_number(hi),
                "n": dec.count, "nonfinite": dec.nonfinite, "marks": np.flatnonzero(nf).tolist(),
                "offset": offset, "length": len(spark),
            })
            sparks.append(spark)
            offset += len(spark)
        return rows, sparks

    def _send_table(self, live: bool = False) -> None:
        tr = self.publisher.focus_run()
        rows, sparks = self._table_rows(tr, live)
        t = self.table
        with t.hold_sync():
            t.title = f"{tr.label} · {len(rows)} key{'' if len(rows) == 1 else 's'}" if tr else ""
            t.color = tr.color if tr else "#1f77b4"
            t.spark = as_f32(np.concatenate(sparks)) if sparks else b""
            t.rows = rows
        self._table_dirty = False

    def _send_nonfinite(self, key: str) -> None:
        marks, lo, hi = [], math.inf, -math.inf
        for run_id, tr in self.publisher.runs.items():
            s = tr.series.get(key)
            if s is None:
                continue
            dec = s.decimator
            if np.isfinite(dec.min):
                lo, hi = min(lo, dec.min), max(hi, dec.max)
            if dec.nonfinite and run_id not in self.hidden:
                xmap = xmapper(tr, key)[1]
                marks.append(xmap(*dec.nonfinite_marks()) if xmap else dec.nonfinite_marks())
        if self.log_scale and lo <= 0:
            lo = hi if hi > 0 else 1.0
        if self._chart(key).set_nonfinite(marks, lo, hi):
            self._controls_dirty = True

    def _charted(self, key: str) -> bool:
        return self.publisher.key_wanted(key) and not self.key_hidden(key)

    def key_hidden(self, key: str) -> bool:
        """`define_metric(key, hidden=True)` in one of the panel's runs: no chart, no table row."""
        return any(tr.axes.hidden(key) for tr in self.publisher.runs.values() if tr.axes)

    def _axes_changed(self, now: float) -> None:
        """define_metric's definitions arrived: redraw every series (its x may be another metric now),
        drop the charts of hidden keys."""
        self._sparks.clear()  # a sparkline may be drawn against another metric now
        for run_id, tr in self.publisher.runs.items():
            for key in tr.series:
                if self.key_hidden(key):
                    self._remove_chart(key)
                elif self.publisher.key_wanted(key):
                    self._dirty.setdefault((key, run_id), now)
        self._table_dirty = True

    def _remove_chart(self, key: str) -> None:
        ch = self._charts.pop(key, None)
        if ch is None:
            return
        name = section_of(key)
        grid = self._sections[name][1]
        grid.children = tuple(self._charts[k].figure for k in sorted(self._charts) if section_of(k) == name)
        if not grid.children:
            self._sections.pop(name)
            self._charts_box.children = tuple(self._sections[n][0] for n in sorted(self._sections, key=_section_order))
        self._nf_dirty.discard(key)
        self.controls.charts = [c.models() for c in self._charts.values()]
        ch.close()

    def _drop_run(self, run_id: str) -> None:
        for key, ch in self._charts.items():
            ch.remove(run_id)
            self._nf_dirty.add(key)
        self._controls_dirty = True
        for kr in [kr for kr in self._dirty if kr[1] == run_id]:
            del self._dirty[kr]
        for rk in [rk for rk in self._sparks if rk[0] == run_id]:
            del self._sparks[rk]

    def _update_legend(self) -> None:
        runs = [{"id": r, "name": tr.label, "color": tr.color, "state": tr.record.state}
                for r, tr in self.publisher.runs.items()] + self.groups.legend(self.publisher.runs)
        with self.controls.hold_sync():
            if runs != self.controls.runs:
                self.controls.runs = runs
            if self.controls.total != self.publisher.total_runs:
                self.controls.total = self.publisher.total_runs

    # -- events (events.py) ---------------------------------------------------------------------------
    def _add_events(self, batches) -> None:
        if self.events.add(batches):
            self._header_dirty = True

    # -- static fallback (static.py) ------------------------------------------------------------------
    def text(self) -> str:
        """Deterministic text: the focus run's keys with unicode sparklines and last/min/max."""
        with self._lock:
            groups = self.groups.text(self.publisher.runs, self._charted)
            return panel_text(self) + (f"\n{groups}" if groups else "")

    def html(self, live: bool = False) -> str:
        """Static, escaped HTML: header, PNG sparkline table, alerts, the event views' own HTML."""
        with self._lock:
            rows, _ = self._table_rows(self.publisher.focus_run())
            groups = self.groups.html(self.publisher.runs, self._charted)
            return panel_html(self, rows, [*groups, *self.events.html()], live=live)

    def __repr__(self) -> str:
        return self.text()
