"""Reading the scalar records of an event file with numpy, without a protobuf parse per record.

Two passes, each over all the records of a read at once:

- `frame_records` splits bytes into records. Each record's header gives the
  next one's position, so the walk is sequential; but a training loop writes
  the same tags each step, so record lengths repeat with a short period. The
  walk reads a few headers, guesses that the pattern goes on, predicts
  thousands of positions and checks all their headers (length and its crc) in
  one pass; where a prediction fails, it walks a few records again.
- `scan_scalars` recognises records that are exactly a scalar Event (the
  layout `eventfile` writes and protobuf writes for torch's `add_scalar`:
  wall_time, an optional step, one Summary.Value of a tag and a
  simple_value) and decodes their steps, values, wall times and tags in
  vectorised passes. Anything else (images, histograms, TF2 tensor scalars,
  the file's first record, a field order protobuf would not write) is left to
  the caller's protobuf parse.
"""

from __future__ import annotations

import struct

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .crc import TABLE, crc_raw, frame, header_crc, mask

__all__ = ["Block", "Bytes", "Piece", "decode_blocks", "frame_records", "scan_scalars"]

_WALK = 64  # headers read one by one before guessing the pattern
_MAX_PERIOD = 32  # the longest repeating pattern of records looked for
_MIN_PREDICT = 256  # below this many records left, just walk


class Bytes:
    """Little-endian numbers at any byte offsets of `data`."""

    def __init__(self, data: bytes):
        self.data = data
        self.u8 = np.frombuffer(data, np.uint8)

    def read(self, dtype: str, pos: np.ndarray) -> np.ndarray:
        size = np.dtype(dtype).itemsize
        return np.ascontiguousarray(self.u8[pos[:, None] + np.arange(size)]).view(dtype).reshape(-1)

    def rows(self, start: int, stride: int, count: int, width: int) -> np.ndarray:
        """`count` rows of `width` bytes, `stride` apart from `start`: a view, no copy."""
        return as_strided(self.u8[start:], shape=(count, width), strides=(stride, 1), writeable=False)


class Block:
    """`count` records from byte `pos` on (the first is record number `first`) whose data
    lengths repeat `pattern`: record first + j + k * len(pattern) has length pattern[j] and
    its header at pos + offsets[j] + k * stride."""

    __slots__ = ("count", "first", "offsets", "pattern", "pos", "stride")

    def __init__(self, first: int, pos: int, pattern: list[int], count: int):
        self.first, self.pos, self.pattern, self.count = first, pos, pattern, count
        self.offsets = [0, *np.cumsum([n + 16 for n in pattern]).tolist()]
        self.stride = self.offsets.pop()

    def phase_count(self, j: int) -> int:
        return len(range(j, self.count, len(self.pattern)))


