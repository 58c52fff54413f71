"""Writing TensorBoard event files without protobuf on the hot path.

`EventFile` is one ``events.out.tfevents.*`` file: records are framed here
(length, masked crc32c of the length, data, masked crc32c of the data, by
`crc`) and written through a buffered file, flushed by whoever owns it.
`scalar_records` encodes many scalar summaries at once with numpy: an
``Event`` holding one ``Summary.Value(tag, simple_value)`` has a fixed
protobuf layout::

    0x09 wall_time(double) [0x10 step(varint), absent when 0]
    0x2a len(summary) 0x0a len(value) 0x0a len(tag) tag 0x15 simple_value(float)

so the records of one tag and one step width are rows of one byte matrix,
filled column by column, and their crcs are computed across rows in one pass.
The bytes are what protobuf's serializer writes for the same Event (a test
compares them), so TensorBoard's own reader and ours read them.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import threading
import time
from typing import Any

import numpy as np

from .crc import header_crc, masked_crc, masked_crc_rows

__all__ = ["EventFile", "ScalarBatch", "scalar_prefix", "scalar_records"]

_BUFFER = 1 << 20  # bytes buffered before the file is written to (flush() writes sooner)
_UID = itertools.count()
_LE_U64 = np.dtype("<u8")


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64: ten bytes of two's complement, as protobuf writes it
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def scalar_prefix(tag: str) -> bytes:
    """The bytes of a scalar Event between its step and its float (raises UnicodeEncodeError
    for a tag protobuf could not write either)."""
    tb = tag.encode("utf-8")
    # Summary.Value: its tag (left out when empty, as protobuf does), then simple_value's key
    value = (b"\x0a" + _varint(len(tb)) + tb if tb else b"") + b"\x15"
    inner = _varint(len(value) + 4)
    summary_len = 1 + len(inner) + len(value) + 4  # Summary: one `value` field
    return b"\x2a" + _varint(summary_len) + b"\x0a" + inner + value


def _frame(data: bytes) -> bytes:
    n = len(data)
    return struct.pack("<QI", n, header_crc(n)) + data + struct.pack("<I", masked_crc(data))


def scalar_records(prefixes: list[bytes], ids: np.ndarray, walls: np.ndarray, steps: np.ndarray,
                   values: np.ndarray) -> np.ndarray:
    """The framed records (uint8) of scalar Events, in the order given.

    Record i is tag `prefixes[ids[i]]` (from `scalar_prefix`), wall time `walls[i]`,
    step `steps[i]` (int64) and value `values[i]` (float32).
    """
    n = len(ids)
    if n == 0:
        return np.empty(0, np.uint8)
    u = steps.astype(np.int64).view(np.uint64)
    width = np.ones(n, np.int64)  # varint bytes of the step
    for k in range(1, 10):
        width += u >= np.uint64(1 << (7 * k))
    width = np.where(u == 0, 0, width + 1)  # + its key byte; a 0 step is left out, as protobuf does
    plen = np.array([len(p) for p in prefixes], np.int64)
    dlen = 9 + width + plen[ids] + 4
    rlen = dlen + 16
    key = ids.astype(np.int64) * 16 + width  # records with one key have one length
    order = np.argsort(key, kind="stable")
    ordered = key[order]  # sorted: each run of one key starts where it differs from the one before
    first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    keys = ordered[first]
    bounds = [*first.tolist(), n]
    ends = np.cumsum(rlen)
    out = np.empty(int(ends[-1]), np.uint8)
    walls8 = np.ascontiguousarray(walls, "<f8").view(np.uint8).reshape(n, 8)
    vals4 = np.ascontiguousarray(values, "<f4").view(np.uint8).reshape(n, 4)
    for g, k in enumerate(keys.tolist()):
        picked = order[bounds[g]:bounds[g + 1]]
        first_i, last_i = int(picked[0]), int(picked[-1])
        run = last_i - first_i == len(picked) - 1  # the group is one stretch of the input: slices, not gathers
        sel: Any = slice(first_i, last_i + 1) if run else picked
        tag_id, w = divmod(k, 16)
        prefix = np.frombuffer(prefixes[tag_id], np.uint8)
        d = 9 + w + len(prefix) + 4
        m = bounds[g + 1] - bounds[g]
        rows = np.empty((m, d + 16), np.uint8)
        rows[:, :12] = np.frombuffer(struct.pack("<QI", d, header_crc(d)), np.uint8)
        rows[:, 12] = 0x09
        rows[:, 13:21] = walls8[sel]
        p = 21
        if w:
            rows[:, p] = 0x10
            s = u[sel]
            for j in range(w - 1):
                byte = (s >> np.uint64(7 * j)) & np.uint64(0x7F)
                if j < w - 2:
                    byte |= np.uint64(0x80)
                rows[:, p + 1 + j] = byte
            p += w
        rows[:, p:p + len(prefix)] = prefix
        p += len(prefix)
        rows[:, p:p + 4] = vals4[sel]
        rows[:, p + 4:] = masked_crc_rows(rows[:, 12:p + 4]).astype("<u4").view(np.uint8).reshape(-1, 4)
        if len(keys) == 1:
            return rows.reshape(-1)
        if run:
            end = int(ends[last_i])
            out[end - m * (d + 16):end] = rows.reshape(-1)
            continue
        out[(ends[sel] - (d + 16))[:, None] + np.arange(d + 16)] = rows
    return out


class ScalarBatch:
    """Scalars gathered on the writer thread before they are encoded together.

    `add(key, value, step, wall)`; `key` names the series (the writer uses the tag,
    or (sub-folder, tag)); `keys` lists them by id in order of first appearance.
    """

    __slots__ = ("ids", "index", "keys", "steps", "values", "walls")

    def __init__(self) -> None:
        self.index: dict = {}
        self.keys: list = []
        self.ids: list[int] = []
        self.values: list[float] = []
        self.steps: list[int] = []
        self.walls: list[float] = []

    def add(self, key, value: float, step: int | None, wall: float) -> None:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
        self.ids.append(i)
        self.values.append(value)
        self.steps.append(step or 0)
        self.walls.append(wall)

    def __len__(self) -> int:
        return len(self.ids)


class EventFile:
    """One event file in `logdir`, named as TensorBoard's writer names it; thread-safe.

    The interface torch's `FileWriter` needs of its `event_writer` (`add_event`,
    `flush`, `close`, `reopen`, `get_logdir`), plus `write` (one serialized Event) and
    `write_framed` (records framed by `scalar_records`). A closed file reopens as a
    new file on `reopen()`.
    """

    def __init__(self, logdir: str, filename_suffix: str = "", writer_name: str = "nbmonitor"):
        self._logdir = logdir
        self._suffix = filename_suffix
        self._writer_name = writer_name
        self._lock = threading.Lock()
        self.path = ""
        self.closed = True
        self.dirty = False  # written since the last flush
        self._open()

    def _open(self) -> None:
        os.makedirs(self._logdir, exist_ok=True)
        host, pid = socket.gethostname(), os.getpid()
        while True:
            stamp = f"{int(time.time()):010d}.{host}.{pid}.{next(_UID)}"
            name = os.path.join(self._logdir, "events.out.tfevents." + stamp) + self._suffix
            try:
                self._f = open(name, "xb", buffering=_BUFFER)  # noqa: SIM115 (closed by close())
                break
            except FileExistsError:  # another writer in this process, this second: the next number
                continue
        self.path = name
        self.closed = False
        # Event(wall_time, file_version="brain.Event:2", source_metadata=SourceMetadata(writer))
        first = (b"\x09" + struct.pack("<d", time.time()) + _field(3, b"brain.Event:2")
                 + _field(10, _field(1, self._writer_name.encode())))
        self.write(first)
        self.flush()

    def get_logdir(self) -> str:
        return self._logdir

    def add_event(self, event) -> None:
        """Write an `Event` protocol buffer."""
        self.write(event.SerializeToString())

    def write(self, data: bytes) -> None:
        """Write one record holding `data` (a serialized Event)."""
        self.write_framed(_frame(data))

    def write_framed(self, records) -> None:
        """Write records already framed (bytes, or a uint8 array from `scalar_records`)."""
        with self._lock:
            if self.closed:
                raise OSError(f"the event file {self.path!r} is closed")
            self._f.write(records)
            self.dirty = True

    def flush(self) -> None:
        with self._lock:
            if not self.closed:
                self._f.flush()
                self.dirty = False

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._f.close()

    def reopen(self) -> None:
        """After `close()`: continue in a new file (as torch's writer does); else nothing."""
        with self._lock:
            if not self.closed:
                return
        self._open()
