"""Packing a series chunk (steps, values, times) into compact bytes.

One store row holds many points of one key. Steps and times are delta-encoded
integers (times in microseconds), so regular training steps compress to almost
nothing; values are kept as float32 when every value round-trips exactly
(the common case for values that came from float32 tensors), else float64.
"""

from __future__ import annotations

import zlib

import numpy as np

_LEVEL = 1  # fast; the gain of higher levels is small on these arrays


def _pack_ints(a: np.ndarray) -> bytes:
    a = np.asarray(a, dtype=np.int64)
    deltas = np.diff(a, prepend=np.int64(0)) if a.size else a
    return zlib.compress(deltas.astype("<i8").tobytes(), _LEVEL)


def unpack_ints(b: bytes) -> np.ndarray:
    return np.cumsum(np.frombuffer(zlib.decompress(b), dtype="<i8"))


_unpack_ints = unpack_ints


def pack_values(values: np.ndarray) -> bytes:
    """Values as b'4'+float32 or b'8'+float64 bytes (zlib), NaN and inf kept."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore"):  # too large for float32: the check below keeps float64
        as32 = v.astype(np.float32)
    same = np.array_equal(as32.astype(np.float64), v, equal_nan=True)
    if same:
        return b"4" + zlib.compress(as32.astype("<f4").tobytes(), _LEVEL)
    return b"8" + zlib.compress(v.astype("<f8").tobytes(), _LEVEL)


def unpack_values(b: bytes) -> np.ndarray:
    dtype = "<f4" if b[:1] == b"4" else "<f8"
    return np.frombuffer(zlib.decompress(b[1:]), dtype=dtype).astype(np.float64)


def pack_chunk(steps: np.ndarray, values: np.ndarray, times: np.ndarray) -> tuple[bytes, bytes, bytes]:
    micros = np.round(np.asarray(times, dtype=np.float64) * 1e6).astype(np.int64)
    return _pack_ints(steps), pack_values(values), _pack_ints(micros)


def unpack_chunk(steps: bytes, values: bytes, times: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _unpack_ints(steps), unpack_values(values), _unpack_ints(times) / 1e6
