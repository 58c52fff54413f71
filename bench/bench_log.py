"""log() cost on the training thread, against the peers, in one process run.

    python bench/bench_log.py [--steps 20000]

Each contender runs the same loop: STEPS steps, 4 float scalars per step. Peers
that are not installed are reported as such (`bench/setup` makes a venv with
all of them). Prints µs/step (median of 5 repetitions), the ratio of each to
nbmonitor, and for nbmonitor the time for finish() and for history(); then the
import time of nbmonitor against wandb, history() of a 1,000,000-point run and
bytes on disk per point.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
KEYS = ("loss", "acc", "lr", "grad_norm")


def values(steps):
    return [(1.0 / (i + 1), i / steps, 3e-4, 0.5 + (i % 7) / 10) for i in range(steps)]


def loop_bare(data, tmp):
    out = []
    t0 = time.perf_counter()
    for a, b, c, d in data:
        out.append({"loss": a, "acc": b, "lr": c, "grad_norm": d})
    return time.perf_counter() - t0, None


def loop_nbmonitor(data, tmp):
    import nbmonitor as nbm

    run = nbm.init(project="bench", dir=tmp, display=False)
    t0 = time.perf_counter()
    for a, b, c, d in data:
        nbm.log({"loss": a, "acc": b, "lr": c, "grad_norm": d})
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    nbm.finish(quiet=True)
    fin = time.perf_counter() - t1
    t2 = time.perf_counter()
    h = run.history()
    hist = time.perf_counter() - t2
    assert len(h) == len(data)
    return dt, {"finish_s": fin, "history_s": hist}


def loop_summarywriter(data, tmp):
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(log_dir=str(Path(tmp) / "tb"))
    t0 = time.perf_counter()
    for i, (a, b, c, d) in enumerate(data):
        w.add_scalar("loss", a, i)
        w.add_scalar("acc", b, i)
        w.add_scalar("lr", c, i)
        w.add_scalar("grad_norm", d, i)
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    w.close()
    return dt, {"finish_s": time.perf_counter() - t1}


def loop_wandb(data, tmp):
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    import wandb

    run = wandb.init(project="bench", dir=tmp)
    t0 = time.perf_counter()
    for a, b, c, d in data:
        run.log({"loss": a, "acc": b, "lr": c, "grad_norm": d})
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    run.finish()
    return dt, {"finish_s": time.perf_counter() - t1}


def loop_trackio(data, tmp):
    os.environ["TRACKIO_DIR"] = tmp
    import trackio

    trackio.init(project="bench")
    t0 = time.perf_counter()
    for a, b, c, d in data:
        trackio.log({"loss": a, "acc": b, "lr": c, "grad_norm": d})
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    trackio.finish()
    return dt, {"finish_s": time.perf_counter() - t1}


CONTENDERS = {
    "bare list": (loop_bare, None),
    "nbmonitor": (loop_nbmonitor, "nbmonitor"),
    "SummaryWriter x4": (loop_summarywriter, "torch"),
    "wandb offline": (loop_wandb, "wandb"),
    "trackio": (loop_trackio, "trackio"),
}


def available(module):
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def import_time(module):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
        if out.returncode:
            return None
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return min(runs)


def big_history(tmp, points=1_000_000):
    import numpy as np

    import nbmonitor as nbm

    root = Path(tmp) / "big"
    run = nbm.init(project="big", dir=root, display=False)
    rng = np.random.default_rng(0)
    vals = rng.standard_normal(points // 4)
    for i in range(points // 4):
        v = float(vals[i])
        run.log({"a": v, "b": v * 2, "c": v + 1, "d": -v})
    nbm.finish(quiet=True)
    view = nbm.get_run(run.id, dir=root)
    t0 = time.perf_counter()
    df = view.history()
    dt = time.perf_counter() - t0
    assert df.shape == (points // 4, 6)
    import sqlite3

    con = sqlite3.connect(root / "nbmonitor.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = sum(p.stat().st_size for p in root.iterdir() if p.is_file())
    return dt, size / points


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    data = values(args.steps)
    results = {}
    for name, (fn, module) in CONTENDERS.items():
        if not available(module):
            results[name] = None
            continue
        times, extra = [], {}
        for _ in range(args.repeat if name != "wandb offline" else 2):
            tmp = tempfile.mkdtemp(prefix="nbm-bench-")
            try:
                dt, ex = fn(data, tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            times.append(dt / args.steps * 1e6)
            extra = ex or {}
        results[name] = (statistics.median(times), extra)
    ours = results["nbmonitor"][0]
    print(f"log() of 4 scalars, {args.steps} steps, median of repetitions")
    print(f"{'contender':<18} {'us/step':>9} {'x nbmonitor':>12}  finish/flush")
    for name, r in results.items():
        if r is None:
            print(f"{name:<18} {'not installed':>9}")
            continue
        us, ex = r
        fin = f"{ex['finish_s'] * 1e3:.1f} ms" if "finish_s" in ex else ""
        print(f"{name:<18} {us:9.2f} {us / ours:12.2f}  {fin}")
    print(f"nbmonitor history() of {args.steps} steps: {results['nbmonitor'][1]['history_s'] * 1e3:.1f} ms")
    for mod in ("nbmonitor", "wandb"):
        t = import_time(mod)
        print(f"import {mod}: " + (f"{t * 1e3:.0f} ms" if t is not None else "not installed"))
    tmp = tempfile.mkdtemp(prefix="nbm-bench-")
    try:
        dt, bpp = big_history(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"history() of a 1,000,000-point run: {dt * 1e3:.0f} ms; {bpp:.1f} bytes on disk per point")


if __name__ == "__main__":
    main()
