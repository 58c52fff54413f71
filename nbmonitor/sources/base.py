"""The `Source` protocol: what the panel, `runs()` and `get_run()` read runs through.

A source answers: which runs, which keys, and which points are new since a
cursor (per key, the index of the next point; for events, the next seq).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..store import Chunk, Event, RunRecord


class Source(Protocol):
    def list_runs(self, project: str | None = None) -> list[RunRecord]: ...

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]: ...

    def keys(self, run_id: str) -> dict[str, int]: ...

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]: ...

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]: ...

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        """The events of `key` at a step in [step, last_step] (default: at `step`), as `Store.read_events_at`."""
