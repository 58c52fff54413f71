"""Fast, incremental reader of TensorBoard event files (``events.out.tfevents.*``).

An event file is a sequence of records::

    uint64 length | uint32 masked crc32c(length) | data[length] | uint32 masked crc32c(data)

where ``data`` is a serialized ``tensorboard.Event`` protobuf. Scalar records are
decoded with numpy, many at a time (`scan`); the others are parsed with the
tensorboard package's own generated classes.  `EventFileReader` keeps a byte
offset and returns only what was appended since its last call (`logdir.LogdirReader`
finds run folders and polls them).

A record cut short at the end of a file is a writer still writing: it is left
for the next poll.  A record that fails its crc (or does not parse) is damage:
the file is read up to it, a `NbmonitorWarning` names the file and byte offset,
and that file is not read further.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import NbmonitorWarning
from .crc import _HEADER, _HEADER_SIZE, first_bad_crc
from .scan import Bytes, decode_blocks, frame_records, scan_scalars

__all__ = ["EventFileReader", "RunData"]

_INSTALL_HINT = (
    'reading TensorBoard event files needs the tensorboard package: '
    'pip install "nbmonitor[tensorboard]"'
)
_READ_SIZE = 16 << 20  # bytes read from a file at a time (bounds memory on big files)


def _event_class() -> Any:
    try:
        from tensorboard.compat.proto.event_pb2 import Event
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return Event


# ---------------------------------------------------------------- data model

@dataclass
class RunData:
    """What was read for one run; the panel and DataFrame code consume these dicts.

    scalars:     tag -> (steps int64, values float64, wall_times float64)
    histograms:  tag -> [dict(step, wall_time, min, max, num, sum, sum_squares,
                              bucket_limits, bucket_counts)]
    images:      tag -> [dict(step, wall_time, width, height, png, format)]
                 (`png` holds the encoded bytes whatever `format` guesses they are)
    text:        tag -> [dict(step, wall_time, text)]
    tensors:     tag -> [dict(step, wall_time, plugin, array)]  (e.g. pr_curves)
    plugin_data: tag -> [dict(step, wall_time, plugin, content)] (e.g. hparams)
    graphs:      [dict(step, wall_time, graph_def)]  (`graph_def`: a serialized GraphDef,
                 as `add_graph` writes it; parse with tensorboard's graph_pb2.GraphDef)
    """

    scalars: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    histograms: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    images: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    text: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tensors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plugin_data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    graphs: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: RunData) -> RunData:
        """Append `other`'s points after ours, tag by tag; returns self."""
        for tag, arrays in other.scalars.items():
            mine = self.scalars.get(tag)
            self.scalars[tag] = arrays if mine is None else tuple(
                np.concatenate(pair) for pair in zip(mine, arrays, strict=True))  # type: ignore[assignment]
        for name in ("histograms", "images", "text", "tensors", "plugin_data"):
            mine_lists = getattr(self, name)
            for tag, items in getattr(other, name).items():
                mine_lists.setdefault(tag, []).extend(items)
        self.graphs.extend(other.graphs)
        return self

    def __bool__(self) -> bool:
        return any((self.scalars, self.histograms, self.images, self.text,
                    self.tensors, self.plugin_data, self.graphs))


def _image_format(data: bytes) -> str:
    for magic, name in ((b"\x89PNG", "png"), (b"\xff\xd8", "jpeg"), (b"GIF8", "gif"),
                        (b"<svg", "svg"), (b"<?xml", "svg")):
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "unknown"


def _tensor_array(tensor: Any) -> np.ndarray:
    try:
        from tensorboard.util.tensor_util import make_ndarray
    except ImportError as exc:  # pragma: no cover - tensorboard is there if we parsed
        raise ImportError(_INSTALL_HINT) from exc
    return make_ndarray(tensor)


def _tensor_scalar(tensor: Any) -> float:
    for values in (tensor.float_val, tensor.double_val, tensor.int_val, tensor.int64_val):
        if len(values) == 1 and not tensor.tensor_content:
            return float(values[0])
    return float(_tensor_array(tensor).reshape(-1)[0])


# ---------------------------------------------------------------- readers



class EventFileReader:
    """Reads one event file incrementally: each `read_new()` returns only new records."""

    def __init__(self, path: str | os.PathLike[str], *, verify_data_crc: bool = True) -> None:
        self.path = os.fspath(path)
        self.verify_data_crc = verify_data_crc
        self.offset = 0  # file offset of the first byte not yet consumed
        self.bytes_read = 0  # total bytes read from disk, for the curious and the benchmark
        self.damaged = False
        self.mtime = 0.0  # of the file at the last look
        self._event = _event_class()()
        self._plugins: dict[str, str] = {}  # tag -> plugin; TF2 writers send metadata once

    def has_new(self) -> bool:
        """Whether the file changed size since the last read (a shrunk file is news: damage)."""
        if self.damaged:
            return False
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        self.mtime = st.st_mtime
        return st.st_size != self.offset

    def read_new(self) -> RunData:
        """Everything appended since the last call (empty RunData if nothing)."""
        out = RunData()
        if self.damaged:
            return out
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return out
        size, self.mtime = st.st_size, st.st_mtime
        if size == self.offset:
            return out
        if size < self.offset:
            self._damage(self.offset, "the file shrank")
            return out
        with open(self.path, "rb") as f:
            want = _READ_SIZE
            while not self.damaged:
                f.seek(self.offset)
                data = f.read(want)
                self.bytes_read += len(data)
                consumed = self._consume(data, out)
                if len(data) < want:
                    break  # reached the end of the file
                # more may follow; a record longer than `want` needs a bigger read
                want = _READ_SIZE
                if not consumed:
                    want = max(want, _HEADER_SIZE + _HEADER.unpack_from(data)[0] + 4)
        return out

    def _consume(self, data: bytes, out: RunData) -> int:
        """Parse the complete records at the start of `data` into `out`; returns bytes used.

        Scalar records are decoded together with numpy (`scan`): those in stretches of
        repeating record lengths a column at a time (crc checked there), the others a
        field at a time; the rest (and any scalar written another way) one by one with
        protobuf. A bad crc or an undecodable record ends what is taken from `data`.
        """
        b = Bytes(data)
        starts, lens, blocks, consumed, damaged = frame_records(b)
        n = len(starts)
        done = np.zeros(n, bool)
        pieces = decode_blocks(b, blocks, done)
        rest = np.flatnonzero(~done)
        stop = n
        if self.verify_data_crc and len(rest):
            good = first_bad_crc(data, starts[rest], lens[rest])
            if good < len(rest):
                stop, damaged = int(rest[good]), True
                rest = rest[:good]
        pieces += scan_scalars(b, starts[rest], lens[rest], rest, done)
        others = rest[~done[rest]]
        chunk = RunData()
        indexed: dict[str, tuple[list[Any], ...]] = {}
        parsed = self._parse(data, starts[others].tolist(), lens[others].tolist(), chunk, others.tolist(), indexed)
        if parsed < len(others):  # an undecodable record: nothing from it on
            stop, damaged = min(stop, int(others[parsed])), True
        if stop < n:
            consumed = int(starts[stop]) - _HEADER_SIZE
        by_tag: dict[str, list[tuple[np.ndarray, ...]]] = {}
        for tag, *arrays in pieces:
            by_tag.setdefault(tag, []).append(tuple(arrays))
        for tag, (index, steps, vals, walls) in indexed.items():
            by_tag.setdefault(tag, []).append((np.array(index, np.int64), np.array(steps, np.int64),
                                               np.array(vals, np.float64), np.array(walls, np.float64)))
        for tag, parts in by_tag.items():
            cols: tuple[np.ndarray, ...] = parts[0]
            if len(parts) > 1:  # one tag decoded in several ways: back in record order
                cols = tuple(np.concatenate(c) for c in zip(*parts, strict=True))
                order = np.argsort(cols[0], kind="stable")
                cols = tuple(c[order] for c in cols)
            if stop < n:
                keep = cols[0] < stop
                cols = tuple(c[keep] for c in cols)
            if len(cols[0]):
                chunk.scalars[tag] = (cols[1], cols[2], cols[3])
        out.merge(chunk)
        if damaged:
            self._damage(self.offset + consumed, "bad checksum or undecodable record")
        self.offset += consumed
        return consumed

    def _damage(self, offset: int, why: str) -> None:
        self.damaged = True
        warnings.warn(f"TensorBoard event file {self.path!r} is damaged at byte {offset} "
                      f"({why}); it is read up to there and no further.",
                      NbmonitorWarning, stacklevel=4)

    def _parse(self, data: bytes, starts: list[int], lens: list[int], out: RunData, index: list[int],
               scalars: dict[str, tuple[list[Any], ...]]) -> int:
        """Parse records into `out`, scalars into `scalars` (tag -> record indices from `index`,
        steps, values, wall times); returns how many parsed (fewer if one is undecodable)."""
        from google.protobuf.message import DecodeError

        event = self._event
        parse = event.ParseFromString
        get = scalars.get
        count = 0
        try:
            for start, length, i in zip(starts, lens, index, strict=True):
                parse(data[start:start + length])
                count += 1
                values = event.summary.value
                if not values:
                    graph_def = event.graph_def  # b"" unless this event is a graph
                    if graph_def:
                        out.graphs.append({"step": event.step, "wall_time": event.wall_time,
                                           "graph_def": graph_def})
                    continue
                step, wall = event.step, event.wall_time
                for value in values:
                    kind = value.WhichOneof("value")
                    if kind == "simple_value":
                        tag = value.tag
                        series = get(tag)
                        if series is None:
                            series = scalars[tag] = ([], [], [], [])
                        series[0].append(i)
                        series[1].append(step)
                        series[2].append(value.simple_value)
                        series[3].append(wall)
                    else:
                        self._other(value, kind, i, step, wall, scalars, out)
        except DecodeError:
            pass  # `count` stops before the undecodable record
        return count

    def _other(self, value: Any, kind: str | None, i: int, step: int, wall: float,
               scalars: dict[str, tuple[list[Any], ...]], out: RunData) -> None:
        tag = value.tag
        base = {"step": step, "wall_time": wall}
        if kind == "histo":
            h = value.histo
            out.histograms.setdefault(tag, []).append({
                **base, "min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                "sum_squares": h.sum_squares,
                "bucket_limits": np.array(h.bucket_limit, dtype=np.float64),
                "bucket_counts": np.array(h.bucket, dtype=np.float64)})
            return
        if kind == "image":
            img = value.image
            png = img.encoded_image_string
            out.images.setdefault(tag, []).append({
                **base, "width": img.width, "height": img.height, "png": png,
                "format": _image_format(png)})
            return
        plugin = value.metadata.plugin_data.plugin_name if value.HasField("metadata") else ""
        if plugin:
            self._plugins[tag] = plugin
        else:
            plugin = self._plugins.get(tag, "")
        if kind == "tensor":
            tensor = value.tensor
            try:
                if plugin == "scalars":
                    number = _tensor_scalar(tensor)
                    series = scalars.setdefault(tag, ([], [], [], []))
                    series[0].append(i)
                    series[1].append(step)
                    series[2].append(number)
                    series[3].append(wall)
                elif plugin == "text":
                    strings = [s.decode("utf-8", "replace") for s in tensor.string_val]
                    out.text.setdefault(tag, []).append({**base, "text": "\n".join(strings)})
                else:
                    out.tensors.setdefault(tag, []).append(
                        {**base, "plugin": plugin, "array": _tensor_array(tensor)})
            except (TypeError, ValueError, IndexError):
                pass  # a dtype numpy cannot hold (variant, resource) or an empty "scalar"
        elif kind is None and plugin:  # e.g. hparams: all in the metadata
            out.plugin_data.setdefault(tag, []).append(
                {**base, "plugin": plugin, "content": value.metadata.plugin_data.content})
        # audio and other kinds are not shown by nbmonitor: skipped
