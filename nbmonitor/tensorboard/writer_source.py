"""`WriterSource`: what a `SummaryWriter` wrote, in memory, behind the `Source` protocol.

The writer's background thread records here what it writes to the event
files, so a panel in the same process shows it without reading the files.
Runs, ids and payloads are those `TensorBoardSource` gives for the same folder
read from disk (a run per folder named by its path relative to the parent of
`log_dir`, the project is that parent's name, ids from `tb_run_id`), so
`%monitor --logdir <parent>` after a kernel restart shows the same thing.

Memory stays bounded: scalars are kept (16-24 bytes a point), and of the
events of one key only the last `MAX_EVENTS_PER_KEY` (their files included).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable

from ..store import Chunk, Event, RunRecord
from ..store.memrun import MemoryRun
from .source import tb_run_id

MAX_EVENTS_PER_KEY = 200


class WriterSource:
    """In-memory runs of one `SummaryWriter` (its log_dir and sub-folders)."""

    root = None

    def __init__(self, log_dir: str | os.PathLike):
        path = os.path.abspath(os.fspath(log_dir))
        parent = os.path.dirname(path)
        self.project = os.path.basename(parent) or parent
        self.name = os.path.basename(path) or path
        self._lock = threading.Lock()
        self._runs: dict[str, MemoryRun] = {}
        self.main_id = self.run(self.name).record.id

    # -- recording (the writer's background thread) -----------------------------
    def run(self, name: str) -> MemoryRun:
        """The run of `name` (the main run, or "<main>/<sub-folder>"), made on first use."""
        run_id = tb_run_id(name)
        run = self._runs.get(run_id)
        if run is None:
            now = time.time()
            rec = RunRecord(id=run_id, project=self.project, name=name, state="running",
                            created=now, updated=now, heartbeat=now, host="", pid=os.getpid())
            with self._lock:
                run = self._runs[run_id] = MemoryRun(rec, MAX_EVENTS_PER_KEY)
        return run

    def add_scalars(self, run: MemoryRun, tag: str, steps, values, times) -> None:
        """Append points (arrays) to one tag's series."""
        with self._lock:
            run.add_points(tag, steps, values, times)
            run.record.summary[tag] = float(values[-1])
            run.record.updated = max(run.record.updated, float(times[-1]))

    def add_event(self, run: MemoryRun, key: str, step: int, wall: float, kind: str, payload: dict,
                  files: dict[str, bytes] | None = None) -> None:
        with self._lock:
            run.add_event(key, step, wall, kind, payload, files)
            run.record.summary.setdefault(key, {"_type": kind})
            run.record.updated = max(run.record.updated, float(wall))

    def set_state(self, state: str) -> None:
        with self._lock:
            for run in self._runs.values():
                run.record.state = state
                run.record.heartbeat = time.time()

    # -- the Source protocol -------------------------------------------------------
    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        if project is not None and project != self.project:
            return []
        with self._lock:
            recs = [r.record.copy() for r in self._runs.values()]
        return sorted(recs, key=lambda r: r.name)

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        return [r for r in self.list_runs(project) if name_or_id in (r.name, r.id)]

    def keys(self, run_id: str) -> dict[str, int]:
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else run.keys()

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else run.read_series(keys, since)

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        with self._lock:
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events(since, kinds)

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        with self._lock:  # events the view saw already: no poll of the logdir
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events_at(key, step, last_step, kinds)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<WriterSource {self.project}/{self.name}: {len(self._runs)} runs>"

