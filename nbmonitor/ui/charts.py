"""The panel's charts: one bqplot figure per key, and the controls that act on them in the browser.

`Chart` holds a key's figure: one `Lines` mark per run carrying the *raw* downsampled
series (x steps, y values), a linear and a log y scale made up front, a pan/zoom
interaction on the x axis only (the browser fits y to the zoomed range), and red
crosses for NaN/inf. `ChartControls` (js/charts.js) is an anywidget holding the model
ids of every chart's marks and scales: smoothing, log scale, runs shown and reset zoom
act on those models in the browser, so they work while the kernel is busy with a
training cell (an ipywidgets callback would wait for it). The hover read-out (value,
step and run of the nearest point) is drawn there too.

Traits of `ChartControls` (the Python <-> JS contract):
  uid: str, this panel's (the browser keeps the resolved models under it)
  smoothing: float, 0 <= s < 1, TensorBoard's debiased EMA drawn over the faded raw line
  log: bool, logarithmic y axes (non-positive values are gaps)
  hidden: list of run ids not drawn
  reset: int, bumped to reset every chart's zoom
  runs: [{id, name, color, state}] the legend, oldest first
  limit: int, the newest `limit` runs are drawn (0: all); "show more runs" raises it in the browser
  total: int, runs of the project that match (read or not: "showing 10 of 30 runs")
  charts: [{key, x, system, fig, sx, sy, sylog, ay, zoom, nonfinite, lines: {run_id: model id},
           bands: {group id: model id}}] model ids (x: the x axis name; system: a machine metric, never
           smoothed; bands: groups.py, y = 3 rows)
"""

from __future__ import annotations

import anywidget
import bqplot as bq
import ipywidgets as w
import numpy as np
import traitlets

from .._js import js_module, js_path
from ..store import is_system_key
from .downsample import Decimator

F32_MAX_EXACT = 2 ** 24  # steps beyond this go as float64


class ChartControls(anywidget.AnyWidget):
    _esm = js_module("charts.js")
    _css = js_path("charts.css")
    uid = traitlets.Unicode().tag(sync=True)
    smoothing = traitlets.Float(0.0).tag(sync=True)
    log = traitlets.Bool(False).tag(sync=True)
    hidden = traitlets.List([]).tag(sync=True)
    reset = traitlets.Int(0).tag(sync=True)
    runs = traitlets.List([]).tag(sync=True)
    limit = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    charts = traitlets.List([]).tag(sync=True)
    zoom = traitlets.Unicode("").tag(sync=True)  # the model id zoom requests go to (zoomquery.ZoomQueries)
    zoom_live = traitlets.Bool(False).tag(sync=True)  # they are answered while a cell runs (a kernel subshell)

    @traitlets.default("uid")
    def _uid(self):
        import uuid

        return uuid.uuid4().hex

    @traitlets.validate("smoothing")
    def _clip(self, proposal):
        return min(max(float(proposal["value"]), 0.0), 0.99)


def _x(steps: np.ndarray) -> np.ndarray:
    if len(steps) and (steps.max() >= F32_MAX_EXACT or steps.min() <= -F32_MAX_EXACT):
        return steps.astype(np.float64)
    return steps.astype(np.float32)


def _id(widget) -> str | None:
    return widget.model_id if widget is not None else None


