"""A group's band as a small PNG `<img>` (kept by JupyterLab's sanitizer): the min-max area across
the group's runs, filled pale, with the median as a line. Deterministic: same values, same bytes."""

from __future__ import annotations

import html

import numpy as np

from .png import data_uri, png_bytes
from .sparkline import bucket_means, text_sparkline

__all__ = ["band_png", "img_band"]


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    try:
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except (ValueError, IndexError):
        return 31, 119, 180


def band_png(lo: np.ndarray, median: np.ndarray, hi: np.ndarray, width: int = 120, height: int = 24,
             color: str = "#1f77b4") -> bytes:
    """Columns `width` wide: each column's min..max filled at 25 % opacity, the median drawn opaque."""
    lo, med, hi = (bucket_means(np.asarray(a, np.float64), width) for a in (lo, median, hi))
    img = np.zeros((height, width, 4), np.uint8)
    fin = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(med)
    if not fin.any():
        return png_bytes(img)
    vmin, vmax = float(lo[fin].min()), float(hi[fin].max())
    span = (vmax - vmin) or 1.0
    pad = 2
    n = len(med)

    def row(v: float) -> int:
        return int(round(height - 1 - pad - (height - 1 - 2 * pad) * ((v - vmin) / span if vmax > vmin else 0.5)))

    rgb = _rgb(color)
    cols = np.arange(pad, width - pad)
    src = np.linspace(0, n - 1, len(cols))  # each pixel column's place among the points
    idx = np.flatnonzero(fin)
    near = fin[np.clip(src.round().astype(int), 0, n - 1)]  # a gap where the nearest point is NaN/inf
    a, m, b = (np.interp(src, idx, v[fin]) for v in (lo, med, hi))
    prev = None
    for c, ok, a1, m1, b1 in zip(cols, near, a, m, b):
        if not ok:
            prev = None
            continue
        top, bottom, mid = row(b1), row(a1), row(m1)
        img[top:bottom + 1, c] = (*rgb, 64)
        r0, r1 = (mid, mid) if prev is None else (min(mid, prev), max(mid, prev))
        img[r0:r1 + 1, c] = (*rgb, 255)
        prev = mid
    return png_bytes(img)


def img_band(lo: np.ndarray, median: np.ndarray, hi: np.ndarray, width: int = 120, height: int = 24,
             color: str = "#1f77b4", points: int = 60) -> str:
    """The band as `<img src="data:image/png;base64,...">`, its alt text the median's unicode sparkline."""
    if not len(median):
        return ""
    lo, med, hi = (bucket_means(np.asarray(a, np.float64), points) for a in (lo, median, hi))
    png = band_png(lo, med, hi, width, height, color)
    alt = html.escape(text_sparkline(med, 20))
    return (f'<img class="nbm-band" src="{data_uri(png)}" width="{width}" height="{height}" '
            f'alt="{alt}">')
