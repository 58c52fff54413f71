"""Persistence: where runs and their points live.

Owns: the `Store` protocol and its records (`types`, which imports nothing of
ours), the packed-array chunk codec (`codec`), the embedded SQLite store
(`sqlite`), the team store in PostgreSQL (`postgres`, psycopg imported when
one is opened), the in-memory test double (`memory`), and the one resolver of a
root folder or `postgresql://` URL (`roots`). May import: `nbmonitor.errors` only.

A series is stored as chunks: one row per key per flush holding the new points
as packed arrays, each chunk knowing the index of its first point, so a reader
asks for "points of key k from index n on" and never skips or repeats one.
"""

from __future__ import annotations

from .roots import DEFAULT_DIRNAME, ENV_DIR, open_store, resolve_root
from .types import SYSTEM_PREFIX, Chunk, Event, RunRecord, Store, check_run_id, is_database_url, is_system_key, merge_chunks

__all__ = [
    "DEFAULT_DIRNAME",
    "ENV_DIR",
    "Chunk",
    "Event",
    "RunRecord",
    "SYSTEM_PREFIX",
    "Store",
    "check_run_id",
    "is_database_url",
    "is_system_key",
    "merge_chunks",
    "open_store",
    "resolve_root",
]
