"""Small PNG images made with numpy and zlib: sparklines that survive JupyterLab's sanitizer.

JupyterLab sanitizes the HTML of untrusted notebooks (a committed notebook opened
without running it): inline `<svg>` is stripped, `<img src="data:image/png;base64,...">`
is kept. So the static fallbacks draw their sparklines as tiny PNG data URIs.
Deterministic: the same values give the same bytes.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

BLUE = (31, 119, 180)
RED = (214, 39, 40)


def png_bytes(rgba: np.ndarray) -> bytes:
    """An H x W x 4 uint8 array as PNG bytes (8-bit RGBA, no filtering)."""
    a = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = a.shape[:2]
    raw = np.zeros((h, w * 4 + 1), np.uint8)  # filter byte 0 before each row
    raw[:, 1:] = a.reshape(h, w * 4)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + chunk(b"IEND", b""))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _plot(img: np.ndarray, xs: np.ndarray, ys: np.ndarray, color: tuple[int, int, int], thick: int = 1) -> None:
    """Draw segments between consecutive (x, y) pixel points (floats), anti-aliasing left out."""
    h, w = img.shape[:2]
    for (x0, y0), (x1, y1) in zip(zip(xs[:-1], ys[:-1]), zip(xs[1:], ys[1:])):
        n = int(max(abs(x1 - x0), abs(y1 - y0)) * 2) + 2
        px = np.rint(np.linspace(x0, x1, n)).astype(int)
        py = np.rint(np.linspace(y0, y1, n)).astype(int)
        for d in range(thick):
            ok = (px >= 0) & (px < w) & (py + d >= 0) & (py + d < h)
            img[py[ok] + d, px[ok], :3] = color
            img[py[ok] + d, px[ok], 3] = 255


def sparkline_png(values: np.ndarray, width: int = 120, height: int = 24,
                  color: tuple[int, int, int] = BLUE) -> bytes:
    """The series as a line in a `width` x `height` box; NaN/inf break it and show as red dots at the top."""
    v = np.asarray(values, np.float64)
    img = np.zeros((height, width, 4), np.uint8)
    if not len(v):
        return png_bytes(img)
    fin = np.isfinite(v)
    lo, hi = (v[fin].min(), v[fin].max()) if fin.any() else (0.0, 1.0)
    span = (hi - lo) or 1.0
    pad = 2
    n = max(len(v) - 1, 1)
    xs = pad + (width - 2 * pad - 1) * np.arange(len(v)) / n
    ys = height - pad - 1 - (height - 2 * pad - 2) * (((v - lo) / span) if hi > lo else np.full(len(v), 0.5))
    start = 0
    for i in range(len(v) + 1):
        if i == len(v) or not fin[i]:
            seg = slice(start, i)
            if i - start == 1:
                _plot(img, xs[seg].repeat(2), ys[seg].repeat(2), color, 2)
            elif i - start > 1:
                _plot(img, xs[seg], ys[seg], color, 2)
            if i < len(v):
                x = int(round(xs[i]))
                img[0:3, max(x - 1, 0):x + 2, :3] = RED
                img[0:3, max(x - 1, 0):x + 2, 3] = 255
            start = i + 1
    return png_bytes(img)


def svg_img(svg: str, alt: str = "") -> str:
    """An SVG drawing as `<img src="data:image/svg+xml;base64,...">`: the sanitizer strips inline `<svg>`,
    not an image's data URI (the drawing keeps its vector look; scripts never run inside an <img>)."""
    import html
    import re

    if "xmlns=" not in svg[:200]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    m = re.match(r'<svg[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"', svg)
    # its own size, also where a stylesheet sizes images as thumbnails (the inline style wins)
    size = (f' width="{m.group(1)}" height="{m.group(2)}" style="width:{m.group(1)}px;height:{m.group(2)}px;'
            'image-rendering:auto"' if m else "")
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="nbm-drawing" alt="{html.escape(alt)}"{size} src="{uri}"/>'


def svg_images(html_text: str) -> list[str]:
    """The SVG drawings of `svg_img` images in some HTML, decoded (for tests and checks)."""
    import re

    return [base64.b64decode(m).decode("utf-8") for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html_text)]
