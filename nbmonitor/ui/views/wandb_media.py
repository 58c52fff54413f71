"""W&B's extra media and custom charts: kinds "html", "audio", "video", "object3d", "molecule", "plotly",
and tables carrying a "chart".

One card per (run, key) showing its latest value: HTML in an iframe with an
empty `sandbox` (its scripts never run and it reaches nothing of the page),
audio in an `<audio>` player, video as an animated GIF or a `<video>`, and a
`wandb.plot` chart drawn as SVG (line, scatter, line_series, pr/roc curves,
bar, histogram, confusion matrix), a point cloud or .obj mesh (`Object3D`) as its
top view (x-y, boxes outlined), a plotly figure's x/y traces, a molecule as its
format and atom count (no 3D viewer). Every drawing is an `<img>` of a data URI,
so the same HTML is the live widget's content and the saved notebook's static
view, which JupyterLab's sanitizer keeps. Names and captions are escaped.
"""

from __future__ import annotations

import base64
import json
import math
import threading
from typing import Any

from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, esc, run_label

MAX_BYTES = 4_000_000  # per file inlined into the HTML
W, H, PAD = 360, 220, 34
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _frame(title: str, body: list[str], xlabel: str = "", ylabel: str = "",
           xr: tuple[float, float] | None = None, yr: tuple[float, float] | None = None) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="10">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{W / 2}" y="12" text-anchor="middle" font-size="11">{esc(title)}</text>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 8}" y2="{H - PAD}" stroke="#999"/>',
             f'<line x1="{PAD}" y1="18" x2="{PAD}" y2="{H - PAD}" stroke="#999"/>']
    if xr:
        parts += [f'<text x="{PAD}" y="{H - PAD + 12}">{xr[0]:.3g}</text>',
                  f'<text x="{W - 8}" y="{H - PAD + 12}" text-anchor="end">{xr[1]:.3g}</text>']
    if yr:
        parts += [f'<text x="{PAD - 2}" y="{H - PAD}" text-anchor="end">{yr[0]:.3g}</text>',
                  f'<text x="{PAD - 2}" y="26" text-anchor="end">{yr[1]:.3g}</text>']
    if xlabel:
        parts.append(f'<text x="{W / 2}" y="{H - 6}" text-anchor="middle">{esc(xlabel)}</text>')
    if ylabel:
        parts.append(f'<text x="10" y="{H / 2}" transform="rotate(-90 10 {H / 2})" text-anchor="middle">{esc(ylabel)}</text>')
    return "".join(parts + body + ["</svg>"])


