"""The embedded store: one SQLite database per root folder, media files beside it.

WAL mode lets one process write while others read; every process opens its own
connections (one per thread) and writes in short transactions, so several
processes may log to the same root. A chunk row holds many points of one key
(see `_codec`), which keeps a point at ~10-20 bytes on disk.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import warnings
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import NbmonitorWarning, StoreError
from . import codec
from .integrity import damaged_chunk, insert_new, is_read_only_error, place_damaged
from .types import Chunk, Event, RunRecord, check_run_id, json_default, merge_chunks

DB_NAME = "nbmonitor.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, project TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,
    created REAL, updated REAL, heartbeat REAL, host TEXT, pid INTEGER,
    config TEXT, summary TEXT, notes TEXT, tags TEXT, total_steps INTEGER, "group" TEXT
);
CREATE INDEX IF NOT EXISTS runs_project ON runs(project, created);
CREATE TABLE IF NOT EXISTS chunks (
    run_id TEXT NOT NULL, key TEXT NOT NULL, start INTEGER NOT NULL, n INTEGER NOT NULL,
    steps BLOB NOT NULL, vals BLOB NOT NULL, times BLOB NOT NULL,
    PRIMARY KEY (run_id, key, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, step INTEGER, time REAL,
    kind TEXT NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_key_step ON events(run_id, key, step);
"""

# Distinct keys of a run by skip-scan (one index seek per key), each with the end of its last chunk.
_KEYS_SQL = """
WITH RECURSIVE k(key) AS (
    SELECT (SELECT MIN(key) FROM chunks WHERE run_id=?1)
    UNION ALL
    SELECT (SELECT MIN(key) FROM chunks WHERE run_id=?2 AND key > k.key) FROM k WHERE k.key IS NOT NULL
)
SELECT key, (SELECT start + n FROM chunks WHERE run_id=?3 AND key=k.key ORDER BY start DESC LIMIT 1)
FROM k WHERE key IS NOT NULL ORDER BY key
"""
# The chunks of one key that hold points from index ?5 on: a range scan from the chunk holding ?5.
_TAIL_SQL = """
SELECT key, start, n, steps, vals, times FROM chunks
WHERE run_id=?1 AND key=?2
  AND start >= COALESCE((SELECT MAX(start) FROM chunks WHERE run_id=?3 AND key=?4 AND start <= ?5), 0)
  AND start + n > ?6
ORDER BY start
"""

_JSON_FIELDS = ("config", "summary", "tags")
_FIELDS = tuple(f for f in RunRecord.__dataclass_fields__)


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=json_default)


def _safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[-80:].lstrip(".") or "file"


