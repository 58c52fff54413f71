"""Media values for `log()`: `Image`, `Table`, `Histogram` (W&B's names and signatures).

Each has `_nbm_event(key) -> (kind, payload, files)` (see `_values.Loggable`);
the payload schemas are those of `nbmonitor.ui.views`. The conversions are plain
functions the SummaryWriter reuses: `image_to_png(data, dataformats)` and
`histogram_from_values(values, num_bins)`. Bad input fails when the object is
made (or a row added), never inside `log()`, so nothing already logged is lost.
Pillow and pandas are imported only when needed; torch is never imported here.
"""

from __future__ import annotations

import io
import math
import numbers
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..store.payloads import histogram_payload
from .values import describe

INSTALL_HINT = 'pip install "nbmonitor[notebook]"'
MAX_BINS = 512


def _pil():
    try:
        from PIL import Image as PILImage
    except ImportError as e:  # pragma: no cover - Pillow is in the notebook extra
        raise ImportError(f"nbmonitor.Image needs Pillow to encode PNG: {INSTALL_HINT}") from e
    return PILImage


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _tensor_to_numpy(t: Any) -> np.ndarray:
    """A torch tensor's values as numpy; it is copied to the CPU, the tensor itself stays put."""
    t = t.detach()
    if t.is_floating_point() and str(t.dtype) not in ("torch.float16", "torch.float32", "torch.float64"):
        t = t.float()  # bfloat16 and friends have no numpy dtype
    return t.cpu().numpy()


# -- images --------------------------------------------------------------------


def _to_uint8(a: np.ndarray, shape: tuple) -> np.ndarray:
    kind = a.dtype.kind
    if kind == "b":
        return a.astype(np.uint8) * 255
    if kind == "u" and a.dtype.itemsize == 1:
        return a
    if kind not in "iuf":
        raise TypeError(
            f"nbmonitor.Image: unsupported dtype {a.dtype} for an array of shape {shape}; "
            "expected uint8 (0-255), float (0-1), bool or int"
        )
    a = a.astype(np.float64)
    finite = np.isfinite(a)
    if not finite.all():
        a = np.where(finite, a, 0.0)
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if kind == "f" and lo >= 0.0 and hi <= 1.0:
        a = a * 255.0  # floats in 0-1
    elif lo < 0.0 or hi > 255.0:
        span = hi - lo  # out of any image range (normalized inputs): stretch min..max
        a = (a - lo) * (255.0 / span) if span > 0 else np.zeros_like(a)
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def _layout(a: np.ndarray, dataformats: str | None) -> np.ndarray:
    """An HW or HWC array from HW / HWC / CHW (guessed when `dataformats` is None)."""
    shape = tuple(a.shape)
    fmt = (dataformats or "").upper()
    if fmt and fmt not in ("HW", "WH", "HWC", "CHW"):
        raise ValueError(f"nbmonitor.Image: dataformats must be 'HW', 'WH', 'HWC' or 'CHW', got {dataformats!r}")
    if not fmt:
        if a.ndim == 2:
            fmt = "HW"
        elif a.ndim == 3 and shape[-1] in (1, 2, 3, 4):
            fmt = "HWC"
        elif a.ndim == 3 and shape[0] in (1, 2, 3, 4):
            fmt = "CHW"
        elif a.ndim == 4:
            raise ValueError(
                f"nbmonitor.Image: unsupported shape {shape}: a batch of images; "
                "log one nbm.Image per image (e.g. [nbm.Image(x) for x in batch])"
            )
        else:
            raise ValueError(
                f"nbmonitor.Image: unsupported shape {shape}; expected (H, W), (H, W, C) or (C, H, W) "
                "with C in 1, 3, 4"
            )
    if len(fmt) != a.ndim:
        raise ValueError(f"nbmonitor.Image: shape {shape} does not match dataformats {fmt!r}")
    if fmt == "WH":
        a = a.T
    elif fmt == "CHW":
        a = np.transpose(a, (1, 2, 0))
    if a.ndim == 3:
        if a.shape[2] == 1:
            a = a[:, :, 0]
        elif a.shape[2] not in (2, 3, 4):
            raise ValueError(f"nbmonitor.Image: unsupported shape {shape}: {a.shape[2]} channels (1, 2, 3 or 4)")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"nbmonitor.Image: empty image of shape {shape}")
    return np.ascontiguousarray(a)


