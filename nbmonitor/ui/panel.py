"""The live panel: header, sparkline table, charts by key prefix, event views.

    Panel(source, project=None, runs=None, keys=None, smoothing=0.0, height=None)

builds a panel over any `Source` (the live runs of this process, a store another
process writes, TensorBoard event files); `display(panel)` (or `panel.show()`)
puts it in the cell and starts its publisher thread; `panel.stop()` stops it.
`nbmonitor.init()` shows one automatically (`show_live_panel`), updated until
the run finishes, when the display is replaced by the final state with a
static `text/html` and a deterministic `text/plain`, so a saved notebook shows
the result where widget JavaScript never runs.

Widget messages are spent from a `MessageBudget` (10 a second by default):
the header and the table at most twice a second each, charts with the rest,
least recently sent first; so the kernel's message rate does not grow with
the number of `log()` calls. Controls (smoothing, log scale, runs shown) are
ipywidgets: they act when the kernel is free to hear them, i.e. not while the
same kernel runs a training cell.
"""

from __future__ import annotations

import html
import logging
import math
import threading
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..output.sparkline import svg_sparkline, text_sparkline
from ..sources import Source
from ..store import is_system_key
from .publisher import MessageBudget, Publisher, TrackedRun, Update, as_f32

log = logging.getLogger("nbmonitor.ui.panel")

HEADER_EVERY_S = 0.5
TABLE_EVERY_S = 0.5
SPARK_POINTS = 60
MAX_ALERTS = 20
CHART_HEIGHT = 260
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


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


