"""A run's lifecycle: config, step counter, summary and the in-memory buffer.

`log()` only validates and appends a row to a deque; it never touches disk or
widgets. The process's writer thread (`flusher`) seals the deque into
columnar chunks about ten times a second and writes them to the store at least
once a second; readers (`sources.LiveSource`, the panel) take sealed chunks (and
the last few written) from memory and older ones from the store, by per-key point index.
"""

from __future__ import annotations

import numbers
import os
import time
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from numpy import ndarray

from ..errors import NbmonitorWarning, RunClosedError, StoreError
from ..store import SYSTEM_PREFIX, Chunk, Event, RunRecord, Store, merge_chunks
from . import flusher
from .columns import columns
from .dictlike import Config, Summary
from .distributed import STEP_TIME_KEY, StepClock
from .logvalues import log_values
from .metrics import MetricDefs
from .names import MAX_STEP
from .storelink import StoreLink
from .values import FAST, RAW, describe, to_scalar
from .wandb_run import WandbRunMixin

if TYPE_CHECKING:
    from .system import SystemSampler

_FINAL_STATES = ("finished", "failed", "killed", "crashed")
# Back-pressure: when the writer thread falls behind, log() seals the rows itself past
# MAX_UNSEALED_ROWS (~0.4 KB each), and writes to the store itself past MAX_PENDING_POINTS
# sealed but unwritten points (24 B each), so memory stays bounded whatever the logging rate.
MAX_UNSEALED_ROWS = 50_000
MAX_PENDING_POINTS = 2_000_000
MAX_BUFFERED_POINTS = 10_000_000  # store unreachable (a database down for hours): past this, new points are dropped
FINISH_RETRY_S = 30.0  # finish() waits this long for an unreachable store before giving up


