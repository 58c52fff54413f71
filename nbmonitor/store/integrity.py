"""What keeps a SQLite store whole: rows only ever added, damage contained, read-only media recognised.

Helpers of `sqlite.py`: inserting rows that must be new (a row already stored is
an error unless identical, as when a write is retried after its commit was cut
short), stand-ins for a chunk that cannot be decoded (its points read as NaN,
with a warning naming the run, key and points, so the rest of the run and every
reader's cursor stay right), and telling a read-only file system from a busy
database.
"""

from __future__ import annotations

import sqlite3
import warnings
import zlib
from pathlib import Path

import numpy as np

from ..errors import NbmonitorWarning, StoreError
from . import codec
from .types import Chunk


def is_read_only_error(e: BaseException | None) -> bool:
    """The error of writing to read-only media or a folder we may not write (not a busy database)."""
    import errno

    while e is not None:
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return True
        text = str(e).lower()
        if "readonly" in text or "read-only" in text or "unable to open database" in text:
            return True
        e = e.__cause__
    return False


def insert_new(c: sqlite3.Connection, table: str, rows: list[tuple], run_id: str) -> None:
    """INSERT rows that must be new; a row already there is fine only if identical (a retried write)."""
    sql = f"INSERT INTO {table} VALUES (?,?,?,?,?,?,?)"
    try:
        c.executemany(sql, rows)
        return
    except sqlite3.IntegrityError:
        pass
    same = ("SELECT * FROM chunks WHERE run_id=? AND key=? AND start=?" if table == "chunks"
            else "SELECT * FROM events WHERE run_id=? AND seq=?")
    for row in rows:
        try:
            c.execute(sql, row)
        except sqlite3.IntegrityError:
            there = c.execute(same, row[:3] if table == "chunks" else row[:2]).fetchone()
            if there is None or tuple(there) != tuple(row):
                what = f"key {row[1]!r} from point {row[2]}" if table == "chunks" else f"event {row[1]}"
                raise StoreError(
                    f"run {run_id!r}: {what} is already stored with other data; another process is writing "
                    "this run (nbmonitor never overwrites stored points)"
                ) from None


def damaged_chunk(run_id: str, key: str, start: int, n: int, steps: bytes, error: Exception,
                   path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stand-ins for an unreadable chunk: NaN values, its steps if they decode (else -1, placed later)."""
    try:
        s = codec.unpack_ints(steps)
        if len(s) != n:
            raise ValueError
        where = f"steps {int(s[0])}-{int(s[-1])}" if n else "no steps"
    except (zlib.error, ValueError):
        s = np.full(n, -1, np.int64)
        where = "steps unknown"
    warnings.warn(f"nbmonitor: run {run_id!r} in {path}: a damaged chunk of key {key!r} (points {start}-"
                  f"{start + n - 1}, {where}) could not be read ({error}); those points read as NaN, "
                  "the rest of the run is intact", NbmonitorWarning, stacklevel=4)
    return s, np.full(n, np.nan), np.full(n, np.nan)


def place_damaged(parts: list[Chunk], where: list[int]) -> None:
    """Give damaged chunks whose steps are unknown steps between their neighbours, keeping point indexes."""
    for i in where:
        ch = parts[i]
        if not len(ch) or ch.steps[0] != -1:
            continue
        before = next((int(p.steps[-1]) for p in reversed(parts[:i]) if len(p) and p.steps[-1] >= 0), -1)
        after = next((int(p.steps[0]) for p in parts[i + 1:] if len(p) and p.steps[0] >= 0), None)
        hi = after if after is not None else before + len(ch) + 1
        ch.steps[:] = np.clip(np.linspace(before, hi, len(ch) + 2)[1:-1].round(), 0, None).astype(np.int64)
