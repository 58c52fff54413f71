"""One run held in memory: each key's points in growing arrays, events with a per-key cap.

The in-memory model behind the TensorBoard logdir reader, the `SummaryWriter`'s
own view of what it wrote, and `MemoryStore`. One eviction policy: past `cap`
events of a key, the oldest of that key is dropped (amortised O(1): dropped
events are skipped when read and compacted away once they are half the list).
Callers hold their own lock; this class is not thread-safe by itself.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable

import numpy as np

from .types import Chunk, Event, RunRecord


class Series:
    """One key's points in growing arrays (amortised O(1) append)."""

    __slots__ = ("n", "steps", "times", "values")

    def __init__(self) -> None:
        self.n = 0
        self.steps = np.empty(0, np.int64)
        self.values = np.empty(0, np.float64)
        self.times = np.empty(0, np.float64)

    def extend(self, steps: np.ndarray, values: np.ndarray, times: np.ndarray) -> None:
        m = len(steps)
        need = self.n + m
        if need > len(self.steps):
            cap = max(need, 2 * len(self.steps), 64)
            for name in ("steps", "values", "times"):
                old = getattr(self, name)
                new = np.empty(cap, old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        self.steps[self.n:need] = steps
        self.values[self.n:need] = values
        self.times[self.n:need] = times
        self.n = need

    def chunk(self, key: str, start: int) -> Chunk:
        """The points from index `start` on, copied."""
        start = min(max(start, 0), self.n)
        end = self.n
        return Chunk(key, start, self.steps[start:end].copy(), self.values[start:end].copy(),
                     self.times[start:end].copy())


class MemoryRun:
    """A run's record, series and events in memory; `cap` events per key at most (None: all)."""

    def __init__(self, record: RunRecord, cap: int | None = None):
        self.record = record
        self.cap = cap
        self.series: dict[str, Series] = {}
        self.events: list[Event] = []  # by seq; dropped ones are skipped until compacted
        self.seq = 0  # the next event's seq
        self._per_key: dict[str, deque[Event]] = {}  # each key's kept events, by seq
        self._dropped: set[int] = set()

    # -- writing ----------------------------------------------------------------
    def add_points(self, key: str, steps: np.ndarray, values: np.ndarray, times: np.ndarray) -> None:
        if not len(steps):
            return
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = Series()
        series.extend(steps, values, times)

    def add_event(self, key: str, step: int, wall: float, kind: str, payload: dict,
                  files: dict[str, bytes] | None = None) -> Event:
        """Record an event with the next seq and return it."""
        ev = Event(self.seq, key, int(step), float(wall), kind, payload, dict(files or {}))
        self.append_event(ev)
        return ev

    def append_event(self, ev: Event) -> None:
        """Record an event that has its seq already (from a store's writer), dropping past the cap."""
        self.events.append(ev)
        self.seq = max(self.seq, ev.seq + 1)
        mine = self._per_key.setdefault(ev.key, deque())
        mine.append(ev)
        if self.cap is not None and len(mine) > self.cap:
            self._dropped.add(mine.popleft().seq)
            if len(self._dropped) > len(self.events) // 2:
                self.events = [e for e in self.events if e.seq not in self._dropped]
                self._dropped.clear()

    # -- reading (the Source protocol, for one run) ---------------------------------------
    def keys(self) -> dict[str, int]:
        return {k: s.n for k, s in self.series.items()}

    def read_series(self, keys: Iterable[str] | None = None, since: dict[str, int] | None = None) -> dict[str, Chunk]:
        since = since or {}
        wanted = list(self.series) if keys is None else [k for k in keys if k in self.series]
        return {k: self.series[k].chunk(k, since.get(k, 0)) for k in wanted if since.get(k, 0) < self.series[k].n}

    def read_events(self, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        events = self.events[bisect.bisect_left(self.events, since, key=lambda e: e.seq):]
        if self._dropped:
            events = [e for e in events if e.seq not in self._dropped]
        if kinds is not None:
            wanted = set(kinds)
            events = [e for e in events if e.kind in wanted]
        return events

    def read_events_at(self, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        """The kept events of `key` logged at a step in [step, last_step] (default: at `step`), by seq."""
        last = step if last_step is None else last_step
        wanted = set(kinds) if kinds is not None else None
        return [e for e in self._per_key.get(key, ()) if step <= e.step <= last
                and (wanted is None or e.kind in wanted)]
