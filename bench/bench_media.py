"""Images in the live panel: what the kernel holds and what it sends to the browser.

    python bench/bench_media.py                  # 1,000 steps, one 128-px RGB image a step
    python bench/bench_media.py --n 1000 --grid  # also: a grid of 64 images a step (a Table), 16 steps (1,024)

Targets (issue 12): 1,000 logged 128-px images hold <= 20 MB in the kernel and send <= 10 MB.

How, with no kernel and no browser: the panel's widgets are made inside
`nbmonitor._testing.recording_comms()`, which records every message a widget would send
(JSON size + binary buffers). The panel is flushed after every step (one publisher tick per
step: the worst case; a real panel ticks at most ~10 times a second). "Held" is the growth of
Python-allocated memory (tracemalloc) from before the first image to after the last flush,
with the run finished and its store (SQLite, on disk) closed: the panel's share.
The images are random noise (PNG cannot compress them: ~49 KB each), the worst case.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402

MB = 1e6


def measure(n: int, size: int = 128, grid: int = 0, root: str | None = None) -> dict:
    """Log `n` steps of one `size`-px image (or a Table of `grid` images) with a panel attached."""
    from nbmonitor.ui.panel import Panel

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for _ in range(8)]
    with tempfile.TemporaryDirectory() as tmp, recording_comms() as rec:
        run = nbm.init(project="bench-media", dir=root or tmp, display=False, system_metrics=False)
        panel = Panel(LiveSource(run._store), project=run.project, follow=run.id)
        run.log({"loss": 1.0})
        run.flush()
        panel.flush()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        sent0 = rec.bytes
        logged = 0
        for i in range(n):
            if grid:
                t = nbm.Table(columns=["image", "pred", "label"])
                for j in range(grid):
                    t.add_data(nbm.Image(frames[(i + j) % 8]), j % 10, (j + i) % 10)
                run.log({"grid": t})
                logged += grid
            else:
                run.log({"pred": nbm.Image(frames[i % 8])})
                logged += 1
            run.flush()
            panel.flush()
        nbm.finish(quiet=True)
        panel.flush()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        sent = rec.bytes - sent0
        panel.stop()
    return {"images": logged, "held_mb": held / MB, "sent_mb": sent / MB}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--grid", action="store_true", help="also log a grid of 64 images a step, n/64 steps")
    a = ap.parse_args()
    rows = [("one image a step", measure(a.n))]
    if a.grid:
        rows.append(("grid of 64 a step", measure(max(1, round(a.n / 64)), grid=64)))
    print(f"{'case':<20} {'images':>7} {'held MB':>8} {'sent MB':>8}   targets for 1,000: held <= 20, sent <= 10")
    for name, r in rows:
        print(f"{name:<20} {r['images']:>7} {r['held_mb']:>8.1f} {r['sent_mb']:>8.1f}")


if __name__ == "__main__":
    main()
