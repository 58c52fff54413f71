"""Sparklines as unicode text (`▁▂▃▄▅▆▇█`), small PNG `<img>` (kept by JupyterLab's sanitizer) and inline SVG; all deterministic."""

from __future__ import annotations

import numpy as np

BARS = "▁▂▃▄▅▆▇█"
NONFINITE = "×"  # a bucket holding NaN or inf


def bucket_means(values: np.ndarray, width: int = 40) -> np.ndarray:
    """At most `width` points: the mean of each of `width` equal buckets (NaN if a bucket holds any)."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) <= width:
        return v
    edges = np.linspace(0, len(v), width + 1).astype(np.int64)
    sums = np.add.reduceat(v, edges[:-1])
    return sums / np.diff(edges)


def text_sparkline(values: np.ndarray, width: int = 40) -> str:
    v = bucket_means(values, width)
    finite = np.isfinite(v)
    if not finite.any():
        return NONFINITE * len(v)
    lo, hi = v[finite].min(), v[finite].max()
    span = hi - lo
    out = []
    for x, ok in zip(v, finite):
        if not ok:
            out.append(NONFINITE)
        elif span == 0:
            out.append(BARS[3])
        else:
            out.append(BARS[min(7, int((x - lo) / span * 8))])
    return "".join(out)


def svg_sparkline(values: np.ndarray, width: int = 120, height: int = 24, points: int = 60) -> str:
    """A polyline in a fixed box; NaN/inf buckets break the line and are marked with a red dot."""
    v = bucket_means(values, points)
    finite = np.isfinite(v)
    if not len(v):
        return ""
    lo, hi = (v[finite].min(), v[finite].max()) if finite.any() else (0.0, 1.0)
    span = (hi - lo) or 1.0
    n = max(len(v) - 1, 1)
    pad = 2

    def xy(i: int, x: float) -> str:
        px = pad + (width - 2 * pad) * i / n
        py = height - pad - (height - 2 * pad) * ((x - lo) / span if hi > lo else 0.5)
        return f"{px:.1f},{py:.1f}"

    lines, cur, marks = [], [], []
    for i, (x, ok) in enumerate(zip(v, finite)):
        if ok:
            cur.append(xy(i, x))
        else:
            if cur:
                lines.append(cur)
            cur = []
            px = pad + (width - 2 * pad) * i / n
            marks.append(f'<circle cx="{px:.1f}" cy="{pad + 1}" r="1.5" fill="#d62728"/>')
    if cur:
        lines.append(cur)
    polys = "".join(
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{" ".join(p)}"/>' for p in lines
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="nbm-spark">{polys}{"".join(marks)}</svg>'
    )


def img_sparkline(values: np.ndarray, width: int = 120, height: int = 24, points: int = 60,
                  color: str | None = None) -> str:
    """The sparkline as `<img src="data:image/png;base64,...">`: what JupyterLab keeps in an untrusted notebook
    (it strips inline `<svg>`). NaN/inf buckets break the line and show as red dots at the top.
    color: "#rrggbb" (a run's legend colour), default blue."""
    from .png import data_uri, sparkline_png

    v = bucket_means(values, points)
    if not len(v):
        return ""
    png = sparkline_png(v, width, height) if not color else sparkline_png(
        v, width, height, color=(int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)))
    return (f'<img class="nbm-spark" src="{data_uri(png)}" width="{width}" '
            f'height="{height}" alt="{text_sparkline(v, 20)}">')
