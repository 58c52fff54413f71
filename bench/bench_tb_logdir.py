"""TensorBoard logdirs through the user's path, against EventAccumulator, and a big logdir's poll.

    python bench/bench_tb_logdir.py [--runs 10] [--points 22000] [--many 500]

1. A logdir of RUNS runs x POINTS scalar points (4 tags), written by torch's
   SummaryWriter (cached under the temp folder). Timed, median of repetitions:
   - the user's path: `nbm.runs(dir=logdir)`, then `nbm.get_run(name, dir=logdir).history()`
     for every run (a fresh process's first look: the shared view is forgotten first;
     target: >= 5x faster than EventAccumulator),
   - the same calls again (the view is shared: only new bytes are read),
   - EventAccumulator(size_guidance={'scalars': 0}).Reload() per run and a DataFrame per
     run from its Scalars() (the same result),
   - scalar ingest: points/s of `TensorBoardSource.refresh()` (target: >= 3M/s; TensorBoard's
     Rust data server publishes ~10M/s).
2. A logdir of MANY runs: a poll with nothing new (`refresh`, as the panel's ticks do;
   target <= 5 ms) against one that walks the tree (what every poll did before).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbmonitor as nbm  # noqa: E402
from nbmonitor.sources import resolve  # noqa: E402
from nbmonitor.tensorboard.source import TensorBoardSource  # noqa: E402

TAGS = ("loss", "acc", "lr", "grad_norm")


def timed(fn, repeat=3):
    ts, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def make_logdir(root: Path, runs: int, points: int) -> Path:
    logdir = root / f"tb-{runs}x{points}"
    if (logdir / "done").exists():
        return logdir
    from torch.utils.tensorboard import SummaryWriter

    per_tag = points // len(TAGS)
    for r in range(runs):
        w = SummaryWriter(str(logdir / f"run{r:03d}"))
        for i in range(per_tag):
            for j, tag in enumerate(TAGS):
                w.add_scalar(tag, 1.0 / (i + 1 + j), i)
        w.close()
    (logdir / "done").write_text("")
    return logdir


def user_path(logdir: Path, fresh: bool) -> int:
    if fresh:
        resolve.forget_tensorboard_sources()
    names = list(nbm.runs(dir=logdir)["name"])
    return sum(len(nbm.get_run(n, dir=logdir).history()) for n in names)


def event_accumulator(logdir: Path) -> int:
    import pandas as pd
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    n = 0
    for folder in sorted(p for p in logdir.iterdir() if p.is_dir()):
        ea = EventAccumulator(str(folder), size_guidance={"scalars": 0})
        ea.Reload()
        cols = {}
        for tag in ea.Tags()["scalars"]:
            ev = ea.Scalars(tag)
            cols[tag] = pd.Series([e.value for e in ev], index=[e.step for e in ev])
        n += len(pd.DataFrame(cols))
    return n


def ingest(logdir: Path) -> int:
    src = TensorBoardSource(logdir, poll_interval=0)
    src.refresh()
    return sum(sum(src.keys(r.id).values()) for r in src.list_runs())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--points", type=int, default=22_000, help="scalar points per run")
    ap.add_argument("--many", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cache = Path(tempfile.gettempdir()) / "nbm-bench-tb"
    t0 = time.perf_counter()
    logdir = make_logdir(cache, args.runs, args.points)
    total = args.runs * (args.points // len(TAGS)) * len(TAGS)
    print(f"logdir: {args.runs} runs x {args.points:,} points = {total:,} points "
          f"(made in {time.perf_counter() - t0:.0f} s, cached in {cache})")
    t_fresh, rows = timed(lambda: user_path(logdir, True), args.repeat)
    t_again, _ = timed(lambda: user_path(logdir, False), args.repeat)
    t_ea, rows_ea = timed(lambda: event_accumulator(logdir), args.repeat)
    assert rows == rows_ea, (rows, rows_ea)
    t_in, n_in = timed(lambda: ingest(logdir), args.repeat)
    print(f"{'':<58}{'s':>8}{'x EventAccumulator':>20}")
    print(f"{'EventAccumulator.Reload + DataFrame per run':<58}{t_ea:8.3f}{1.0:20.1f}")
    print(f"{'nbm.runs() + get_run().history() per run, first look':<58}{t_fresh:8.3f}{t_ea / t_fresh:20.1f}")
    print(f"{'the same again (shared view: only new bytes read)':<58}{t_again:8.3f}{t_ea / t_again:20.1f}")
    print(f"scalar ingest (TensorBoardSource.refresh): {n_in / t_in / 1e6:.2f}M points/s "
          f"(EventAccumulator: {total / t_ea / 1e6:.2f}M points/s with its DataFrames; "
          "TensorBoard's Rust data server publishes ~10M/s)")

    many = make_logdir(cache, args.many, 8)
    src = TensorBoardSource(many, poll_interval=0)
    assert len(src.list_runs()) == args.many
    t_idle, _ = timed(lambda: src.refresh(force=False), 30)
    t_walk, _ = timed(lambda: src.refresh(force=True), 10)
    import os

    t_oswalk, _ = timed(lambda: list(os.walk(many)), 10)
    print(f"{args.many}-run logdir, poll with nothing new: {t_idle * 1e3:.2f} ms "
          f"(target <= 5 ms); a forced refresh (every file stat'ed, changed folders listed): {t_walk * 1e3:.2f} ms; "
          f"os.walk of the tree alone (what every poll did before, with a stat per file): {t_oswalk * 1e3:.2f} ms")
    ticks = []  # as the panel polls: 10 a second for 3 s, the once-a-second walk included
    for _ in range(30):
        t0 = time.perf_counter()
        src.refresh(force=False)
        ticks.append(time.perf_counter() - t0)
        time.sleep(max(0.0, 0.1 - ticks[-1]))
    print(f"  polled 10 times a second for 3 s: mean {statistics.mean(ticks) * 1e3:.2f} ms, "
          f"max {max(ticks) * 1e3:.2f} ms (the tree walk, once a second), "
          f"{sum(ticks) / 3 * 100:.1f}% of a core")


if __name__ == "__main__":
    main()
