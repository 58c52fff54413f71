"""Kernel-side cost of the live panel, measured without a browser.

    python bench/bench_panel.py                # ~30 s: 3 s throughput runs + 10 s at 100k log()/s
    python bench/bench_panel.py --seconds 60   # the issue's 60 s at 100k log()/s
    python bench/bench_panel.py --browser      # the panel at scale in JupyterLab: 20 keys x 200k steps
                                               # (first data, longest browser task, JS heap; panel_browser.py)

What it reports:
  1. log() µs/call flat out, with no panel and with a panel attached (4 keys a call);
  2. at a paced 100,000 log() calls a second: widget messages and bytes the kernel
     would send per second, and the publisher thread's CPU time as a share of one core.

How, with no kernel and no browser: widgets are made inside
`nbmonitor._testing.recording_comms()`, which gives each widget a comm that records
every message (comm_open and updates, JSON size + binary buffers) instead of sending
it; everything else — the run, the writer thread, the SQLite store, the publisher
thread, downsampling, bqplot/anywidget serialization — is the real thing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402

KEYS = ("train/loss", "train/acc", "val/loss", "lr")


def _loop(run, seconds: float, rate: float | None) -> int:
    """log() for `seconds`, flat out or paced at `rate` calls/s; returns the number of calls."""
    t0 = time.perf_counter()
    i = 0
    log = run.log
    while True:
        for _ in range(1000):
            x = float(i)
            log({"train/loss": 1.0 / (x + 1.0), "train/acc": x * 1e-6, "val/loss": 2.0 / (x + 1.0), "lr": 3e-4})
            i += 1
        now = time.perf_counter() - t0
        if now >= seconds:
            return i
        if rate is not None:
            ahead = i / rate - now
            if ahead > 0:
                time.sleep(ahead)


def _panel(run):
    from nbmonitor.ui.panel import Panel

    panel = Panel(LiveSource(run._store), project=run.project, follow=run.id)
    cpu = {"s": 0.0}
    tick = panel.publisher.tick

    def timed_tick():
        c0 = time.thread_time()
        try:
            return tick()
        finally:
            cpu["s"] += time.thread_time() - c0

    panel.publisher.tick = timed_tick
    return panel.start(), cpu


def flat_out(root: str, seconds: float, with_panel: bool) -> float:
    with recording_comms():
        run = nbm.init(project="bench", dir=root, display=False)
        panel = _panel(run)[0] if with_panel else None
        n = _loop(run, 0.3, None)  # warm up
        t0 = time.perf_counter()
        n = _loop(run, seconds, None)
        us = (time.perf_counter() - t0) / n * 1e6
        nbm.finish(quiet=True)
        if panel is not None:
            panel.stop()
    return us


def paced(root: str, seconds: float, rate: float) -> dict:
    with recording_comms() as rec:
        run = nbm.init(project="bench-paced", dir=root, display=False)
        panel, cpu = _panel(run)
        _loop(run, 1.0, rate)  # keys, charts and legend get made in this first second
        m0, b0, cpu0 = len(rec.messages), rec.bytes, cpu["s"]
        t0 = time.perf_counter()
        n = _loop(run, seconds, rate)
        wall = time.perf_counter() - t0
        msgs = len(rec.messages) - m0
        nbytes = rec.bytes - b0
        busy = cpu["s"] - cpu0
        nbm.finish(quiet=True)
        panel.stop()
        panel.flush()
        rows = {r["key"]: r for r in panel.table.rows}
    return {"calls_per_s": n / wall, "msgs_per_s": msgs / wall, "kbytes_per_s": nbytes / wall / 1e3,
            "publisher_cpu_share": busy / wall, "points_shown": rows["train/loss"]["n"],
            "last_shown": rows["train/loss"]["last_exact"], "memory_kb": panel.publisher.memory_bytes() / 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of the paced run (default 10)")
    ap.add_argument("--rate", type=float, default=100_000, help="log() calls per second in the paced run")
    ap.add_argument("--flat", type=float, default=3.0, help="duration of each flat-out run (default 3)")
    ap.add_argument("--browser", action="store_true", help="only the browser run at scale (bench/panel_browser.py)")
    ap.add_argument("--keys", type=int, default=20, help="keys of the browser run (default 20)")
    ap.add_argument("--steps", type=int, default=200_000, help="steps of the browser run (default 200,000)")
    args = ap.parse_args()
    if args.browser:
        from panel_browser import report

        report(args.keys, args.steps)
        return
    root = tempfile.mkdtemp(prefix="nbm-bench-panel-")
    os.environ["NBMONITOR_DISPLAY"] = "0"
    base = flat_out(root, args.flat, False)
    with_panel = flat_out(root, args.flat, True)
    print(f"log() flat out, {len(KEYS)} keys a call: {base:.2f} µs without a panel, "
          f"{with_panel:.2f} µs with one ({with_panel / base:.2f}x)")
    r = paced(root, args.seconds, args.rate)
    print(f"paced at {r['calls_per_s']:,.0f} log()/s for {args.seconds:.0f} s: "
          f"{r['msgs_per_s']:.1f} widget messages/s, {r['kbytes_per_s']:.1f} kB/s, "
          f"publisher CPU {100 * r['publisher_cpu_share']:.1f}% of a core, "
          f"panel memory {r['memory_kb']:.0f} kB")
    print(f"  final table: {r['points_shown']:,} points of train/loss, last {r['last_shown']}")


if __name__ == "__main__":
    main()
