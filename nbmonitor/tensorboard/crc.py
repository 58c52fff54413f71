"""CRC32C as TFRecord files use it, vectorised with numpy over many records at once, and the
framing of a file's bytes into records (`frame`), checked by `first_bad_crc`."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

_HEADER = struct.Struct("<QI")
_HEADER_SIZE = 12  # length + its crc; the data crc (4 bytes) follows the data
_BATCH_BYTES = 1 << 21  # bytes gathered per vectorised crc step (bounds memory)
_CHUNK = 256  # records longer than this are crc'd in chunks, then combined


def _crc_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(0x82F63B78), t >> 1).astype(np.uint32)
    return t


TABLE = _TABLE = _crc_table()  # the crc32c byte table (public for scan's per-byte crc tables)
_TABLE_LIST = _TABLE.tolist()
_SHIFT_TABLES: dict[int, np.ndarray] = {}
_HEADER_CRCS: dict[int, int] = {}  # record length -> expected masked crc of its header


def mask(crc: Any) -> Any:
    """TensorFlow's masking of a crc32c (works on ints and uint32 arrays)."""
    return _mask(crc)


def crc_raw(data: bytes) -> int:
    """crc32c of `data` (unmasked)."""
    fast = _google_crc32c()
    return int(fast.value(data)) if fast is not None else _crc32c(data)


