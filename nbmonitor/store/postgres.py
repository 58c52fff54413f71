"""The team store: one PostgreSQL database holds the runs of many processes and machines.

`open_store("postgresql://user@host:5432/db")` (or that URL as `dir=`,
`$NBMONITOR_DIR` or `%monitor --logdir`) gives a `PostgresStore`. It keeps the
SQLite store's layout and semantics: one row per run x key x flush holding the
new points packed by `codec` (~8 bytes a point), events with their files as
`bytea` (large ones in a folder, if one is set: `pgmedia`), every write one transaction. Rows are only ever added (a chunk is
keyed by its first point's index; `pgrows.insert_new`): a write retried after
a lost connection finds its own rows and adds nothing, and a row another
writer stored with other data is a `StoreError`, never overwritten.

- Schema: tables `nbm_*`, created and migrated by nbmonitor under an advisory
  lock; `nbm_schema` holds the version (`SCHEMA_VERSION`, steps in `MIGRATIONS`).
- Live readers: each write sends `NOTIFY nbm_<md5 of the schema>, '<run id>'` (a channel per schema:
  stores in other schemas of the database stay apart); `wait(timeout)` blocks until some run changed
  instead of polling.
- Lost server: a call fails fast with `StoreError` and the next connection
  attempt waits with exponential backoff (0.25 s .. 8 s); the run keeps its
  points in memory and the writer thread writes them once the server is back.
- Credentials come from the URL or libpq's environment / `.pgpass`; the
  password never appears in `repr`, `str` or error messages (`redact`).

psycopg 3 is imported when a store is opened (`pip install "nbmonitor[postgres]"`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import StoreError
from . import codec
from .pgmedia import MediaFolder, media_folder
from .pgrows import insert_new
from .sqlite import dumps
from .types import Chunk, Event, RunRecord, check_run_id, is_database_url, merge_chunks

# The NOTIFY channel: one per schema (a database's notifications reach every schema's listeners), named in
# SQL from the connection's schema so that writer and readers agree: "nbm_" + md5 of it (any length fits).
CHANNEL_SQL = "'nbm_' || md5(coalesce(current_schema(), ''))"
INSTALL_HINT = 'the PostgreSQL store needs psycopg 3: pip install "nbmonitor[postgres]"'

_FIELDS = tuple(RunRecord.__dataclass_fields__)
_JSON_FIELDS = ("config", "summary", "tags")
_RUN_COLS = ", ".join(f'"{f}"' for f in _FIELDS)

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE nbm_runs (
            "id" TEXT PRIMARY KEY, "project" TEXT NOT NULL, "name" TEXT NOT NULL, "state" TEXT NOT NULL,
            "created" DOUBLE PRECISION, "updated" DOUBLE PRECISION, "heartbeat" DOUBLE PRECISION,
            "host" TEXT, "pid" INTEGER, "config" TEXT, "summary" TEXT, "notes" TEXT, "tags" TEXT,
            "total_steps" BIGINT, ord BIGSERIAL)""",
        "CREATE INDEX nbm_runs_project ON nbm_runs (project, created, ord)",
        """CREATE TABLE nbm_chunks (
            run_id TEXT NOT NULL, key TEXT NOT NULL, start BIGINT NOT NULL, n INTEGER NOT NULL,
            steps BYTEA NOT NULL, vals BYTEA NOT NULL, times BYTEA NOT NULL,
            PRIMARY KEY (run_id, key, start))""",
        """CREATE TABLE nbm_events (
            run_id TEXT NOT NULL, seq BIGINT NOT NULL, key TEXT NOT NULL, step BIGINT,
            time DOUBLE PRECISION, kind TEXT NOT NULL, payload TEXT NOT NULL,
            PRIMARY KEY (run_id, seq))""",
        """CREATE TABLE nbm_files (
            run_id TEXT NOT NULL, seq BIGINT NOT NULL, name TEXT NOT NULL, data BYTEA NOT NULL,
            PRIMARY KEY (run_id, seq, name))""",
    ],
    2: ['ALTER TABLE nbm_runs ADD COLUMN "group" TEXT'],  # distributed training: the runs of a job
    3: ["CREATE INDEX nbm_events_key_step ON nbm_events (run_id, key, step)"],  # read_events_at
}
SCHEMA_VERSION = max(MIGRATIONS)
_LOCK_ID = 0x6E626D6F  # pg_advisory_xact_lock key for creating / migrating the schema

BACKOFF_MIN_S = 0.25
BACKOFF_MAX_S = 8.0