class SQLiteStore:
    """The store of one root folder.

    `read_only=True` opens an existing database without writing to it (SQLite's
    `mode=ro`, or `immutable=1` when not even the WAL's index can be made, as on
    read-only media); a store that cannot be opened for writing falls back to it.
    """

    def __init__(self, root: Path, read_only: bool = False):
        self.root = Path(root)
        self.path = self.root / DB_NAME
        self._local = threading.local()
        self._uri: str | None = None
        self.read_only = False
        if not read_only:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                _retry_locked(lambda: self._connection().executescript(_SCHEMA), self.path)
                _retry_locked(self._add_missing_columns, self.path)
            except (OSError, StoreError) as e:
                if not self.path.is_file() or not is_read_only_error(e):
                    raise StoreError(f"cannot create the nbmonitor store in {self.root}: {e}") from e
                self.close()
                read_only = True
        if read_only:
            self._open_read_only()
        self._inode = self.path.stat().st_ino
        from .netfs import warn_if_network

        warn_if_network(self.root)

    def _add_missing_columns(self) -> None:
        """A database made before a RunRecord field existed gets its column (NULL for old runs)."""
        conn = self._connection()
        have = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
        for f in _FIELDS:
            if f not in have:
                try:
                    conn.execute(f'ALTER TABLE runs ADD COLUMN "{f}"')
                except sqlite3.OperationalError as e:
                    if "duplicate column" not in str(e):  # another process added it first
                        raise

    def _open_read_only(self) -> None:
        if not self.path.is_file():
            raise StoreError(f"no nbmonitor store in {self.root} to open read-only")
        base = self.path.resolve().as_uri()
        last: Exception | None = None
        for query in ("mode=ro", "immutable=1"):
            self._uri = f"{base}?{query}"
            self.read_only = True
            try:
                self._connection().execute("SELECT count(*) FROM runs").fetchone()
                return
            except (sqlite3.Error, StoreError) as e:
                last = e
                self.close()
        raise StoreError(f"cannot open the nbmonitor store {self.path} even read-only: {last}")

    def is_current(self) -> bool:
        """False once the database file this store opened was deleted or replaced."""
        try:
            return self.path.stat().st_ino == self._inode
        except OSError:
            return False

    # -- connections --------------------------------------------------------
    def _conn(self, write: bool = True) -> _Tx:
        return _Tx(self._connection(), "BEGIN IMMEDIATE" if write else "BEGIN")

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _retry_locked(self._open, self.path)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        if self._uri is not None:
            conn = sqlite3.connect(self._uri, uri=True, timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=30000")
            return conn
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- runs ---------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        check_run_id(record.id)
        row = {f: getattr(record, f) for f in _FIELDS}
        for f in _JSON_FIELDS:
            row[f] = dumps(row[f])
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        updates = ", ".join(f'"{c}"=excluded."{c}"' for c in row if c != "id")
        with self._conn() as c:
            c.execute(
                f"INSERT INTO runs ({cols}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}",
                tuple(row.values()),
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        if fields:
            with self._conn() as c:
                self._update(c, run_id, fields)

    def _update(self, c: sqlite3.Connection, run_id: str, fields: dict) -> None:
        bad = set(fields) - set(_FIELDS)
        if bad:
            raise ValueError(f"unknown run fields: {sorted(bad)}")
        vals = [dumps(v) if k in _JSON_FIELDS else v for k, v in fields.items()]
        sets = ", ".join(f'"{k}"=?' for k in fields)
        c.execute(f"UPDATE runs SET {sets} WHERE id=?", (*vals, run_id))

    def write(self, run_id: str, chunks: Iterable[Chunk], events: Iterable[Event],
              **fields: Any) -> list[str] | None:
        """Append chunks and events, update fields; returns problems that cost part of the data (media files).

        Rows are only ever added: a chunk or event already stored under the same
        index is an error (another writer of this run), unless it is the very
        same row (a write retried after its commit was cut short).
        """
        if self.read_only:
            raise StoreError(f"the nbmonitor store {self.path} is open read-only")
        rows = [
            (run_id, ch.key, ch.start, len(ch), *codec.pack_chunk(ch.steps, ch.values, ch.times))
            for ch in chunks
            if len(ch)
        ]
        problems: list[str] = []
        ev_rows = [self._event_row(run_id, ev, problems) for ev in events]
        try:
            with self._conn() as c:
                if rows:
                    insert_new(c, "chunks", rows, run_id)
                if ev_rows:
                    insert_new(c, "events", ev_rows, run_id)
                if fields:
                    self._update(c, run_id, fields)
        except sqlite3.Error as e:  # disk full, I/O error, read-only media: nothing of it was written
            raise StoreError(f"cannot write run {run_id!r} to {self.path}: {e}") from e
        return problems

    def _event_row(self, run_id: str, ev: Event, problems: list[str]) -> tuple:
        """The event's row; its files are written first, and one that cannot be is named in `problems`."""
        payload = dict(ev.payload)
        if ev.files:
            folder = self.root / "media" / check_run_id(run_id)
            refs, missing = {}, []
            for name, data in ev.files.items():
                fname = f"{ev.seq}-{_safe_filename(name)}"
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / fname).write_bytes(data)
                except OSError as e:
                    missing.append(name)
                    problems.append(f"nbmonitor: run {run_id}: file {name!r} of {ev.kind} {ev.key!r} at step "
                                    f"{ev.step} could not be written ({e}); the event and the scalars are kept")
                    continue
                refs[name] = f"media/{run_id}/{fname}"
            payload["_files"] = refs
            if missing:
                payload["_missing_files"] = missing
        return (run_id, ev.seq, ev.key, ev.step, ev.time, ev.kind, dumps(payload))

    def _record(self, row: sqlite3.Row) -> RunRecord:
        d = dict(row)
        for f in _JSON_FIELDS:
            empty: dict | list = {} if f != "tags" else []
            try:
                d[f] = json.loads(d[f]) if d[f] else empty
            except (ValueError, TypeError) as e:
                warnings.warn(f"nbmonitor: run {d.get('id')!r} in {self.path}: its {f} is damaged ({e}); "
                              "shown empty", NbmonitorWarning, stacklevel=3)
                d[f] = empty
        return RunRecord(**d)

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        with self._conn(write=False) as c:
            if project is None:
                rows = c.execute("SELECT * FROM runs ORDER BY created, rowid").fetchall()
            else:
                rows = c.execute(
                    "SELECT * FROM runs WHERE project=? ORDER BY created, rowid", (project,)
                ).fetchall()
        return [self._record(r) for r in rows]

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._conn(write=False) as c:
            row = c.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._record(row) if row else None

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        q = "SELECT * FROM runs WHERE (id=? OR name=?)"
        args: tuple = (name_or_id, name_or_id)
        if project is not None:
            q += " AND project=?"
            args += (project,)
        with self._conn(write=False) as c:
            rows = c.execute(q + " ORDER BY created DESC, rowid DESC", args).fetchall()
        return [self._record(r) for r in rows]

    # -- series and events --------------------------------------------------
    def keys(self, run_id: str) -> dict[str, int]:
        with self._conn(write=False) as c:
            return self._keys(c, run_id)

    @staticmethod
    def _keys(c: sqlite3.Connection, run_id: str) -> dict[str, int]:
        """Each key's point count by index seeks only: a skip-scan over the distinct keys of the
        primary key (run_id, key, start), then the last chunk of each. No blob is read, and the
        cost grows with the number of keys, not with the age of the run."""
        rows = c.execute(_KEYS_SQL, (run_id, run_id, run_id)).fetchall()
        return {k: n for k, n in rows if k is not None}

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        since = since or {}
        with self._conn(write=False) as c:
            if keys is None and not since:
                rows = c.execute(
                    "SELECT key, start, n, steps, vals, times FROM chunks WHERE run_id=? ORDER BY key, start",
                    (run_id,),
                ).fetchall()
            else:
                # A tail: only keys with points past `since`, and of those only the chunks
                # holding them (found by index seeks), so the cost is O(new points).
                counts = self._keys(c, run_id)
                wanted = counts if keys is None else [k for k in keys if k in counts]
                rows = []
                for k in wanted:
                    first = since.get(k, 0)
                    if counts[k] <= first:
                        continue
                    rows += c.execute(_TAIL_SQL, (run_id, k, run_id, k, first, first)).fetchall()
        parts: dict[str, list[Chunk]] = {}
        damaged: dict[str, list[int]] = {}  # key -> indexes in parts[key] of unreadable chunks
        for key, start, n, steps, vals, times in rows:
            first = since.get(key, 0)
            if start + n <= first:
                continue
            try:
                s, v, t = codec.unpack_chunk(steps, vals, times)
                if not len(s) == len(v) == len(t) == n:
                    raise ValueError(f"{len(s)}/{len(v)}/{len(t)} steps/values/times for {n} points")
            except (zlib.error, ValueError) as e:
                s, v, t = damaged_chunk(run_id, key, start, n, steps, e, self.path)
                damaged.setdefault(key, []).append(len(parts.get(key, ())))
            cut = max(0, first - start)
            parts.setdefault(key, []).append(Chunk(key, start + cut, s[cut:], v[cut:], t[cut:]))
        for key, where in damaged.items():
            place_damaged(parts[key], where)
        return {k: merge_chunks(k, p) for k, p in parts.items()}

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        with self._conn(write=False) as c:
            rows = c.execute("SELECT seq, key, step, time, kind, payload FROM events WHERE run_id=? AND seq>=? "
                             "ORDER BY seq", (run_id, since)).fetchall()
        return self._events(run_id, rows, kinds)

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        # events_key_step answers it (a database made before that index scans the run's events, still
        # reading only these events' files). Sorted here: an ORDER BY seq has SQLite walk the primary key
        # (run_id, seq) through every event of the run instead.
        last = step if last_step is None else last_step
        with self._conn(write=False) as c:
            rows = c.execute("SELECT seq, key, step, time, kind, payload FROM events WHERE run_id=? AND key=? "
                             "AND step BETWEEN ? AND ?", (run_id, key, int(step), int(last))).fetchall()
        return self._events(run_id, sorted(rows, key=lambda r: r[0]), kinds)

    def _events(self, run_id: str, rows: list, kinds: Iterable[str] | None) -> list[Event]:
        """Events from their rows, with their files read; a damaged payload is skipped with a warning."""
        kinds = set(kinds) if kinds is not None else None
        out = []
        for seq, key, step, t, kind, payload in rows:
            if kinds is not None and kind not in kinds:
                continue
            try:
                p = json.loads(payload)
            except ValueError as e:
                warnings.warn(f"nbmonitor: run {run_id!r} in {self.path}: event {seq} ({kind} {key!r} at step "
                              f"{step}) is damaged ({e}); skipped", NbmonitorWarning, stacklevel=3)
                continue
            files = {}
            for name, rel in (p.pop("_files", None) or {}).items():
                files[name] = self._read_file(run_id, rel)
            out.append(Event(seq, key, step, t, kind, p, files))
        return out

    def _read_file(self, run_id: str, rel: Any) -> bytes:
        """A media file named by the store, only if it lies inside the root (a crafted store could name any)."""
        root = self.root.resolve()
        try:
            path = (root / str(rel)).resolve()
        except (OSError, RuntimeError, ValueError):
            return b""
        if not path.is_relative_to(root):
            warnings.warn(f"nbmonitor: run {run_id!r} in {self.path} names a file outside its folder "
                          f"({str(rel)!r}); not read", NbmonitorWarning, stacklevel=4)
            return b""
        try:
            return path.read_bytes()
        except OSError:
            return b""


def _retry_locked(fn, path: Path, seconds: float = 30.0):
    """Run `fn`, retrying while the database is locked.

    Switching a new database to WAL (and creating its tables) needs an
    exclusive lock that SQLite's busy handler does not always wait for, so two
    processes opening a fresh root at once can see "database is locked".
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise StoreError(f"cannot open the nbmonitor store {path}: {e}") from e
            time.sleep(0.02)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the nbmonitor store {path}: {e}") from e


class _Tx:
    """`with store._conn() as c:` runs the block in one transaction (IMMEDIATE when it writes)."""

    def __init__(self, conn: sqlite3.Connection, begin: str):
        self.conn = conn
        self.begin = begin

    def __enter__(self) -> sqlite3.Connection:
        if self.conn.in_transaction:  # left open by an interrupted block (a KeyboardInterrupt between BEGIN and with)
            self.conn.execute("ROLLBACK")
        for attempt in range(100):
            try:
                self.conn.execute(self.begin)
                return self.conn
            except sqlite3.OperationalError as e:  # busy beyond busy_timeout: rare, retry
                if "locked" not in str(e) or attempt == 99:
                    raise StoreError(f"the nbmonitor store is locked: {e}") from e
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

