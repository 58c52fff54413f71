"""nbmonitor.SummaryWriter against torch's, in one process run.

    python bench/bench_writer.py [--steps 20000]

1. add_scalar's cost on the calling thread (µs per call, median of 5 runs):
   a tight loop of calls, and a loop that does some GIL-releasing "training"
   work (a small matmul) between calls, timing only the calls.
2. Time until a point is on disk: add_scalar, then watch the event file's size
   (no flush() call); median and worst of 20 points logged at random moments.
   torch's writer too, with its defaults (flush_secs=120; its writer thread
   writes each record as it comes, so a local file grows at once).
3. Throughput of our background thread: STEPS scalars from the first call until
   all are on disk.

Targets (issue 6): calling-thread cost >= 10x lower than torch's; on disk <= 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("NBMONITOR_DISPLAY", "0")


def tight(writer, steps: int) -> float:
    t0 = time.perf_counter()
    for i in range(steps):
        writer.add_scalar("loss", 0.5, i)
    return (time.perf_counter() - t0) / steps


def with_work(writer, steps: int, a) -> float:
    import torch

    spent = 0.0
    for i in range(steps):
        torch.mm(a, a)  # releases the GIL, as a training step does
        t0 = time.perf_counter()
        writer.add_scalar("loss", 0.5, i)
        spent += time.perf_counter() - t0
    return spent / steps


def event_bytes(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if "tfevents" in f)


def time_to_disk(writer, folder: str, points: int, give_up: float) -> list[float]:
    out = []
    for i in range(points):
        time.sleep(random.uniform(0.05, 0.3))
        before = event_bytes(folder)
        t0 = time.perf_counter()
        writer.add_scalar("latency", float(i), i)
        while event_bytes(folder) == before:
            if time.perf_counter() - t0 > give_up:
                out.append(float("inf"))
                break
            time.sleep(0.002)
        else:
            out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20000)
    args = ap.parse_args()
    import torch
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from nbmonitor import SummaryWriter

    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="nbm-bench-writer-")
    writers = {"torch": TorchWriter(os.path.join(tmp, "torch")), "nbmonitor": SummaryWriter(os.path.join(tmp, "nbm"))}
    a = torch.randn(96, 96)
    res: dict[str, dict[str, float]] = {name: {} for name in writers}
    for rep in range(5):
        for name, w in writers.items():
            res[name].setdefault("tight", []).append(tight(w, args.steps))
            res[name].setdefault("work", []).append(with_work(w, args.steps // 4, a))
            w.flush()
    print(f"add_scalar on the calling thread, µs per call (median of 5 x {args.steps} calls)")
    t = {k: statistics.median(v) for k, v in res["torch"].items()}
    o = {k: statistics.median(v) for k, v in res["nbmonitor"].items()}
    print(f"  tight loop:              torch {t['tight'] * 1e6:7.2f}   nbmonitor {o['tight'] * 1e6:6.2f}"
          f"   ratio {t['tight'] / o['tight']:5.1f}x   (target >= 10x)")
    print(f"  between training steps:  torch {t['work'] * 1e6:7.2f}   nbmonitor {o['work'] * 1e6:6.2f}"
          f"   ratio {t['work'] / o['work']:5.1f}x")

    lat = time_to_disk(writers["nbmonitor"], os.path.join(tmp, "nbm"), 20, 5.0)
    tl = time_to_disk(writers["torch"], os.path.join(tmp, "torch"), 5, 3.0)
    print("time until a point is on disk (no flush() call)")
    print(f"  nbmonitor: median {statistics.median(lat):.3f} s, worst {max(lat):.3f} s   (target <= 1.5 s)")
    print(f"  torch (flush_secs=120): median {statistics.median(tl):.3f} s, worst {max(tl):.3f} s (inf: > 3 s)")
    for w in writers.values():
        w.close()

    w = SummaryWriter(os.path.join(tmp, "tput"))
    folder = os.path.join(tmp, "tput")
    base = event_bytes(folder)
    t0 = time.perf_counter()
    for i in range(args.steps):
        w.add_scalar("loss", 0.5, i)
    enq = time.perf_counter() - t0
    one = None
    while True:  # all records written: the file stops growing for 0.3 s
        size = event_bytes(folder)
        if size > base and size == one:
            break
        one = size
        time.sleep(0.3)
    total = time.perf_counter() - t0 - 0.3
    w.close()
    print(f"background throughput: {args.steps} scalars enqueued in {enq:.3f} s, on disk after {total:.2f} s "
          f"({args.steps / total:,.0f} scalars/s)")


if __name__ == "__main__":
    main()
