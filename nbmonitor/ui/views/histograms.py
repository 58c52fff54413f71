"""Histograms over time per key (js/histograms.js): TensorBoard's two views.

"Distributions": bands between percentiles (min..max, 7%..93%, 16%..84%,
31%..69%, and the median) over steps. "Ridges": TensorBoard's offset view,
one density line per step, later steps in front. A layer selector picks the
key, a step slider the histogram drawn below. Histograms travel as packed
float32 records in `Blob`s (one per `add()`), never as JSON lists:

    [key index, step, n, min, max, num, sum, edges (n + 1), counts (n)]
"""

from __future__ import annotations

import threading

import numpy as np
import traitlets

from ..._js import js_module, js_path
from ...output.png import svg_img
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, key_slot

#: TensorBoard's compressed-histogram basis points (per 10000).
BASIS_POINTS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)
HTML_MAX_KEYS = 12
HTML_MAX_STEPS = 200  # kept per key for the static fallback


class HistogramWidget(MediaWidget):
    _esm = js_module("histograms.js")
    _css = js_path("histograms.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}], indexed by the records


def percentiles(edges: np.ndarray, counts: np.ndarray, bps=BASIS_POINTS) -> np.ndarray:
    """Values at the basis points of a binned distribution (linear within a bin), as js/lib/histo.js."""
    edges = np.asarray(edges, np.float64)
    counts = np.clip(np.asarray(counts, np.float64), 0, None)
    total = counts.sum()
    if total <= 0:
        return np.full(len(bps), np.nan)
    cum = np.concatenate([[0.0], np.cumsum(counts)])
    out = []
    for bp in bps:
        target = total * bp / 10000.0
        i = int(np.searchsorted(cum, target, side="left"))
        if i <= 0:
            out.append(edges[0])
        elif i >= len(cum):
            out.append(edges[-1])
        else:
            lo, hi = cum[i - 1], cum[i]
            frac = 0.0 if hi == lo else (target - lo) / (hi - lo)
            out.append(edges[i - 1] + frac * (edges[i] - edges[i - 1]))
    return np.array(out)


def pack_records(records: list[tuple[int, int, dict]]) -> bytes:
    """(key index, step, histogram payload) records as one float32 buffer."""
    parts = []
    for k, step, p in records:
        edges = np.asarray(p["edges"], np.float32)
        counts = np.asarray(p["counts"], np.float32)
        head = np.array([k, step, len(counts), p["min"], p["max"], p["num"], p["sum"]], np.float32)
        parts += [head, edges, counts]
    return np.concatenate(parts).astype(np.float32).tobytes() if parts else b""


class HistogramView:
    """Histogram events (logged `nbm.Histogram`s, `watch`, `add_histogram`) over time."""

    title = "Histograms"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self._series: dict[int, list[tuple[int, np.ndarray]]] = {}  # key index -> [(step, percentiles)]
        self.widget = HistogramWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        records = []
        with self._lock:
            keys = list(self.widget.names)
            for ev in events:
                p = ev.payload
                if ev.kind != "histogram" or not p.get("counts") or len(p.get("edges", ())) != len(p["counts"]) + 1:
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                records.append((k, ev.step, p))
                series = self._series.setdefault(k, [])
                series.append((ev.step, percentiles(p["edges"], p["counts"])))
                if len(series) > HTML_MAX_STEPS:
                    del series[1::2]  # thin evenly, keep the first and the newest
            if records:
                if len(keys) != len(self.widget.names):
                    self.widget.names = keys
                self.widget.add_blob(pack_records(records))
                self.widget.show()

    def text(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            counts = {k: len(v) for k, v in self._series.items()}
        if not keys:
            return "Histograms: none logged"
        return f"Histograms: {len(keys)} keys (" + ", ".join(
            f"{d['key']}: {counts.get(i, 0)} steps" for i, d in enumerate(keys[:HTML_MAX_KEYS])) + (
            ", …)" if len(keys) > HTML_MAX_KEYS else ")")

    def html(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            series = {k: list(v) for k, v in self._series.items()}
        out = [STYLE, '<div class="nbm-static nbm-static-hist">']
        for i, d in enumerate(keys[:HTML_MAX_KEYS]):
            out.append(f'<figure><figcaption>{esc(d["key"])} <small>({esc(d["run"])})</small></figcaption>'
                       f"{svg_img(bands_svg(series.get(i, [])), 'distribution of ' + d['key'])}</figure>")
        if len(keys) > HTML_MAX_KEYS:
            out.append(f"<p>… {len(keys) - HTML_MAX_KEYS} more keys</p>")
        out.append("</div>")
        return "".join(out)


_BAND_PAIRS = ((0, 8, 0.15), (1, 7, 0.25), (2, 6, 0.35), (3, 5, 0.5))


def bands_svg(series: list[tuple[int, np.ndarray]], width: int = 260, height: int = 120) -> str:
    """TensorBoard's distribution bands of one key as a small inline SVG."""
    pts = [(s, q) for s, q in series if np.isfinite(q).all()]
    if not pts:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    steps = np.array([s for s, _ in pts], np.float64)
    qs = np.array([q for _, q in pts])
    x0, x1 = steps.min(), steps.max()
    y0, y1 = qs.min(), qs.max()
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = 4

    def x(s):
        return pad + (0.5 if x1 == x0 else (s - x0) / (x1 - x0)) * (width - 2 * pad)

    def y(v):
        return height - pad - (v - y0) / (y1 - y0) * (height - 2 * pad)

    shapes = []
    for lo, hi, alpha in _BAND_PAIRS:
        if len(pts) == 1:
            shapes.append(f'<line x1="{x(steps[0]):.1f}" x2="{x(steps[0]):.1f}" y1="{y(qs[0, lo]):.1f}" '
                          f'y2="{y(qs[0, hi]):.1f}" stroke="#e8590c" stroke-width="6" opacity="{alpha}"/>')
            continue
        top = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(steps, qs[:, hi]))
        bottom = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(steps[::-1], qs[::-1, lo]))
        shapes.append(f'<polygon points="{top} {bottom}" fill="#e8590c" opacity="{alpha}"/>')
    if len(pts) > 1:
        med = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(steps, qs[:, 4]))
        shapes.append(f'<polyline points="{med}" fill="none" stroke="#a33a00" stroke-width="1"/>')
    label = (f'<text x="{pad}" y="10" font-size="9" fill="#555">{y1:.3g}</text>'
             f'<text x="{pad}" y="{height - 1}" font-size="9" fill="#555">{y0:.3g}</text>'
             f'<text x="{width - pad}" y="{height - 1}" font-size="9" fill="#555" text-anchor="end">'
             f"step {int(x1)}</text>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{"".join(shapes)}{label}</svg>')


register_view(("histogram",), HistogramView)
