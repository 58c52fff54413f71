"""What the system-metrics sampler costs: CPU time per sample, as % of one core at its 1 s interval.

    python bench/bench_system_metrics.py [--samples 2000]

Measures thread CPU time (`time.thread_time`, not wall time, so other load on
the machine does not inflate it) of `SystemSampler.sample()` writing into a
real run (`Run.log_system`, stored by the writer thread like any log), over
many back-to-back samples; then runs the real thread at 1 s for a few seconds
and reads its CPU time from /proc (Linux) as a cross-check. Target: <= 0.1 %
of one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import nbmonitor as nbm  # noqa: E402
from nbmonitor.tracking.system import SystemSampler  # noqa: E402


def _thread_cpu_s(native_id: int) -> float | None:
    """CPU seconds (user + system) of one thread of this process, from /proc; None elsewhere."""
    try:
        with open(f"/proc/self/task/{native_id}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--thread-seconds", type=float, default=10.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        run = nbm.init(project="bench-system", dir=root, display=False, system_metrics=False)
        sampler = SystemSampler(run.log_system, interval=3600).start()  # the thread idles; we call sample()
        sources = [type(s).__name__.strip("_") for s in sampler._sources]
        sampler.sample()
        t0 = time.thread_time()
        for _ in range(args.samples):
            sampler.sample()
        per_sample = (time.thread_time() - t0) / args.samples
        keys = len(sampler.sample())
        sampler.stop()
        nbm.finish(quiet=True)

        print(f"sources: {', '.join(sources) or 'none'}; {keys} keys per sample")
        print(f"sample(): {per_sample * 1e3:.3f} ms CPU per sample (mean of {args.samples})")
        print(f"at the default 1 s interval: {per_sample * 100:.3f} % of one core (target <= 0.1 %)")

        # the real thread at 1 s, its CPU time read from /proc
        run = nbm.init(project="bench-system", dir=root, display=False, system_metrics=False)
        sampler = SystemSampler(run.log_system, interval=1.0).start()
        thread = next(t for t in threading.enumerate() if t.name == "nbmonitor-system")
        c0 = _thread_cpu_s(thread.native_id)
        w0 = time.monotonic()
        time.sleep(args.thread_seconds)
        c1 = _thread_cpu_s(thread.native_id)
        wall = time.monotonic() - w0
        n = sampler.samples
        sampler.stop()
        nbm.finish(quiet=True)
        if c0 is not None and c1 is not None:
            print(f"sampler thread over {wall:.1f} s ({n} samples): {c1 - c0:.3f} s CPU = "
                  f"{100 * (c1 - c0) / wall:.3f} % of one core (clock-tick resolution, 10 ms)")


if __name__ == "__main__":
    main()