def frame_records(b: Bytes) -> tuple[np.ndarray, np.ndarray, list[Block], int, bool]:
    """`crc.frame` as arrays: (data starts, data lengths, blocks, end position, damaged).

    `blocks` are the stretches whose headers were checked by pattern (see the module's
    docstring); every record, in or out of a block, is in `starts`/`lens`.
    """
    data = b.data
    starts: list[np.ndarray] = []
    lens: list[np.ndarray] = []
    blocks: list[Block] = []
    pos, n = 0, 0
    while True:
        st, ln, pos, damaged = frame(data, pos, _WALK)
        if st:
            starts.append(np.array(st, np.int64))
            lens.append(np.array(ln, np.int64))
            n += len(st)
        if damaged or len(st) < _WALK:  # damage, or the end (a partial record at most)
            break
        recent = list(zip(st[-_MAX_PERIOD * 2:], ln[-_MAX_PERIOD * 2:], strict=True))
        keys = [(n_, (_layout(data[s:s + n_]) or ("",))[0]) for s, n_ in recent]  # a scalar's tag, or ""
        block = _predict(b, n, pos, keys)
        if block is not None:
            blocks.append(block)
            reps = -(-block.count // len(block.pattern))
            offsets = np.array(block.offsets, np.int64) + pos + 12
            starts.append((np.arange(reps, dtype=np.int64)[:, None] * block.stride + offsets).reshape(-1)[:block.count])
            lens.append(np.tile(np.array(block.pattern, np.int64), reps)[:block.count])
            n += block.count
            pos = int(starts[-1][-1] + lens[-1][-1] + 4)
    if not starts:
        return np.empty(0, np.int64), np.empty(0, np.int64), blocks, pos, damaged
    return np.concatenate(starts), np.concatenate(lens), blocks, pos, damaged


def _predict(b: Bytes, first: int, pos: int, recent: list[tuple[int, str]]) -> Block | None:
    """The records from `pos` on that go on repeating the pattern of the `recent` records
    (their lengths, and tags where they are scalars), their headers (length and its crc)
    checked; None if fewer than _MIN_PREDICT."""
    lengths = [n for n, _ in recent]
    period = next((p for p in range(1, _MAX_PERIOD + 1) if len(recent) >= 2 * p
                   and recent[-p:] == recent[-2 * p:-p]), None)
    if period is None:  # no pattern of tags: one of lengths still frames records fast
        period = next((p for p in range(1, _MAX_PERIOD + 1) if len(recent) >= 2 * p
                       and lengths[-p:] == lengths[-2 * p:-p]), None)
    if period is None:
        return None
    block = Block(first, pos, lengths[-period:], 0)
    full, rest = divmod(len(b.data) - pos, block.stride)
    count = full * period + sum(1 for off, n in zip(block.offsets, block.pattern, strict=True) if off + n + 16 <= rest)
    for j, n in enumerate(block.pattern):  # each phase's headers are one strided view: all equal
        m = len(range(j, count, period))
        if not m:
            continue
        want = np.frombuffer(struct.pack("<QI", n, header_crc(n)), "<u4")
        words = np.ascontiguousarray(b.rows(pos + block.offsets[j], block.stride, m, 12)).view("<u4")
        ok = (words[:, 0] == want[0]) & (words[:, 1] == want[1]) & (words[:, 2] == want[2])
        if not ok.all():
            count = min(count, int(np.argmin(ok)) * period + j)
    if count < _MIN_PREDICT:
        return None
    block.count = count
    return block


Piece = tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # tag, record numbers, steps, values, walls


def decode_blocks(b: Bytes, blocks: list[Block], done: np.ndarray) -> list[Piece]:
    """The scalar records of `blocks`, decoded a phase at a time; sets `done` for each.

    A phase (one position in a block's pattern) is taken when its first record is a
    plain scalar Event; its other records are then checked to hold the same bytes
    everywhere except the wall time, the step's varint and the value (so the same
    tag), and their data crcs checked as the first record's crc changed by those
    bytes only (crc32c is linear: a table per varying byte). Records that fail either
    check are left (`done` false) for `scan_scalars`, protobuf and the crc check.
    """
    pieces: list[Piece] = []
    for block in blocks:
        period = len(block.pattern)
        for j, n in enumerate(block.pattern):
            start = block.pos + block.offsets[j]
            layout = _layout(b.data[start + 12:start + 12 + n])
            m = block.phase_count(j)
            if layout is None or not m:
                continue
            tag, w = layout
            rows = b.rows(start, block.stride, m, n + 16)
            # the bytes that differ between records: wall time, the step's varint, the value, the crc
            var = np.empty((m, 16 + w), np.uint8)
            var[:, :8] = rows[:, 13:21]
            var[:, 8:8 + w] = rows[:, 22:22 + w]
            var[:, 8 + w:] = rows[:, n + 8:n + 16]
            cols = np.ascontiguousarray(var.T)
            ok = _same_as_first(rows, [(12, 13), (21, 22), (22 + w, n + 8)] if w else [(12, 13), (21, n + 8)])
            if w:  # a varint of exactly w bytes
                for k in range(w - 1):
                    ok &= cols[8 + k] >= 0x80
                ok &= cols[7 + w] < (2 if w == 10 else 0x80)
            varying = [*range(13, 21), *range(22, 22 + w), *range(n + 8, n + 12)]
            ok &= _crcs(b.data[start + 12:start + 12 + n], cols[:-4], varying) == var[:, -4:].copy().view("<u4")[:, 0]
            take = np.flatnonzero(ok)
            if not len(take):
                continue
            if len(take) < m:
                var, cols = var[take], cols[:, take]
            walls = np.ascontiguousarray(var[:, :8]).view("<f8")[:, 0]
            values = np.ascontiguousarray(var[:, 8 + w:12 + w]).view("<f4")[:, 0].astype(np.float64)
            steps = np.zeros(len(take), np.uint64)
            for k in range(w):
                steps |= (cols[8 + k] & 0x7F).astype(np.uint64) << np.uint64(7 * k)
            index = block.first + j + take * period
            done[index] = True
            pieces.append((tag, index, steps.view(np.int64), values, walls))
    return pieces


def _layout(rec: bytes) -> tuple[str, int] | None:
    """(tag, step varint bytes) if `rec` is a plain scalar Event, as protobuf writes one; else None."""
    if len(rec) < 18 or rec[0] != 0x09:
        return None
    p, w = 9, 0
    if rec[p] == 0x10:
        q = p + 1
        while q < len(rec) and rec[q] & 0x80:
            q += 1
        w = q + 1 - (p + 1)
        if q >= len(rec) or w > 10:
            return None
        p = q + 1
    prefix = rec[p:len(rec) - 4]
    tag = _prefix_tag(prefix)
    return None if tag is None else (tag, w)


_PREFIX_TAGS: dict[bytes, str | None] = {}  # what _prefix_tag found, per prefix (a few tags a file)


def _prefix_tag(prefix: bytes) -> str | None:
    """The tag of a `eventfile.scalar_prefix`, if `prefix` is exactly one."""
    try:
        return _PREFIX_TAGS[prefix]
    except KeyError:
        pass
    if len(_PREFIX_TAGS) > 4096:
        _PREFIX_TAGS.clear()
    tag = _PREFIX_TAGS[prefix] = _find_prefix_tag(prefix)
    return tag


def _find_prefix_tag(prefix: bytes) -> str | None:
    from .eventfile import scalar_prefix

    i = 0
    for key in (0x2A, 0x0A):  # Event.summary, Summary.value: each a key and a one- or two-byte length
        if i >= len(prefix) or prefix[i] != key:
            return None
        i += 2 if i + 1 < len(prefix) and prefix[i + 1] & 0x80 else 1
        i += 1
    tag = ""
    if i < len(prefix) and prefix[i] == 0x0A:
        j = i + 1
        length = 0
        for shift in (0, 7):
            if j >= len(prefix):
                return None
            length |= (prefix[j] & 0x7F) << shift
            j += 1
            if not prefix[j - 1] & 0x80:
                break
        try:
            tag = prefix[j:j + length].decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        return tag if scalar_prefix(tag) == prefix else None
    except UnicodeEncodeError:
        return None


def _same_as_first(rows: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Rows whose bytes in the column `spans` equal the first row's (compared 4 bytes at a time)."""
    width = sum(z - a for a, z in spans)
    part = np.zeros((len(rows), -(-width // 4) * 4), np.uint8)
    at = 0
    for a, z in spans:
        part[:, at:at + z - a] = rows[:, a:z]
        at += z - a
    words = part.view("<u4")
    ok = words[:, 0] == words[0, 0]
    for k in range(1, words.shape[1]):
        ok &= words[:, k] == words[0, k]
    return ok


_LINEAR: dict[int, np.ndarray] = {}  # record length -> (length, 256) crc change of each byte value at each position


def _crcs(first: bytes, cols: np.ndarray, varying: list[int]) -> np.ndarray:
    """Masked data crcs of records equal to `first` (their data) except at the `varying` columns
    (of whole records: data from column 12), whose bytes are the rows of `cols`:
    crc(first with those bytes zeroed) xor each byte's share."""
    n = len(first)
    table = _LINEAR.get(n)
    if table is None:
        if len(_LINEAR) > 64:
            _LINEAR.clear()
        table = _LINEAR[n] = _linear_table(n)
    base = bytearray(first)
    for c in varying:
        base[c - 12] = 0
    crc = np.full(cols.shape[1], crc_raw(bytes(base)), np.uint32)
    for c, col in zip(varying, cols, strict=True):
        crc ^= table[c - 12][col]
    return mask(crc)


def _linear_table(n: int) -> np.ndarray:
    """t[p][v]: how byte value v at position p of an n-byte record changes its crc32c."""
    out = np.empty((n, 256), np.uint32)
    reg = TABLE.copy()  # byte v as the last byte, from a zero register
    for p in range(n - 1, -1, -1):
        out[p] = reg
        reg = TABLE[reg & 0xFF] ^ (reg >> 8)  # one more zero byte after it
    return out


def _varint(u8: np.ndarray, pos: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values uint64, byte counts, ok) of varints at `pos` of at most `most` bytes."""
    val = np.zeros(len(pos), np.uint64)
    width = np.zeros(len(pos), np.int64)
    going = np.ones(len(pos), bool)
    limit = len(u8) - 1
    for j in range(most):
        byte = u8[np.minimum(pos + j, limit)].astype(np.uint64)
        val |= np.where(going, (byte & np.uint64(0x7F)) << np.uint64(7 * j), np.uint64(0))
        width += going
        going &= byte >= 0x80
        if not going.any():
            return val, width, np.ones(len(pos), bool)
    return val, width, ~going


def scan_scalars(b: Bytes, starts: np.ndarray, lens: np.ndarray, numbers: np.ndarray,
                 done: np.ndarray) -> list[Piece]:
    """The records among `starts`/`lens` (record `numbers`) that are plain scalar Events,
    decoded record by record but each step for all of them at once; sets `done` for each."""
    u8 = b.u8
    last = len(u8) - 1

    def at(pos: np.ndarray) -> np.ndarray:
        return u8[np.minimum(pos, last)]

    ends = starts + lens
    idx = np.flatnonzero((lens >= 18) & (u8[starts] == 0x09) & (u8[ends - 5] == 0x15))
    st, en = starts[idx], ends[idx]
    p = st + 9
    has_step = u8[p] == 0x10
    step, width, ok = _varint(u8, p + 1, 10)
    q = np.where(has_step, p + 1 + width, p)
    ok &= at(q) == 0x2A
    slen, sw, ok2 = _varint(u8, q + 1, 2)
    r = q + 1 + sw
    ok &= ok2 & (r + slen.astype(np.int64) == en) & (at(r) == 0x0A)
    vlen, vw, ok2 = _varint(u8, r + 1, 2)
    v = r + 1 + vw
    ok &= ok2 & (v + vlen.astype(np.int64) == en)
    tagged = at(v) == 0x0A
    tlen, tw, ok2 = _varint(u8, v + 1, 2)
    t0 = np.where(tagged, v + 1 + tw, v)
    tl = np.where(tagged, tlen.astype(np.int64), 0)
    ok &= ok2 & (t0 + tl + 5 == en) & (tagged | (vlen == 5))
    keep = np.flatnonzero(ok)
    idx, st, en, t0, tl = idx[keep], st[keep], en[keep], t0[keep], tl[keep]
    steps = np.where(has_step[keep], step[keep], np.uint64(0)).view(np.int64)
    values = b.read("<f4", en - 4).astype(np.float64)
    walls = b.read("<u8", st + 1).view(np.float64)
    tags, _ = _group_tags(b, t0, tl)  # records whose tag is no UTF-8 are left to protobuf
    pieces = []
    for tag, sel in tags.items():
        index = numbers[idx[sel]]
        done[index] = True
        pieces.append((tag, index, steps[sel], values[sel], walls[sel]))
    return pieces


def _group_tags(b: Bytes, t0: np.ndarray, tl: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Tag -> positions of its records; and the positions of records whose tag is no UTF-8."""
    n = len(t0)
    if n == 0:
        return {}, None
    # a key per record from the tag's length and its first and last 8 bytes; reading 8 bytes
    # from the tag's start stays inside the record (its value and crc follow the tag)
    mask = _low_bytes(np.minimum(tl, 8))
    first = b.read("<u8", t0) & mask
    last = b.read("<u8", np.maximum(t0 + tl - 8, t0)) & mask
    key = (first * np.uint64(0x9E3779B97F4A7C15)) ^ (last * np.uint64(0xC2B2AE3D27D4EB4F)) ^ tl.astype(np.uint64)
    uniq, inverse = _factorize(key)
    tags: dict[str, np.ndarray] = {}
    bad: list[np.ndarray] = []
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    pending = [order[bounds[g]:bounds[g + 1]] for g in range(len(uniq))]
    while pending:
        sel = pending.pop()
        i0 = int(sel[0])
        a, length = int(t0[i0]), int(tl[i0])
        raw = b.data[a:a + length]
        if length > 16:  # the key saw only the ends: compare the whole tag
            same = (tl[sel] == length) & (b.u8[t0[sel][:, None] + np.arange(length)]
                                          == np.frombuffer(raw, np.uint8)).all(axis=1)
        else:  # the key saw all of it, but hashed: compare the ends themselves
            same = (first[sel] == first[i0]) & (last[sel] == last[i0]) & (tl[sel] == length)
        if not same.all():
            pending.append(sel[~same])
            sel = sel[same]
        try:
            tag = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(sel)
            continue
        tags[tag] = np.sort(np.concatenate([tags[tag], sel])) if tag in tags else sel
    return tags, (np.concatenate(bad) if bad else None)


def _low_bytes(k: np.ndarray) -> np.ndarray:
    """Masks keeping the low `k` bytes of a uint64 (k in 0..8)."""
    table = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [(1 << 64) - 1], np.uint64)
    return table[k]


def _factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, index of each key among them): by comparison while there are few
    distinct keys (the usual case: a handful of tags), else by sorting."""
    inverse = np.full(len(key), -1, np.int64)
    uniq: list[int] = []
    rest = np.arange(len(key))
    while len(rest) and len(uniq) < 32:
        k = key[rest[0]]
        m = key[rest] == k
        inverse[rest[m]] = len(uniq)
        uniq.append(int(k))
        rest = rest[~m]
    if len(rest):
        more, inv = np.unique(key[rest], return_inverse=True)
        inverse[rest] = inv + len(uniq)
        uniq.extend(more.tolist())
    return np.array(uniq, np.uint64), inverse