def format_number(v: float) -> str:
    """Short and exact when that fits: repr up to 10 characters, else 6 significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    r = repr(float(v))
    if r.endswith(".0") and abs(v) < 1e15:
        r = r[:-2]
    return r if len(r) <= 10 else format(v, ".6g")


def _static_spark(dec) -> str:
    """Inline SVG of a series; stretches that held NaN/inf are red dots (sparkline.svg_sparkline)."""
    m, nf = dec.means(SPARK_POINTS)
    return svg_sparkline(np.where(nf & ~np.isfinite(m), np.nan, m), points=SPARK_POINTS)


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

        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        self.source = source
        self.project = project
        self.publisher = Publisher(source, project, _patterns(runs), _patterns(keys), interval=interval,
                                   max_runs=max_runs, follow=follow)
        self.budget = MessageBudget(max_messages_per_s, max_messages_per_s)
        self.smoothing = float(smoothing)
        self.log_scale = False
        self.hidden: set[str] = set()
        self._lock = threading.RLock()
        self._handle = None
        self._views_loaded = False
        self._factories: list = []
        self._views: dict[int, Any] = {}  # factory index -> view
        self._alerts: list[dict] = []
        self._charts: dict[str, pw.Chart] = {}
        self._sections: dict[str, tuple[w.Widget, w.GridBox]] = {}
        self._dirty: dict[tuple[str, str], float] = {}  # (key, run_id) -> when it became dirty
        self._sent: dict[tuple[str, str], float] = {}  # (key, run_id) -> last sent
        self._nf_dirty: set[str] = set()
        self._header_dirty = self._table_dirty = True
        self._header_sent = self._table_sent = -1e18
        self._legend_items: dict[str, w.Widget] = {}
        self.messages = 0  # widget updates sent (not counting widgets' creation)
        self._stamp = 0

        self.header = pw.HeaderWidget()
        self.table = pw.SparkTableWidget()
        self._smooth = w.FloatSlider(value=self.smoothing, min=0.0, max=0.99, step=0.01, description="smoothing",
                                     continuous_update=False, readout_format=".2f",
                                     layout=w.Layout(width="260px"))
        self._log = w.ToggleButton(value=False, description="log scale", tooltip="logarithmic y axis",
                                   layout=w.Layout(width="auto"))
        self._reset = w.Button(description="reset zoom", tooltip="show the whole of every chart",
                               layout=w.Layout(width="auto"))
        self._smooth.observe(self._on_smoothing, "value")
        self._log.observe(self._on_log, "value")
        self._reset.on_click(lambda _b: self.reset_zoom())
        self._legend = w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        controls = w.HBox([self._smooth, self._log, self._reset, self._legend],
                          layout=w.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 12px"))
        self._charts_box = w.VBox(layout=w.Layout(
            max_height=f"{int(height)}px" if height else None, overflow="auto" if height else None))
        self._views_box = w.Accordion()
        self._views_box.layout.display = "none"
        self.widget = w.VBox([self.header, controls, self.table, self._charts_box, self._views_box],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("nbm-panel")

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
        with self._lock:
            self.publisher._runs_read_at = -1e18
            upd = self.publisher.poll()
            self._apply(upd, final=True)
            return upd

    def show(self) -> Panel:
        """Display the panel in the cell (with its static fallback) and start it."""
        from IPython.display import display

        self.flush()
        self._handle = display(self._bundle(), raw=True, display_id=True)
        return self.start()

    def run_finished(self, run) -> None:
        """`Run.finish()` callback: the final state in the widgets and in the saved output."""
        try:
            others = any(tr.running and tr.id != run.id for tr in self.publisher.runs.values())
            if not others:
                self.stop()
            self.flush()
            self.refresh_display()
        except Exception as e:  # finishing the run must not fail because of the panel
            log.warning("nbmonitor: could not show the panel's final state: %s", e, exc_info=True)

    def _ipython_display_(self) -> None:
        if self._handle is None:  # a panel is shown once; make another for a second view
            self.show()

    def refresh_display(self) -> None:
        """Replace the displayed fallback (text/html, text/plain) with the current state."""
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)

    def _bundle(self) -> dict:
        return {
            _WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id},
            "text/plain": self.text(),
            "text/html": self.html(),
        }

    # -- controls ---------------------------------------------------------------------------------
    def set_smoothing(self, weight: float) -> None:
        self.smoothing = min(max(float(weight), 0.0), 0.99)
        if self._smooth.value != self.smoothing:
            self._smooth.value = self.smoothing
        self._resend_all()

    def set_log_scale(self, on: bool) -> None:
        self.log_scale = bool(on)
        if self._log.value != self.log_scale:
            self._log.value = self.log_scale
        with self._lock:  # bqplot cannot swap an axis' scale in place: new charts, same places
            old = self._charts
            self._charts = {}
            for key in old:
                self._chart(key)
            for ch in old.values():
                ch.close()
        self._resend_all()

    def set_run_visible(self, run_id: str, visible: bool) -> None:
        with self._lock:
            (self.hidden.discard if visible else self.hidden.add)(run_id)
            for ch in self._charts.values():
                ch.set_visible(run_id, visible)
        if visible:
            self._resend_all()

    def reset_zoom(self) -> None:
        for ch in self._charts.values():
            ch.reset_zoom()

    def _on_smoothing(self, change) -> None:
        if change["new"] != self.smoothing:
            self.set_smoothing(change["new"])

    def _on_log(self, change) -> None:
        if change["new"] != self.log_scale:
            self.set_log_scale(change["new"])

    def _resend_all(self) -> None:
        with self._lock:
            now = time.monotonic()
            for key in self._charts:
                for run_id, tr in self.publisher.runs.items():
                    if key in tr.series:
                        self._dirty.setdefault((key, run_id), now)
                self._nf_dirty.add(key)
            self._send(final=True)  # the user asked: no waiting for the budget

    # -- updates (the publisher thread) --------------------------------------------------------------
    def _on_update(self, upd: Update) -> None:
        with self._lock:
            self._apply(upd, final=False)

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
            if run_id in self.hidden:
                continue
            if not spend():
                break
            chart = self._chart(key)
            chart.set_data(run_id, tr.record.name, tr.color, tr.series[key].decimator, self.smoothing)
            self._sent[(key, run_id)] = now
            del self._dirty[(key, run_id)]

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

            from .widgets import Chart

            ch = self._charts[key] = Chart(key, CHART_HEIGHT, log=self.log_scale)
            name = section_of(key)
            sec = self._sections.get(name)
            if sec is None:
                title = w.Label(value=name)
                title.add_class("nbm-section-title")
                title.style.font_weight = "bold"
                grid = w.GridBox(layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(400px, 1fr))",
                                                 grid_gap="4px 8px", width="100%"))
                box = w.VBox([title, grid])
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
            h.alerts = list(self._alerts)
            h.stamp = self._stamp
        self._header_dirty = False

    def _table_rows(self, tr: TrackedRun | None) -> tuple[list[dict], list[np.ndarray]]:
        rows, sparks = [], []
        if tr is None:
            return rows, sparks
        offset = 0
        for key in sorted(tr.series):
            if not self.publisher.key_wanted(key):
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
        self._chart(key).set_nonfinite(marks, lo, hi)

    def _drop_run(self, run_id: str) -> None:
        for key, ch in self._charts.items():
            ch.remove(run_id)
            self._nf_dirty.add(key)
        for kr in [kr for kr in self._dirty if kr[1] == run_id]:
            del self._dirty[kr]
        item = self._legend_items.pop(run_id, None)
        if item is not None:
            self._legend.children = tuple(c for c in self._legend.children if c is not item)
            item.close()

    def _update_legend(self) -> None:
        import ipywidgets as w

        for run_id, tr in self.publisher.runs.items():
            item = self._legend_items.get(run_id)
            if item is None:
                dot = w.HTML(f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
                             f'background:{html.escape(tr.color)}"></span>', layout=w.Layout(width="14px"))
                cb = w.Checkbox(value=run_id not in self.hidden, description=tr.record.name, indent=False,
                                layout=w.Layout(width="auto"))
                cb.observe(lambda ch, rid=run_id: self.set_run_visible(rid, ch["new"]), "value")
                item = self._legend_items[run_id] = w.HBox([dot, cb], layout=w.Layout(align_items="center"))
                item.add_class("nbm-legend-item")
                self._legend.children = tuple(self._legend_items[r] for r in self.publisher.runs
                                              if r in self._legend_items)
            cb = item.children[1]
            tip = f"{tr.record.name} ({tr.record.state})"
            if cb.tooltip != tip:
                cb.tooltip = tip

    # -- events -------------------------------------------------------------------------------------------
    def _add_events(self, batches) -> None:
        if not self._views_loaded:
            self._views_loaded = True
            try:
                from .views import load_views

                self._factories = load_views()
            except Exception as exc:  # a broken view module must not take the panel down
                log.warning("nbmonitor: could not load the panel's event views: %s", exc)
                self._factories = []
        for record, events in batches:
            for e in events:
                if e.kind == "alert":
                    p = e.payload or {}
                    self._alerts.append({"id": f"{record.id}:{e.seq}", "run": record.name,
                                         "title": str(p.get("title", "")), "text": str(p.get("text", "")),
                                         "level": str(p.get("level", "INFO")), "time": e.time})
                    del self._alerts[:-MAX_ALERTS]
                    self._header_dirty = True
            for i, (kinds, factory) in enumerate(self._factories):
                mine = [e for e in events if e.kind in kinds]
                if not mine:
                    continue
                view = self._views.get(i)
                try:
                    if view is None:
                        view = self._views[i] = factory()
                        box = self._views_box
                        box.children = (*box.children, view.widget)
                        box.set_title(len(box.children) - 1, str(view.title))
                        if box.selected_index is None:
                            box.selected_index = 0
                        box.layout.display = None
                    view.add(record, mine)
                except Exception as e:
                    log.warning("nbmonitor: event view for %s failed: %s", kinds, e, exc_info=True)

    # -- static fallback ----------------------------------------------------------------------------------
    def _summary_line(self) -> tuple[str, TrackedRun | None]:
        tr = self.publisher.focus_run()
        if tr is None:
            where = f"project {self.project}" if self.project else "all projects"
            return f"nbmonitor panel: no runs yet in {where}", None
        r = tr.record
        steps = tr.step + 1
        total = f"/{r.total_steps}" if r.total_steps else ""
        others = len(self.publisher.runs) - 1
        more = f" (+{others} more run{'s' if others > 1 else ''})" if others > 0 else ""
        unit = "step" if steps == 1 and not total else "steps"
        return f"nbmonitor panel: {r.project}/{r.name} · {r.state} · {steps}{total} {unit}{more}", tr

    def text(self) -> str:
        """Deterministic text: the focus run's keys with unicode sparklines and last/min/max."""
        with self._lock:
            line, tr = self._summary_line()
            lines = [line]
            if tr is not None:
                keys = [k for k in sorted(tr.series) if self.publisher.key_wanted(k)]
                wk = max((len(k) for k in keys), default=0)
                for k in keys:
                    dec = tr.series[k].decimator
                    last = dec.last[1] if dec.last else float("nan")
                    m, _ = dec.means(20)
                    lines.append(f"  {k:>{wk}} {text_sparkline(m, 20)} last {format_number(last)}"
                                 f"  min {format_number(dec.min)}  max {format_number(dec.max)}")
            return "\n".join(lines)

    def html(self) -> str:
        """Static, escaped HTML: header, sparkline table with inline SVG, event views' own HTML."""
        e = html.escape
        with self._lock:
            line, tr = self._summary_line()
            parts = ['<div class="nbm-panel-static" style="font-family:sans-serif;font-size:13px">',
                     f"<div><b>{e(line)}</b></div>"]
            if len(self.publisher.runs) > 1:
                runs = " ".join(
                    f'<span style="color:{e(t.color)}">●</span> {e(t.record.name)} <span style="color:#777">'
                    f"({e(t.record.state)}, {t.step + 1} steps)</span>"
                    for t in self.publisher.runs.values())
                parts.append(f"<div>{runs}</div>")
            rows, _ = self._table_rows(tr)
            if rows and tr is not None:
                body = []
                for row in rows:
                    dec = tr.series[row["key"]].decimator
                    body.append(
                        f'<tr><td style="text-align:left;padding-right:8px">{e(row["key"])}</td>'
                        f"<td>{_static_spark(dec)}</td>"
                        + "".join(f'<td style="text-align:right;padding-left:8px;font-family:monospace">'
                                  f"{e(row[c])}</td>" for c in ("last", "min", "max"))
                        + "</tr>")
                parts.append('<table class="nbm-sparktable-static"><tr><th style="text-align:left">key</th>'
                             "<th>history</th><th>last</th><th>min</th><th>max</th></tr>"
                             + "".join(body) + "</table>")
            for a in self._alerts:
                parts.append(f'<div style="border-left:4px solid #d62728;padding-left:6px;margin-top:4px">'
                             f'<b>{e(a["level"])} · {e(a["title"])}</b> ({e(a["run"])}) {e(a["text"])}</div>')
            for view in self._views.values():
                try:
                    parts.append(view.html())
                except Exception as ex:
                    log.warning("nbmonitor: event view html failed: %s", ex)
            parts.append("</div>")
            return "".join(parts)

    def __repr__(self) -> str:
        return self.text()


