"""Copying runs between stores: a SQLite root into PostgreSQL and back (`nbmonitor copy SRC DST`).

Each run is copied whole - its record (state, config, summary, heartbeat...),
every scalar series and every event with its files - one run at a time, in
one write per run. Writes are idempotent, so copying again (after a run grew,
or after an interrupted copy) fills in what is missing and duplicates nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .roots import is_database_url, is_store_root, open_store, resolve_root
from .types import RunRecord


def copy_runs(src: str | os.PathLike, dst: str | os.PathLike, project: str | None = None,
              progress: Callable[[RunRecord, int], None] | None = None) -> list[RunRecord]:
    """Copy the runs of `src` (of `project` only, if given) into `dst`; returns the copied records.

    `src` and `dst` are root folders or `postgresql://` URLs. `progress(record, points)`
    is called after each run.
    """
    where = resolve_root(src)
    if not is_database_url(where) and not is_store_root(Path(where)):
        raise FileNotFoundError(f"no nbmonitor store in {src} (no nbmonitor.db there)")
    source, target = open_store(src), open_store(dst)
    if source is target:
        raise ValueError("nbmonitor copy: the source and the destination are the same store")
    copied = []
    for record in source.list_runs(project):
        series = source.read_series(record.id)
        events = source.read_events(record.id)
        fresh = RunRecord(**{f: getattr(record, f) for f in RunRecord.__dataclass_fields__})
        target.create_run(fresh)
        target.write(record.id, list(series.values()), events)
        copied.append(record)
        if progress is not None:
            progress(record, sum(len(ch) for ch in series.values()))
    return copied
