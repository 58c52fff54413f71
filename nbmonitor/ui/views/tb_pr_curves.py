"""PR curves of `add_pr_curve` (kind "pr_curve"): precision against recall per tag,
a line per run, with a step selector (js/tbprcurves.js).

Curves travel as float32 in `Blob`s (one per `add()`): for each curve,
precision (n), recall (n), thresholds (n); `items` hold {k, s, b, o, n} with
`o` the byte offset in blob `b`. The static fallback draws each tag's latest
curves as inline SVG.
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

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
HTML_MAX_TAGS = 24


class PRCurveWidget(MediaWidget):
    _esm = js_module("tbprcurves.js")
    _css = js_path("tb.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}]
    items = traitlets.List().tag(sync=True)  # [{k, s, b, o, n}]


class PRCurveView:
    """TensorBoard's PR curves dashboard."""

    title = "PR curves"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self._latest: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}  # k -> (step, precision, recall)
        self.widget = PRCurveWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            keys = list(self.widget.names)
            blob = len(self.widget.blobs)
            parts, items, offset = [], [], 0
            for ev in events:
                if ev.kind != "pr_curve":
                    continue
                p = ev.payload
                prec = np.asarray(p.get("precision", []), np.float32)
                rec = np.asarray(p.get("recall", []), np.float32)
                thr = np.asarray(p.get("thresholds", []), np.float32)
                n = min(len(prec), len(rec), len(thr))
                if n == 0:
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                data = np.concatenate([prec[:n], rec[:n], thr[:n]]).tobytes()
                items.append({"k": k, "s": int(ev.step), "b": blob, "o": offset, "n": n})
                parts.append(data)
                offset += len(data)
                if k not in self._latest or ev.step >= self._latest[k][0]:
                    self._latest[k] = (int(ev.step), prec[:n], rec[:n])
            if items:
                with self.widget.hold_sync():
                    if len(keys) != len(self.widget.names):
                        self.widget.names = keys
                    self.widget.add_blob(b"".join(parts))
                    self.widget.items = [*self.widget.items, *items]
                self.widget.show()

    def text(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            n = len(self.widget.items)
        if not keys:
            return "PR curves: none logged"
        tags = list(dict.fromkeys(d["key"] for d in keys))
        return f"PR curves: {n} curves under {len(tags)} tags ({', '.join(tags[:12])})"

    def html(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            latest = dict(self._latest)
        tags: dict[str, list[int]] = {}
        for k, d in enumerate(keys):
            tags.setdefault(d["key"], []).append(k)
        out = [STYLE, '<div class="nbm-static nbm-static-pr">']
        for tag, ks in list(tags.items())[:HTML_MAX_TAGS]:
            lines, legend = [], []
            for i, k in enumerate(ks):
                if k not in latest:
                    continue
                step, prec, rec = latest[k]
                pts = " ".join(f"{5 + 150 * r:.1f},{155 - 150 * p:.1f}"
                               for p, r in zip(prec, rec) if np.isfinite(p) and np.isfinite(r))
                color = COLORS[i % len(COLORS)]
                lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{pts}"/>')
                legend.append(f'<span style="color:{color}">{esc(keys[k]["run"])} (step {step})</span>')
            out.append(
                f'<figure><figcaption>{esc(tag)}</figcaption>'
                + svg_img('<svg width="160" height="160" viewBox="0 0 160 160"><rect x="5" y="5" width="150" '
                          f'height="150" fill="none" stroke="#ccc"/>{"".join(lines)}</svg>', f"PR curve {tag}")
                + f'<div><small>precision vs recall: {" ".join(legend)}</small></div></figure>')
        out.append("</div>")
        return "".join(out)


register_view(("pr_curve",), PRCurveView)
