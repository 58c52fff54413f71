"""Plain tables (js/table.js): tables without an image column.

Sortable by any column, numbers right-aligned, long text cut with the full
text as a tooltip, a step selector when a key was logged at several steps.
Tables with images are the image grid's (imagegrid.py).
"""

from __future__ import annotations

import numbers
import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, format_cell, json_cell, run_label
from .imagegrid import has_image_column

HTML_MAX_ROWS = 50
HTML_MAX_TEXT = 80


class TableWidget(MediaWidget):
    _esm = js_module("table.js")
    _css = js_path("table.css")
    tables = traitlets.List().tag(sync=True)  # [{run, key, step, columns, rows}]


class TableView:
    """Logged tables with no image column, one sortable table per key and step."""

    title = "Tables"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._latest: dict[tuple[str, str], tuple[str, Event]] = {}
        self.widget = TableWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        new = []
        with self._lock:
            for ev in events:
                if ev.kind != "table" or has_image_column(ev.payload.get("rows", [])):
                    continue
                rows = [[json_cell(c) if not isinstance(c, dict) else format_cell(c) for c in row]
                        for row in ev.payload["rows"]]
                new.append({"run": run_label(run), "run_id": run.id, "key": ev.key, "step": ev.step,
                            "columns": list(ev.payload["columns"]), "rows": rows})
                self._latest[(run.id, ev.key)] = (run_label(run), ev)
            if new:
                self.widget.tables = [*self.widget.tables, *new]
                self.widget.show()

    @property
    def empty(self) -> bool:
        """No plain table yet (the panel shows no "Tables" section then)."""
        return not self._latest

    def text(self) -> str:
        with self._lock:
            items = sorted(self._latest.items())
        if not items:
            return "Tables: none logged"
        return "\n".join(
            f"Table {key} ({label}, step {ev.step}): {len(ev.payload['rows'])} rows x {len(ev.payload['columns'])} columns"
            for (_, key), (label, ev) in items
        )

    def html(self) -> str:
        with self._lock:
            items = sorted(self._latest.items())
        out = [STYLE, '<div class="nbm-static nbm-static-tables">']
        for (_, key), (label, ev) in items:
            cols, rows = ev.payload["columns"], ev.payload["rows"]
            out.append(f"<h4>{esc(key)} <small>({esc(label)}, step {int(ev.step)})</small></h4><table><tr>")
            out += [f"<th>{esc(c)}</th>" for c in cols]
            out.append("</tr>")
            for row in rows[:HTML_MAX_ROWS]:
                out.append("<tr>")
                for c in row:
                    text = format_cell(c)
                    num = isinstance(c, numbers.Real) and not isinstance(c, bool)
                    cut = text if len(text) <= HTML_MAX_TEXT else text[: HTML_MAX_TEXT - 1] + "…"
                    title = f' title="{esc(text)}"' if cut != text else ""
                    out.append(f'<td{" class=num" if num else ""}{title}>{esc(cut)}</td>')
                out.append("</tr>")
            out.append("</table>")
            if len(rows) > HTML_MAX_ROWS:
                out.append(f"<p>… {len(rows) - HTML_MAX_ROWS} more rows</p>")
        out.append("</div>")
        return "".join(out)


register_view(("table",), TableView)
