"""The package surface: what `import nbmonitor` costs and exports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbmonitor

REPO = Path(__file__).resolve().parents[2]


# What `import nbmonitor` must not load: each is loaded where it is first used. The
# third-party ones cost seconds; the others are milliseconds a user notices only as the
# time `import nbmonitor` takes (bench/bench_import.py; issue 12).
NOT_LOADED_BY_IMPORT = (
    "torch", "pandas", "bqplot", "ipywidgets", "tensorboard", "PIL", "matplotlib",
    "pathlib", "urllib.parse", "ipaddress",  # pathlib loads the other two
    "secrets", "hashlib", "socket", "logging", "json",
    "nbmonitor.tracking.system", "nbmonitor.tracking.alerts", "nbmonitor.tracking.watch",
    "nbmonitor.compat.login", "nbmonitor.compat.toplevel",
)


def run_fresh(code: str, cwd: Path = REPO) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_leaves_modules_to_first_use():
    code = ("import sys; before = set(sys.modules); import nbmonitor; "
            f"print(sorted(m for m in {NOT_LOADED_BY_IMPORT!r} if m in sys.modules and m not in before))")
    assert run_fresh(code) == "[]"


def test_names_loaded_on_first_use_work_in_a_fresh_process(tmp_path):
    """The public names and run methods whose modules `import nbmonitor` no longer loads."""
    code = """
import nbmonitor as nbm
from nbmonitor import *  # every name in __all__ resolves
assert nbm.AlertLevel.WARN == "WARN" and nbm.Settings(mode="offline").mode == "offline"
assert nbm.login() is True
nbm.termlog("hello")
run = nbm.init(project="p", name="n", dir="runs", system_metrics=True, system_metrics_interval=60)
assert run._sampler is not None  # system metrics: nbmonitor.tracking.system on first use
assert len(run.id) == 8 and run.url.startswith("file://") and run.files_dir.is_dir()
assert isinstance(nbm.Image, type) and nbm.watch is watch and nbm.define_metric is define_metric
nbm.config.update({"lr": 0.1})
nbm.log({"loss": 1.0})
nbm.alert(title="t", text="x")
nbm.finish()
got = nbm.get_run(run.id, dir="runs")
print(got.state, got._record.host != "", got.config["lr"], [e.kind for e in got.events()])
"""
    assert run_fresh(code, cwd=tmp_path).splitlines()[-1] == "finished True 0.1 ['alert']"
def test_all_names_exist():
    for name in nbmonitor.__all__:
        assert hasattr(nbmonitor, name), name
    for name in ("init", "log", "finish", "config", "summary", "runs", "get_run"):
        assert name in nbmonitor.__all__