def redact(url: str) -> str:
    """The URL with its password (in the address or as ?password=) replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://***"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = userinfo.split(":", 1)[0] + ":***@" + host
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> list[str]:
    out = []
    try:
        pw = urlsplit(url).password
    except ValueError:
        pw = None
    if pw:
        out.append(pw)
    out += [m for m in re.findall(r"(?i)(?:^|&)password=([^&]*)", urlsplit(url).query) if m]
    return out


def _psycopg():
    try:
        import psycopg
    except ImportError as e:
        raise ImportError(INSTALL_HINT) from e
    return psycopg


class PostgresStore:
    """Runs in a PostgreSQL database: the `Store` protocol over psycopg 3."""

    root = None  # not a folder: `location` names it

    def __init__(self, url: str, *, connect_timeout: float = 10.0, media_dir: str | None = None,
                 media_min_bytes: int | None = None):
        if not is_database_url(url):
            raise ValueError(f"not a postgresql:// URL: {redact(str(url))}")
        self._psycopg = _psycopg()
        self._url = url
        self.location = redact(url)
        self._secrets = _secrets(url)
        self._connect_timeout = connect_timeout
        self._conns: dict[int, Any] = {}  # thread id -> connection
        self._backoff_lock = threading.Lock()
        self._backoff = 0.0
        self._down_until = 0.0
        self._listener: Listener | None = None
        self.media = media_folder(media_dir, media_min_bytes)  # large media in a folder ($NBMONITOR_MEDIA_DIR)
        self._call(self._migrate)

    def __repr__(self) -> str:
        return f"<PostgresStore {self.location}>"

    __str__ = __repr__

    def is_current(self) -> bool:
        return True

    # -- connections, errors, backoff ---------------------------------------------
    def _clean(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def _connect(self):
        kw: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self._url:
            kw["connect_timeout"] = max(1, int(self._connect_timeout))
        if "application_name" not in self._url:
            kw["application_name"] = "nbmonitor"
        return self._psycopg.connect(self._url, **kw)

    def _connection(self, fresh: bool):
        """This thread's connection (one per thread, as psycopg wants); a new one if `fresh`."""
        conn = self._conns.get(threading.get_ident())
        if conn is not None and not fresh and not conn.closed:
            return conn, False
        self._drop()
        with self._backoff_lock:
            wait = self._down_until - time.monotonic()
        if wait > 0:
            raise StoreError(f"the nbmonitor database {self.location} is unreachable; retrying in {wait:.1f} s")
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in self._conns if i not in alive]:  # threads that ended (panels closed)
            self._drop(ident)
        conn = self._conns[threading.get_ident()] = self._connect()
        return conn, True

    def _drop(self, ident: int | None = None) -> None:
        conn = self._conns.pop(threading.get_ident() if ident is None else ident, None)
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def _call(self, fn: Callable, *args: Any) -> Any:
        """`fn(conn, *args)` in one transaction; on a lost connection once more on a new one.

        Every write is idempotent, so running a block twice is safe.
        """
        pg = self._psycopg
        for attempt in (0, 1):
            fresh = True
            try:
                conn, fresh = self._connection(fresh=attempt > 0)
                with conn.transaction():
                    out = fn(conn, *args)
                with self._backoff_lock:
                    self._backoff = 0.0
                return out
            except (pg.OperationalError, pg.InterfaceError) as e:
                self._drop()
                if attempt == 0 and not fresh:
                    continue  # a connection opened earlier died (server restart): try a new one now
                with self._backoff_lock:
                    self._backoff = min(BACKOFF_MAX_S, max(BACKOFF_MIN_S, self._backoff * 2))
                    self._down_until = time.monotonic() + self._backoff
                raise StoreError(f"the nbmonitor database {self.location} is unreachable: "
                                 f"{self._clean(str(e)).strip()}") from None
            except pg.Error as e:
                raise StoreError(f"nbmonitor database {self.location}: {self._clean(str(e)).strip()}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        for ident in list(self._conns):
            self._drop(ident)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # -- schema ----------------------------------------------------------------
    def _migrate(self, c) -> None:
        c.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        c.execute("CREATE TABLE IF NOT EXISTS nbm_schema (version INTEGER NOT NULL)")
        row = c.execute("SELECT max(version) FROM nbm_schema").fetchone()
        version = row[0] or 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"the nbmonitor database {self.location} has schema version {version}; "
                             f"this nbmonitor knows up to {SCHEMA_VERSION}: upgrade nbmonitor")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[v]:
                c.execute(statement)
            c.execute("DELETE FROM nbm_schema")
            c.execute("INSERT INTO nbm_schema VALUES (%s)", (v,))

    def schema_version(self) -> int:
        return self._call(lambda c: c.execute("SELECT max(version) FROM nbm_schema").fetchone()[0])

    # -- runs ------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        check_run_id(record.id)
        vals = [dumps(getattr(record, f)) if f in _JSON_FIELDS else getattr(record, f) for f in _FIELDS]
        updates = ", ".join(f'"{f}"=excluded."{f}"' for f in _FIELDS if f != "id")
        marks = ", ".join("%s" for _ in _FIELDS)
        self._call(lambda c: c.execute(
            f"INSERT INTO nbm_runs ({_RUN_COLS}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}", vals))

    def update_run(self, run_id: str, **fields: Any) -> None:
        if fields:
            self._call(self._update, run_id, fields)

    def _update(self, c, run_id: str, fields: dict) -> None:
        bad = set(fields) - set(_FIELDS)
        if bad:
            raise ValueError(f"unknown run fields: {sorted(bad)}")
        vals = [dumps(v) if k in _JSON_FIELDS else v for k, v in fields.items()]
        sets = ", ".join(f'"{k}"=%s' for k in fields)
        c.execute(f"UPDATE nbm_runs SET {sets} WHERE id=%s", (*vals, run_id))

    def write(self, run_id: str, chunks: Iterable[Chunk], events: Iterable[Event], **fields: Any) -> None:
        bad = set(fields) - set(_FIELDS)
        if bad:
            raise ValueError(f"unknown run fields: {sorted(bad)}")
        rows = [(run_id, ch.key, ch.start, len(ch), *codec.pack_chunk(ch.steps, ch.values, ch.times))
                for ch in chunks if len(ch)]
        ev_rows, file_rows = [], []
        for ev in events:
            payload = dict(ev.payload)
            if ev.files:
                refs: dict[str, Any] = {}
                for name, data in ev.files.items():
                    refs[name] = self.media.place(run_id, ev.seq, name, data) if self.media else None
                    if refs[name] is None:
                        refs[name] = "db"
                        file_rows.append((run_id, ev.seq, name, data))
                payload["_files"] = refs
            ev_rows.append((run_id, ev.seq, ev.key, ev.step, ev.time, ev.kind, dumps(payload)))

        def tx(c) -> None:
            with c.cursor() as cur:  # rows only ever added (pgrows): a retried write is the same rows
                insert_new(cur, "nbm_chunks", rows, run_id)
                insert_new(cur, "nbm_events", ev_rows, run_id)
                insert_new(cur, "nbm_files", file_rows, run_id)
            if fields:
                self._update(c, run_id, fields)
            if rows or ev_rows or fields:
                c.execute(f"SELECT pg_notify({CHANNEL_SQL}, %s)", (run_id,))

        self._call(tx)

    def _records(self, rows: list[tuple]) -> list[RunRecord]:
        out = []
        for row in rows:
            d = dict(zip(_FIELDS, row))
            for f in _JSON_FIELDS:
                d[f] = json.loads(d[f]) if d[f] else ({} if f != "tags" else [])
            out.append(RunRecord(**d))
        return out

    def _select_runs(self, where: str, args: tuple, order: str) -> list[RunRecord]:
        rows = self._call(lambda c: c.execute(
            f"SELECT {_RUN_COLS} FROM nbm_runs {where} ORDER BY {order}", args).fetchall())
        return self._records(rows)

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        if project is None:
            return self._select_runs("", (), "created, ord")
        return self._select_runs("WHERE project=%s", (project,), "created, ord")

    def get_run(self, run_id: str) -> RunRecord | None:
        found = self._select_runs("WHERE id=%s", (run_id,), "ord")
        return found[0] if found else None

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        where = "WHERE (id=%s OR name=%s)"
        args: tuple = (name_or_id, name_or_id)
        if project is not None:
            where, args = where + " AND project=%s", args + (project,)
        return self._select_runs(where, args, "created DESC, ord DESC")

    # -- series and events -----------------------------------------------------
    def keys(self, run_id: str) -> dict[str, int]:
        rows = self._call(lambda c: c.execute(
            "SELECT key, max(start + n) FROM nbm_chunks WHERE run_id=%s GROUP BY key ORDER BY key",
            (run_id,)).fetchall())
        return {k: int(n) for k, n in rows}

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        since = since or {}
        if keys is None:
            rows = self._call(lambda c: c.execute(
                "SELECT key, start, n, steps, vals, times FROM nbm_chunks WHERE run_id=%s ORDER BY key, start",
                (run_id,)).fetchall())
        else:
            wanted = list(dict.fromkeys(keys))
            if not wanted:
                return {}
            rows = self._call(lambda c: c.execute(
                "SELECT c.key, c.start, c.n, c.steps, c.vals, c.times FROM nbm_chunks c "
                "JOIN unnest(%s::text[], %s::bigint[]) AS w(key, since) ON c.key = w.key "
                "WHERE c.run_id = %s AND c.start + c.n > w.since ORDER BY c.key, c.start",
                (wanted, [since.get(k, 0) for k in wanted], run_id)).fetchall())
        parts: dict[str, list[Chunk]] = {}
        for key, start, n, steps, vals, times in rows:
            first = since.get(key, 0)
            if start + n <= first:
                continue
            s, v, t = codec.unpack_chunk(bytes(steps), bytes(vals), bytes(times))
            cut = max(0, first - start)
            parts.setdefault(key, []).append(Chunk(key, start + cut, s[cut:], v[cut:], t[cut:]))
        return {k: merge_chunks(k, p) for k, p in parts.items()}

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        return self._read_events(run_id, "seq>=%s", (since,), kinds)

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        return self._read_events(run_id, "key=%s AND step BETWEEN %s AND %s",
                                 (key, int(step), int(step if last_step is None else last_step)), kinds)

    def _read_events(self, run_id: str, where: str, args: tuple, kinds: Iterable[str] | None) -> list[Event]:
        """The run's events matching `where` (with `args`) and of `kinds`, by seq, with their files."""
        kinds = list(kinds) if kinds is not None else None
        where = "run_id=%s AND " + where + (" AND kind = ANY(%s)" if kinds is not None else "")
        args = (run_id, *args) + ((kinds,) if kinds is not None else ())

        def tx(c):
            evs = c.execute(f"SELECT seq, key, step, time, kind, payload FROM nbm_events WHERE {where} "
                            "ORDER BY seq", args).fetchall()
            seqs = [r[0] for r in evs if '"_files"' in r[5]]
            files = c.execute("SELECT seq, name, data FROM nbm_files WHERE run_id=%s AND seq = ANY(%s)",
                              (run_id, seqs)).fetchall() if seqs else []
            return evs, files

        evs, files = self._call(tx)
        by_seq: dict[int, dict[str, bytes]] = {}
        for seq, name, data in files:
            by_seq.setdefault(seq, {})[name] = bytes(data)
        out = []
        for seq, key, step, t, kind, payload in evs:
            p = json.loads(payload)
            names = p.pop("_files", {})
            got = by_seq.get(seq, {})
            out.append(Event(seq, key, step, t, kind, p, {
                n: MediaFolder.read(ref, run_id, self.media) if isinstance(ref, dict) else got.get(n, b"")
                for n, ref in names.items()}))
        return out

    # -- live readers ----------------------------------------------------------
    def listener(self) -> Listener:
        """A LISTEN connection of its own (one per reader, so readers never take each other's news)."""
        return Listener(self)

    def wait(self, timeout: float) -> set[str] | None:
        """Block until a run is written (its id in the set) or `timeout` passes (empty set).

        None when the listening connection was (re)made, so changes may have
        been missed: read everything once.
        """
        if self._listener is None:
            self._listener = Listener(self)
        return self._listener.wait(timeout)


class Listener:
    """`wait(timeout)`: the ids of the runs written since the last call (NOTIFY), None when unknown."""

    def __init__(self, store: PostgresStore):
        self._store = store
        self._conn: Any = None
        self._lock = threading.Lock()

    def wait(self, timeout: float) -> set[str] | None:
        store = self._store
        with self._lock:
            fresh = False
            try:
                conn = self._conn
                if conn is None or conn.closed:
                    conn = self._conn = store._connect()
                    channel = conn.execute(f"SELECT {CHANNEL_SQL}").fetchone()[0]
                    conn.execute(f'LISTEN "{channel}"')  # nbm_ and hex digits: a plain identifier
                    fresh = True
                ids = {n.payload for n in conn.notifies(timeout=timeout, stop_after=1)}
                if ids:  # and whatever else arrived with it
                    ids |= {n.payload for n in conn.notifies(timeout=0.01)}
            except store._psycopg.Error:
                self.close()
                time.sleep(min(timeout, BACKOFF_MIN_S))
                return None
        return None if fresh else ids

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
