"""The image prediction grid: tables with an image column (js/imagegrid.js).

Thumbnails, caption, prediction and target, mistakes highlighted, "only
mistakes", sort by a score column, a larger view on click, a step slider when
a key was logged at several steps. The browser holds the newest KEEP_TABLES
tables of each (run, key): each one's previews (`preview`: at most PREVIEW_MAX
px, JPEG when smaller than PNG) go to it once, as one binary `Blob`; the rows
travel as JSON holding (blob, offset, length) references to them. The Blobs of
tables out of the window are closed.

Older steps (_older.py, shared with the images view): `older` lists each key's
steps before the window, so the slider reaches every logged step; choosing one
asks the kernel (`{"type": "table", "run_id", "key", "step"}`), which reads that
table from the run's source through `reader` (the panel's) and answers it
(`{"type": "table", ..., "ok", "table"}`, its cells pointing into the one buffer
of its previews); nothing of it is kept in the kernel. A click on an image asks
for its full size (`{"type": "full", ...}`), of any step, the same way.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import (
    STYLE,
    Blob,
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
from ._older import StepWindows, read_step

THUMB_MAX = 160  # px: the static copy's thumbnails
PREVIEW_MAX = 96  # px, the longer side of a preview sent to the browser
KEEP_TABLES = 4  # newest steps of each (run, key) kept in the browser
HTML_MAX_IMAGES = 48  # per table in the static fallback
GRID_COLUMNS = 8  # images a row in the static fallback
THUMB_PX = 64  # their size there
HTML_MAX_BYTES = 400_000  # of data URIs in the static fallback


def preview(png: bytes, width: int, height: int, max_px: int = 0) -> tuple[bytes, str]:
    """A small image for the strip and its MIME type: `png` itself when that is already the smallest."""
    max_px = max_px or PREVIEW_MAX
    if not png:
        return png, "image/png"
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as img:
        img.load()
        if max(width, height) > max_px:
            img.thumbnail((max_px, max_px))
        best, mime = png if max(width, height) <= max_px else b"", "image/png"
        if img.mode in ("RGB", "L"):
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=75)
            if not best or len(buf.getvalue()) < len(best):
                best, mime = buf.getvalue(), "image/jpeg"
        if not best:
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            best = buf.getvalue()
    return best, mime


class ImageGridWidget(MediaWidget):
    _esm = js_module("imagegrid.js")
    _css = js_path("imagegrid.css")
    tables = traitlets.List().tag(sync=True)  # [{run, key, step, columns, rows}], image cells as refs
    older = traitlets.List().tag(sync=True)  # [{run_id, key, steps: [first, stride, count, ...]}]


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


def pack_table(run_id: str, label: str, ev: Event) -> tuple[dict, bytes]:
    """The table with image cells as {_img: [0, offset, length], m: MIME, f, w, h, caption}, and the
    previews they point into."""
    parts, offset, rows = [], 0, []
    for row in ev.payload["rows"]:
        out = []
        for cell in row:
            if is_image(cell):
                small, mime = preview(ev.files.get(cell.get("file"), b""), cell.get("width", 0),
                                      cell.get("height", 0))
                ref = {"_img": [0, offset, len(small)], "f": cell.get("file"), "w": cell.get("width"),
                       "h": cell.get("height"), "caption": cell.get("caption")}
                if mime != "image/png":  # PNG is the default (js/imagegrid.js)
                    ref["m"] = mime
                out.append(ref)
                parts.append(small)
                offset += len(small)
            else:
                out.append(json_cell(cell))
        rows.append(out)
    table = {"run": label, "run_id": run_id, "key": ev.key, "step": ev.step,
             "columns": list(ev.payload["columns"]), "rows": rows}
    return table, b"".join(parts)


class ImageGridView:
    """Tables holding images, as a grid of predictions (see module doc)."""

    title = "Image predictions"
    asks_kernel = True  # the browser asks for full-size PNGs: the panel routes the widget to its subshell

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._latest: dict[tuple[str, str], tuple[str, Event]] = {}  # (run id, key) -> (run label, event)
        self._windows: StepWindows[tuple[str, str]] = StepWindows(KEEP_TABLES)  # (run id, key) -> its newest (table, blob); the older steps
        self.reader: Callable[[str, str, int, str], Event | None] | None = None  # the panel's (EventViews sets it)
        self.widget = ImageGridWidget(fallback=self.html, plain=self.text)
        self.widget.on_msg(self._on_msg)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        new = 0
        with self._lock:
            for ev in events:
                if ev.kind != "table" or not has_image_column(ev.payload.get("rows", [])):
                    continue
                table, previews = pack_table(run.id, run_label(run), ev)
                self._windows.add((run.id, ev.key), ev.step, (table, Blob(data=previews)))
                self._latest[(run.id, ev.key)] = (run_label(run), ev)
                new += 1
            if new:
                self._publish()
                self.widget.show()

    def _on_msg(self, widget: object, content: object, buffers: object) -> None:
        """`{"type": "full", "run_id", "key", "step", "f"}` -> that image's full-size PNG; `{"type": "table",
        "run_id", "key", "step"}` -> an older step's table and its previews. A step other than the newest is
        read from the run's source through `reader`; only steps logged under that key are."""
        if not isinstance(content, dict) or content.get("type") not in ("full", "table"):
            return
        run_id, key, step = str(content.get("run_id")), str(content.get("key")), content.get("step")
        with self._lock:
            latest = self._latest.get((run_id, key))
            known = self._windows.has((run_id, key), step)
        ev = latest[1] if latest and latest[1].step == step else None
        if ev is None and known:
            ev = read_step(self.reader, run_id, key, step, "table")
        if ev is not None and (ev.step != step or not has_image_column(ev.payload.get("rows", []))):
            ev = None
        if content["type"] == "full":
            png = ev.files.get(str(content.get("f"))) if ev is not None else None
            self.widget.send({**content, "ok": png is not None}, buffers=[png] if png else None)
            return
        reply = {"type": "table", "run_id": run_id, "key": key, "step": step, "ok": ev is not None}
        previews = b""
        if ev is not None:
            reply["table"], previews = pack_table(run_id, latest[0] if latest else run_id, ev)
        self.widget.send(reply, buffers=[previews] if ev is not None else None)

    def _publish(self) -> None:
        """`tables` and `blobs` from the windows (table i's cells point into blob i), `older` (reachable
        through the reader only); dropped blobs closed."""
        tables, blobs = [], []
        for slot in self._windows.windows:
            for table, blob in self._windows.entries(slot):
                b = len(blobs)
                blobs.append(blob)
                rows = [[{**c, "_img": [b, *c["_img"][1:]]} if isinstance(c, dict) and "_img" in c else c
                         for c in row] for row in table["rows"]]
                tables.append({**table, "rows": rows})
        older = [{"run_id": r, "key": k, "steps": steps} for (r, k), steps in self._windows.older_json().items()
                 ] if self.reader is not None else []
        kept = {id(b) for b in blobs}
        dropped = [b for b in self.widget.blobs if id(b) not in kept]
        with self.widget.hold_sync():
            self.widget.blobs = blobs
            self.widget.tables = tables
            if older != self.widget.older:
                self.widget.older = older
        for b in dropped:
            b.close()

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
