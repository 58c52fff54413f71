"""The live panel's publisher at scale: 10 runs x 50 keys logging at 100 Hz, no browser.

    python bench/bench_publisher.py                       # 10 runs x 50 keys, 0 / 10 / 100 Hz, 8 s each
    python bench/bench_publisher.py --seconds 20 --hz 100 # one phase only
    python bench/bench_publisher.py --runs 2 --keys 20    # a smaller sweep

The issue's target: with 10 runs x 50 keys (500 chart lines) logging at 100 Hz, the panel's
publisher thread takes <= 10 % of one core, its cost proportional to the new points.

How: 10 runs of this process (made as `nbmonitor.init()` makes one; `init()` itself keeps one
run a process) write to a SQLite root (the writer thread flushes them every 0.5 s, as usual).
A `Panel(LiveSource(store))` is attached with its widgets on `recording_comms()` (every widget
message is recorded, nothing leaves the process; the bqplot/anywidget serialization is the
real thing). By default the bench drives the publisher itself, at its own 10 ticks a second
of wall time: before each tick it logs 1/10 s worth of steps into each run (50 keys a call)
and seals them (what the writer thread does every 0.1 s), then times the tick (read the new
points, decimate them, send the widget updates) with `time.thread_time()`. So the figure is
the CPU a tick costs at 10 Hz whatever else the machine runs (on a loaded machine the real
thread ticks less often, with more points a tick: `--threaded` measures that, timing the
ticks inside the publisher thread while a feeder thread logs at `--hz`). New points per tick
are the growth of the publisher's read cursors.

Printed per phase: the publisher's CPU as % of one core (CPU seconds of its ticks per second
of wall time), ms per tick, µs per new point, and the widget messages and bytes per second.
Phase "0 Hz" has the runs live but logging nothing: a tick should then cost almost nothing. (In the
driven mode it is measured once the lines made dirty before are sent, at most 90 s later: the panel
sends 10 messages a second, one line each, so 500 dirty lines take 50 s. In `--threaded` it is not.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.store import open_store  # noqa: E402
from nbmonitor.tracking import flusher  # noqa: E402
from nbmonitor.tracking.run import Run, new_record  # noqa: E402

DRAIN_S = 90.0


def make_runs(store, n: int) -> list[Run]:
    """`n` live runs of this process, made the way `nbmonitor.init()` makes one."""
    runs = []
    for i in range(n):
        record = new_record("bench-publisher", f"run-{i:02d}", f"r{i:02d}{os.getpid()}", {}, None, None, None)
        run = Run(store, record)
        store.create_run(record)
        run.flush()
        flusher.register(run)
        runs.append(run)
    return runs


class Feeder:
    """One thread: every 1/hz seconds, one `log()` of `keys` values into each run."""

    def __init__(self, runs: list[Run], keys: int):
        self.runs = runs
        self.keys = [f"{['train', 'val', 'opt', 'grad', 'act'][k % 5]}/m{k:02d}" for k in range(keys)]
        self.hz = 0.0
        self.steps = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-feeder", daemon=True)

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        t_next = time.perf_counter()
        while not self._stop.is_set():
            hz = self.hz
            if hz <= 0:
                time.sleep(0.01)
                t_next = time.perf_counter()
                continue
            i = self.steps
            for r, run in enumerate(self.runs):
                x = float(i)
                run.log({k: 1.0 / (x + 1.0) + j * 0.01 + r for j, k in enumerate(self.keys)})
            self.steps += 1
            t_next += 1.0 / hz
            lag = t_next - time.perf_counter()
            if lag > 0:
                time.sleep(lag)
            elif lag < -1.0:  # fell behind (a loaded machine): do not burst to catch up
                t_next = time.perf_counter()


def attach_panel(store):
    """A Panel over the store with the publisher's ticks timed in its own thread."""
    from nbmonitor.ui.panel import Panel

    panel = Panel(LiveSource(store), project="bench-publisher")
    pub = panel.publisher
    ticks: list[tuple[float, int]] = []  # (thread CPU seconds, new points)
    tick = pub.tick

    def cursors() -> int:
        return sum(s.cursor for tr in list(pub.runs.values()) for s in list(tr.series.values()))

    def timed_tick():
        before = cursors()
        c0 = time.thread_time()
        try:
            return tick()
        finally:
            cpu = time.thread_time() - c0
            ticks.append((cpu, cursors() - before))

    pub.tick = timed_tick
    return panel.start(), ticks


def phase(feeder: Feeder, ticks: list, rec, hz: float, seconds: float, warmup: float) -> dict:
    feeder.hz = hz
    time.sleep(warmup)  # the rate settles; keys, charts and legend are made
    k0, m0, b0 = len(ticks), len(rec.messages), rec.bytes
    t0 = time.perf_counter()
    time.sleep(seconds)
    wall = time.perf_counter() - t0
    return _row(hz, ticks[k0:], wall, len(rec.messages) - m0, rec.bytes - b0)