def image_to_png(data: Any, dataformats: str | None = None, mode: str | None = None) -> tuple[bytes, int, int]:
    """PNG bytes, width and height of an image: numpy/torch array, PIL image, or file path.

    Arrays are HW, HWC or CHW (`dataformats` says which; guessed otherwise);
    uint8 is taken as 0-255, floats in 0-1 are scaled by 255, anything else
    out of range is stretched from its min..max. `mode` is a PIL mode to
    convert to ("L", "RGB", "RGBA"...).
    """
    PILImage = _pil()
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"nbmonitor.Image: no such image file: {path}")
        with open(path, "rb") as f:
            raw = f.read()
        with PILImage.open(io.BytesIO(raw)) as img:
            if img.format == "PNG" and mode is None:
                return raw, img.width, img.height
            img.load()
            return _encode(img, mode)
    if isinstance(data, PILImage.Image):
        return _encode(data, mode)
    if getattr(data, "__name__", None) == "matplotlib.pyplot" or (
            type(data).__module__.startswith("matplotlib") and hasattr(data, "savefig")):  # W&B's Image(plt) / Image(fig)
        fig = data.gcf() if hasattr(data, "gcf") else data
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        with PILImage.open(io.BytesIO(buf.getvalue())) as img:
            img.load()
            return _encode(img, mode)
    if _is_torch(data):
        arr = _tensor_to_numpy(data)
    elif isinstance(data, np.ndarray) or hasattr(data, "__array__"):
        arr = np.asarray(data)
    else:
        raise TypeError(
            f"nbmonitor.Image: cannot make an image from {describe(data)}; expected a numpy array, "
            "a torch tensor, a PIL image or a file path"
        )
    shape = tuple(arr.shape)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"nbmonitor.Image: unsupported dtype {arr.dtype} for an array of shape {shape}")
    arr = _to_uint8(_layout(arr, dataformats), shape)
    if arr.ndim == 3 and arr.shape[2] == 2:
        img = PILImage.fromarray(arr, "LA")
    else:
        img = PILImage.fromarray(arr)
    return _encode(img, mode)


def _encode(img: Any, mode: str | None) -> tuple[bytes, int, int]:
    if mode is not None and img.mode != mode:
        img = img.convert(mode)
    elif img.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "I", "I;16"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6)
    return buf.getvalue(), img.width, img.height


class Image:
    """An image to log: `nbm.log({"sample": nbm.Image(x, caption="a cat")})`.

    `data`: numpy array (HW, HWC, CHW; uint8 0-255 or float 0-1), torch tensor
    (copied to the CPU for encoding), PIL image, or a path to an image file.
    Encoded to PNG once, here; stored as a PNG file beside the store.
    W&B's `masks=`, `boxes=` and `classes=` (an `nbm.Classes`) are drawn onto
    the shown image (`richmedia.overlay_png`); the plain image is kept as
    "raw.png", each mask as "mask-<name>.png", the boxes in the payload.
    """

    def __init__(self, data: Any, caption: str | None = None, mode: str | None = None, *,
                 dataformats: str | None = None, masks: dict | None = None, boxes: dict | None = None,
                 classes: Any = None, grouping: int | None = None, file_type: str | None = None,
                 normalize: bool = True):
        if caption is not None and not isinstance(caption, str):
            caption = str(caption)
        self.caption = caption
        self._png, self.width, self.height = image_to_png(data, dataformats, mode)
        self._overlay: tuple[dict, dict[str, bytes]] | None = None
        if masks or boxes:
            from . import richmedia as wb

            if classes is not None and not isinstance(classes, wb.Classes):
                classes = wb.Classes(classes)
            m, b = wb.check_overlays(masks, boxes, (self.width, self.height))
            raw = self._png
            self._png = wb.overlay_png(raw, m, b, classes)
            self._overlay = (wb.overlay_payload(m, b, classes), {"raw.png": raw, **wb.mask_files(m)})

    @property
    def png(self) -> bytes:
        return self._png

    @property
    def image(self) -> Any:
        """The image as a PIL image (W&B's `Image.image`), decoded from the PNG."""
        import io

        from PIL import Image as PILImage

        return PILImage.open(io.BytesIO(self._png))

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        payload = {"caption": self.caption, "width": self.width, "height": self.height, "format": "png"}
        if self._overlay is None:
            return "image", payload, {"image.png": self._png}
        extra, files = self._overlay
        return "image", {**payload, **extra}, {"image.png": self._png, **files}

    def _repr_png_(self) -> bytes:
        return self._png

    def __repr__(self) -> str:
        cap = f", caption={self.caption!r}" if self.caption else ""
        return f"<nbmonitor.Image {self.width}x{self.height}{cap}>"


# -- tables --------------------------------------------------------------------


