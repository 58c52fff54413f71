"""log() cost on the training thread, for every kind of value, against the peers, in one process run.

    python bench/bench_log.py [--steps 20000] [--repeat 3] [--types float,int,torch0d]

For each kind of value (float, int, bool, numpy float32/float64/int64 scalars,
0-d numpy arrays, 0-d CPU torch tensors, and a mixed dict {loss: tensor,
epoch: int, lr: float, acc: np.float32}) every contender runs the same loop:
STEPS steps, 4 values per step. The floor is a bare list of dicts (for tensors:
a bare list of `float(t)`, the cheapest conversion there is). Peers that are not
installed are reported as such (`bench/setup` makes a venv with all of them).
Prints µs/step (median of repetitions; one untimed nbmonitor run first, so the
first type measured does not pay the process's first-use costs) and each ratio
to nbmonitor; then the
p50/p99/p99.9 of single log() calls while the writer thread and a live panel
run, nbmonitor's finish() and history(), import times, history() of a
1,000,000-point run and bytes on disk per point.
"""

from __future__ import annotations

import argparse
import gc
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
TYPES = ("float", "int", "bool", "np.float32", "np.float64", "np.int64", "np 0-d array", "torch 0-d", "mixed")


def values(steps, kind="float"):
    """STEPS tuples of 4 values of `kind`."""
    rows = [(1.0 / (i + 1), i / steps, 3e-4, 0.5 + (i % 7) / 10) for i in range(steps)]
    if kind == "float":
        return rows
    import numpy as np

    if kind == "int":
        return [(i, i * 2, i % 10, steps - i) for i in range(steps)]
    if kind == "bool":
        return [(i % 2 == 0, i % 3 == 0, True, False) for i in range(steps)]
    if kind in ("np.float32", "np.float64", "np.int64"):
        t = getattr(np, kind[3:])
        return [tuple(t(v * 1000 if kind == "np.int64" else v) for v in r) for r in rows]
    if kind == "np 0-d array":
        return [tuple(np.array(v) for v in r) for r in rows]
    import torch

    if kind == "torch 0-d":
        return [tuple(torch.tensor(v) for v in r) for r in rows]
    if kind == "mixed":
        return [(torch.tensor(a), i // 100, c, np.float32(d)) for i, (a, b, c, d) in enumerate(rows)]
    raise ValueError(kind)


def loop_bare(data, tmp):
    out = []
    t0 = time.perf_counter()
    for a, b, c, d in data:
        out.append({"loss": a, "acc": b, "lr": c, "grad_norm": d})
    return time.perf_counter() - t0, None


def loop_bare_float(data, tmp):
    """The floor for values that must be converted: a bare list of float(v)."""
    out = []
    t0 = time.perf_counter()
    for a, b, c, d in data:
        out.append({"loss": float(a), "acc": float(b), "lr": float(c), "grad_norm": float(d)})
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
    "float(v) list": (loop_bare_float, None),
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


def single_calls(tmp, calls=200_000):
    """p50/p99/p99.9 of one log() of 4 floats while the writer thread and a live panel run."""
    import nbmonitor as nbm
    from nbmonitor._testing import recording_comms
    from nbmonitor.sources import LiveSource
    from nbmonitor.ui.panel import Panel

    pc = time.perf_counter_ns
    with recording_comms():
        run = nbm.init(project="p99", dir=tmp, display=False)
        panel = Panel(LiveSource(run.store), project=run.project, follow=run.id).start()
        log = run.log
        lat = [0] * calls
        for i in range(calls):
            x = float(i)
            d = {"loss": 1.0 / (x + 1.0), "acc": x * 1e-6, "lr": 3e-4, "grad_norm": 0.5}
            t0 = pc()
            log(d)
            lat[i] = pc() - t0
        floor = [0] * calls  # the timer's own cost
        for i in range(calls):
            t0 = pc()
            floor[i] = pc() - t0
        panel.close()
        nbm.finish(quiet=True)
    lat.sort()
    floor.sort()
    q = lambda a, p: a[min(len(a) - 1, int(len(a) * p))] / 1e3  # noqa: E731
    return {p: q(lat, p) - q(floor, 0.5) for p in (0.5, 0.99, 0.999)}


def measure(kind, steps, repeat):
    data = values(steps, kind)
    # The prebuilt inputs (80,000 values; tensors and numpy scalars are objects the GC tracks) are frozen
    # out of the collector: otherwise every contender's full collections scan them, which a training
    # loop (values made each step and freed) does not pay, and one repetition in three took 3-5x the others.
    gc.collect()
    gc.freeze()
    try:
        return _measure(data, kind, steps, repeat)
    finally:
        gc.unfreeze()


def _measure(data, kind, steps, repeat):
    results = {}
    for name, (fn, module) in CONTENDERS.items():
        if name == "float(v) list" and kind in ("float", "int", "bool"):
            continue
        if not available(module):
            results[name] = None
            continue
        if name == "SummaryWriter x4" and kind != "float":
            continue
        times, extra = [], {}
        reps = repeat if name not in ("wandb offline", "trackio") else max(1, repeat - 1)
        for _ in range(reps):
            tmp = tempfile.mkdtemp(prefix="nbm-bench-")
            try:
                dt, ex = fn(data, tmp)
            except Exception as e:  # a peer that does not take this kind of value
                results[name] = f"error: {type(e).__name__}"
                break
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            times.append(dt / steps * 1e6)
            extra = ex or {}
        else:
            results[name] = (statistics.median(times), extra)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--types", default=",".join(TYPES), help="comma-separated: " + ", ".join(TYPES))
    ap.add_argument("--quick", action="store_true", help="skip import time and the 1M-point history")
    args = ap.parse_args()
    kinds = [k.strip() for k in args.types.split(",") if k.strip()]
    tmp = tempfile.mkdtemp(prefix="nbm-bench-")
    try:  # warm-up, untimed: the first run in a process pays lazy imports and first-use costs on the writer thread
        loop_nbmonitor(values(2000), tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = {}
    for kind in kinds:
        if kind in ("torch 0-d", "mixed") and not available("torch"):
            print(f"{kind}: torch not installed")
            continue
        table[kind] = measure(kind, args.steps, args.repeat)
    print(f"log() of 4 values, {args.steps} steps, median of repetitions; us/step, and x = ratio to nbmonitor")
    names = [n for n in CONTENDERS if any(n in r for r in table.values())]
    print(f"{'values':<14}" + "".join(f"{n:>22}" for n in names))
    for kind, res in table.items():
        ours = res["nbmonitor"][0]
        cells = []
        for n in names:
            r = res.get(n, "")
            if r is None:
                cells.append("not installed")
            elif isinstance(r, str):
                cells.append(r)
            else:
                cells.append(f"{r[0]:.2f} ({r[0] / ours:.1f}x)")
        print(f"{kind:<14}" + "".join(f"{c:>22}" for c in cells))
    if "float" in table:
        ex = table["float"]["nbmonitor"][1]
        print(f"nbmonitor finish(): {ex['finish_s'] * 1e3:.1f} ms; history() of {args.steps} steps: "
              f"{ex['history_s'] * 1e3:.1f} ms")
    tmp = tempfile.mkdtemp(prefix="nbm-bench-")
    try:
        q = single_calls(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("single log() of 4 floats with the writer thread and a live panel running (timer cost removed): "
          + ", ".join(f"p{p * 100:g} {v:.2f} us" for p, v in q.items()))
    if args.quick:
        return
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