# -- the automatic panel of nbmonitor.init() -----------------------------------------------------------
_live: dict[tuple[int, str], tuple[Panel, Any]] = {}  # (id(store), project) -> (panel, cell)


def _cell_id() -> Any:
    try:
        from IPython import get_ipython

        ip = get_ipython()
        return getattr(ip, "execution_count", None)
    except Exception:
        return None


def show_live_panel(run, new: bool = False, **options: Any) -> Panel | None:
    """Show (or, for the runs of one cell, reuse) the panel of `run`'s project; None outside a notebook.

    Several runs started in one cell (a sweep in a loop) share one panel, overlaid;
    a new cell gets a new panel and the previous one stops with its last state.
    """
    from .._env import in_notebook
    from ..sources import LiveSource

    if not in_notebook():
        return None
    key = (id(run.store), run.project)
    cell = _cell_id()
    panel, panel_cell = _live.get(key, (None, None))
    if panel is not None and not new and panel_cell == cell and not options:
        panel.publisher.follow(run.id)
        panel.start()
    else:
        if panel is not None and not new:
            panel.stop()
        panel = Panel(LiveSource(run.store), project=run.project, follow=run.id, **options)
        if not new:
            _live[key] = (panel, cell)
        panel.show()
    run.on_finish(panel.run_finished)
    return panel