def chart_svg(payload: dict) -> str:
    """The SVG of a `wandb.plot` chart payload (columns, rows, chart: {type, title, fields})."""
    spec = payload.get("chart") or {}
    kind, fields, title = spec.get("type", "line"), spec.get("fields", {}), spec.get("title") or ""
    cols = list(payload.get("columns", []))
    rows = payload.get("rows", [])

    def col(name: str) -> list[Any]:
        i = cols.index(name) if name in cols else None
        return [r[i] for r in rows] if i is not None else []

    if kind == "confusion_matrix":
        actual, pred, count = col(fields.get("actual", "")), col(fields.get("predicted", "")), col(fields.get("value", ""))
        names = list(dict.fromkeys([*actual, *pred]))
        n = max(1, len(names))
        top = max([c for c in count if _num(c) is not None] or [1]) or 1
        cell = min((W - PAD - 10) / n, (H - PAD - 20) / n)
        body = []
        for a, p, c in zip(actual, pred, count):
            i, j = names.index(a), names.index(p)
            shade = int(255 - 200 * (float(c) / top))
            x, y = PAD + j * cell, 20 + i * cell
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                        f'fill="rgb({shade},{shade},255)" stroke="white"/>')
            if cell > 14:
                body.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 3:.1f}" text-anchor="middle">{int(c)}</text>')
        return _frame(title, body, "Predicted", "Actual")
    if kind in ("bar", "histogram"):
        if kind == "bar":
            labels, values = [str(v) for v in col(fields.get("label", ""))], [_num(v) or 0.0 for v in col(fields.get("value", ""))]
        else:
            vals = [v for v in (_num(x) for x in col(fields.get("value", ""))) if v is not None]
            lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
            nb = 20
            width = (hi - lo) / nb or 1.0
            values = [0.0] * nb
            for v in vals:
                values[min(nb - 1, int((v - lo) / width))] += 1
            labels = [""] * nb
        top = max(values + [0.0]) or 1.0
        bw = (W - PAD - 10) / max(1, len(values))
        body = []
        for i, (lab, v) in enumerate(zip(labels, values)):
            h = (H - PAD - 24) * max(v, 0.0) / top
            body.append(f'<rect x="{PAD + i * bw + 1:.1f}" y="{H - PAD - h:.1f}" width="{max(bw - 2, 1):.1f}" '
                        f'height="{h:.1f}" fill="{COLORS[0]}"/>')
            if lab and bw > 18:
                body.append(f'<text x="{PAD + (i + 0.5) * bw:.1f}" y="{H - PAD + 12}" text-anchor="middle">{esc(lab[:8])}</text>')
        return _frame(title, body, fields.get("label", fields.get("value", "")), "", None, (0.0, top))
    # x-y charts: line, scatter, line_series, pr_curve, roc_curve
    xs = [_num(v) for v in col(fields.get("x", ""))]
    ys = [_num(v) for v in col(fields.get("y", ""))]
    series = [str(s) for s in col(fields["series"])] if fields.get("series") else [""] * len(xs)
    pts = [(x, y, s) for x, y, s in zip(xs, ys, series) if x is not None and y is not None]
    if not pts:
        return _frame(title, ['<text x="50%" y="50%" text-anchor="middle">no numeric points</text>'])
    xr = (min(p[0] for p in pts), max(p[0] for p in pts))
    yr = (min(p[1] for p in pts), max(p[1] for p in pts))
    if kind in ("pr_curve", "roc_curve"):
        xr, yr = (0.0, 1.0), (0.0, 1.0)
    sx, sy = _scale(*xr, PAD, W - 10), _scale(*yr, H - PAD, 22)
    body = []
    names = list(dict.fromkeys(p[2] for p in pts))
    for k, name in enumerate(names):
        color = COLORS[k % len(COLORS)]
        mine = [(sx(x), sy(y)) for x, y, s in pts if s == name]
        if kind == "scatter":
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in mine]
        else:
            if kind == "line" or kind == "line_series":
                mine.sort()
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in mine)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        if name:
            body.append(f'<text x="{W - 12}" y="{30 + 12 * k}" text-anchor="end" fill="{color}">{esc(name[:20])}</text>')
    return _frame(title, body, fields.get("xname") or fields.get("x", ""), fields.get("y", ""), xr, yr)


MAX_POINTS = 4000  # drawn of a point cloud


def _obj_points(fmt: str, data: bytes) -> tuple[list, list]:
    """(points [[x, y, z, ...]], boxes [{"corners", "color", "label"}]) of an Object3D file."""
    if fmt == "pts.json":
        doc = json.loads(data or b"{}")
        return list(doc.get("points") or []), [b for b in doc.get("boxes") or [] if isinstance(b, dict)]
    if fmt == "obj":
        pts = []
        for line in data.decode("utf-8", "replace").splitlines():
            if line.startswith("v "):
                try:
                    pts.append([float(v) for v in line.split()[1:4]])
                except ValueError:
                    continue
        return pts, []
    return [], []


