"""The image prediction grid: tables with an image column (js/imagegrid.js).

Thumbnails, caption, prediction and target, mistakes highlighted, "only
mistakes", sort by a score column, a larger view on click, a step selector when
a key was logged at several steps. Each table's PNGs go to the browser once, as
one binary `Blob`; the rows travel as JSON holding (blob, offset, length)
references to them.
"""

from __future__ import annotations

import io
import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import (
    STYLE,
    MediaWidget,
    esc,
    format_cell,
    is_image,
    is_mistake,
    json_cell,
    png_data_uri,
    role_columns,
    run_label,
)

THUMB_MAX = 160  # px: larger images are shrunk for the grid
HTML_MAX_IMAGES = 48  # per table in the static fallback
GRID_COLUMNS = 8  # images a row in the static fallback
THUMB_PX = 64  # their size there
HTML_MAX_BYTES = 400_000  # of data URIs in the static fallback


class ImageGridWidget(MediaWidget):
    _esm = js_module("imagegrid.js")
    _css = js_path("imagegrid.css")
    tables = traitlets.List().tag(sync=True)  # [{run, key, step, columns, rows}], image cells as refs


def thumbnail(png: bytes, width: int, height: int) -> bytes:
    """`png` itself when small, else a PNG at most THUMB_MAX pixels on its longer side."""
    if max(width, height) <= THUMB_MAX or not png:
        return png
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as img:
        img.thumbnail((THUMB_MAX, THUMB_MAX))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
    return buf.getvalue()


def has_image_column(rows: list) -> bool:
    return any(is_image(c) for row in rows[:20] for c in row)


class ImageGridView:
    """Tables holding images, as a grid of predictions (see module doc)."""

    title = "Image predictions"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._latest: dict[tuple[str, str], tuple[str, Event]] = {}  # (run id, key) -> (run label, event)
        self.widget = ImageGridWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        new = []
        with self._lock:
            for ev in events:
                if ev.kind != "table" or not has_image_column(ev.payload.get("rows", [])):
                    continue
                new.append(self._pack(run, ev))
                self._latest[(run.id, ev.key)] = (run_label(run), ev)
            if new:
                self.widget.tables = [*self.widget.tables, *new]
                self.widget.show()

    def _pack(self, run: RunRecord, ev: Event) -> dict:
        blob = len(self.widget.blobs)
        parts, offset, rows = [], 0, []
        for row in ev.payload["rows"]:
            out = []
            for cell in row:
                if is_image(cell):
                    png = thumbnail(ev.files.get(cell.get("file"), b""), cell.get("width", 0), cell.get("height", 0))
                    out.append({"_img": [blob, offset, len(png)], "w": cell.get("width"), "h": cell.get("height"),
                                "caption": cell.get("caption")})
                    parts.append(png)
                    offset += len(png)
                else:
                    out.append(json_cell(cell))
            rows.append(out)
        self.widget.add_blob(b"".join(parts))
        return {"run": run_label(run), "run_id": run.id, "key": ev.key, "step": ev.step,
                "columns": list(ev.payload["columns"]), "rows": rows}

    # -- static fallback -------------------------------------------------------
    def text(self) -> str:
        with self._lock:
            items = sorted(self._latest.items())
        if not items:
            return "Image predictions: none logged"
        lines = []
        for (_, key), (label, ev) in items:
            cols, rows = ev.payload["columns"], ev.payload["rows"]
            pred, target = role_columns(cols)
            wrong = sum(is_mistake(r, pred, target) for r in rows)
            extra = f", {wrong} mistakes" if pred >= 0 and target >= 0 else ""
            lines.append(f"Image predictions: {key} ({label}, step {ev.step}): {len(rows)} rows{extra}")
        return "\n".join(lines)

    def html(self) -> str:
        with self._lock:
            items = sorted(self._latest.items())
        out = [STYLE, '<div class="nbm-static nbm-static-grid">']
        budget = HTML_MAX_BYTES
        for (_, key), (label, ev) in items:
            cols, rows = ev.payload["columns"], ev.payload["rows"]
            pred, target = role_columns(cols)
            img_col = next((i for i, c in enumerate(rows[0]) if is_image(c)), -1) if rows else -1
            # a table of GRID_COLUMNS cells with sized <img>: compact also where JupyterLab's sanitizer
            # (an untrusted notebook) drops the <style> above
            out.append(f"<h4>{esc(key)} <small>({esc(label)}, step {int(ev.step)}, {len(rows)} rows)</small></h4>"
                       '<table class="nbm-static-gridtable"><tr>')
            shown = 0
            for row in rows:
                if shown >= HTML_MAX_IMAGES:
                    break
                cell = row[img_col] if img_col >= 0 else {}
                png = ev.files.get(str(cell.get("file")), b"") if is_image(cell) else b""
                png = thumbnail(png, cell.get("width", 0), cell.get("height", 0)) if png else png
                if not png or len(png) * 4 // 3 > budget:
                    break
                budget -= len(png) * 4 // 3
                if shown and shown % GRID_COLUMNS == 0:
                    out.append("</tr><tr>")
                shown += 1
                label_bits = []
                if cell.get("caption"):
                    label_bits.append(esc(cell["caption"]))
                if pred >= 0:
                    label_bits.append(f"{esc(cols[pred])}: {esc(format_cell(row[pred]))}")
                if target >= 0:
                    label_bits.append(f"{esc(cols[target])}: {esc(format_cell(row[target]))}")
                miss = is_mistake(row, pred, target)
                if miss:
                    label_bits.append("<b>✗ mistake</b>")
                td = '<td class="miss"' if miss else "<td"
                out.append(f'{td} style="text-align:center;vertical-align:top">'
                           f'<img src="{png_data_uri(png)}" width="{THUMB_PX}" height="{THUMB_PX}" alt="">'
                           f'<br><small>{"<br>".join(label_bits)}</small></td>')
            out.append("</tr></table>")
            if shown < len(rows):
                out.append(f"<p>… {len(rows) - shown} more rows not shown here</p>")
        out.append("</div>")
        return "".join(out)


register_view(("table",), ImageGridView)
