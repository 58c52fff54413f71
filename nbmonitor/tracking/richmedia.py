"""W&B's media types beyond Image/Table/Histogram: `Audio`, `Html`, `Video`, `Classes`, and image overlays.

Each has `_nbm_event(key)` like the core media (see `_values.Loggable`):
    audio   {"sample_rate", "duration", "caption", "format": "wav"}; files {"audio.wav"}
    html    {"html": str, "caption"}   shown in a sandboxed iframe (no scripts reach the notebook)
    video   {"caption", "fps", "format": "gif" | "mp4" | ..., "frames", "width", "height"}; files {"video.<fmt>"}
`overlay_png(png, masks, boxes, classes)` draws masks and boxes onto an image
(what `Image(masks=, boxes=, classes=)` shows in the grid and the static view).
Audio is encoded with the stdlib `wave`; a GIF video with Pillow; other video
formats need `imageio` (with its ffmpeg plugin) and say so.
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Sequence
from typing import Any

import numpy as np

# -- Classes -------------------------------------------------------------------


class Classes:
    """Class ids and names for image masks and boxes: `Classes([{"id": 1, "name": "cat"}, ...])`."""

    def __init__(self, class_set: Sequence[dict]):
        self._class_set: list[dict[str, Any]] = []
        for c in class_set:
            if not isinstance(c, dict) or "id" not in c or "name" not in c:
                raise TypeError(f"nbmonitor.Classes: each class is a dict with 'id' and 'name', got {c!r}")
            self._class_set.append({"id": int(c["id"]), "name": str(c["name"])})

    def labels(self) -> dict[int, str]:
        return {c["id"]: c["name"] for c in self._class_set}

    def __len__(self) -> int:
        return len(self._class_set)

    def __repr__(self) -> str:
        return f"<nbmonitor.Classes {len(self._class_set)} classes>"


_PALETTE = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
            (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255)]


def _color(class_id: int) -> tuple[int, int, int]:
    return _PALETTE[int(class_id) % len(_PALETTE)]


def _as_array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def check_overlays(masks: Any, boxes: Any, size: tuple[int, int]) -> tuple[dict, dict]:
    """Validated (masks, boxes) as JSON-able dicts: masks' arrays stay numpy, shapes must match the image."""
    w, h = size
    out_masks: dict = {}
    for name, m in (masks or {}).items():
        if not isinstance(m, dict) or ("mask_data" not in m and "path" not in m):
            raise TypeError(f"nbmonitor.Image: masks[{name!r}] must be a dict with 'mask_data' (a 2-D array of class ids)")
        if "mask_data" in m:
            data = _as_array(m["mask_data"])
        else:
            from PIL import Image as PILImage

            with PILImage.open(m["path"]) as im:
                data = np.asarray(im)
        if data.ndim != 2 or data.shape != (h, w):
            raise ValueError(
                f"nbmonitor.Image: masks[{name!r}] has shape {data.shape}; it must be (height, width) = {(h, w)}"
            )
        labels = {int(k): str(v) for k, v in (m.get("class_labels") or {}).items()}
        out_masks[str(name)] = {"mask_data": data.astype(np.int64), "class_labels": labels}
    out_boxes: dict = {}
    for name, b in (boxes or {}).items():
        if not isinstance(b, dict) or "box_data" not in b:
            raise TypeError(f"nbmonitor.Image: boxes[{name!r}] must be a dict with 'box_data' (a list of boxes)")
        items = []
        for box in b["box_data"]:
            pos = box.get("position") or {}
            if {"minX", "maxX", "minY", "maxY"} <= set(pos):
                x0, x1, y0, y1 = (float(pos[k]) for k in ("minX", "maxX", "minY", "maxY"))
            elif {"middle", "width", "height"} <= set(pos):
                (mx, my), bw, bh = pos["middle"], float(pos["width"]), float(pos["height"])
                x0, x1, y0, y1 = mx - bw / 2, mx + bw / 2, my - bh / 2, my + bh / 2
            else:
                raise ValueError(
                    f"nbmonitor.Image: a box in boxes[{name!r}] needs position with minX/maxX/minY/maxY "
                    "or middle/width/height"
                )
            if box.get("domain") != "pixel":  # W&B: relative 0-1 coordinates unless domain="pixel"
                x0, x1, y0, y1 = x0 * w, x1 * w, y0 * h, y1 * h
            items.append({"position": [x0, y0, x1, y1], "class_id": int(box.get("class_id", 0)),
                          "box_caption": box.get("box_caption"),
                          "scores": {str(k): float(v) for k, v in (box.get("scores") or {}).items()}})
        labels = {int(k): str(v) for k, v in (b.get("class_labels") or {}).items()}
        out_boxes[str(name)] = {"box_data": items, "class_labels": labels}
    return out_masks, out_boxes


