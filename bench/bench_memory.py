"""Memory bounded by design: RSS growth of a tight logging loop, nothing dropped.

    python bench/bench_memory.py [--steps 5000000] [--scalars 2000000] [--only log|writer]

Each scenario runs in its own process; a thread samples the RSS every 20 ms.
Reported: the peak RSS growth over the baseline taken right after `init()`
(or after making the writer), the points stored at the end (must equal what
was logged), and for the writers the time `close()` takes.

  1. nbmonitor `log()` of 4 floats, STEPS steps flat out (target: growth <= 128 MiB);
  2. nbmonitor `SummaryWriter.add_scalar`, SCALARS calls (target: growth <= 128 MiB, close() <= 1 s),
     beside torch's `SummaryWriter` doing the same (the peer).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Peak:
    def __init__(self):
        self.base = rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss())

    def stop(self) -> float:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, rss())
        return (self.peak - self.base) / 2**20


def scenario_log(steps: int, tmp: str) -> dict:
    import nbmonitor as nbm

    run = nbm.init(project="mem", dir=tmp, display=False, system_metrics=False)
    log = run.log
    for i in range(1000):  # warm up: the first chunks, the writer thread
        log({"loss": 1.0, "acc": 0.5, "lr": 3e-4, "grad_norm": 0.1})
    time.sleep(0.3)
    peak = Peak()
    t0 = time.perf_counter()
    for i in range(steps - 1000):
        x = float(i)
        log({"loss": 1.0 / (x + 1.0), "acc": x * 1e-7, "lr": 3e-4, "grad_norm": 0.5})
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    nbm.finish(quiet=True)
    fin = time.perf_counter() - t1
    growth = peak.stop()
    stored = run.store.keys(run.id)
    return {"growth_mib": growth, "stored": stored, "expected": steps, "us_per_step": dt / steps * 1e6,
            "finish_s": fin}


def scenario_writer(n: int, tmp: str, which: str) -> dict:
    if which == "torch":
        from torch.utils.tensorboard import SummaryWriter
    else:
        from nbmonitor import SummaryWriter
    kw = {} if which == "torch" else {"display": False}
    w = SummaryWriter(log_dir=str(Path(tmp) / "tb"), **kw)
    for i in range(1000):
        w.add_scalar("loss", 1.0, i)
    w.flush()
    time.sleep(0.3)
    peak = Peak()
    t0 = time.perf_counter()
    for i in range(1000, n):
        w.add_scalar("loss", 1.0 / (i + 1), i)
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    w.close()
    close_s = time.perf_counter() - t1
    growth = peak.stop()
    from nbmonitor.tensorboard.logdir import LogdirReader

    stored = sum(len(s[0]) for data in LogdirReader(Path(tmp) / "tb").poll().values() for s in data.scalars.values())
    return {"growth_mib": growth, "close_s": close_s, "us_per_call": dt / n * 1e6, "stored": stored, "expected": n}


def child(name: str, n: int) -> None:
    tmp = tempfile.mkdtemp(prefix="nbm-mem-")
    if name == "log":
        out = scenario_log(n, tmp)
    else:
        out = scenario_writer(n, tmp, name)
    print("RESULT " + json.dumps(out))


def run_child(name: str, n: int) -> dict | None:
    p = subprocess.run([sys.executable, __file__, "--child", name, "--n", str(n)], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(f"{name}: failed\n{p.stderr[-2000:]}")
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5_000_000)
    ap.add_argument("--scalars", type=int, default=2_000_000)
    ap.add_argument("--only", choices=("log", "writer"), help="run one scenario")
    ap.add_argument("--child")
    ap.add_argument("--n", type=int)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.n)
        return
    r = run_child("log", args.steps) if args.only != "writer" else None
    if r:
        stored = min(r["stored"].values()) if r["stored"] else 0
        print(f"nbmonitor log() x {args.steps:,} steps x 4 keys: RSS growth {r['growth_mib']:.0f} MiB "
              f"(target <= 128), {r['us_per_step']:.2f} us/step, finish() {r['finish_s'] * 1e3:.0f} ms, "
              f"points per key stored {stored:,} of {r['expected']:,}")
    import importlib.util

    writers = {}
    for which in ("nbmonitor", "torch") if args.only != "log" else ():
        if which == "torch" and importlib.util.find_spec("tensorboard") is None:
            print("torch SummaryWriter: tensorboard not installed")
            continue
        r = writers[which] = run_child(which, args.scalars)
        if r:
            print(f"{which} SummaryWriter.add_scalar x {args.scalars:,}: RSS growth {r['growth_mib']:.0f} MiB, "
                  f"close() {r['close_s'] * 1e3:.0f} ms, {r['us_per_call']:.2f} us/call, "
                  f"points in the files {r['stored']:,} of {r['expected']:,}")
    if writers.get("nbmonitor") and writers.get("torch"):
        o, t = writers["nbmonitor"], writers["torch"]
        print(f"nbmonitor vs torch SummaryWriter, same run: growth {o['growth_mib']:.0f} vs {t['growth_mib']:.0f} MiB "
              f"(target <= 128; ours keeps every point in memory for the live panel, 24 bytes each), "
              f"close() {o['close_s'] * 1e3:.0f} vs {t['close_s'] * 1e3:.0f} ms (target <= 1000), "
              f"add_scalar {t['us_per_call'] / o['us_per_call']:.1f}x cheaper for the caller")


if __name__ == "__main__":
    main()