def object3d_svg(title: str, fmt: str, data: bytes) -> str | None:
    """The top view (x-y) of a point cloud or mesh, boxes outlined; None for formats not drawn (gltf, glb, stl...)."""
    pts, boxes = _obj_points(fmt, data)
    pts = [p for p in pts if len(p) >= 2 and _num(p[0]) is not None and _num(p[1]) is not None]
    if not pts:
        return None
    if len(pts) > MAX_POINTS:
        pts = pts[:: math.ceil(len(pts) / MAX_POINTS)]
    corners = [c for b in boxes for c in b.get("corners", []) if len(c) >= 2 and _num(c[0]) is not None
               and _num(c[1]) is not None]
    xs = [float(p[0]) for p in pts] + [float(c[0]) for c in corners]
    ys = [float(p[1]) for p in pts] + [float(c[1]) for c in corners]
    xr, yr = (min(xs), max(xs)), (min(ys), max(ys))
    sx, sy = _scale(*xr, PAD + 4, W - 12), _scale(*yr, H - PAD - 4, 22)
    body = [f'<circle cx="{sx(float(p[0])):.1f}" cy="{sy(float(p[1])):.1f}" r="1.2" fill="#1f77b4" '
            'fill-opacity="0.6"/>' for p in pts]
    for b in boxes:
        cs = [c for c in b.get("corners", []) if len(c) >= 2 and _num(c[0]) is not None and _num(c[1]) is not None]
        if not cs:
            continue
        x0, x1 = sx(min(float(c[0]) for c in cs)), sx(max(float(c[0]) for c in cs))
        y0, y1 = sy(max(float(c[1]) for c in cs)), sy(min(float(c[1]) for c in cs))
        rgb = [min(255, max(0, int(v))) for v in (b.get("color") or [214, 39, 40])[:3] if _num(v) is not None]
        color = "rgb({},{},{})".format(*rgb) if len(rgb) == 3 else "#d62728"
        body.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="none" '
                    f'stroke="{color}" stroke-width="1.5"/>')
        if b.get("label"):
            body.append(f'<text x="{x0:.1f}" y="{y0 - 2:.1f}" fill="{color}">{esc(str(b["label"])[:20])}</text>')
    return _frame(f"{title} (top view)", body, "x", "y", xr, yr)


def plotly_svg(title: str, figure: dict) -> str | None:
    """A plotly figure's traces that have numeric x and y, as lines or markers; None when there are none."""
    traces = []
    for t in figure.get("data") or []:
        if not isinstance(t, dict):
            continue
        ys = [_num(v) for v in t.get("y") or []]
        xs = [_num(v) for v in t.get("x") or range(len(ys))]
        pts = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
        if pts:
            traces.append((str(t.get("name") or ""), str(t.get("mode") or "lines"), pts))
    if not traces:
        return None
    allx = [x for _, _, pts in traces for x, _ in pts]
    ally = [y for _, _, pts in traces for _, y in pts]
    xr, yr = (min(allx), max(allx)), (min(ally), max(ally))
    sx, sy = _scale(*xr, PAD + 4, W - 12), _scale(*yr, H - PAD - 4, 22)
    body = []
    for k, (name, mode, pts) in enumerate(traces):
        color = COLORS[k % len(COLORS)]
        if "lines" in mode:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        if "markers" in mode:
            body += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}"/>' for x, y in pts]
        if name:
            body.append(f'<text x="{W - 12}" y="{30 + 12 * k}" text-anchor="end" fill="{color}">{esc(name[:20])}</text>')
    layout = figure.get("layout") or {}
    t = layout.get("title")
    heading = (t.get("text") if isinstance(t, dict) else t) or title
    return _frame(str(heading), body, "", "", xr, yr)


