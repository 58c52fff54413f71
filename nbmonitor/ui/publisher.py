"""The panel's publisher: a thread that reads what is new from a Source and hands it on.

At most `1 / interval` times a second (10 Hz by default) it asks the source
for the points of each followed run past its cursors (`read_series(run_id,
since=cursors)`) and the events past its event cursor (`read_events(run_id,
since=seq)`), feeds the points into one bounded `Decimator` per (run, key),
and passes one `Update` to its sink. The run list of the project is re-read
once a second. It never touches the training thread: a live run's points come
from what the writer thread has sealed (see `sources.LiveSource`).

A tick costs in proportion to the new points: the decimators take a few points
cheaply and fold them in later, and lines with none are skipped. When a tick
costs more than `MAX_CPU_SHARE` of the time to the next one (thousands of
lines, a loaded machine), the thread waits longer.

`MessageBudget` is the token bucket the panel spends widget messages from, so
the number of messages per second has a ceiling whatever the logging rate.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ..sources import Source
from ..store import Event, RunRecord, is_system_key
from .axes import MetricAxes
from .downsample import DEFAULT_CAPACITY, Decimator

log = logging.getLogger("nbmonitor.ui.publisher")

DEFAULT_INTERVAL_S = 0.1
RUNS_INTERVAL_S = 1.0
MAX_RUNS = 30  # runs read (the panel draws the newest SHOWN_RUNS of them; "show more runs" draws more)
LIVE_STATES = ("running", "active")  # nbmonitor's running run; a TensorBoard run whose files grow
RATE_WINDOW_S = 10.0
MAX_CPU_SHARE = 0.08  # of one core, the most the publisher thread's ticks take (it waits longer after a costly one)

# category10 first (the colours TensorBoard and matplotlib users know), then category20's light
# tints and category20b's dark shades: MAX_RUNS (30) runs read get 30 distinct colours
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
           "#5254a3", "#8ca252", "#bd9e39", "#ad494a", "#a55194",
           "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
           "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]


class MessageBudget:
    """A token bucket: `rate` messages a second on average, at most `burst` at once."""

    def __init__(self, rate: float = 10.0, burst: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._t = clock()
        self._lock = threading.Lock()

    def take(self, n: float = 1.0) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._t) * self.rate)
            self._t = now
            if self._tokens >= n:
                self._tokens -= n
                return True
            return False

    def force(self, n: float = 1.0) -> None:
        """Spend messages sent regardless of the budget (the final update)."""
        with self._lock:
            self._tokens -= n


@dataclass
class Series:
    """One (run, key) series as the panel sees it."""

    key: str
    decimator: Decimator
    cursor: int = 0  # index of the next point to read
    version: int = 0  # bumped when points arrive
    system: bool = field(init=False)  # a system-stream key (its steps are seconds)

    def __post_init__(self) -> None:
        self.system = is_system_key(self.key)


@dataclass
class TrackedRun:
    record: RunRecord
    color: str
    series: dict[str, Series] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)  # key -> its series' cursor (what a read asks from)
    event_seq: int = 0
    step: int = -1  # highest step seen
    done: bool = False  # not running and read to the end
    label: str = ""  # the name shown: the run's, with its id when another followed run has that name
    axes: MetricAxes = field(default_factory=MetricAxes)  # define_metric's x-axes and hidden keys
    _rate: deque = field(default_factory=deque)  # (time, step)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def running(self) -> bool:
        """Still written to (read on every tick)."""
        return self.record.state in LIVE_STATES

    def scalar_points(self) -> int:
        """Points read of its own (not system) keys."""
        return sum(s.decimator.count for k, s in self.series.items() if not is_system_key(k))

    def thin(self) -> bool:
        """At most one point a key (TensorBoard's `add_hparams` sub-run `<run>/<timestamp>`)."""
        return all(s.decimator.count <= 1 for k, s in self.series.items() if not is_system_key(k))

    def steps_per_s(self) -> float | None:
        if self.record.state != "running":  # finished, or a logdir's run: from the record's first/last event
            r = self.record
            dur = (r.updated or r.heartbeat) - r.created
            return (self.step + 1) / dur if dur > 0 and self.step >= 0 else None
        if len(self._rate) < 2:
            return None
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None


@dataclass
class Update:
    """What one tick found: changed series, runs added or changed, new events."""

    time: float
    series: set[tuple[str, str]] = field(default_factory=set)  # (run_id, key)
    runs_changed: bool = False
    new_runs: list[str] = field(default_factory=list)
    dropped_runs: list[str] = field(default_factory=list)  # no longer among the newest `max_runs`
    events: list[tuple[RunRecord, list[Event]]] = field(default_factory=list)
    axes_changed: bool = False  # a run's define_metric definitions changed (x-axes, hidden keys)

    def __bool__(self) -> bool:
        return bool(self.series or self.runs_changed or self.events or self.axes_changed)


class Publisher:
    """Follows the runs of a project (or given runs) in a Source; `poll()` is one tick."""

    def __init__(self, source: Source, project: str | None = None, runs: Iterable[str] | None = None,
                 keys: Iterable[str] | None = None, *, interval: float = DEFAULT_INTERVAL_S,
                 runs_interval: float = RUNS_INTERVAL_S, max_runs: int = MAX_RUNS,
                 capacity: int = DEFAULT_CAPACITY, follow: str | None = None,
                 clock: Callable[[], float] = time.time):
        self.source = source
        self.project = project
        self.run_filter = list(runs) if runs is not None else None
        self.key_patterns = list(keys) if keys is not None else None
        self.interval = max(float(interval), 0.1)  # never above 10 Hz
        self.runs_interval = runs_interval
        self.max_runs = max_runs
        self.capacity = capacity
        self.focus: str | None = follow  # run id the header and table follow
        self.auto_focus = follow is None  # then: the newest running run, else the newest
        self.runs: dict[str, TrackedRun] = {}
        self.total_runs = 0  # runs that match, read or not
        self.last_error: str | None = None
        self.ticks = 0
        self._clock = clock
        self._runs_read_at = -1e18
        self._lock = threading.Lock()
        # held for a poll and the hand-over of what it found: whoever reads outside the thread
        # (Panel.flush) takes it first, so no update is read by the thread and applied after it
        self.ticking = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._sink: Callable[[Update], None] | None = None
        self._colors = 0
        self._key_ok: dict[str, bool] = {}

    # -- what to follow ----------------------------------------------------------
    def _wanted(self, rec: RunRecord) -> bool:
        if self.run_filter is None:
            return True
        return any(rec.id == p or fnmatch.fnmatchcase(rec.name, p) for p in self.run_filter)

    def _new_colors(self, new: list[RunRecord]) -> dict[str, str]:
        """Colours for runs seen for the first time, the newest first (the runs drawn first get
        category10): the first palette colours no followed run has (a dropped run's is free again);
        past len(PALETTE) followed runs, colours repeat in turn."""
        used = {tr.color for tr in self.runs.values()}
        colors = {}
        for rec in reversed(new):
            color = next((c for c in PALETTE if c not in used), PALETTE[self._colors % len(PALETTE)])
            self._colors += 1
            used.add(color)
            colors[rec.id] = color
        return colors

    def key_wanted(self, key: str) -> bool:
        ok = self._key_ok.get(key)
        if ok is None:
            pats = self.key_patterns
            ok = self._key_ok[key] = pats is None or any(fnmatch.fnmatchcase(key, p) for p in pats)
        return ok

    def _refresh_runs(self, upd: Update) -> None:
        records = [r for r in self.source.list_runs(self.project) if self._wanted(r)]
        records.sort(key=lambda r: r.created)
        if len(records) != self.total_runs:
            self.total_runs = len(records)
            upd.runs_changed = True
        keep = records[-self.max_runs:]
        if self.focus is not None and self.focus not in {r.id for r in keep}:
            keep += [r for r in records if r.id == self.focus]
        kept = {r.id for r in keep}
        for run_id in [r for r in self.runs if r not in kept]:
            del self.runs[run_id]  # memory stays bounded by max_runs, however many runs a sweep makes
            upd.dropped_runs.append(run_id)
            upd.runs_changed = True
        colors = self._new_colors([r for r in keep if r.id not in self.runs])
        for rec in keep:
            tr = self.runs.get(rec.id)
            if tr is None:
                tr = self.runs[rec.id] = TrackedRun(rec, colors[rec.id])
                upd.new_runs.append(rec.id)
                upd.runs_changed = True
            elif (rec.state, rec.name, rec.total_steps, rec.updated) != (
                    tr.record.state, tr.record.name, tr.record.total_steps, tr.record.updated):
                if rec.state != tr.record.state:
                    upd.runs_changed = True
                    tr.done = False  # read once more to the end
                tr.record = rec
        if self.auto_focus or self.focus is None or self.focus not in self.runs:
            self._choose_focus(upd)
        for run_id, label in display_names(tr.record for tr in self.runs.values()).items():
            tr = self.runs[run_id]
            if tr.label != label:
                tr.label = label
                upd.runs_changed = True

    def _choose_focus(self, upd: Update) -> None:
        """The newest live run, else the run with the most scalar data (newest on a tie); never a
        thin run (one point a key: an hparams sub-run) while another has more."""
        runs = list(self.runs.values())  # in creation order
        if not runs:
            return
        live = [tr for tr in runs if tr.running]
        if live:
            best = ([tr for tr in live if not tr.thin()] or live)[-1]
        else:
            full = [tr for tr in runs if not tr.thin()] or runs
            best = max(reversed(full), key=lambda tr: tr.scalar_points())
        if best.id != self.focus:
            self.focus = best.id
            upd.runs_changed = True

    def add_run(self, run_id: str) -> None:
        """Follow `run_id` too (a panel limited to some runs: the next run of its cell)."""
        with self._lock:
            if self.run_filter is not None and run_id not in self.run_filter:
                self.run_filter.append(run_id)
            self._runs_read_at = -1e18

    def follow(self, run_id: str) -> None:
        """Make `run_id` the focus run and read the run list again on the next tick."""
        with self._lock:
            self.focus = run_id
            self.auto_focus = False
            self._runs_read_at = -1e18

    # -- one tick ------------------------------------------------------------------
    def poll(self) -> Update:
        """Read what is new; thread-safe (the publisher thread and `flush()` share it)."""
        with self._lock:
            return self._poll()

    def _poll(self) -> Update:
        now = self._clock()
        upd = Update(now)
        self.ticks += 1
        slow = now - self._runs_read_at >= self.runs_interval
        if slow:
            self._runs_read_at = now
            self._refresh_runs(upd)
        changed = self._changed_runs()
        for tr in list(self.runs.values()):
            if tr.done or not (tr.running or slow or tr.step < 0):
                continue
            if changed is not None and not slow and tr.step >= 0 and tr.id not in changed:
                continue  # the store said which runs were written (PostgreSQL's NOTIFY): not this one
            got = self._read_series(tr, upd)
            got |= self._read_events(tr, upd)
            if not tr.running and not got:
                tr.done = True
            if tr.running:
                tr._rate.append((now, tr.step))
                while len(tr._rate) > 2 and now - tr._rate[0][0] > RATE_WINDOW_S:
                    tr._rate.popleft()
        if slow and self.auto_focus:  # what was read may change which run has the most data
            self._choose_focus(upd)
        if upd.axes_changed:  # definitions read after this tick's points: hidden keys stay out
            upd.series = {(r, k) for r, k in upd.series if not self.runs[r].axes.hidden(k)}
        return upd

    def _changed_runs(self) -> set[str] | None:
        """The runs written since the last poll, if the source can tell (else None: read them all)."""
        ask = getattr(self.source, "changed_runs", None)
        if ask is None:
            return None
        try:
            return ask()
        except Exception:  # the database is away: read as usual, the reads will say so
            return None

    def _read_series(self, tr: TrackedRun, upd: Update) -> bool:
        series, cursors = tr.series, tr.cursors
        chunks = self.source.read_series(tr.id, since=dict(cursors))
        new = []  # (series, steps, values) of each key with new points
        for key, ch in chunks.items():
            steps = ch.steps
            n = len(steps)
            if not n:
                continue
            s = series.get(key)
            if s is None:
                s = series[key] = Series(key, Decimator(self.capacity))
            lo = s.cursor - ch.start  # a source may hand back points we have: skip them
            if lo < 0:
                log.warning("run %s key %s: points %d..%d missing", tr.id, key, s.cursor, ch.start)
                lo = 0
            if lo >= n:
                continue
            s.cursor = cursors[key] = ch.start + n
            new.append((s, steps[lo:], ch.values[lo:]) if lo else (s, steps, ch.values))
        if not new:
            return False
        # The work a key's few points need is done once for the run's new points, not once a key (a tick
        # brings most lines a point or two: a per-key numpy call would cost more than the points)
        values = np.concatenate([v for _, _, v in new]) if len(new) > 1 else new[0][2]
        all_finite = bool(np.isfinite(values).all())
        hidden = tr.axes.hidden if tr.axes else None
        wanted = self.key_wanted
        steps_read = []  # of the run's own keys (the system stream counts seconds, not steps)
        for s, steps, values in new:
            s.decimator.add(steps, values, nonfinite=0 if all_finite else None)
            s.version += 1
            if not s.system:
                steps_read.append(steps)
            if wanted(s.key) and (hidden is None or not hidden(s.key)):
                upd.series.add((tr.id, s.key))
        if steps_read:  # one reduction for the run, not one a key
            tr.step = max(tr.step, int(np.concatenate(steps_read).max() if len(steps_read) > 1 else steps_read[0].max()))
        return True

    def _read_events(self, tr: TrackedRun, upd: Update) -> bool:
        events = self.source.read_events(tr.id, since=tr.event_seq)
        events = [e for e in events if e.seq >= tr.event_seq]
        if not events:
            return False
        tr.event_seq = events[-1].seq + 1
        tr.step = max(tr.step, max(e.step for e in events))
        for e in events:
            if e.kind == "wandb" and isinstance(e.payload, dict) and tr.axes.update(e.payload.get("metrics") or []):
                upd.axes_changed = True
        upd.events.append((tr.record, events))
        return True

    # -- the thread ------------------------------------------------------------------
    def start(self, sink: Callable[[Update], None]) -> None:
        """Poll every `interval` seconds in a daemon thread, passing each non-empty Update to `sink`."""
        self._sink = sink
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="nbmonitor-publisher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 2.0) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tick(self) -> Update:
        """One poll handed to the sink (what the thread does; also the final update at finish)."""
        with self.ticking:
            upd = self.poll()
            sink = self._sink
            if sink is not None:
                sink(upd)
            return upd

    def _loop(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            c0 = time.thread_time()
            try:
                self.tick()
                self.last_error = None
            except Exception as e:  # keep going: a source may be mid-write, a widget closed...
                msg = f"{type(e).__name__}: {e}"
                if msg != self.last_error:
                    log.warning("nbmonitor panel update failed: %s", msg, exc_info=True)
                self.last_error = msg
            # every `interval`, and never more than MAX_CPU_SHARE of a core: a tick that cost more
            # (thousands of lines, a loaded machine) is followed by a longer wait, so the next
            # one reads more points a line and costs less per point
            period = max(self.interval, (time.thread_time() - c0) / MAX_CPU_SHARE)
            self._stop.wait(max(0.0, period - (time.monotonic() - t0)))

    # -- reading the state (for the panel) ------------------------------------------------
    def focus_run(self) -> TrackedRun | None:
        return self.runs.get(self.focus) if self.focus else None

    def memory_bytes(self) -> int:
        return sum(s.decimator.nbytes() for tr in self.runs.values() for s in tr.series.values())


def display_names(records: Iterable[RunRecord]) -> dict[str, str]:
    """Run id -> the name to show: a name several runs share (a cell run twice) gets the run's id."""
    recs = list(records)
    seen = Counter(r.name for r in recs)
    return {r.id: f"{r.name} ({r.id})" if seen[r.name] > 1 else r.name for r in recs}


def as_f32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()