class Run(WandbRunMixin):
    """One training run. Made by `nbmonitor.init()`; use `log()`, `config`, `summary`, `finish()`.

    W&B's run attributes and methods (url, path, define_metric, log_artifact...) come from `WandbRunMixin`.
    """

    def __init__(self, store: Store, record: RunRecord, *, start_step: int = 0, counts: dict | None = None,
                 event_count: int = 0, last: dict | None = None, system_step: int = -1):
        self._store = store
        self._record = record
        self.id: str = record.id
        self.name: str = record.name
        self.project: str = record.project
        self.notes = record.notes
        self.tags = tuple(record.tags)
        self.total_steps = record.total_steps
        self.start_time: float = record.created
        self._rows: deque = deque()  # (step, time, {key: number}) from log(), numbers as log() kept them
        self._system_rows: deque = deque()  # the same from log_system()
        self._media: deque = deque()  # (step, time, key, kind, payload, files)
        self._last: dict = dict(last or {})  # each key's last value as of the last seal (and media keys')
        self._step = start_step
        self._counts: dict[str, int] = dict(counts or {})  # points sealed so far, per key
        self._event_count = event_count
        self._pending: list[tuple[list[Chunk], list[Event]]] = []  # sealed, not yet written
        self._pending_points = 0  # points in _pending (MAX_PENDING_POINTS, MAX_BUFFERED_POINTS)
        self._recent: list[tuple[list[Chunk], list[Event]]] = []  # written, still in memory for readers
        self._dropped = 0  # points log() took while _pending was full
        self._store_down_until = 0.0  # back-pressure writes wait this long after the store failed
        self._io_lock = flusher.SignalSafeLock()  # a SIGTERM handler never waits for it
        self._known_keys: set[str] = set(self._counts)  # keys that passed check_key
        self._meta_dirty = True
        self._finished = False  # finish() was called: log() refuses data
        self._closed = False  # finish() wrote the final state
        self._state_written = False  # the final state is in the store: later writer-thread flushes do nothing
        self._wrote_points = bool(self._counts)
        self._link = StoreLink(store, record.name)  # writes that survive a deleted root
        self._state = record.state
        self._on_finish: list[Callable[[Run], None]] = []
        self._metrics = MetricDefs()
        self._info: dict[str, Any] = {}  # W&B's entity, group, job_type, settings (see WandbRunMixin)
        self._system_step = system_step  # the system stream's own step axis (see log_system)
        self._sampler: SystemSampler | None = None  # the system-metrics thread, stopped by finish()
        self._step_clock: StepClock | None = None  # perf/step_time (time_steps)
        self.config = Config(record.config, on_change=self._mark_dirty)
        self.summary = Summary(self._last_values, self._last_value, on_change=self._mark_dirty, view=self._summary_view)

    # -- logging (the training thread) ----------------------------------------
    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
        """Record `data` at the current step (W&B semantics: each committed call advances it)."""
        if type(data) is dict and self._known_keys.issuperset(data) and not self._finished:
            vals = data.copy()  # numbers (RAW) stay as they are: the writer thread converts whole columns
            media = None
            try:
                for k, v in data.items():
                    tv = type(v)
                    if tv is not float and tv not in RAW:  # an array or a tensor: converted now (it may change)
                        if tv is ndarray and type(x := v.item()) is float:
                            vals[k] = x
                        else:
                            vals[k] = FAST[tv](v)
            except Exception:  # media, a type not seen yet, a value to refuse naming its key: the slow path
                vals, media = log_values(data, self._known_keys)
        else:
            if self._finished:
                raise RunClosedError(
                    f"run {self.name!r} has finished and takes no more data; call nbmonitor.init() to start a new run"
                )
            if type(data) is not dict and not isinstance(data, Mapping):
                raise TypeError(f"nbmonitor.log takes a dict of key -> value, got {describe(data)}")
            vals, media = log_values(data, self._known_keys)
        if step is not None:
            if not isinstance(step, numbers.Integral) or isinstance(step, bool) or step < 0:
                raise TypeError(f"nbmonitor.log: step must be a non-negative int, got {step!r}")
            step = int(step)
            if step > MAX_STEP:
                raise ValueError(f"nbmonitor.log: step {step} is too large (steps are stored as 64-bit ints, "
                                 f"at most {MAX_STEP})")
            if step < self._step:
                warnings.warn(
                    f"nbmonitor.log: step {step} is lower than the current step {self._step}; "
                    f"data for keys {sorted(data)} ignored (steps must not go back)",
                    NbmonitorWarning,
                    stacklevel=2,
                )
                return
            self._step = step
        cur = self._step
        t = time.time()
        if self._step_clock is not None:
            self._step_clock.tick(cur, t, vals)
        if vals:
            rows = self._rows
            rows.append((cur, t, vals))  # the summary reads the newest rows (_last_value), the seal updates _last
            if len(rows) > MAX_UNSEALED_ROWS:
                self._backpressure()
        if media:
            for k, (kind, payload, files) in media:
                self._media.append((cur, t, k, kind, payload, files))
                self._last[k] = payload["text"] if kind == "text" and payload.get("_logged_str") else {"_type": kind}
        if commit or (commit is None and step is None):
            self._step = cur + 1

    def time_steps(self) -> None:
        """Log `perf/step_time` from now on: seconds per step (`tracking.distributed.StepClock`)."""
        self._step_clock = StepClock()
        self._known_keys.add(STEP_TIME_KEY)

    def log_system(self, data: Mapping[str, float], t: float | None = None) -> None:
        """Record machine metrics on the system stream, beside the training steps and never mixed with them.

        Keys get the `system/` prefix (if missing). Their step is the whole seconds from the run's start to
        `t` (default now; strictly increasing), so `run.step`, the summary and `history()` are unchanged;
        `history(stream="system")` reads them, and the panel shows them in its System section.
        """
        if self._finished:
            return
        t = time.time() if t is None else float(t)
        vals = {(k if k.startswith(SYSTEM_PREFIX) else SYSTEM_PREFIX + k): to_scalar(k, v) for k, v in data.items()}
        if not vals:
            return
        step = max(self._system_step + 1, int(t - self.start_time))
        self._system_step = step
        self._system_rows.append((step, t, vals))

    def start_system_metrics(self, interval: float = 1.0, *, gpu: bool = True) -> None:
        """Sample CPU, memory, I/O (and GPUs, with nvidia-ml-py) every `interval` s until `finish()`.

        `nbmonitor.init()` calls this unless `system_metrics=False` (or NBMONITOR_SYSTEM_METRICS=0).
        """
        from .system import SystemSampler  # lazy: with `logging`, ~3 ms of `import nbmonitor` otherwise
        self.stop_system_metrics()
        if not self._finished:
            self._sampler = SystemSampler(self.log_system, interval, gpu=gpu).start()

    def stop_system_metrics(self) -> None:
        """Stop the system-metrics thread (finish() does it); a no-op when none runs."""
        sampler, self._sampler = self._sampler, None
        if sampler is not None:
            sampler.stop()

    @property
    def step(self) -> int:
        """The step the next `log()` call writes to."""
        return self._step

    @property
    def state(self) -> str:
        return self._state

    @property
    def dir(self) -> str:
        """The run's own folder, as W&B's `run.dir`: files written here are the run's files (`Api().run().files()`)."""
        return str(self.files_dir)

    @property
    def store(self) -> Store:
        """The store this run writes to."""
        return self._store

    @property
    def finished(self) -> bool:
        """Whether `finish()` has been called: the run takes no more data."""
        return self._finished

    def never_wrote_points(self) -> bool:
        """True until the run's first points reach the store (the writer writes them at once)."""
        return not self._wrote_points and bool(self._rows or self._system_rows or self._pending)

    def add_event(self, key: str, kind: str, payload: dict, files: dict | None = None) -> None:
        """Record a non-scalar event (an alert, say) at the current step, as `log()` does for media."""
        self._media.append((self._step, time.time(), key, kind, payload, dict(files or {})))

    def on_finish(self, callback: Callable[[Run], None]) -> None:
        """Call `callback(run)` when the run finishes (the panel uses it to show its final state)."""
        self._on_finish.append(callback)

    def _mark_dirty(self) -> None:
        self._meta_dirty = True

    def _last_value(self, key: str) -> Any:
        """`key`'s last logged value (KeyError if none): from the newest unsealed row that has it, else `_last`."""
        for _ in range(3):
            try:
                return _newest(reversed(self._rows), key, self._last)
            except RuntimeError:  # the writer thread sealed meanwhile: look again
                pass
        return _newest(reversed(list(self._rows)), key, self._last)

    def _last_values(self) -> dict:
        """Each key's last logged value (numbers as log() kept them): `_last`, then the unsealed rows."""
        rows = list(self._rows)  # before _last: whatever a seal moves into _last from now on is in this copy
        last = dict(self._last)
        for row in rows:
            last.update(row[2])
        return last

    def _summary_view(self, values: dict) -> dict:
        """define_metric's aggregates over `values`, folding in what log() appended since the last seal."""
        if self._metrics and self._rows and not self._io_lock.held_here() and self._io_lock.acquire(timeout=5.0):
            try:  # waits for the writer; not when this thread's _flush() reads the summary (it has just sealed)
                self._seal()
            finally:
                self._io_lock.release()
        return self._metrics.apply(values)

    # -- sealing and writing (the writer thread, or finish()/history()) -------
    def seal(self) -> None:
        """Make what `log()` appended visible to readers in this process (the writer thread, ~10 Hz)."""
        with self._io_lock:
            self._seal()

    def _seal(self) -> None:
        """Move what log() appended into columnar chunks in `_pending`; `_last` gets each key's newest value."""
        n, ns, m = len(self._rows), len(self._system_rows), len(self._media)
        if not n and not ns and not m:
            return
        rows = [self._rows.popleft() for _ in range(n)]
        system_rows = [self._system_rows.popleft() for _ in range(ns)]
        media = [self._media.popleft() for _ in range(m)]
        if self._pending_points > MAX_BUFFERED_POINTS:  # the store has been unreachable for long
            if not self._dropped:
                warnings.warn(f"nbmonitor: run {self.name!r} holds {self._pending_points} points its store has "
                              "not taken yet; dropping new points until it is reachable again", NbmonitorWarning,
                              stacklevel=2)
            self._dropped += sum(len(row[2]) for row in rows + system_rows)
            return
        chunks = []
        for group, summary in ((rows, True), (system_rows, False)):
            for k, (steps, values, times) in columns(group).items():
                start = self._counts.get(k, 0)
                chunks.append(Chunk(k, start, steps, values, times))
                self._counts[k] = start + len(steps)
                if self._metrics:
                    self._metrics.update(k, values)
                if summary:
                    self._last[k] = values[-1].item()
        events = []
        for step, t, key, kind, payload, files in media:
            events.append(Event(self._event_count, key, step, t, kind, payload, files))
            self._event_count += 1
        self._pending = self._pending + [(chunks, events)]  # readers take snapshots of the list
        self._pending_points += sum(len(c) for c in chunks)

    def _backpressure(self) -> None:
        """The writer thread fell behind: seal here (and write, past MAX_PENDING_POINTS) so memory stays bounded.

        While the store is unreachable (a database restart) log() keeps buffering, up to MAX_BUFFERED_POINTS.
        """
        with self._io_lock:
            self._seal()
        if self._pending_points > MAX_PENDING_POINTS and time.monotonic() >= self._store_down_until:
            try:
                self._flush()
            except StoreError:
                self._store_down_until = time.monotonic() + 1.0

    def flush(self) -> None:
        """Write everything logged so far to the store now (the writer thread does this each second)."""
        self._flush()

    def _flush(self, **fields: Any) -> None:
        """Seal, write everything pending to the store in one transaction, then keep only the last few
        written blocks in memory, for readers (`flusher.keep_recent`). Nothing leaves memory unless the write
        succeeded; a failed write keeps it pending for the next try. A store whose database was deleted under
        the run (a re-run notebook that rmtree'd the folder) is noticed, recreated and written again, with a warning.
        """
        with self._io_lock:
            if self._state_written and "state" not in fields:
                return  # a finished run's record stays as finish() wrote it (no later heartbeat)
            self._seal()
            pending = self._pending
            now = time.time()
            fields.setdefault("heartbeat", now)
            if self._meta_dirty or pending or "state" in fields:
                self._meta_dirty = False
                fields.update(summary=self.summary.as_dict(), config=self.config.as_dict(), updated=now)
            by_key: dict[str, list[Chunk]] = {}
            events: list[Event] = []
            for chunks, evs in pending:
                for ch in chunks:
                    by_key.setdefault(ch.key, []).append(ch)
                events += evs
            merged = [merge_chunks(k, parts) for k, parts in by_key.items()]
            try:
                problems = self._link.write(self.id, merged, events, fields, self._record_now)
            except BaseException:
                self._meta_dirty = True
                raise
            finally:
                self._store = self._link.store
            self._pending = self._pending[len(pending):]
            self._pending_points -= sum(len(c) for c in merged)
            self._state_written = "state" in fields
            self._recent = flusher.keep_recent(self._recent, merged, final=self._state_written)
            if merged:
                self._wrote_points = True
        for problem in problems or ():
            flusher.warn(problem)

    def _record_now(self) -> RunRecord:
        """The run's record as it stands (for a store made again under it)."""
        record = self._record.copy()
        record.state = self._state if self._closed else "running"
        record.config, record.summary = self.config.as_dict(), self.summary.as_dict()
        record.updated = record.heartbeat = time.time()
        record.pid = os.getpid()
        return record

    def _flush_retrying(self, **fields: Any) -> None:
        """`_flush`, retried for up to FINISH_RETRY_S while the store is unreachable (a database restart)."""
        deadline = time.monotonic() + FINISH_RETRY_S
        while True:
            try:
                return self._flush(**fields)
            except StoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)

    def memory_snapshot(self) -> tuple[list[tuple[list[Chunk], list[Event]]], dict[str, int], int]:
        """A snapshot for readers: blocks in memory (recently written, then pending), points per key, events sealed."""
        return self._recent + self._pending, dict(self._counts), self._event_count

    # -- lifecycle ---------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None, *, state: str | None = None) -> None:
        """Write everything, mark the run finished (or failed), show the end-of-run block.

        The run counts as finished only once the final write succeeded: a finish()
        cut short (Ctrl-C, a signal, a store error) loses nothing, and a second
        call, such as the one the exit hooks make, completes it.
        """
        if self._closed:
            return
        self.stop_system_metrics()  # its last sample goes into the final flush
        self._finished = True  # log() refuses data from here on
        from . import current

        if current.get() is self:
            current.set(None)

        self._state = state or ("finished" if not exit_code else "failed")
        self._flush_retrying(state=self._state)
        if self._closed:  # another thread (a signal's final writer) completed it meanwhile
            return
        self._closed = True
        flusher.unregister(self)
        for callback in list(self._on_finish):
            callback(self)
        if quiet is None:
            quiet = self._info.get("quiet")
        if not quiet:
            from ..output.report import show_report

            show_report(self)

    def panel(self, **options: Any):
        """Display a live panel of this run's project in the cell and return it (None outside a notebook)."""
        from .. import _display

        return _display.show_run_panel(self, new=True, **options)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            self.finish(state="killed")  # W&B's word for a run stopped before it could finish
        elif exc_type is not None and issubclass(exc_type, SystemExit) and exc.code in (0, None):
            self.finish()
        else:
            self.finish(exit_code=1 if exc_type else 0)

    def history(self, keys: list[str] | None = None, stream: str = "default"):
        """The run's scalars as a pandas DataFrame: one row per step, `_step`, `_timestamp`, one column per key.

        `stream="system"` gives the system metrics instead (`_step` = seconds since the run started).
        """
        from ..output.frames import history_frame, select_stream

        if not self._finished:
            self._flush()
        return history_frame(select_stream(self._store.read_series(self.id, keys), stream, keys))

    def __repr__(self) -> str:
        return f"<Run {self.project}/{self.name} ({self._state}, step {self._step})>"


def _newest(rows: Any, key: str, last: dict) -> Any:
    for row in rows:
        if key in row[2]:
            return row[2][key]
    return last[key]


def new_record(project: str, name: str, run_id: str, config: dict, notes: str | None, tags: Any,
               total_steps: int | None) -> RunRecord:
    import socket  # lazy: ~3 ms of `import nbmonitor` otherwise
    now = time.time()
    return RunRecord(id=run_id, project=project, name=name, state="running", created=now, updated=now,
                     heartbeat=now, host=socket.gethostname(), pid=os.getpid(), config=config, summary={},
                     notes=notes, tags=list(tags or []), total_steps=total_steps)