def card_html(run: RunRecord, ev: Event) -> str:
    """One card: the key, run and step, then the value drawn."""
    head = f"<div><b>{esc(ev.key)}</b> <small>{esc(run_label(run))}, step {int(ev.step)}</small></div>"
    p = ev.payload
    files = ev.files or {}
    caption = f"<div><small>{esc(p.get('caption'))}</small></div>" if p.get("caption") else ""
    if ev.kind == "table":
        svg = chart_svg(p).encode()
        return f'{head}<img alt="chart" src="{_data_uri("image/svg+xml", svg)}"/>'
    if ev.kind == "html":
        html_text = str(p.get("html", ""))
        return (f'{head}<iframe sandbox="" referrerpolicy="no-referrer" style="width:100%;height:240px;'
                f'border:1px solid #ddd" srcdoc="{esc(html_text)}"></iframe>{caption}')
    if ev.kind == "audio":
        wav = files.get("audio.wav", b"")
        if not wav or len(wav) > MAX_BYTES:
            return f"{head}<div>audio ({float(p.get('duration') or 0):.2f} s), too large to show here</div>"
        return f'{head}<audio controls src="{_data_uri("audio/wav", wav)}"></audio>{caption}'
    if ev.kind == "video":
        fmt = str(p.get("format", "mp4"))
        data = files.get(f"video.{fmt}", b"")
        if not data or len(data) > MAX_BYTES:
            return f"{head}<div>video ({esc(fmt)}), too large to show here</div>"
        if fmt == "gif":
            return f'{head}<img alt="video" src="{_data_uri("image/gif", data)}"/>{caption}'
        return f'{head}<video controls src="{_data_uri("video/" + fmt, data)}"></video>{caption}'
    if ev.kind == "object3d":
        fmt = str(p.get("format", ""))
        drawn = object3d_svg(ev.key, fmt, files.get(f"object.{fmt}", b""))
        if drawn is None:
            return f"{head}<div>3D object ({esc(fmt)}), not drawn here</div>{caption}"
        return f'{head}<img alt="3D object" src="{_data_uri("image/svg+xml", drawn.encode())}"/>{caption}'
    if ev.kind == "plotly":
        drawn = plotly_svg(ev.key, p.get("figure") or {})
        if drawn is None:
            return f"{head}<div>plotly figure, no x/y traces to draw here</div>"
        return f'{head}<img alt="plotly figure" src="{_data_uri("image/svg+xml", drawn.encode())}"/>'
    if ev.kind == "molecule":
        fmt = str(p.get("format", ""))
        text = files.get(f"molecule.{fmt}", b"").decode("utf-8", "replace")
        atoms = sum(1 for line in text.splitlines() if line.startswith(("ATOM", "HETATM")))
        what = f", {atoms} atoms" if atoms else ""
        return f"{head}<div>molecule ({esc(fmt)}{what}); no 3D viewer here</div>{caption}"
    return head


class WandbMediaView:
    """HTML, audio, video and wandb.plot charts: the latest of each key, per run."""

    title = "Media and charts"

    def __init__(self) -> None:
        import ipywidgets

        self._lock = threading.RLock()
        self._latest: dict[tuple[str, str], tuple[RunRecord, Event]] = {}
        self.widget = ipywidgets.HTML()
        self.widget.layout.display = "none"

    def add(self, run: RunRecord, events: list[Event]) -> None:
        changed = False
        with self._lock:
            for ev in events:
                if ev.kind == "table" and "chart" not in ev.payload:
                    continue
                self._latest[(run.id, ev.key)] = (run, ev)
                changed = True
        if changed:
            self.widget.value = self.html()
            self.widget.layout.display = None

    @property
    def empty(self) -> bool:
        """Nothing of its kinds yet (a table of images alone is the grid's): the panel shows no section then."""
        return not self._latest

    def text(self) -> str:
        with self._lock:
            keys = [ev.key for _, ev in self._latest.values()]
        return "Media and charts: " + (", ".join(keys[:12]) if keys else "none")

    def html(self) -> str:
        with self._lock:
            cards = [card_html(run, ev) for run, ev in self._latest.values()]
        inner = "".join(f'<div style="display:inline-block;vertical-align:top;margin:4px">{c}</div>' for c in cards)
        return f'{STYLE}<div class="nbm-static nbm-static-wandb">{inner}</div>'


register_view(("html", "audio", "video", "table", "object3d", "molecule", "plotly"), WandbMediaView)
