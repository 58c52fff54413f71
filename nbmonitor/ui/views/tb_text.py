"""Text of `add_text` (kind "text"): markdown rendered safely (js/tbtext.js, js/lib/markdown.js).

One card per key with a step slider; the browser builds the DOM from a parsed
markdown subset with createElement/textContent, so no HTML in the text is ever
interpreted. The static fallback shows the latest text of each key, escaped, in
a <pre>.
"""

from __future__ import annotations

import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, key_slot

MAX_CHARS = 20_000  # of one text sent to the browser
MAX_PER_KEY = 100  # texts kept per key (the newest)


class TextWidget(MediaWidget):
    _esm = js_module("tbtext.js")
    _css = js_path("tb.css")
    names = traitlets.List().tag(sync=True)  # [{run, run_id, key}]
    items = traitlets.List().tag(sync=True)  # [{k, s, text}]


class TextView:
    """TensorBoard's text dashboard."""

    title = "Text"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], int] = {}
        self.widget = TextWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            keys = list(self.widget.names)
            items = list(self.widget.items)
            n = len(items)
            for ev in events:
                if ev.kind != "text":
                    continue
                k = key_slot(self._index, keys, run, ev.key)
                text = str(ev.payload.get("text", ""))
                if len(text) > MAX_CHARS:
                    text = text[:MAX_CHARS] + "\n\n[... cut]"
                items.append({"k": k, "s": int(ev.step), "text": text})
            if len(items) == n:
                return
            per: dict[int, int] = {}
            for it in items:
                per[it["k"]] = per.get(it["k"], 0) + 1
            if any(c > MAX_PER_KEY for c in per.values()):
                drop = {k: c - MAX_PER_KEY for k, c in per.items() if c > MAX_PER_KEY}
                kept = []
                for it in items:
                    if drop.get(it["k"], 0) > 0:
                        drop[it["k"]] -= 1
                    else:
                        kept.append(it)
                items = kept
            if len(keys) != len(self.widget.names):
                self.widget.names = keys
            self.widget.items = items
            self.widget.show()

    def _latest(self) -> list[tuple[dict, dict]]:
        with self._lock:
            keys, latest = list(self.widget.names), {}
            for it in self.widget.items:
                if it["k"] not in latest or it["s"] >= latest[it["k"]]["s"]:
                    latest[it["k"]] = it
        return [(keys[k], it) for k, it in sorted(latest.items())]

    def text(self) -> str:
        latest = self._latest()
        if not latest:
            return "Text: none logged"
        return "Text: " + "; ".join(f"{d['key']} (step {it['s']}): {it['text'][:60]!r}" for d, it in latest[:8])

    def html(self) -> str:
        out = [STYLE, '<div class="nbm-static nbm-static-text">']
        for d, it in self._latest()[:20]:
            out.append(f"<div><b>{esc(d['key'])}</b> <small>{esc(d['run'])}, step {int(it['s'])}</small>"
                       f'<pre style="white-space:pre-wrap">{esc(it["text"][:5000])}</pre></div>')
        out.append("</div>")
        return "".join(out)


register_view(("text",), TextView)
