"""Images logged directly (kind "image"): a strip per key with a step slider (js/images.js).

Bounded however many images are logged: the browser gets a small preview of each
image (`preview`: at most PREVIEW_MAX px on its longer side, JPEG when that is
smaller than PNG), and only the newest KEEP steps of each key stay in `items` and
in the `blobs` they point into; older previews' Blob widgets are closed (the store
keeps every image). The full-size PNG of a step in that window is sent when the
browser asks for it (a click: `{"type": "full", "k", "s"}` -> a reply with the PNG as
its buffer); at most FULL_BUDGET bytes of those PNGs are kept in the kernel.

Older steps (_older.py, shared with the image grid): the view lists each key's steps older than the
window (`older`: {key index: runs of evenly spaced steps}), so the slider reaches every logged step;
choosing one asks the kernel (`{"type": "step", "k", "s"}`), which reads that key at that step from the
run's source through `reader` (the panel's: `reader(run_id, key, step, kind)` -> the Event with its
files) and answers its preview (`{"type": "step", ..., "ok", "m", "w", "h", "c"}`, the bytes as the
buffer); a click on it asks for its full size the same way. Without a reader (a view shown on its own)
they are not reachable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, Blob, MediaWidget, esc, key_slot, png_data_uri
from ._older import StepWindows, read_step
from .imagegrid import HTML_MAX_BYTES, preview, thumbnail

HTML_MAX_KEYS = 16
KEEP = 16  # newest steps of each key kept in the browser
FULL_BUDGET = 8 << 20  # bytes of full-size PNGs kept for on-demand requests


class ImagesWidget(MediaWidget):
    _esm = js_module("images.js")
    _css = js_path("images.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}]
    items = traitlets.List().tag(sync=True)  # [{k, s, b, o, l, w, h, c, m}], the newest KEEP steps per key
    total = traitlets.Int(0).tag(sync=True)  # images logged, kept or not
    older = traitlets.Dict().tag(sync=True)  # {key index: older steps as [first, stride, count, ...]}


class ImagesView:
    """Images per key over steps: TensorBoard's image dashboard."""

    title = "Images"
    asks_kernel = True  # the browser asks for full-size PNGs: the panel routes the widget to its subshell

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self._latest: dict[int, Event] = {}
        self._windows: StepWindows[int] = StepWindows(KEEP)  # key index -> its newest (item, blob); the older steps
        self._full: OrderedDict[tuple[int, Any], bytes] = OrderedDict()  # (key index, step) -> full PNG
        self._full_bytes = 0
        self.reader: Callable[[str, str, int, str], Event | None] | None = None  # the panel's (EventViews sets it)
        self.widget = ImagesWidget(fallback=self.html, plain=self.text)
        self.widget.on_msg(self._on_msg)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            keys = list(self.widget.names)
            parts, new, offset = [], [], 0
            for ev in events:
                png = ev.files.get("image.png") if ev.kind == "image" else None
                if not png:
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                p = ev.payload
                small, mime = preview(png, p.get("width") or 0, p.get("height") or 0)
                new.append((k, ev.step, {"k": k, "s": ev.step, "o": offset, "l": len(small), "w": p.get("width"),
                                "h": p.get("height"), "c": p.get("caption"), "m": mime}))
                parts.append(small)
                offset += len(small)
                self._latest[k] = ev
                self._keep_full(k, ev.step, png)
            if not new:
                return
            blob = Blob(data=b"".join(parts))
            for k, step, item in new:
                self._windows.add(k, step, (item, blob))
            if len(keys) != len(self.widget.names):
                self.widget.names = keys
            self._publish(self.widget.total + len(new))
            self.widget.show()

    def _keep_full(self, k: int, step: Any, png: bytes) -> None:
        old = self._full.pop((k, step), None)
        self._full_bytes -= len(old) if old else 0
        self._full[(k, step)] = png
        self._full_bytes += len(png)
        while self._full_bytes > FULL_BUDGET and len(self._full) > 1:
            self._full_bytes -= len(self._full.popitem(last=False)[1])

    def _publish(self, total: int) -> None:
        """`items` and `blobs` from the windows; the blobs nothing points into any more are closed."""
        blobs: dict[int, int] = {}
        order: list[Blob] = []
        items = []
        for k in sorted(self._windows.windows):
            for item, blob in self._windows.entries(k):
                if id(blob) not in blobs:
                    blobs[id(blob)] = len(order)
                    order.append(blob)
                items.append({**item, "b": blobs[id(blob)]})
        dropped = [b for b in self.widget.blobs if id(b) not in blobs]
        kept = {(k, item["s"]) for k in self._windows.windows for item, _ in self._windows.entries(k)}
        for key in [key for key in self._full if key not in kept]:
            self._full_bytes -= len(self._full.pop(key))
        # reachable through the reader only
        older = {str(k): v for k, v in self._windows.older_json().items()} if self.reader is not None else {}
        with self.widget.hold_sync():
            self.widget.blobs = order
            self.widget.items = items
            self.widget.total = total
            if older != self.widget.older:
                self.widget.older = older
        for b in dropped:
            b.close()

    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") not in ("full", "step"):
            return
        k, s = content.get("k"), content.get("s")
        with self._lock:
            png = self._full.get((k, s)) if isinstance(k, int) and content["type"] == "full" else None
            names = self.widget.names
            known = isinstance(k, int) and 0 <= k < len(names) and self._windows.has(k, s)
            where = (names[k]["run_id"], names[k]["key"]) if known and isinstance(k, int) else None
        ev = None
        if png is None and where is not None:
            ev = read_step(self.reader, *where, s, "image")
            png = ev.files.get("image.png") if ev is not None else None
        reply: dict[str, Any] = {"type": content["type"], "k": k, "s": s, "ok": png is not None}
        if png is not None and content["type"] == "step" and ev is not None:
            p = ev.payload
            png, reply["m"] = preview(png, p.get("width") or 0, p.get("height") or 0)
            reply.update(w=p.get("width"), h=p.get("height"), c=p.get("caption"))
        self.widget.send(reply, buffers=[png] if png is not None else None)

    def text(self) -> str:
        with self._lock:
            keys = list(self.widget.names)
            n = self.widget.total
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
