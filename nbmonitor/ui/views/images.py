"""Images logged directly (kind "image"): a strip per key with a step slider (js/images.js).

Each `add()` sends its PNGs once, in one `Blob`; `items` holds small JSON
references (key index, step, blob, offset, length, size, caption).
"""

from __future__ import annotations

import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, key_slot, png_data_uri
from .imagegrid import HTML_MAX_BYTES, thumbnail

HTML_MAX_KEYS = 16


class ImagesWidget(MediaWidget):
    _esm = js_module("images.js")
    _css = js_path("images.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}]
    items = traitlets.List().tag(sync=True)  # [{k, s, b, o, l, w, h, c}]


class ImagesView:
    """Images per key over steps: TensorBoard's image dashboard."""

    title = "Images"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self._latest: dict[int, Event] = {}
        self.widget = ImagesWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            keys = list(self.widget.names)
            blob = len(self.widget.blobs)
            parts, items, offset = [], [], 0
            for ev in events:
                png = ev.files.get("image.png") if ev.kind == "image" else None
                if not png:
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                p = ev.payload
                items.append({"k": k, "s": ev.step, "b": blob, "o": offset, "l": len(png),
                              "w": p.get("width"), "h": p.get("height"), "c": p.get("caption")})
                parts.append(png)
                offset += len(png)
                self._latest[k] = ev
            if items:
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
            return "Images: none logged"
        return f"Images: {n} images under {len(keys)} keys (" + ", ".join(d["key"] for d in keys[:HTML_MAX_KEYS]) + ")"

    def html(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            latest = dict(self._latest)
        out = [STYLE, '<div class="nbm-static nbm-static-images">']
        budget = HTML_MAX_BYTES
        for i, d in enumerate(keys[:HTML_MAX_KEYS]):
            ev = latest.get(i)
            if ev is None:
                continue
            p = ev.payload
            png = thumbnail(ev.files.get("image.png", b""), p.get("width") or 0, p.get("height") or 0)
            cap = f"{esc(d['key'])} (step {int(ev.step)})" + (f"<br>{esc(p['caption'])}" if p.get("caption") else "")
            if len(png) * 4 // 3 > budget:
                out.append(f"<figure><figcaption>{cap}</figcaption>(image not embedded)</figure>")
                continue
            budget -= len(png) * 4 // 3
            out.append(f'<figure><img src="{png_data_uri(png)}" alt=""><figcaption>{cap}</figcaption></figure>')
        out.append("</div>")
        return "".join(out)


register_view(("image",), ImagesView)
