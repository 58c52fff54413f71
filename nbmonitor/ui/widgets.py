"""The panel's widgets: header and sparkline table (anywidget, js/), one bqplot chart per key.

Imported only when a panel is built (anywidget, bqplot and ipywidgets are heavy).
Every name and key reaches the DOM as text: the JS modules use textContent,
bqplot draws titles and labels with d3's `.text()`.
"""

from __future__ import annotations

import anywidget
import bqplot as bq
import ipywidgets as w
import numpy as np
import traitlets

from .._js import js_module, js_path
from ..store import is_system_key
from .downsample import Decimator, ema

F32_MAX_EXACT = 2 ** 24  # steps beyond this go as float64


class HeaderWidget(anywidget.AnyWidget):
    _esm = js_module("header.js")  # lib imports inlined (blob: URLs cannot import)
    _css = js_path("header.css")
    project = traitlets.Unicode("").tag(sync=True)
    run = traitlets.Unicode("").tag(sync=True)
    color = traitlets.Unicode("#999").tag(sync=True)
    state = traitlets.Unicode("").tag(sync=True)
    step = traitlets.Int(-1).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    elapsed = traitlets.Float(0.0).tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    rate = traitlets.Float(-1.0).tag(sync=True)
    runs = traitlets.Int(0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    alerts: traitlets.List = traitlets.List([]).tag(sync=True)


class SparkTableWidget(anywidget.AnyWidget):
    _esm = js_module("sparktable.js")
    _css = js_path("sparktable.css")
    title = traitlets.Unicode("").tag(sync=True)
    color = traitlets.Unicode("#1f77b4").tag(sync=True)
    rows: traitlets.List = traitlets.List([]).tag(sync=True)
    spark = traitlets.Bytes(b"").tag(sync=True)  # float32, see js/sparktable.js


def _x(steps: np.ndarray) -> np.ndarray:
    if len(steps) and (steps.max() >= F32_MAX_EXACT or steps.min() <= -F32_MAX_EXACT):
        return steps.astype(np.float64)
    return steps.astype(np.float32)


class Chart:
    """One key: a bqplot Figure with one Lines mark per run (raw, and smoothed when asked)."""

    def __init__(self, key: str, height: int = 240, log: bool = False):
        self.key = key
        self.log = log  # fixed for the chart's life: the panel makes new charts to switch
        self.sx = bq.LinearScale(allow_padding=False)
        self.sy = bq.LogScale() if log else bq.LinearScale()
        x_label = "seconds" if is_system_key(key) else "step"  # the system stream's own axis
        self.ax = bq.Axis(scale=self.sx, label=x_label, tick_format="~s")
        self.ay = bq.Axis(scale=self.sy, side="left", tick_format="~g")
        self.tooltip = bq.Tooltip(fields=["name", "x", "y"], labels=["run", x_label, "value"],
                                  formats=["", "", ".6g"])
        self.zoom = bq.interacts.PanZoom(scales={"x": [self.sx], "y": [self.sy]})
        self.lines: dict[str, bq.Lines] = {}
        self.nonfinite: bq.Scatter | None = None
        self.figure = bq.Figure(
            title=key, marks=[], axes=[self.ax, self.ay], interaction=self.zoom, animation_duration=0,
            fig_margin={"top": 32, "bottom": 36, "left": 56, "right": 14},
            title_style={"font-size": "13px"},
            layout=w.Layout(height=f"{height}px", width="100%", min_width="360px"),
        )
        self.figure.add_class("nbm-chart")

    def line(self, run_id: str, name: str, color: str) -> bq.Lines:
        """The run's mark, made (and added to the figure) the first time."""
        ln = self.lines.get(run_id)
        if ln is None:
            ln = self.lines[run_id] = bq.Lines(
                x=np.zeros(0, np.float32), y=np.zeros(0, np.float32), scales={"x": self.sx, "y": self.sy},
                colors=[color], labels=[name], stroke_width=1.5, tooltip=self.tooltip,
            )
            self.figure.marks = [*self.lines.values(), *([self.nonfinite] if self.nonfinite else [])]
        return ln

    def set_data(self, run_id: str, name: str, color: str, dec: Decimator, smoothing: float) -> None:
        """Send the run's downsampled series: one message (hold_sync)."""
        x, y = dec.points()
        if self.log:
            y = np.where(y > 0, y, np.nan)
        ln = self.line(run_id, name, color)
        with ln.hold_sync():
            ln.x = _x(x)
            if smoothing > 0 and len(y) > 1:
                ln.y = np.vstack([y, ema(y, smoothing)]).astype(np.float32)
                ln.colors = [color, color]
                ln.opacities = [0.25, 1.0]
                ln.labels = [name, f"{name} (smoothed)"]
            else:
                ln.y = y.astype(np.float32)
                ln.colors = [color]
                ln.opacities = [1.0]
                ln.labels = [name]

    def set_nonfinite(self, marks: list[tuple[np.ndarray, np.ndarray]], lo: float, hi: float) -> None:
        """Red crosses at the top (NaN, +inf) or bottom (-inf) of the chart, at their steps."""
        steps = np.concatenate([m[0] for m in marks]) if marks else np.zeros(0)
        if not len(steps) and self.nonfinite is None:
            return
        vals = np.concatenate([m[1] for m in marks]) if marks else np.zeros(0)
        if not np.isfinite(lo):
            lo, hi = 0.0, 1.0
        y = np.where(vals == -np.inf, lo, hi)
        if self.nonfinite is None:
            self.nonfinite = bq.Scatter(
                x=_x(steps), y=y.astype(np.float32), scales={"x": self.sx, "y": self.sy}, marker="cross",
                colors=["#d62728"], default_size=48, labels=["NaN/inf"],
                tooltip=bq.Tooltip(fields=["x"], labels=["NaN/inf at step"]),
            )
            self.figure.marks = [*self.lines.values(), self.nonfinite]
            return
        with self.nonfinite.hold_sync():
            self.nonfinite.x = _x(steps)
            self.nonfinite.y = y.astype(np.float32)

    def remove(self, run_id: str) -> None:
        ln = self.lines.pop(run_id, None)
        if ln is not None:
            self.figure.marks = [*self.lines.values(), *([self.nonfinite] if self.nonfinite else [])]
            ln.close()

    def set_visible(self, run_id: str, visible: bool) -> None:
        ln = self.lines.get(run_id)
        if ln is not None and ln.visible != visible:
            ln.visible = visible

    def close(self) -> None:
        for m in [*self.lines.values(), self.nonfinite, self.figure, self.ax, self.ay, self.sx, self.sy,
                  self.tooltip, self.zoom]:
            if m is not None:
                m.close()

    def reset_zoom(self) -> None:
        for sc in (self.sx, self.sy):
            with sc.hold_sync():
                sc.min = None
                sc.max = None
