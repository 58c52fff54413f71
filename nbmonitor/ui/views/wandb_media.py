"""W&B's extra media and custom charts: kinds "html", "audio", "video", and tables carrying a "chart".

One card per (run, key) showing its latest value: HTML in an iframe with an
empty `sandbox` (its scripts never run and it reaches nothing of the page),
audio in an `<audio>` player, video as an animated GIF or a `<video>`, and a
`wandb.plot` chart drawn as SVG (line, scatter, line_series, pr/roc curves,
bar, histogram, confusion matrix). Every drawing is an `<img>` of a data URI,
so the same HTML is the live widget's content and the saved notebook's static
view, which JupyterLab's sanitizer keeps. Names and captions are escaped.
"""

from __future__ import annotations

import base64
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

    def text(self) -> str:
        with self._lock:
            keys = [ev.key for _, ev in self._latest.values()]
        return "Media and charts: " + (", ".join(keys[:12]) if keys else "none")

    def html(self) -> str:
        with self._lock:
            cards = [card_html(run, ev) for run, ev in self._latest.values()]
        inner = "".join(f'<div style="display:inline-block;vertical-align:top;margin:4px">{c}</div>' for c in cards)
        return f'{STYLE}<div class="nbm-static nbm-static-wandb">{inner}</div>'


register_view(("html", "audio", "video", "table"), WandbMediaView)
