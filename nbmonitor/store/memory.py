"""An in-memory store behind the `Store` protocol: the test double, and the
store for `init(mode="memory")` where nothing may touch the disk."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

from .types import Chunk, Event, RunRecord, check_run_id, merge_chunks


class MemoryStore:
    root = None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunRecord] = {}
        self._chunks: dict[str, dict[str, list[Chunk]]] = {}
        self._events: dict[str, list[Event]] = {}

    def create_run(self, record: RunRecord) -> None:
        check_run_id(record.id)
        with self._lock:
            self._runs[record.id] = copy.deepcopy(record)
            self._chunks.setdefault(record.id, {})
            self._events.setdefault(record.id, [])

    def update_run(self, run_id: str, **fields: Any) -> None:
        with self._lock:
            rec = self._runs[run_id]
            for k, v in fields.items():
                if not hasattr(rec, k):
                    raise ValueError(f"unknown run fields: {[k]}")
                setattr(rec, k, copy.deepcopy(v))

    def write(self, run_id: str, chunks: Iterable[Chunk], events: Iterable[Event], **fields: Any) -> None:
        with self._lock:
            series = self._chunks.setdefault(run_id, {})
            for ch in chunks:
                if len(ch):
                    series.setdefault(ch.key, []).append(ch)
            self._events.setdefault(run_id, []).extend(events)
        self.update_run(run_id, **fields)

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        with self._lock:
            runs = [copy.deepcopy(r) for r in self._runs.values() if project in (None, r.project)]
        return sorted(runs, key=lambda r: r.created)

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._lock:
            r = self._runs.get(run_id)
            return copy.deepcopy(r) if r else None

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        runs = [r for r in self.list_runs(project) if name_or_id in (r.id, r.name)]
        return runs[::-1]

    def keys(self, run_id: str) -> dict[str, int]:
        with self._lock:
            series = self._chunks.get(run_id, {})
            return {k: p[-1].start + len(p[-1]) for k, p in sorted(series.items()) if p}

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        since = since or {}
        with self._lock:
            series = dict(self._chunks.get(run_id, {}))
        out = {}
        for key in sorted(series) if keys is None else keys:
            first = since.get(key, 0)
            parts = []
            for ch in series.get(key, []):
                if ch.start + len(ch) <= first:
                    continue
                cut = max(0, first - ch.start)
                parts.append(Chunk(key, ch.start + cut, ch.steps[cut:], ch.values[cut:], ch.times[cut:]))
            if parts:
                out[key] = merge_chunks(key, parts)
        return out

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        kinds = set(kinds) if kinds is not None else None
        with self._lock:
            evs = list(self._events.get(run_id, []))
        return [e for e in evs if e.seq >= since and (kinds is None or e.kind in kinds)]

    def close(self) -> None:
        pass