def _cell(value: Any, column: str) -> Any:
    """A table cell as stored: Image, bool, int, float, str or None."""
    if value is None or isinstance(value, (Image, str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if _is_torch(value) or isinstance(value, np.ndarray) or isinstance(value, np.generic):
        size = value.numel() if _is_torch(value) else value.size
        if size == 1:
            item = (value.detach().cpu() if _is_torch(value) else value).reshape(()).item()
            return _cell(item, column)
    raise TypeError(
        f"nbmonitor.Table: column {column!r} got {describe(value)}; a cell holds a number, a string, "
        "a bool, None or an nbm.Image"
    )


class Table:
    """A table to log, W&B style: columns of numbers, strings and `nbm.Image`s.

    `Table(columns=["image", "pred", "target"])` then `add_data(img, 3, 5)`;
    or `Table(columns, data=[[...], ...])`; or `Table(dataframe=df)`.
    A table with an image column is shown as an image grid (pred/target
    columns recognised by name, mistakes highlighted).
    """

    def __init__(self, columns: Sequence[str] | None = None, data: Iterable[Sequence[Any]] | None = None,
                 dataframe: Any = None):
        self.columns: list[str] = []
        self.data: list[list[Any]] = []
        if dataframe is not None:
            if columns is not None or data is not None:
                raise ValueError("nbmonitor.Table: give either dataframe= or columns=/data=, not both")
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.itertuples(index=False, name=None)
        if columns is None:
            data = [list(r) for r in data] if data is not None else []
            width = len(data[0]) if data else 0
            columns = [f"col{i}" for i in range(width)]
        if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
            raise TypeError(f"nbmonitor.Table: columns must be a list of strings, got {columns!r}")
        self._set_columns(list(columns))
        for row in data or []:
            self.add_data(*row)

    def _set_columns(self, columns: list[str]) -> None:
        dup = sorted({c for c in columns if columns.count(c) > 1})
        if dup:
            raise ValueError(f"nbmonitor.Table: duplicate column names {dup}")
        self.columns = columns

    def add_data(self, *row: Any) -> None:
        """Append a row; it must have one value per column."""
        if len(row) != len(self.columns):
            raise ValueError(
                f"nbmonitor.Table.add_data: the row has {len(row)} values but the table has "
                f"{len(self.columns)} columns {self.columns}"
            )
        self.data.append([_cell(v, c) for v, c in zip(row, self.columns)])

    def add_column(self, name: str, data: Sequence[Any]) -> None:
        """Append a column; `data` holds one value per existing row."""
        if not isinstance(name, str):
            raise TypeError(f"nbmonitor.Table.add_column: name must be a string, got {name!r}")
        if name in self.columns:
            raise ValueError(f"nbmonitor.Table.add_column: the table already has a column {name!r}")
        values = list(data)
        if self.columns and len(values) != len(self.data):
            raise ValueError(
                f"nbmonitor.Table.add_column: column {name!r} has {len(values)} values but the table "
                f"has {len(self.data)} rows"
            )
        cells = [_cell(v, name) for v in values]
        if not self.columns:
            self.data = [[] for _ in cells]
        self.columns = self.columns + [name]
        for row, v in zip(self.data, cells):
            row.append(v)

    def get_column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [row[i] for row in self.data]

    def get_dataframe(self):
        """The table as a pandas DataFrame (image cells stay `nbm.Image` objects)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover
            raise ImportError(f"Table.get_dataframe needs pandas: {INSTALL_HINT}") from e
        return pd.DataFrame([list(r) for r in self.data], columns=list(self.columns))

    def __len__(self) -> int:
        return len(self.data)

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        files: dict[str, bytes] = {}
        rows = []
        for r, row in enumerate(self.data):
            out = []
            for c, v in enumerate(row):
                if isinstance(v, Image):
                    name = f"{r}-{c}.png"
                    files[name] = v.png
                    v = {"_type": "image", "file": name, "caption": v.caption, "width": v.width,
                         "height": v.height}
                out.append(v)
            rows.append(out)
        return "table", {"columns": list(self.columns), "rows": rows}, files

    def __repr__(self) -> str:
        return f"<nbmonitor.Table {len(self.data)} rows x {len(self.columns)} columns {self.columns}>"


# -- histograms ------------------------------------------------------------------


def _check_bins(num_bins: Any) -> int:
    if not isinstance(num_bins, numbers.Integral) or isinstance(num_bins, bool) or not 1 <= int(num_bins) <= MAX_BINS:
        raise ValueError(f"nbmonitor.Histogram: num_bins must be an int from 1 to {MAX_BINS}, got {num_bins!r}")
    return int(num_bins)


def histogram_from_values(values: Any, num_bins: int = 64) -> dict:
    """The histogram payload of a sequence, array or tensor; NaN and inf are left out.

    A torch tensor is binned on its own device (`torch.histc`); only the bins
    come back. ValueError if there is no finite value.
    """
    num_bins = _check_bins(num_bins)
    if _is_torch(values):
        return histogram_from_tensor(values, num_bins)
    try:
        a = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as e:
        raise TypeError(f"nbmonitor.Histogram: cannot read numbers from {describe(values)}: {e}") from None
    finite = np.isfinite(a)
    if not finite.all():
        a = a[finite]
    if a.size == 0:
        what = "empty" if finite.size == 0 else "all NaN or inf"
        raise ValueError(f"nbmonitor.Histogram: the sequence is {what}; nothing to bin")
    lo, hi = float(a.min()), float(a.max())
    counts, edges = np.histogram(a, bins=num_bins, range=_range(lo, hi))
    return histogram_payload(edges, counts, lo, hi, a.size, float(a.sum()))


def _range(lo: float, hi: float) -> tuple[float, float]:
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def histogram_from_tensor(t: Any, num_bins: int = 64) -> dict:
    """`histogram_from_values` for a torch tensor, computed on the tensor's device."""
    return tensor_histogram(t, num_bins)[0]


def tensor_histogram(t: Any, num_bins: int = 64) -> tuple[dict, int]:
    """The histogram payload of a tensor and how many NaN/inf values it left out.

    min, max and sum are reduced on the tensor's device and `torch.histc` bins
    it there; only those three numbers and the bins are copied to the host.
    """
    import torch

    flat = t.detach().reshape(-1)
    if not flat.is_floating_point():
        flat = flat.double()
    elif flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    if flat.numel() == 0:
        raise ValueError("nbmonitor.Histogram: the tensor is empty; nothing to bin")
    stats = torch.stack([flat.min(), flat.max(), flat.sum()]).tolist()
    nonfinite = 0
    if not all(math.isfinite(s) for s in stats):
        keep = torch.isfinite(flat)
        flat = flat[keep]
        nonfinite = int(keep.numel() - flat.numel())
        if flat.numel() == 0:
            raise ValueError("nbmonitor.Histogram: the tensor is all NaN or inf; nothing to bin")
        stats = torch.stack([flat.min(), flat.max(), flat.sum()]).tolist()
    lo, hi, total = stats
    rlo, rhi = _range(lo, hi)
    counts = torch.histc(flat, bins=num_bins, min=rlo, max=rhi).cpu().numpy()
    edges = np.linspace(rlo, rhi, num_bins + 1)
    return histogram_payload(edges, counts, lo, hi, flat.numel(), total), nonfinite


class Histogram:
    """A histogram to log; one per step builds a histogram-over-time series.

    `Histogram(sequence)` bins the values (NaN/inf left out) into `num_bins`
    (<= 512); `Histogram(np_histogram=np.histogram(x))` takes ready bins.
    """

    def __init__(self, sequence: Any = None, np_histogram: tuple | None = None, num_bins: int = 64):
        if (sequence is None) == (np_histogram is None):
            raise ValueError("nbmonitor.Histogram: give exactly one of sequence= or np_histogram=")
        if sequence is not None:
            self._payload = histogram_from_values(sequence, num_bins)
        else:
            self._payload = _from_np_histogram(np_histogram)
        self.bins = self._payload["edges"]
        self.histogram = self._payload["counts"]

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "histogram", dict(self._payload), {}

    def __repr__(self) -> str:
        p = self._payload
        return f"<nbmonitor.Histogram {len(p['counts'])} bins, {p['min']:.4g}..{p['max']:.4g}, n={p['num']:.0f}>"


def _from_np_histogram(np_histogram: Any) -> dict:
    try:
        counts, edges = np_histogram
        counts = np.asarray(counts, dtype=np.float64).ravel()
        edges = np.asarray(edges, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(
            "nbmonitor.Histogram: np_histogram must be a (counts, edges) pair as np.histogram returns"
        ) from None
    if len(counts) == 0 or len(edges) != len(counts) + 1:
        raise ValueError(
            f"nbmonitor.Histogram: np_histogram has {len(counts)} counts and {len(edges)} edges; "
            "expected n > 0 counts and n + 1 edges"
        )
    if len(counts) > MAX_BINS:
        raise ValueError(f"nbmonitor.Histogram: np_histogram has {len(counts)} bins; at most {MAX_BINS}")
    if not (np.isfinite(counts).all() and np.isfinite(edges).all()) or (np.diff(edges) < 0).any():
        raise ValueError("nbmonitor.Histogram: np_histogram needs finite counts and increasing finite edges")
    centers = (edges[:-1] + edges[1:]) / 2
    return histogram_payload(edges, counts, edges[0], edges[-1], counts.sum(), float((counts * centers).sum()))