def _mask(crc: Any) -> Any:
    """TensorFlow's masking of a crc32c (works on ints and uint32 arrays)."""
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE_LIST[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def header_crc(length: int) -> int:
    """Masked crc32c of a record's 8-byte length (cached by length)."""
    crc = _HEADER_CRCS.get(length)
    if crc is None:
        crc = _mask(_crc32c(struct.pack("<Q", length)))
        if len(_HEADER_CRCS) < 65536:
            _HEADER_CRCS[length] = crc
    return crc


def _crc_columns(cols: np.ndarray, init: int) -> np.ndarray:
    """crc registers of n byte strings stored column-wise (cols[j] = byte j of each)."""
    crc = np.full(cols.shape[1], init, dtype=np.uint32)
    low = crc.view(np.uint8)[0::4]  # the register's low byte, as a view (little-endian)
    idx = np.empty(cols.shape[1], dtype=np.uint8)
    for row in cols:
        np.bitwise_xor(low, row, out=idx)
        np.right_shift(crc, 8, out=crc)
        crc ^= _TABLE[idx]
    return crc


def _shift_tables(nbytes: int) -> np.ndarray:
    """Tables applying `nbytes` zero bytes to a crc register, one per register byte."""
    tables = _SHIFT_TABLES.get(nbytes)
    if tables is None:
        byte = np.arange(256, dtype=np.uint32)
        reg = np.concatenate([byte << np.uint32(8 * i) for i in range(4)])
        for _ in range(nbytes):
            reg = _TABLE[reg & 0xFF] ^ (reg >> 8)
        tables = _SHIFT_TABLES[nbytes] = reg.reshape(4, 256)
    return tables


def _crc_long(buf: np.ndarray, starts: np.ndarray, lens: np.ndarray, nchunks: int) -> np.ndarray:
    """crc32c of records longer than _CHUNK: per-chunk crcs in parallel, then combined.

    With a zero initial register, leading zero bytes change nothing, so each record
    is left-padded to whole chunks; the standard 0xFFFFFFFF initial value equals
    complementing the first four data bytes.
    """
    n, width = len(starts), nchunks * _CHUNK
    padded = np.zeros((n, width), dtype=np.uint8)
    pads = width - lens
    for i in range(n):
        padded[i, pads[i]:] = buf[starts[i]:starts[i] + lens[i]]
    padded[np.arange(n)[:, None], pads[:, None] + np.arange(4)] ^= 0xFF
    chunks = _crc_columns(np.ascontiguousarray(padded.reshape(-1, _CHUNK).T), 0).reshape(n, nchunks)
    shift = _shift_tables(_CHUNK)
    crc = chunks[:, 0].copy()
    for j in range(1, nchunks):
        b = crc.view(np.uint8).reshape(n, 4)
        crc = (shift[0][b[:, 0]] ^ shift[1][b[:, 1]] ^ shift[2][b[:, 2]] ^ shift[3][b[:, 3]]
               ^ chunks[:, j])
    return crc ^ np.uint32(0xFFFFFFFF)


def masked_crcs(buf: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Masked crc32c of every record buf[s:s+len], vectorised across records of one size."""
    out = np.empty(len(starts), dtype=np.uint32)
    nchunks = np.where(lens > _CHUNK, -(-lens // _CHUNK), 0)
    key = np.where(nchunks > 0, -nchunks, lens)  # short records: exact length; long: chunk count
    for k in sorted(set(key.tolist())):  # not np.unique: its first call in a process costs ~60 ms
        members = np.flatnonzero(key == k)
        size = k if k >= 0 else -k * _CHUNK
        step = max(1, _BATCH_BYTES // max(size, 1))
        for b in range(0, len(members), step):
            sel = members[b:b + step]
            if k < 0:
                out[sel] = _crc_long(buf, starts[sel], lens[sel], -k)
            else:
                cols = buf[starts[sel][None, :] + np.arange(k)[:, None]]
                out[sel] = _crc_columns(cols, 0xFFFFFFFF) ^ np.uint32(0xFFFFFFFF)
    return _mask(out)


def masked_crc_rows(rows: np.ndarray) -> np.ndarray:
    """Masked crc32c of each row of a 2-D uint8 array (many short records of one length)."""
    crc = _crc_columns(np.ascontiguousarray(rows.T), 0xFFFFFFFF) ^ np.uint32(0xFFFFFFFF)
    return _mask(crc)


def masked_crc(data: bytes) -> int:
    """Masked crc32c of one record's data: google-crc32c when installed, else numpy (long
    records) or a table loop (short ones)."""
    fast = _google_crc32c()
    if fast is not None:
        return _mask(fast.value(data))
    if len(data) <= _CHUNK:
        return _mask(_crc32c(data))
    buf = np.frombuffer(data, dtype=np.uint8)
    return int(masked_crcs(buf, np.zeros(1, np.int64), np.array([len(data)], np.int64))[0])


def _google_crc32c() -> Any:
    """google-crc32c's hardware crc when installed (`pip install "nbmonitor[tensorboard]"`), else None."""
    global _GCRC
    if _GCRC is False:
        try:
            import google_crc32c

            _GCRC = google_crc32c if google_crc32c.implementation == "c" else None
        except ImportError:
            _GCRC = None
    return _GCRC


_GCRC: Any = False  # not looked up yet


def first_bad_crc(data: bytes, starts: Any, lens: Any) -> int:
    """Index of the first record whose data crc is wrong (len(starts) if none).

    Short records (scalars) are checked together with numpy; long ones (images,
    histograms) with google-crc32c when it is installed, one C call each.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    st, ln = np.asarray(starts, dtype=np.int64), np.asarray(lens, dtype=np.int64)
    stored = buf[(st + ln)[:, None] + np.arange(4)].view("<u4").ravel()
    fast = _google_crc32c()
    if fast is None:
        crcs = masked_crcs(buf, st, ln)
    else:
        crcs = np.empty(len(st), dtype=np.uint32)
        short = ln <= _CHUNK
        if short.any():
            crcs[short] = masked_crcs(buf, st[short], ln[short])
        long_ = np.flatnonzero(~short)
        if len(long_):
            value = fast.value
            raw = [value(data[s:s + n]) for s, n in zip(st[long_].tolist(), ln[long_].tolist(), strict=True)]
            crcs[long_] = _mask(np.array(raw, dtype=np.uint64)).astype(np.uint32)
    bad = np.flatnonzero(crcs != stored)
    return int(bad[0]) if len(bad) else len(starts)


def frame(data: bytes, start: int = 0, limit: int | None = None) -> tuple[list[int], list[int], int, bool]:
    """Split `data[start:]` into records: (data starts, data lengths, end position, damaged).

    Stops at the first record whose header crc is wrong (damaged), that is not
    complete yet (a partial tail: fewer bytes than its header announces), or after
    `limit` records. The end position is where the next record starts.
    """
    unpack, known = _HEADER.unpack_from, _HEADER_CRCS.get
    starts: list[int] = []
    lens: list[int] = []
    pos, end = start, len(data)
    left = -1 if limit is None else limit
    while end - pos >= _HEADER_SIZE and left:
        length, crc = unpack(data, pos)
        if crc != known(length) and crc != header_crc(length):
            return starts, lens, pos, True
        nxt = pos + _HEADER_SIZE + length + 4
        if nxt > end:
            break
        starts.append(pos + _HEADER_SIZE)
        lens.append(length)
        pos = nxt
        left -= 1
    return starts, lens, pos, False
