"""The PostgreSQL store's rows are only ever added, as the SQLite store's (`integrity.insert_new`).

`insert_new(cur, table, rows, run_id)` inserts chunk or event rows with `ON CONFLICT DO NOTHING
RETURNING` their key; a row whose key was already there is fine only when the stored row is the
very same (a write retried after its commit was cut short, or after a lost connection), and is
otherwise a `StoreError` naming the key: another process is writing this run. The write's whole
transaction then rolls back, so nothing of it is stored and no stored point is overwritten.
"""

from __future__ import annotations

from ..errors import StoreError

__all__ = ["insert_new"]


_KEYS = {"nbm_chunks": ("run_id", "key", "start"), "nbm_events": ("run_id", "seq"),
         "nbm_files": ("run_id", "seq", "name")}


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(bytes(x) == bytes(y) if isinstance(x, (bytes, memoryview)) else x == y
                                    for x, y in zip(a, b))


def insert_new(cur, table: str, rows: list[tuple], run_id: str) -> None:
    """INSERT rows that must be new (one statement per row, pipelined by psycopg)."""
    if not rows:
        return
    key = _KEYS[table]
    k = len(key)
    marks = ", ".join(["%s"] * len(rows[0]))
    cols = ", ".join(key)
    cur.executemany(f"INSERT INTO {table} VALUES ({marks}) ON CONFLICT ({cols}) DO NOTHING RETURNING {cols}",
                    rows, returning=True)
    added: set[tuple] = set()
    while True:
        added.update(tuple(r) for r in cur.fetchall())
        if not cur.nextset():
            break
    where = " AND ".join(f"{c}=%s" for c in key)
    for row in rows:
        if tuple(row[:k]) in added:
            continue
        there = cur.execute(f"SELECT * FROM {table} WHERE {where}", row[:k]).fetchone()
        if there is None or not _same(tuple(there), tuple(row)):
            what = {"nbm_chunks": f"key {row[1]!r} from point {row[2]}", "nbm_events": f"event {row[1]}"}.get(
                table, f"file {row[2]!r} of event {row[1]}")
            raise StoreError(f"run {run_id!r}: {what} is already stored with other data; another process is "
                             "writing this run (nbmonitor never overwrites stored points)")