class Chart:
    """One key: a bqplot Figure with one Lines mark per run (raw values; the browser derives the rest)."""

    def __init__(self, key: str, height: int = 240, log: bool = False):
        self.key = key
        self.sx = bq.LinearScale(allow_padding=False)
        self.sy = bq.LinearScale()
        self.sylog = bq.LogScale()
        x_label = "seconds" if is_system_key(key) else "step"  # the system stream's own axis
        # num_ticks unset: js/charts.js gives each axis 5 nice ticks (integers on a step axis)
        self.ax = bq.Axis(scale=self.sx, label=x_label, tick_format=",~r")
        self.ay = bq.Axis(scale=self.sylog if log else self.sy, side="left", tick_format=".3~g")
        # pan/zoom moves the step axis only: js/charts.js fits the y axis to what is in view
        self.zoom = bq.interacts.PanZoom(scales={"x": [self.sx]})
        self.lines: dict[str, bq.Lines] = {}
        self.nonfinite: bq.Scatter | None = None
        self.bands: dict[str, bq.Lines] = {}  # group id -> its band (groups.py), under the runs' lines
        self.figure = bq.Figure(
            title=key, marks=[], axes=[self.ax, self.ay], interaction=self.zoom, animation_duration=0,
            fig_margin={"top": 32, "bottom": 36, "left": 60, "right": 28},
            title_style={"font-size": "13px"},
            layout=w.Layout(height=f"{height}px", width="100%", min_width="0"),
        )
        self.figure.add_class("nbm-chart")

    def models(self) -> dict:
        """Model ids for `ChartControls.charts`."""
        return {"key": self.key, "x": self.ax.label, "system": is_system_key(self.key),
                "fig": _id(self.figure), "sx": _id(self.sx), "sy": _id(self.sy),
                "sylog": _id(self.sylog), "ay": _id(self.ay), "zoom": _id(self.zoom),
                "nonfinite": _id(self.nonfinite), "lines": {r: _id(ln) for r, ln in self.lines.items()},
                "bands": {g: _id(b) for g, b in self.bands.items()}}

    def _marks(self) -> list:
        return [*self.bands.values(), *self.lines.values(), *([self.nonfinite] if self.nonfinite else [])]

    def set_band(self, group_id: str, label: str, color: str, x: np.ndarray, rows: np.ndarray) -> bool:
        """A group's band: `rows` = (max, median, min) across its runs at `x`, one mark filled between its
        lines (the median opaque); True when the mark is new."""
        b = self.bands.get(group_id)
        if b is None:
            b = self.bands[group_id] = bq.Lines(
                x=_x(x), y=rows.astype(np.float32), scales={"x": self.sx, "y": self.ay.scale}, colors=[color] * 3,
                labels=[f"{label} max", f"{label} median", f"{label} min"], fill="between", fill_colors=[color] * 3,
                fill_opacities=[0.2, 0.2, 0.0], opacities=[0.35, 1.0, 0.35], stroke_width=2)
            self.figure.marks = self._marks()
            return True
        with b.hold_sync():
            b.x = _x(x)
            b.y = rows.astype(np.float32)
        return False

    def remove_band(self, group_id: str) -> None:
        b = self.bands.pop(group_id, None)
        if b is not None:
            self.figure.marks = self._marks()
            b.close()

    def line(self, run_id: str, name: str, color: str) -> tuple[bq.Lines, bool]:
        """The run's mark, made (and added to the figure) the first time; True when new."""
        ln = self.lines.get(run_id)
        if ln is not None:
            return ln, False
        ln = self.lines[run_id] = bq.Lines(
            x=np.zeros(0, np.float32), y=np.zeros(0, np.float32), scales={"x": self.sx, "y": self.ay.scale},
            colors=[color], labels=[name], stroke_width=1.5, marker_size=24,
        )
        self.figure.marks = self._marks()
        return ln, True

    def set_x_label(self, label: str) -> bool:
        """The x axis' name: "step", or the metric `define_metric(step_metric=)` draws the key against;
        True when it changed (the browser-side controls name it in the hover read-out)."""
        if is_system_key(self.key) or self.ax.label == label:
            return False
        self.ax.label = label
        return True

    def set_data(self, run_id: str, name: str, color: str, dec: Decimator, xmap=None) -> bool:
        """Send the run's downsampled raw series (one message); True when the mark is new.
        `xmap(steps, values) -> (x, values)`: the x of each point when it is not its step (axes.py)."""
        x, y = dec.points()
        if xmap is not None:
            x, y = xmap(x, y)
        ln, new = self.line(run_id, name, color)
        with ln.hold_sync():
            ln.x = _x(x)
            ln.y = y.astype(np.float32)
            marker = "circle" if len(x) == 1 else None  # a single point is a dot, not an empty box
            if ln.marker != marker:
                ln.marker = marker
        return new

    def set_nonfinite(self, marks: list[tuple[np.ndarray, np.ndarray]], lo: float, hi: float) -> bool:
        """Red crosses at the top (NaN, +inf) or bottom (-inf) of the chart, at their steps; True when new."""
        steps = np.concatenate([m[0] for m in marks]) if marks else np.zeros(0)
        if not len(steps) and self.nonfinite is None:
            return False
        vals = np.concatenate([m[1] for m in marks]) if marks else np.zeros(0)
        if not np.isfinite(lo):
            lo, hi = 0.0, 1.0
        y = np.where(vals == -np.inf, lo, hi)
        if self.nonfinite is None:
            self.nonfinite = bq.Scatter(
                x=_x(steps), y=y.astype(np.float32), scales={"x": self.sx, "y": self.ay.scale}, marker="cross",
                colors=["#d62728"], default_size=48, labels=["NaN/inf"],
                tooltip=bq.Tooltip(fields=["x"], labels=["NaN/inf at step"]),
            )
            self.figure.marks = self._marks()
            return True
        with self.nonfinite.hold_sync():
            self.nonfinite.x = _x(steps)
            self.nonfinite.y = y.astype(np.float32)
        return False

    def remove(self, run_id: str) -> None:
        ln = self.lines.pop(run_id, None)
        if ln is not None:
            self.figure.marks = self._marks()
            ln.close()

    def close(self) -> None:
        for m in [*self.bands.values(), *self.lines.values(), self.nonfinite, self.figure, self.ax, self.ay, self.sx, self.sy,
                  self.sylog, self.zoom]:
            if m is not None:
                m.close()

    def reset_zoom(self) -> None:
        for sc in (self.sx, self.sy, self.sylog):
            with sc.hold_sync():
                sc.min = None
                sc.max = None
