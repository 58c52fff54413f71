"""An in-memory store behind the `Store` protocol: the test double, and the
store for `init(mode="memory")` where nothing may touch the disk."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

from .memrun import MemoryRun
from .types import Chunk, Event, RunRecord, check_run_id


class MemoryStore:
    """Runs in memory (`memrun.MemoryRun`, keeping every event) behind the `Store` protocol."""

    root = None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, MemoryRun] = {}

    def create_run(self, record: RunRecord) -> None:
        check_run_id(record.id)
        with self._lock:
            run = self._runs.get(record.id)
            if run is None:
                self._runs[record.id] = MemoryRun(copy.deepcopy(record))
            else:
                run.record = copy.deepcopy(record)

    def update_run(self, run_id: str, **fields: Any) -> None:
        with self._lock:
            rec = self._runs[run_id].record
            for k, v in fields.items():
                if not hasattr(rec, k):
                    raise ValueError(f"unknown run fields: {[k]}")
                setattr(rec, k, copy.deepcopy(v))

    def write(self, run_id: str, chunks: Iterable[Chunk], events: Iterable[Event], **fields: Any) -> None:
        with self._lock:
            run = self._runs[run_id]
            for ch in chunks:
                run.add_points(ch.key, ch.steps, ch.values, ch.times)
            for ev in events:
                run.append_event(ev)
        self.update_run(run_id, **fields)

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        with self._lock:
            runs = [copy.deepcopy(r.record) for r in self._runs.values() if project in (None, r.record.project)]
        return sorted(runs, key=lambda r: r.created)

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._lock:
            r = self._runs.get(run_id)
            return copy.deepcopy(r.record) if r else None

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        runs = [r for r in self.list_runs(project) if name_or_id in (r.id, r.name)]
        return runs[::-1]

    def keys(self, run_id: str) -> dict[str, int]:
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else dict(sorted(run.keys().items()))

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else run.read_series(sorted(run.series) if keys is None else keys, since)

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        with self._lock:
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events(since, kinds)

    def close(self) -> None:
        pass