def overlay_png(png: bytes, masks: dict, boxes: dict, classes: Classes | None = None) -> bytes:
    """The image with masks blended in (40 %) and boxes outlined and captioned, as PNG."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    with PILImage.open(io.BytesIO(png)) as im:
        base = im.convert("RGBA")
    names = classes.labels() if classes is not None else {}
    for m in masks.values():
        data = m["mask_data"]
        color = np.zeros(data.shape + (4,), np.uint8)
        for cid in np.unique(data):
            if cid == 0 and 0 not in m["class_labels"] and 0 not in names:
                continue  # 0 is background unless named
            r, g, b = _color(int(cid))
            color[data == cid] = (r, g, b, 102)
        base = PILImage.alpha_composite(base, PILImage.fromarray(color, "RGBA"))
    draw = ImageDraw.Draw(base)
    for b in boxes.values():
        for box in b["box_data"]:
            x0, y0, x1, y1 = box["position"]
            col = _color(box["class_id"]) + (255,)
            draw.rectangle([x0, y0, x1, y1], outline=col, width=max(1, round(min(base.size) / 100)))
            label = box.get("box_caption") or b["class_labels"].get(box["class_id"]) or names.get(box["class_id"])
            if label:
                draw.text((x0 + 2, y0 + 1), str(label), fill=col)
    buf = io.BytesIO()
    base.save(buf, format="PNG")
    return buf.getvalue()


def overlay_payload(masks: dict, boxes: dict, classes: Classes | None) -> dict:
    """The JSON part of the overlays (mask arrays are summarised by the classes present)."""
    out: dict = {}
    if masks:
        out["masks"] = {n: {"class_labels": {str(k): v for k, v in m["class_labels"].items()},
                            "classes_present": sorted(int(c) for c in np.unique(m["mask_data"]))}
                        for n, m in masks.items()}
    if boxes:
        out["boxes"] = {n: {"class_labels": {str(k): v for k, v in b["class_labels"].items()},
                            "box_data": b["box_data"]} for n, b in boxes.items()}
    if classes is not None:
        out["classes"] = [{"id": k, "name": v} for k, v in classes.labels().items()]
    return out


def mask_files(masks: dict) -> dict[str, bytes]:
    """Each mask as an 8/16-bit PNG of class ids (what a reader needs to redraw it)."""
    from PIL import Image as PILImage

    files = {}
    for name, m in masks.items():
        data = m["mask_data"]
        arr = data.astype(np.uint8 if data.max(initial=0) < 256 else np.uint16)
        buf = io.BytesIO()
        PILImage.fromarray(arr).save(buf, format="PNG")
        files[f"mask-{name}.png"] = buf.getvalue()
    return files


# -- Audio ---------------------------------------------------------------------


class Audio:
    """Sound to log: `Audio(np_array, sample_rate=16000)` (mono or (n, channels), float -1..1 or int16), or a .wav path."""

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None):
        self.caption = None if caption is None else str(caption)
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.fspath(data_or_path)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"nbmonitor.Audio: no such file: {path}")
            with open(path, "rb") as f:
                self._wav = f.read()
            try:
                with wave.open(io.BytesIO(self._wav)) as w:
                    self.sample_rate, frames = w.getframerate(), w.getnframes()
            except wave.Error as e:
                raise ValueError(f"nbmonitor.Audio: {path} is not a PCM .wav file ({e}); convert it to wav") from None
            self.duration = frames / self.sample_rate if self.sample_rate else 0.0
            return
        if sample_rate is None:
            raise ValueError("nbmonitor.Audio: sample_rate is required for array data")
        a = _as_array(data_or_path)
        if a.ndim not in (1, 2) or a.size == 0 or a.dtype.kind not in "iuf":
            raise ValueError(f"nbmonitor.Audio: expected a 1-D or (n, channels) array of numbers, got shape {a.shape}")
        if a.dtype.kind == "f":
            pcm = (np.clip(np.nan_to_num(a), -1.0, 1.0) * 32767).astype("<i2")
        else:
            pcm = a.astype("<i2")
        channels = 1 if a.ndim == 1 else a.shape[1]
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(pcm.tobytes())
        self._wav = buf.getvalue()
        self.sample_rate = int(sample_rate)
        self.duration = a.shape[0] / self.sample_rate

    @property
    def wav(self) -> bytes:
        return self._wav

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        payload = {"sample_rate": self.sample_rate, "duration": self.duration, "caption": self.caption, "format": "wav"}
        return "audio", payload, {"audio.wav": self._wav}

    def _repr_html_(self) -> str:
        import base64

        return f'<audio controls src="data:audio/wav;base64,{base64.b64encode(self._wav).decode()}"></audio>'

    def __repr__(self) -> str:
        return f"<nbmonitor.Audio {self.duration:.2f}s at {self.sample_rate} Hz>"


# -- Html ----------------------------------------------------------------------


class Html:
    """HTML to log: `Html("<h1>hi</h1>")`, a file path, or an open file; shown in a sandboxed iframe."""

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False, caption: str | None = None):
        if hasattr(data, "read"):
            text = data.read()
        elif isinstance(data, os.PathLike) or (
            isinstance(data, str) and not data_is_not_path and data.endswith((".html", ".htm")) and os.path.isfile(data)
        ):
            with open(data, encoding="utf-8") as f:
                text = f.read()
        elif isinstance(data, str):
            text = data
        else:
            raise TypeError(f"nbmonitor.Html: expected a string, a path or a file, got {type(data).__name__}")
        self.html = text if isinstance(text, str) else text.decode("utf-8", "replace")
        self.caption = caption

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "html", {"html": self.html, "caption": self.caption}, {}

    def _repr_html_(self) -> str:
        return sandboxed_iframe(self.html)

    def __repr__(self) -> str:
        return f"<nbmonitor.Html {len(self.html)} chars>"


def sandboxed_iframe(html: str, height: int = 240) -> str:
    """An iframe whose content can run no script and reach nothing of the page (empty `sandbox`)."""
    import html as _html

    return (f'<iframe sandbox="" referrerpolicy="no-referrer" style="width:100%;height:{int(height)}px;'
            f'border:1px solid #ddd" srcdoc="{_html.escape(html, quote=True)}"></iframe>')


# -- Video ---------------------------------------------------------------------


class Video:
    """A video to log: an array (time, channel, height, width) of uint8, or a video file path.

    Arrays become an animated GIF with Pillow (`format="gif"`, the default
    here) or, where `imageio` with ffmpeg is installed, mp4/webm.
    """

    def __init__(self, data_or_path: Any, caption: str | None = None, fps: int | None = None,
                 format: str | None = None):
        self.caption = None if caption is None else str(caption)
        self.fps = int(fps or 4)
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.fspath(data_or_path)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"nbmonitor.Video: no such file: {path}")
            self.format = os.path.splitext(path)[1].lstrip(".").lower() or "mp4"
            with open(path, "rb") as f:
                self._bytes = f.read()
            self.frames = self.width = self.height = None
            return
        a = _as_array(data_or_path)
        if a.ndim == 4:
            frames = a
        elif a.ndim == 5:
            raise ValueError("nbmonitor.Video: a batch of videos (5-D); log one Video per video")
        else:
            raise ValueError(f"nbmonitor.Video: expected a 4-D array (time, channel, height, width), got shape {a.shape}")
        if frames.shape[1] in (1, 3, 4) and frames.shape[-1] not in (1, 3, 4):
            frames = np.transpose(frames, (0, 2, 3, 1))  # TCHW -> THWC
        elif frames.shape[1] in (1, 3, 4):
            frames = np.transpose(frames, (0, 2, 3, 1))
        if frames.dtype != np.uint8:
            frames = np.clip(frames, 0, 255).astype(np.uint8)
        self.frames, self.height, self.width = int(frames.shape[0]), int(frames.shape[1]), int(frames.shape[2])
        self.format = (format or "gif").lower()
        if self.format == "gif":
            self._bytes = _gif(frames, self.fps)
        else:
            self._bytes = _ffmpeg(frames, self.fps, self.format)

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        payload = {"caption": self.caption, "fps": self.fps, "format": self.format, "frames": self.frames,
                   "width": self.width, "height": self.height}
        return "video", payload, {f"video.{self.format}": self._bytes}

    def __repr__(self) -> str:
        return f"<nbmonitor.Video {self.format}, {self.frames} frames at {self.fps} fps>"


def _gif(frames: np.ndarray, fps: int) -> bytes:
    from PIL import Image as PILImage

    imgs = [PILImage.fromarray(f[:, :, 0] if f.shape[2] == 1 else f[:, :, :3]) for f in frames]
    buf = io.BytesIO()
    imgs[0].save(buf, format="GIF", save_all=True, append_images=imgs[1:], duration=max(1, round(1000 / fps)), loop=0)
    return buf.getvalue()


def _ffmpeg(frames: np.ndarray, fps: int, fmt: str) -> bytes:
    try:
        import imageio.v3 as iio
    except ImportError:
        raise ImportError(
            f"nbmonitor.Video(format={fmt!r}) needs a video writer: pip install imageio imageio-ffmpeg "
            "(or use format='gif', which needs only Pillow)"
        ) from None
    return iio.imwrite("<bytes>", frames, extension=f".{fmt}", fps=fps)
