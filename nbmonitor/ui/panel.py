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

import logging
import math
import threading
import time
from collections.abc import Iterable

import numpy as np

from ..sources import Source
from ..store import is_system_key
from .display import colab_metadata
from .events import EventViews
from .publisher import MessageBudget, Publisher, TrackedRun, Update, as_f32
from .static import SPARK_POINTS, format_number, panel_html, panel_text

log = logging.getLogger("nbmonitor.ui.panel")

HEADER_EVERY_S = 0.5
TABLE_EVERY_S = 0.5
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

    runs: run names/ids or glob patterns to show (default: the newest `max_runs`);
    keys: glob patterns of the keys to chart (default: all);
    smoothing: initial EMA weight of the charts, 0 <= s < 1;
    height: the most pixels the chart area takes before it scrolls;
    follow: the run id the header and table follow (default: the newest running run);
    max_messages_per_s: the widget-message budget.
    """

    def __init__(self, source: Source, project: str | None = None, runs: str | Iterable[str] | None = None,
                 keys: str | Iterable[str] | None = None, smoothing: float = 0.0, height: int | None = None,
                 *, follow: str | None = None, interval: float = 0.1, max_runs: int = 10,
                 max_messages_per_s: float = 10.0):
        import ipywidgets as w

        from . import widgets as pw
        from .charts import Chart, ChartControls

        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
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
        self._header_sent = self._table_sent = -1e18
        self.messages = 0  # widget updates sent (not counting widgets' creation)
        self._stamp = 0

        self.header = pw.HeaderWidget()
        self.table = pw.SparkTableWidget()
        self.controls = ChartControls(smoothing=float(smoothing))
        self._charts_box = w.VBox(layout=w.Layout(
            max_height=f"{int(height)}px" if height else None, overflow="auto" if height else None))
        self.events = EventViews()
        self._views_box = self.events.box
        self.widget = w.VBox([self.header, self.controls, self.table, self._charts_box, self._views_box],
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

    def close(self) -> None:
        """Stop, and close the panel's widgets (their views disappear from the page)."""
        self.stop()
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
        self._handle = display(self._bundle(), raw=True, display_id=True, metadata=colab_metadata())
        # the static copy: refreshed while runs go on; what a front end without widget JS shows,
        # and what stays in a saved notebook for a panel that never ends (nbm.panel(), %monitor)
        self._fallback = display(self._fallback_bundle(), raw=True, display_id=True)
        self._fallback_sent = time.monotonic()
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
        return self.start()

    def end(self) -> None:
        """Stop, and make the panel's output the static view (kept by a saved notebook, reopened
        without its kernel, untrusted, exported); the widgets stay usable from Python."""
        self.stop()
        self.flush()
        with self._lock:
            self._ended = True
            if self._handle is not None:
                self._handle.update(self._static_bundle(), raw=True)
            if self._fallback is not None:
                self._fallback.update({"text/plain": ""}, raw=True)

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

    def _apply(self, upd: Update, final: bool) -> None:
        pub = self.publisher
        now = time.monotonic()
        for run_id in upd.dropped_runs:
            self._drop_run(run_id)
        if upd.runs_changed:
            self._update_legend()
            self._header_dirty = self._table_dirty = True
        for run_id, key in upd.series:
            self._dirty.setdefault((key, run_id), now)
            tr = pub.runs[run_id]
            if tr.series[key].decimator.nonfinite:
                self._nf_dirty.add(key)
            if run_id == pub.focus:
                self._table_dirty = True
        if upd.series or upd.runs_changed:
            self._header_dirty = True
        if upd.events:
            self._add_events(upd.events)
        focus = pub.focus_run()
        if focus is not None and focus.running:
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
            self._send_table()
            self._table_sent = now
        pub = self.publisher
        for key in sorted(self._nf_dirty):
            if key in self._charts and spend():
                self._send_nonfinite(key)
                self._nf_dirty.discard(key)
        order = sorted(self._dirty, key=lambda kr: (self._sent.get(kr, -1.0), self._dirty[kr]))
        for key, run_id in order:
            tr = pub.runs.get(run_id)
            if tr is None or key not in tr.series:
                del self._dirty[(key, run_id)]
                continue
            if not spend():
                break
            chart = self._chart(key)
            if chart.set_data(run_id, tr.record.name, tr.color, tr.series[key].decimator):
                self._controls_dirty = True
            self._sent[(key, run_id)] = now
            del self._dirty[(key, run_id)]
        if self._controls_dirty:  # new marks: the browser-side controls must know them
            self.controls.charts = [ch.models() for ch in self._charts.values()]
            self._controls_dirty = False

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
                h.run = r.name
                h.color = tr.color
                h.state = r.state
                h.step = tr.step
                h.total = int(r.total_steps or 0)
                end = time.time() if tr.running else (r.updated or r.heartbeat or r.created)
                h.elapsed = max(0.0, end - r.created)
                rate = tr.steps_per_s()
                h.rate = float(rate) if rate is not None and math.isfinite(rate) else -1.0
            h.runs = len(pub.runs)
            h.error = pub.last_error or ""
            h.alerts = self.alerts()
            h.stamp = self._stamp
        self._header_dirty = False

    def _table_rows(self, tr: TrackedRun | None) -> tuple[list[dict], list[np.ndarray]]:
        rows, sparks = [], []
        if tr is None:
            return rows, sparks
        offset = 0
        for key in sorted(tr.series):
            # The table is the run's own keys; system metrics have their section's charts (as W&B's)
            if is_system_key(key) or not self.publisher.key_wanted(key):
                continue
            dec = tr.series[key].decimator
            spark, nf = dec.means(SPARK_POINTS)
            last = dec.last[1] if dec.last else float("nan")
            rows.append({
                "key": key, "last": format_number(last), "last_exact": repr(last),
                "min": format_number(dec.min), "max": format_number(dec.max),
                "n": dec.count, "nonfinite": dec.nonfinite, "marks": np.flatnonzero(nf).tolist(),
                "offset": offset, "length": len(spark),
            })
            sparks.append(spark)
            offset += len(spark)
        return rows, sparks

    def _send_table(self) -> None:
        tr = self.publisher.focus_run()
        rows, sparks = self._table_rows(tr)
        t = self.table
        with t.hold_sync():
            t.title = f"{tr.record.name} · {len(rows)} key{'' if len(rows) == 1 else 's'}" if tr else ""
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
                marks.append(dec.nonfinite_marks())
        if self.log_scale and lo <= 0:
            lo = hi if hi > 0 else 1.0
        if self._chart(key).set_nonfinite(marks, lo, hi):
            self._controls_dirty = True

    def _drop_run(self, run_id: str) -> None:
        for key, ch in self._charts.items():
            ch.remove(run_id)
            self._nf_dirty.add(key)
        self._controls_dirty = True
        for kr in [kr for kr in self._dirty if kr[1] == run_id]:
            del self._dirty[kr]

    def _update_legend(self) -> None:
        runs = [{"id": r, "name": tr.record.name, "color": tr.color, "state": tr.record.state}
                for r, tr in self.publisher.runs.items()]
        if runs != self.controls.runs:
            self.controls.runs = runs

    # -- events (events.py) ---------------------------------------------------------------------------
    def _add_events(self, batches) -> None:
        if self.events.add(batches):
            self._header_dirty = True

    # -- static fallback (static.py) ------------------------------------------------------------------
    def text(self) -> str:
        """Deterministic text: the focus run's keys with unicode sparklines and last/min/max."""
        with self._lock:
            return panel_text(self)

    def html(self, live: bool = False) -> str:
        """Static, escaped HTML: header, PNG sparkline table, alerts, the event views' own HTML."""
        with self._lock:
            rows, _ = self._table_rows(self.publisher.focus_run())
            return panel_html(self, rows, self.events.html(), live=live)

    def __repr__(self) -> str:
        return self.text()
