"""Print the W&B-compatibility table: each probed call, same / different / missing, and why.

    .venv/bin/python tests/wandb_compat/probe_table.py [--markdown]

Runs every probe of probes.py in its own temporary folder (display off) and classifies it: "same"
when W&B's documented behaviour holds; a failing probe takes its status and reason from `KNOWN`,
else "missing" for an absent name (AttributeError/ImportError naming it), else "different".
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.wandb_compat.probes import KNOWN, NOTES, PROBES, isolated  # noqa: E402


def classify(probe) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as tmp, isolated(Path(tmp)), warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            probe.fn()
        except BaseException as e:  # noqa: BLE001 - every outcome is a row of the table
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            if probe.call in KNOWN:
                return KNOWN[probe.call]
            msg = f"{type(e).__name__}: {e}".splitlines()[0][:120]
            if isinstance(e, ImportError) or (isinstance(e, AttributeError) and "has no attribute" in str(e)):
                return "missing", msg
            return "different", msg
    if probe.call in KNOWN:
        return "same", f"(KNOWN says {KNOWN[probe.call][0]}: now passes, update probes.py)"
    return "same", NOTES.get(probe.call, "")


def main() -> int:
    md = "--markdown" in sys.argv
    rows = [(p, *classify(p)) for p in PROBES]
    counts = {s: sum(1 for r in rows if r[1] == s) for s in ("same", "different", "missing")}
    if md:
        print("| Call | Notebook | Status | Why |\n|---|---|---|---|")
        for p, status, why in rows:
            print(f"| `{p.call}` | {p.source} | {status} | {why} |")
    else:
        w = max(len(p.call) for p in PROBES)
        for p, status, why in rows:
            print(f"{p.call:<{w}}  {p.source:<13} {status:<9} {why}")
    print(f"\n{len(rows)} calls: {counts['same']} same, {counts['different']} different, {counts['missing']} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
