"""Reading one older step of a media key: `read_events_at` against reading every later event (the former way).

    python bench/bench_older_step.py             # 500 steps of a grid of 16 32-px images, SQLite
    python bench/bench_older_step.py --n 1000

The panel's media views fetch an older step on demand (the grid's slider moved to step 3). Before,
the kernel read the run's events of that kind from that event's seq on (`read_events(since=seq)`),
every later table with its image files, and kept the one asked for; now it reads that key at that
step (`read_events_at`, an indexed query). Reported: the median of 7 reads each way, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import nbmonitor as nbm  # noqa: E402


def measure(n: int, per_step: int = 16, size: int = 32, step: int = 3, repeat: int = 7) -> dict:
    rng = np.random.default_rng(0)
    frames = [nbm.Image(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(8)]
    with tempfile.TemporaryDirectory() as tmp:
        run = nbm.init(project="bench-older", dir=tmp, display=False, system_metrics=False)
        for s in range(n):
            t = nbm.Table(columns=["image", "pred"])
            for j in range(per_step):
                t.add_data(frames[(s + j) % 8], j)
            run.log({"grid": t, "loss": 1.0 / (s + 1)}, step=s)
        nbm.finish(quiet=True)
        store = run._store
        seq = next(e.seq for e in store.read_events_at(run.id, "grid", step))

        def every_later():
            return next(e for e in store.read_events(run.id, since=seq, kinds=["table"]) if e.seq == seq)

        def one_step():
            return store.read_events_at(run.id, "grid", step, kinds=["table"])[-1]

        assert every_later().files == one_step().files
        out = {}
        for name, fn in (("every later event", every_later), ("read_events_at", one_step)):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            out[name] = statistics.median(times) * 1e3
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="steps logged (a table of 16 images each)")
    a = ap.parse_args()
    r = measure(a.n)
    print(f"step 3 of {a.n} (16 images a step), SQLite, median of 7:")
    for name, ms in r.items():
        print(f"  {name:<18} {ms:8.2f} ms")
    print(f"  ratio              {r['every later event'] / r['read_events_at']:8.1f}x")


if __name__ == "__main__":
    main()
