"""Benchmark: what `%monitor` does end to end, against TensorBoard's EventAccumulator.

    python bench/bench_monitor.py [--points 1000000] [--tags 10] [--repeat 1] [--tail-seconds 10]

1. A logdir of 1,000,000 scalar points written by torch's SummaryWriter (cached;
   `bench_tfevents.cached_logdir`) loaded
   - into the panel's data model: `TensorBoardSource` + `Publisher.poll()` (every
     point read and fed to the bounded per-series decimators),
   - into a DataFrame: `nbm.get_run("run", dir=logdir).history()`,
   - by `EventAccumulator(size_guidance={'scalars': 0}).Reload()` (keeps all points),
     and that plus a DataFrame built from its `Scalars()`,
   on the same files in the same run. Target: >= 3x faster than EventAccumulator.
2. Incremental re-read: append 1,000 points to the event file, poll the panel's
   publisher again; and a poll with nothing new.
3. Tailing an nbmonitor root that another process writes at 10,000 points/s
   (1,000 `log()` calls a second of 10 keys): delay from `log()` to the point
   being visible to a reader in this process (`LiveSource`, polled every 20 ms;
   the panel polls at 10 Hz, adding up to 0.1 s). Target: <= 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_tfevents import append_points, cached_logdir, timed  # noqa: E402

import nbmonitor as nbm  # noqa: E402
from nbmonitor.tensorboard.source import TensorBoardSource  # noqa: E402
from nbmonitor.ui.publisher import Publisher  # noqa: E402


def panel_model(logdir: Path) -> int:
    pub = Publisher(TensorBoardSource(logdir))
    pub.poll()
    return sum(s.cursor for tr in pub.runs.values() for s in tr.series.values())


def dataframe(logdir: Path) -> int:
    df = nbm.get_run("run", dir=logdir).history()
    return int(df.drop(columns=["_step", "_timestamp"]).count().sum())


def event_accumulator(logdir: Path, frame: bool) -> int:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    ea = EventAccumulator(str(logdir / "run"), size_guidance={"scalars": 0})
    ea.Reload()
    tags = ea.Tags()["scalars"]
    if not frame:
        return sum(len(ea.Scalars(t)) for t in tags)
    import pandas as pd

    cols = {t: pd.Series([e.value for e in ea.Scalars(t)], index=[e.step for e in ea.Scalars(t)])
            for t in tags}
    return int(pd.DataFrame(cols).count().sum())


def incremental(logdir: Path, tags: int, new_points: int) -> tuple[float, int, float, int, int]:
    """Seconds and bytes of the publisher poll after appending, and of an idle poll."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "logdir"
        shutil.copytree(logdir, work)
        source = TensorBoardSource(work, poll_interval=0)
        pub = Publisher(source, runs_interval=0)
        pub.poll()
        (path,) = (work / "run").glob("*tfevents*")
        append_points(path, range(10**9, 10**9 + new_points // tags), tags)
        before = source._reader.bytes_read
        start = time.perf_counter()
        upd = pub.poll()
        seconds = time.perf_counter() - start
        nbytes = source._reader.bytes_read - before
        got = sum(s.cursor for tr in pub.runs.values() for s in tr.series.values())
        assert len(upd.series) == tags
        start = time.perf_counter()
        idle_upd = pub.poll()
        idle = time.perf_counter() - start
        assert not idle_upd.series
        return seconds, nbytes, idle, source._reader.bytes_read - before - nbytes, got


TAIL_WRITER = """
    import sys, time, nbmonitor as nbm
    seconds, rate, keys = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    nbm.init(project="bench", name="tail", display=False)
    print("started", flush=True)
    t0 = time.time()
    n = 0
    while time.time() - t0 < seconds:
        due = int((time.time() - t0) * rate / keys)  # log() calls due by now
        while n < due:
            row = {f"k{i}": float(n) for i in range(keys - 1)}
            row["t"] = time.time()  # the moment of log(), read back by the reader
            nbm.log(row)
            n += 1
        time.sleep(0.002)
    nbm.finish(quiet=True)
    print(n, flush=True)
"""


def tail_latency(seconds: float, rate: int = 10_000, keys: int = 10) -> dict:
    from nbmonitor.sources import LiveSource
    from nbmonitor.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NBMONITOR_DIR": tmp}
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(TAIL_WRITER), str(seconds),
                                  str(rate), str(keys)], env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "started"
        source = LiveSource(open_store(tmp))
        delays, cursor, run_id, reads = [], {}, None, 0
        points = 0
        while True:
            done = child.poll() is not None
            if run_id is None:
                runs = source.list_runs("bench")
                run_id = runs[0].id if runs else None
            if run_id is not None:
                new = source.read_series(run_id, since=cursor)
                now = time.time()
                for key, ch in new.items():
                    assert ch.start == cursor.get(key, 0)
                    cursor[key] = ch.start + len(ch)
                    points += len(ch)
                    if key == "t":
                        delays.extend((now - ch.values).tolist())
                reads += 1
                if done and not new:
                    break
            time.sleep(0.02)
        calls = int(child.stdout.readline())
        child.wait()
    import numpy as np

    d = np.array(delays)
    assert len(d) == calls and points == calls * keys, (len(d), calls, points)
    return {"points": points, "rate": points / seconds, "reads": reads, "median": float(np.median(d)),
            "p95": float(np.percentile(d, 95)), "max": float(d.max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--tags", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each full load")
    parser.add_argument("--tail-seconds", type=float, default=10.0)
    args = parser.parse_args()

    logdir = cached_logdir(args.points, args.tags)
    size = sum(p.stat().st_size for p in (logdir / "run").iterdir())
    print(f"logdir: {logdir} ({size / 1e6:.1f} MB, {args.points:,} points)", flush=True)

    # imports are not timed, for either side
    import pandas  # noqa: F401
    import tensorboard.backend.event_processing.event_accumulator  # noqa: F401

    from nbmonitor.tensorboard.events import _event_class

    _event_class()
    t_panel, n_panel = timed(lambda: panel_model(logdir), args.repeat)
    t_df, n_df = timed(lambda: dataframe(logdir), args.repeat)
    t_ea, n_ea = timed(lambda: event_accumulator(logdir, frame=False), args.repeat)
    t_eadf, n_eadf = timed(lambda: event_accumulator(logdir, frame=True), args.repeat)
    assert n_panel == n_df == n_ea == n_eadf == args.points, (n_panel, n_df, n_ea, n_eadf)

    print(f"\n{'load 1M points':58} {'seconds':>8} {'Mpoints/s':>10} {'vs EA':>7}")
    for name, seconds in [
        ("nbmonitor: TensorBoardSource -> panel data model", t_panel),
        ("nbmonitor: get_run(...).history() DataFrame", t_df),
        ("tensorboard EventAccumulator.Reload (scalars: 0)", t_ea),
        ("tensorboard EventAccumulator.Reload + DataFrame", t_eadf),
    ]:
        print(f"{name:58} {seconds:8.3f} {args.points / seconds / 1e6:10.2f} {t_ea / seconds:6.1f}x")

    t_inc, inc_bytes, t_idle, idle_bytes, total = incremental(logdir, args.tags, 1000)
    print(f"\n{'panel poll after appending 1,000 points':58} {t_inc:8.4f}   read {inc_bytes:,} "
          f"of {size + inc_bytes:,} bytes")
    print(f"{'panel poll, nothing new':58} {t_idle:8.4f}   read {idle_bytes:,} bytes")

    if args.tail_seconds > 0:
        r = tail_latency(args.tail_seconds)
        print(f"\ntailing an nbmonitor root written by another process at {r['rate']:,.0f} points/s "
              f"for {args.tail_seconds:g} s ({r['points']:,} points, all read once, in order; {r['reads']} reads)")
        print(f"  delay log() -> visible in the reader: median {r['median']:.3f} s, "
              f"p95 {r['p95']:.3f} s, max {r['max']:.3f} s (target <= 1.5 s)")


if __name__ == "__main__":
    main()
