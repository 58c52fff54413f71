"""Embeddings of `add_embedding` (kind "embedding"): a 2-D PCA scatter coloured by
label, with the label and its image (from the sprite) on hover (js/tbembedding.js).

Points travel as float32 x, y pairs in a `Blob`, the sprite PNG in another;
labels as JSON. The static fallback is an inline SVG scatter of each key's
latest embedding.
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

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
HTML_MAX_POINTS = 1500
HTML_MAX_KEYS = 4


def _color(label) -> str:
    h = 0
    for ch in str(label):
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF  # as js/lib/plot.js colorOf
    return PALETTE[h % len(PALETTE)]


class EmbeddingWidget(MediaWidget):
    _esm = js_module("tbembedding.js")
    _css = js_path("tb.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}]
    items = traitlets.List().tag(sync=True)  # [{k, s, b, n, labels, header, sb, tw, th}]


class EmbeddingView:
    """TensorBoard's projector, as a PCA scatter."""

    title = "Embeddings"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self._latest: dict[int, tuple[int, np.ndarray, list | None]] = {}
        self.widget = EmbeddingWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            keys = list(self.widget.names)
            items = []
            for ev in events:
                if ev.kind != "embedding":
                    continue
                p = ev.payload
                pts = np.asarray(p.get("points") or [], np.float32).reshape(-1, 2)
                if not len(pts):
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                labels = p.get("labels")
                labels = [lab if isinstance(lab, list) else str(lab) for lab in labels][:len(pts)] if labels else None
                item = {"k": k, "s": int(ev.step), "b": self.widget.add_blob(pts.tobytes()), "n": len(pts),
                        "labels": labels, "header": p.get("header"), "sb": -1, "tw": 0, "th": 0}
                sprite = ev.files.get("sprite.png")
                if sprite and p.get("thumb"):
                    item.update(sb=self.widget.add_blob(sprite), tw=int(p["thumb"][0]), th=int(p["thumb"][1]))
                items.append(item)
                self._latest[k] = (int(ev.step), pts, labels)
            if items:
                with self.widget.hold_sync():
                    if len(keys) != len(self.widget.names):
                        self.widget.names = keys
                    self.widget.items = [*self.widget.items, *items]
                self.widget.show()

    def text(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            latest = dict(self._latest)
        if not keys:
            return "Embeddings: none logged"
        return "Embeddings: " + "; ".join(f"{keys[k]['key']} (step {s}, {len(p)} points)"
                                          for k, (s, p, _) in sorted(latest.items()))

    def html(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            latest = dict(self._latest)
        out = [STYLE, '<div class="nbm-static nbm-static-embedding">']
        for k, (step, pts, labels) in sorted(latest.items())[:HTML_MAX_KEYS]:
            dots, seen = [], {}
            for i, (x, y) in enumerate(pts[:HTML_MAX_POINTS]):
                lab = labels[i] if labels else None
                lab = lab[0] if isinstance(lab, list) and lab else lab
                color = _color(lab) if lab is not None else PALETTE[0]
                if lab is not None and len(seen) < 12:
                    seen.setdefault(str(lab), color)
                dots.append(f'<circle cx="{110 + 100 * float(x):.1f}" cy="{110 - 100 * float(y):.1f}" r="2" '
                            f'fill="{color}"/>')
            legend = " ".join(f'<span style="color:{c}">&#9679; {esc(lab)}</span>' for lab, c in seen.items())
            out.append(f"<figure><figcaption>{esc(keys[k]['key'])} <small>{esc(keys[k]['run'])}, step {step}, "
                       f"PCA of {len(pts)} points</small></figcaption>"
                       + svg_img(f'<svg width="220" height="220" viewBox="0 0 220 220">{"".join(dots)}</svg>',
                                 f"embedding {keys[k]['key']}")
                       + f"<div><small>{legend}</small></div></figure>")
        out.append("</div>")
        return "".join(out)


register_view(("embedding",), EmbeddingView)
