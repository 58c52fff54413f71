"""What `log()` does with a dict that is not all numbers (`log_values`), and with values that are not a
number or a media object, as W&B does (`expand`).

`expand` is called only after the scalar converter has said no (the slow path), so
logging numbers costs nothing extra. `expand(key, value)` yields
`(key, float)` for scalars and `(key, Loggable)` for media, or raises the
scalar converter's TypeError for what W&B also rejects:

    None                  skipped (W&B drops it too)
    str                   a "text" event (W&B records the string; the panel shows text)
    dict                  flattened: {"a": {"b": 1}} -> key "a.b" (W&B's nested key, shown as a.b)
    list/tuple of media   one gallery: a table with an image column (images) or one event per item
    list/tuple of numbers,
    array, tensor         a Histogram (W&B: arrays of more than 32 values -> 32-bin histogram;
                          W&B keeps shorter ones as a list, which it does not chart: we bin those too)
    matplotlib figure     an Image of the figure (W&B converts it to plotly, needing plotly)
    pandas DataFrame      a Table (as W&B)
"""

from __future__ import annotations

import io
import numbers
from collections.abc import Iterator
from typing import Any

from .names import check_key
from .values import FAST, RAW, classify, describe, to_scalar

HISTOGRAM_BINS = 32  # W&B's bins for an array logged without nbm.Histogram


class _Text:
    """A logged string: a "text" event (the text view shows it; Api history gives the string back)."""

    def __init__(self, text: str):
        self.text = text

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "text", {"text": self.text, "_logged_str": True}, {}


class _Gallery:
    """A list of images logged under one key: a table of image + caption (drawn as the image grid)."""

    def __init__(self, images: list):
        self.images = images

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        files, rows = {}, []
        for i, img in enumerate(self.images):
            kind, payload, ifiles = img._nbm_event(key)
            name = f"{i}.png"
            files[name] = ifiles.get("image.png", b"")
            rows.append([{"_type": "image", "file": name, "caption": payload.get("caption"),
                          "width": payload.get("width"), "height": payload.get("height")}, payload.get("caption")])
        return "table", {"columns": ["image", "caption"], "rows": rows, "gallery": True}, files


def log_values(data: Any, known: set[str]) -> tuple[dict[str, Any], list | None]:
    """`log()`'s values: ({key: number}, [(key, media event)] or None); keys not in `known` are checked, then added.

    Numbers of a `RAW` type are kept as they are; arrays and tensors go through `FAST`; the rest through
    `classify` and `expand`. Raises TypeError/ValueError naming the key, before anything is recorded.
    """
    vals: dict[str, Any] = {}
    media = None
    for k, v in data.items():
        if type(k) is str:
            t = type(v)
            if t in RAW:
                vals[k] = v
                continue
            conv = FAST.get(t)
            if conv is not None:
                try:
                    vals[k] = conv(v)
                    continue
                except Exception:
                    pass  # classify() below raises the error that names the key
        elif not isinstance(k, str):
            raise TypeError(f"nbmonitor.log: keys must be strings, got {k!r} ({describe(k)})")
        if k not in known:
            check_key(k)  # media and expanded keys start with it
            known.add(k)
        try:
            kind, value = classify(k, v)  # the slow path: media, a tensor type seen first, errors
        except TypeError:  # W&B's other log types: None, str, dict, list, array, figure
            for k2, v2 in expand(k, v, to_scalar):
                if type(v2) is float:
                    vals[k2] = v2
                else:
                    media = media or []
                    media.append((k2, v2._nbm_event(k2)))
            continue
        if kind == "scalar":
            vals[k] = value
        else:
            media = media or []
            media.append((k, value._nbm_event(k)))
    if not vals.keys() <= known:  # one set operation; new keys are checked once
        for k in vals.keys() - known:
            check_key(k)
        known.update(vals)
    return vals, media


def _is_media(v: Any) -> bool:
    return hasattr(v, "_nbm_event")


def _is_figure(v: Any) -> bool:
    t = type(v)
    return t.__module__.startswith("matplotlib") and hasattr(v, "savefig")


def _is_array(v: Any) -> bool:
    return (hasattr(v, "shape") and hasattr(v, "dtype")) or (callable(getattr(v, "numel", None)))


def expand(key: str, value: Any, scalar: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(key, float | media) pairs for one logged value; `scalar(key, v)` is the scalar converter."""
    if value is None:
        return
    if isinstance(value, str):
        yield key, _Text(value)
        return
    if isinstance(value, dict):
        if depth > 16:
            raise TypeError(f"nbmonitor.log: key {key!r} nests dicts more than 16 deep")
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"nbmonitor.log: keys must be strings, got {k!r} inside {key!r}")
            sub = f"{key}.{k}"
            if isinstance(v, (float, int)) and not isinstance(v, bool) or isinstance(v, bool):
                yield sub, float(v)
            elif _is_media(v):
                yield sub, v
            else:
                try:
                    yield sub, scalar(sub, v)
                except TypeError:
                    yield from expand(sub, v, scalar, depth + 1)
        return
    if _is_figure(value):
        yield key, figure_image(value)
        return
    if type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas"):
        from .media import Table

        yield key, Table(dataframe=value)
        return
    if isinstance(value, (list, tuple)):
        if not value:
            return  # W&B records []; nothing to chart
        if all(_is_media(v) for v in value):
            if all(type(v).__name__ == "Image" for v in value):
                yield key, _Gallery(list(value))
            else:
                for v in value:  # other media: one event each, same key and step
                    yield key, v
            return
        if all(isinstance(v, numbers.Real) for v in value):
            yield key, _histogram(key, value)
            return
    if _is_array(value):
        yield key, _histogram(key, value)
        return
    scalar(key, value)  # raises the converter's TypeError naming the key and the type


def _histogram(key: str, values: Any):
    from .media import Histogram

    try:
        return Histogram(values, num_bins=HISTOGRAM_BINS)
    except (TypeError, ValueError) as e:
        raise TypeError(f"nbmonitor.log: key {key!r}: {e}") from None


def figure_image(fig: Any):
    """A matplotlib figure as an nbm.Image (rendered with the Agg canvas, never shown)."""
    from .media import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    buf.seek(0)
    from PIL import Image as PILImage

    with PILImage.open(buf) as im:
        im.load()
        return Image(im)
