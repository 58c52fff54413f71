"""`LiveSource`: a store seen together with this process's live runs in it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..store import Chunk, Event, RunRecord, Store, merge_chunks


class LiveSource:
    """A store, seen together with this process's live runs in it.

    Points a live run has sealed but not yet written come from memory; older
    ones from the store. Runs written by other processes come from the store
    alone, so this is also the "tail another process" source.
    """

    def __init__(self, store: Store):
        self.store = store
        self._listener: Any = None

    def changed_runs(self) -> set[str] | None:
        """Runs written since the last call, when the store says (PostgreSQL's NOTIFY); None: ask them all.

        This process's live runs always count as changed (their newest points are in memory).
        """
        make = getattr(self.store, "listener", None)
        if make is None:
            return None
        if self._listener is None:
            self._listener = make()
        ids = self._listener.wait(0.0)
        if ids is None:
            return None
        from ..tracking import flusher

        return ids | {run.id for run in flusher.live_runs() if run.store is self.store}

    def _live(self, run_id: str):
        from ..tracking import flusher

        for run in flusher.live_runs():
            if run.id == run_id and run.store is self.store:
                return run
        return None

    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        from ..store.liveness import effective_state

        runs = self.store.list_runs(project)
        for r in runs:
            if self._live(r.id) is None:
                r.state = effective_state(r)
        return runs

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        return self.store.find_runs(name_or_id, project)

    def keys(self, run_id: str) -> dict[str, int]:
        run = self._live(run_id)
        keys = self.store.keys(run_id)
        if run is not None:
            _, counts, _ = run.memory_snapshot()
            keys.update(counts)
        return keys

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        run = self._live(run_id)
        if run is None:
            return self.store.read_series(run_id, keys, since)
        since = dict(since or {})
        pending, counts, _ = run.memory_snapshot()
        wanted = set(keys) if keys is not None else None
        mem: dict[str, list[Chunk]] = {}
        # The newest block first. A reader with a cursor for every key (the panel, after its first
        # read) has read every block older than one it has read: stop there.
        can_stop = all(k in since for k in (wanted if wanted is not None else counts))
        if can_stop and all(since[k] >= n for k, n in counts.items() if wanted is None or k in wanted):
            return {}  # nothing new (a quiet run, read on every tick)
        for chunks, _ in reversed(pending):
            if can_stop and chunks and all(ch.start + len(ch.steps) <= since[ch.key] for ch in chunks
                                           if wanted is None or ch.key in wanted):
                break
            for ch in chunks:
                if wanted is None or ch.key in wanted:
                    got = mem.get(ch.key)
                    if got is None:
                        mem[ch.key] = [ch]
                    else:
                        got.append(ch)
        for chs in mem.values():
            chs.reverse()
        out: dict[str, Chunk] = {}
        # What memory no longer holds (already written) comes from the store.
        gaps = {k: since.get(k, 0) for k in (wanted if wanted is not None else counts)
                if since.get(k, 0) < (mem[k][0].start if k in mem else counts.get(k, 0))}
        stored = self.store.read_series(run_id, list(gaps), gaps) if gaps else {}
        for k in (mem.keys() | stored.keys()) if stored else mem:
            first = since.get(k, 0)
            parts = [stored[k]] if k in stored else []
            end = max(first, parts[0].start + len(parts[0].steps)) if parts else first
            for ch in mem.get(k, ()):
                lo = end - ch.start
                n = len(ch.steps)
                if lo < n:
                    # a chunk read whole is handed on as it is (no copy; readers do not change it)
                    parts.append(ch if lo <= 0 else Chunk(k, ch.start + lo, ch.steps[lo:], ch.values[lo:], ch.times[lo:]))
                    end = ch.start + n
            if parts:
                out[k] = parts[0] if len(parts) == 1 else merge_chunks(k, parts)
        return out

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        run = self._live(run_id)
        if run is not None and since >= run.memory_snapshot()[2]:
            return []  # the run has sealed no event past `since`: none in memory, none in the store
        events = self.store.read_events(run_id, since, kinds)
        if run is not None:
            pending, _, _ = run.memory_snapshot()
            have = {e.seq for e in events}
            kinds_set = set(kinds) if kinds is not None else None
            for _, evs in pending:
                events += [e for e in evs if e.seq >= since and e.seq not in have
                           and (kinds_set is None or e.kind in kinds_set)]
            events.sort(key=lambda e: e.seq)
        return events

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        events = self.store.read_events_at(run_id, key, step, last_step, kinds)
        run = self._live(run_id)
        if run is not None:  # and those a live run has sealed but not yet written
            pending, _, _ = run.memory_snapshot()
            last = step if last_step is None else last_step
            have = {e.seq for e in events}
            kinds_set = set(kinds) if kinds is not None else None
            for _, evs in pending:
                events += [e for e in evs if e.key == key and step <= e.step <= last and e.seq not in have
                           and (kinds_set is None or e.kind in kinds_set)]
            events.sort(key=lambda e: e.seq)
        return events
