"""The package surface: what `import nbmonitor` costs and exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbmonitor

REPO = Path(__file__).resolve().parents[2]


def test_import_does_not_pull_heavy_modules():
    code = ("import sys, nbmonitor; "
            "print(sorted(m for m in ('torch','pandas','bqplot','ipywidgets','tensorboard','PIL','matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_all_names_exist():
    for name in nbmonitor.__all__:
        assert hasattr(nbmonitor, name), name
    for name in ("init", "log", "finish", "config", "summary", "runs", "get_run"):
        assert name in nbmonitor.__all__
