"""`MultiSource`: several sources seen as one (a folder holding nbmonitor roots and TensorBoard runs)."""

from __future__ import annotations

from collections.abc import Iterable

from ..store import Chunk, Event, RunRecord
from .base import Source


class MultiSource:
    """Several sources seen as one (a folder holding nbmonitor roots and TensorBoard runs)."""

    def __init__(self, sources: list[Source]):
        self.sources = sources
        self._owner: dict[str, Source] = {}

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        out = []
        for s in self.sources:
            for r in s.list_runs(project):
                self._owner.setdefault(r.id, s)
                out.append(r)
        return out

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        out = []
        for s in self.sources:
            for r in s.find_runs(name_or_id, project):
                self._owner.setdefault(r.id, s)
                out.append(r)
        return out

    def _source(self, run_id: str) -> Source | None:
        if run_id not in self._owner:
            self.list_runs()
        return self._owner.get(run_id)

    def keys(self, run_id: str) -> dict[str, int]:
        s = self._source(run_id)
        return {} if s is None else s.keys(run_id)

    def read_series(self, run_id: str, keys: Iterable[str] | None = None,
                    since: dict[str, int] | None = None) -> dict[str, Chunk]:
        s = self._source(run_id)
        return {} if s is None else s.read_series(run_id, keys, since)

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        s = self._source(run_id)
        return [] if s is None else s.read_events(run_id, since, kinds)

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        s = self._source(run_id)
        return [] if s is None else s.read_events_at(run_id, key, step, last_step, kinds)
