"""Zoomed-in charts at full resolution: the browser asks for the points of a chart's visible x range.

The charts get each run's series as a ~2,000-point min/max envelope (downsample.py). When the user
zooms a chart in (wheel or drag), js/charts.js sends the panel's `ChartControls` a custom message
`{"type": "range", "req": n, "key": key, "x0": lo, "x1": hi, "runs": [run ids]}`; the kernel reads
those runs' series from the source (the in-memory run or the store), keeps the points in [x0, x1],
and answers `{"type": "range", "req": n, "key": key, "runs": [[run id, exact], ...]}` with two
buffers a run (x float64, y float32). `exact` is False when the range holds more than `MAX_POINTS`
points: then it is a finer min/max envelope of that range (each bucket's min and max kept, so no
spike is dropped). Reset zoom brings back the envelope (browser-side).

The requests go to a widget of their own (`ZoomQueries.widget`, a bare ipywidgets `Widget`: its
model id is `ChartControls.zoom`), so that the panel can route it to its kernel subshell
(subshell.py, ipykernel >= 7) and the answer comes while a training cell runs; the ChartControls'
own callbacks (smoothing, log scale, runs shown) stay on the main shell. The request is handled on
the subshell's thread: it reads under the publisher's `ticking` lock and the panel's lock (the order
`Panel.flush` takes them), so it never reads a source beside the publisher thread; the training
thread only appends to the run's rows, and the source reads sealed, immutable chunks
(`Run.memory_snapshot`) and the store (a connection per thread). The kernel status
stays "busy" for the running cell (subshell.py). Where the kernel has no
subshells the widget stays on the main shell: a busy kernel answers when its cell ends (the zoomed
chart shows the envelope meanwhile; the "reset zoom" tooltip says which, `ChartControls.zoom_live`).
A request sent on the ChartControls' own comm (a browser that has not resolved the zoom widget yet)
is answered there, by the main shell.
Charts drawn against another metric (`define_metric(step_metric=)`) are not re-queried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from .charts import _x
from .downsample import first_in_groups

log = logging.getLogger(__name__)

MAX_POINTS = 20_000  # points a run per answer (raw when the range holds fewer)

__all__ = ["MAX_POINTS", "ZoomQueries", "answer_range", "event_reader", "range_points", "serve_range_queries"]


def range_points(steps: np.ndarray, values: np.ndarray, x0: float, x1: float,
                 limit: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray, bool]:
    """The points with x0 <= step <= x1 (and the one either side, so the line runs to the edge):
    all of them (exact=True) when there are at most `limit`, else a min/max envelope of
    limit // 2 buckets (exact=False: each bucket's lowest and highest point, in step order)."""
    steps = np.asarray(steps)
    values = np.asarray(values, dtype=np.float64)
    inside = np.flatnonzero((steps >= x0) & (steps <= x1))
    if not len(inside):
        return np.zeros(0), np.zeros(0, np.float32), True
    lo, hi = max(int(inside[0]) - 1, 0), min(int(inside[-1]) + 2, len(steps))
    s, v = steps[lo:hi], values[lo:hi]
    if len(s) <= limit:
        return s.astype(np.float64), v.astype(np.float32), True
    buckets = max(limit // 2, 1)
    edges = np.unique(np.linspace(0, len(s), buckets + 1).astype(np.int64))
    idx = envelope_indices(v, edges)
    return s[idx].astype(np.float64), v[idx].astype(np.float32), False


def envelope_indices(v: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per bucket v[edges[i]:edges[i+1]] (each non-empty): the positions of its lowest and highest finite
    value, first occurrences, in order and once if the same; its first position if none is finite."""
    starts = edges[:-1]
    fin = np.isfinite(v)
    lo_v = np.minimum.reduceat(np.where(fin, v, np.inf), starts)
    hi_v = np.maximum.reduceat(np.where(fin, v, -np.inf), starts)
    sizes = np.diff(edges)
    lo = first_in_groups(fin & (v == np.repeat(lo_v, sizes)), starts, len(v))
    hi = first_in_groups(fin & (v == np.repeat(hi_v, sizes)), starts, len(v))
    none = lo < 0
    lo[none] = hi[none] = starts[none]
    pairs = np.sort(np.stack([lo, hi], axis=1), axis=1)
    once = np.ones(pairs.shape, dtype=bool)
    once[:, 1] = pairs[:, 0] != pairs[:, 1]
    return pairs[once]


def answer_range(content: Any, publisher: Any, lock: threading.RLock) -> tuple[dict, list[bytes]] | None:
    """The answer to one range request (None: not a range request, or a malformed one)."""
    if not isinstance(content, dict) or content.get("type") != "range":
        return None
    try:
        key = str(content["key"])
        x0, x1 = float(content["x0"]), float(content["x1"])
        answer: list[list[Any]] = []
        buffers: list[bytes] = []
        with publisher.ticking, lock:  # as Panel.flush: never beside the publisher thread's reads
            for run_id in [str(r) for r in content.get("runs", [])][:100]:
                tr = publisher.runs.get(run_id)
                if tr is None or key not in tr.series or tr.axes.step_metric(key):
                    continue
                ch = publisher.source.read_series(run_id, keys=[key]).get(key)
                if ch is None or not len(ch):
                    continue
                x, y, exact = range_points(ch.steps, ch.values, x0, x1)
                answer.append([run_id, exact])
                buffers += [_x(x).astype(np.float64).tobytes(), y.astype(np.float32).tobytes()]
        return {"type": "range", "req": content.get("req"), "key": key, "runs": answer}, buffers
    except Exception as e:  # a bad request never breaks the panel
        log.debug("nbmonitor: range request %r failed: %s", content, e)
        return None


def serve_range_queries(widget: Any, publisher: Any, lock: threading.RLock) -> None:
    """Answer the browser's range requests sent on `widget` from `publisher`'s source."""

    def on_msg(_widget: Any, content: Any, _buffers: Any) -> None:
        got = answer_range(content, publisher, lock)
        if got is not None:
            widget.send(*got)

    widget.on_msg(on_msg)


def event_reader(publisher: Any, lock: threading.RLock) -> Callable[..., Any]:
    """`read(run_id, key, step, kind="image")`: the run's newest event of that kind of `key` logged at `step`,
    with its files, from `publisher`'s source (None if there is none); under the publisher's and the panel's
    locks, as the range requests (an image view's older steps, a grid's older tables). It reads those events
    only (`read_events_at`: an indexed query in the stores), not the run's later ones."""

    def read(run_id: str, key: str, step: int, kind: str = "image") -> Any:
        with publisher.ticking, lock:
            events = publisher.source.read_events_at(str(run_id), str(key), int(step), kinds=[kind])
        return events[-1] if events else None

    return read


class ZoomQueries:
    """The panel's range requests: a widget of their own, routed to the panel's kernel subshell when it has one.

    controls: the panel's ChartControls (told the widget's model id, and whether answers come mid-run);
    lock: the panel's.
    """

    def __init__(self, controls: Any, publisher: Any, lock: threading.RLock):
        import ipywidgets as w

        self.widget = w.Widget()  # no view: a comm for the requests and their answers
        self.subshell: Any = None
        self._controls = controls
        serve_range_queries(self.widget, publisher, lock)
        serve_range_queries(controls, publisher, lock)  # a request sent before the browser found the widget
        controls.zoom = self.widget.model_id

    def open(self, subshell: Any) -> None:
        """Route the requests to `subshell` (None: none; the main shell answers when its cell ends)."""
        if self.subshell is None and subshell is not None and subshell.route(self.widget):
            self.subshell = subshell
        self._controls.zoom_live = self.subshell is not None

    def close(self) -> None:
        """The subshell goes (the panel's output became static): requests go to the main shell."""
        self.subshell = None
        self._controls.zoom_live = False