def driven(store, runs: list[Run], keys: int, rec, rates: list[float], seconds: float, warmup: float) -> list[dict]:
    """Tick the publisher from this thread, 10 times a second, after logging 1/10 s of steps."""
    from nbmonitor.ui.panel import Panel

    panel = Panel(LiveSource(store), project="bench-publisher").start()
    pub = panel.publisher
    pub.stop()  # the sink stays: `tick()` below is what its thread would do
    names = Feeder(runs, keys).keys
    step = 0
    rows = []

    def cursors() -> int:
        return sum(s.cursor for tr in pub.runs.values() for s in tr.series.values())

    for hz in rates:
        ticks: list[tuple[float, int]] = []
        measuring = False
        t_start = t0 = t_next = time.perf_counter()
        m0 = b0 = 0
        owed = 0.0
        recent: list[tuple[float, int]] = []  # (time, messages so far), the last second
        while True:
            now = time.perf_counter()
            if measuring and now - t0 >= seconds:
                break
            recent = [*(r for r in recent if now - r[0] <= 1.0), (now, len(rec.messages))]
            # with nothing logged, wait for the lines still to send (10 messages/s) before measuring,
            # at most DRAIN_S: then only the header is sent (twice a second while a run is live)
            drained = hz > 0 or now - t_start >= DRAIN_S or (now - t_start >= 1.0 and recent[-1][1] - recent[0][1] <= 3)
            if not measuring and now - t_start >= warmup and drained:
                measuring, t0, m0, b0 = True, now, len(rec.messages), rec.bytes
            owed += hz * pub.interval
            while owed >= 1.0:  # 1/10 s of steps
                owed -= 1.0
                x = float(step)
                for r, run in enumerate(runs):
                    run.log({k: 1.0 / (x + 1.0) + j * 0.01 + r for j, k in enumerate(names)})
                step += 1
            for run in runs:
                run.seal()
            before = cursors()
            c0 = time.thread_time()
            pub.tick()
            cpu = time.thread_time() - c0
            if measuring:
                ticks.append((cpu, cursors() - before))
            t_next += pub.interval
            time.sleep(max(0.0, t_next - time.perf_counter()))
        wall = time.perf_counter() - t0
        rows.append(_row(hz, ticks, wall, len(rec.messages) - m0, rec.bytes - b0))
    panel.stop()
    return rows


def _row(hz: float, got: list[tuple[float, int]], wall: float, msgs: int, nbytes: int) -> dict:
    cpu = sum(c for c, _ in got)
    pts = sum(p for _, p in got)
    n = max(len(got), 1)
    return {"hz": hz, "share": cpu / wall, "ticks_per_s": len(got) / wall, "ms_per_tick": 1e3 * cpu / n,
            "points_per_tick": pts / n, "us_per_point": 1e6 * cpu / pts if pts else float("nan"),
            "msgs_per_s": msgs / wall, "kb_per_s": nbytes / wall / 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--hz", type=float, action="append", help="log() rate per run (repeatable; default 0, 10, 100)")
    ap.add_argument("--seconds", type=float, default=8.0, help="measured seconds per phase (default 8)")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds before each phase is measured (default 2)")
    ap.add_argument("--threaded", action="store_true",
                    help="the publisher's own thread and a feeder thread (ticks slow down on a loaded machine)")
    args = ap.parse_args()
    rates = args.hz or [100.0, 10.0, 0.0]
    root = tempfile.mkdtemp(prefix="nbm-bench-publisher-")
    os.environ["NBMONITOR_DISPLAY"] = "0"
    store = open_store(root)
    print(f"{args.runs} runs x {args.keys} keys ({args.runs * args.keys} chart lines), "
          f"{args.seconds:.0f} s a phase; load average {os.getloadavg()[0]:.2f}")
    with recording_comms() as rec:
        runs = make_runs(store, args.runs)
        try:
            if args.threaded:
                feeder = Feeder(runs, args.keys).start()
                feeder.hz = rates[0]
                time.sleep(0.5)  # the first points exist before the panel's first read
                panel, ticks = attach_panel(store)
                try:
                    rows = [phase(feeder, ticks, rec, hz, args.seconds, args.warmup) for hz in rates]
                finally:
                    feeder.stop()
                    panel.stop()
            else:
                rows = driven(store, runs, args.keys, rec, rates, args.seconds, args.warmup)
        finally:
            for run in runs:
                run.finish(quiet=True)
    print(f"mode: {'threaded' if args.threaded else 'driven, 10 ticks/s'}")
    print("| log() rate per run | publisher CPU, % of a core at 10 ticks/s | measured % (ticks/s) | ms per tick | "
          "new points per tick | µs per new point | widget msgs/s | kB/s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['hz']:g} Hz | **{r['ms_per_tick']:.1f}** | {100 * r['share']:.1f} ({r['ticks_per_s']:.1f}) | "
              f"{r['ms_per_tick']:.2f} | {r['points_per_tick']:,.0f} | {r['us_per_point']:.2f} | "
              f"{r['msgs_per_s']:.1f} | {r['kb_per_s']:.1f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
