"""`import nbmonitor` against `import numpy` (its floor: nbmonitor needs numpy), in fresh processes.

    python bench/bench_import.py [--runs 15]

Each run is a new interpreter that imports numpy, then nbmonitor, timing both; and
another that imports nbmonitor alone. Reported: the median and minimum of each, and
the ratio of `import nbmonitor` (numpy included) to `import numpy` measured in the same
processes. Target (issue 12): <= 100 ms on a quiet machine, where numpy alone takes
~50 ms, i.e. a ratio <= 2. On a loaded machine read the ratio, not the milliseconds.
Also listed: the modules `import nbmonitor` adds to numpy's, and `import wandb` when installed.

The runs read compiled bytecode, as an installed package does (pip compiles it): with
PYTHONDONTWRITEBYTECODE=1 in the environment nbmonitor's sources would be compiled again
in every run (~20 ms of the extra on a quiet 2-core machine), so the runs get their own
PYTHONPYCACHEPREFIX, filled by one untimed import. `--no-bytecode-cache` keeps the
environment as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BOTH = """
import sys, time, json
t0 = time.perf_counter(); import numpy; t1 = time.perf_counter()
before = set(sys.modules)
import nbmonitor; t2 = time.perf_counter()
print(json.dumps({"numpy": t1 - t0, "after": t2 - t1, "added": sorted(set(sys.modules) - before)}))
"""
ALONE = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(code: str) -> str | None:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="use the environment as it is (compiles nbmonitor per run if PYTHONDONTWRITEBYTECODE=1)")
    args = ap.parse_args()
    if args.no_bytecode_cache:
        report(args.runs, "the environment's bytecode setting")
        return
    with tempfile.TemporaryDirectory(prefix="nbmonitor-bench-pyc-") as pyc:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = pyc
        subprocess.run([sys.executable, "-c", "import numpy, nbmonitor"], env=ENV, check=True)
        report(args.runs, "compiled bytecode, cached")


def report(runs: int, bytecode: str) -> None:
    numpy_t, after_t, alone_t, ratios = [], [], [], []
    added: list[str] = []
    for _ in range(runs):
        r = json.loads(run(BOTH) or "{}")
        numpy_t.append(r["numpy"])
        after_t.append(r["after"])
        ratios.append((r["numpy"] + r["after"]) / r["numpy"])
        added = r["added"]
        alone_t.append(float(run(ALONE.format("nbmonitor")) or "nan"))

    def ms(xs: list[float]) -> str:
        return f"median {statistics.median(xs) * 1e3:6.1f} ms, min {min(xs) * 1e3:6.1f} ms"

    print(f"{runs} fresh interpreters each ({bytecode})")
    print(f"import numpy                          {ms(numpy_t)}")
    print(f"import nbmonitor after numpy (extra)  {ms(after_t)}")
    print(f"import nbmonitor alone                {ms(alone_t)}")
    print(f"(numpy + nbmonitor) / numpy, same process: median {statistics.median(ratios):.2f}, "
          f"min {min(ratios):.2f} (target <= 2: 100 ms where numpy takes 50 ms)")
    own = [m for m in added if m.startswith("nbmonitor")]
    print(f"modules added to numpy's: {len(added)} ({len(own)} of nbmonitor): "
          + ", ".join(m for m in added if not m.startswith("nbmonitor") and not m.startswith("_")))
    w = run(ALONE.format("wandb"))
    print("import wandb: " + (f"{float(w) * 1e3:.0f} ms (one run)" if w else "not installed"))


if __name__ == "__main__":
    main()
