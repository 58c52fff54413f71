"""An in-memory store behind the `Store` protocol: the test double, and the
store for `init(mode="memory")` where nothing may touch the disk."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import StoreError
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
        """Append chunks and events; as the other stores, points and events are only ever added: one
        already stored is skipped if it is the very same (a retried write), else a `StoreError`."""
        with self._lock:
            run = self._runs[run_id]
            chunks = [ch for ch in chunks if len(ch) and not _stored(run, run_id, ch)]
            events = [ev for ev in events if not _event_stored(run, run_id, ev)]
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

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        with self._lock:
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events_at(key, step, last_step, kinds)

    def close(self) -> None:
        pass


def _clash(run_id: str, what: str) -> StoreError:
    return StoreError(f"run {run_id!r}: {what} is already stored with other data; another process is writing "
                      "this run (nbmonitor never overwrites stored points)")


def _stored(run: MemoryRun, run_id: str, ch: Chunk) -> bool:
    """True when the chunk's points are stored already, exactly; an error when others are stored there."""
    s = run.series.get(ch.key)
    if s is None or ch.start >= s.n:
        return False
    have = s.chunk(ch.key, ch.start)
    n = len(ch)
    if len(have) >= n and all(np.array_equal(a[:n], b, equal_nan=True) for a, b in
                              ((have.steps, ch.steps), (have.values, ch.values), (have.times, ch.times))):
        return True
    raise _clash(run_id, f"key {ch.key!r} from point {ch.start}")


def _event_stored(run: MemoryRun, run_id: str, ev: Event) -> bool:
    if ev.seq >= run.seq:
        return False
    there = run.read_events(since=ev.seq)
    if there and there[0].seq == ev.seq and there[0] == ev:
        return True
    raise _clash(run_id, f"event {ev.seq}")
