"""`nbm.copy` / `nbmonitor copy`: a SQLite root into PostgreSQL and back, runs and media intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.store import open_store

REPO = Path(__file__).resolve().parents[2]


def _snapshot(where):
    store = open_store(where)
    out = {}
    for r in store.list_runs():
        series = {k: (ch.start, ch.steps.tolist(), ch.values.tolist()) for k, ch in store.read_series(r.id).items()}
        events = [(e.seq, e.key, e.step, e.kind, e.payload, e.files) for e in store.read_events(r.id)]
        out[r.id] = (r.project, r.name, r.state, r.config, r.summary, r.tags, r.created, r.heartbeat, series, events)
    return out


def _make_runs(root):
    for i in range(2):
        nbm.init(project="cp", name=f"run{i}", dir=root, config={"lr": 0.1 * (i + 1)}, tags=["t"])
        for step in range(300):
            nbm.log({"loss": 1.0 / (step + 1), "acc": step / 300})
        img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
        nbm.log({"pic": nbm.Image(img), "h": nbm.Histogram(np.arange(100.0))})
        nbm.summary["best"] = 0.5 + i
        nbm.finish(exit_code=i, quiet=True)


def test_sqlite_to_postgres_and_back(tmp_path, postgres_url):
    src = tmp_path / "src"
    _make_runs(src)
    before = _snapshot(src)
    assert len(before) == 2 and all(v[9] for v in before.values())
    assert any(e[5] for v in before.values() for e in v[9])  # the image's PNG bytes
    assert nbm.copy(src, postgres_url) == 2
    assert _snapshot(postgres_url) == before
    assert nbm.copy(src, postgres_url) == 2  # again: nothing duplicated
    assert _snapshot(postgres_url) == before
    back = tmp_path / "back"
    assert nbm.copy(postgres_url, back, project="cp") == 2
    assert _snapshot(back) == before
    view = nbm.get_run("run1", dir=back)
    assert view.history()["loss"].tolist() == [1.0 / (s + 1) for s in range(300)]


def test_command_line(tmp_path, postgres_cluster, postgres_url):
    src = tmp_path / "src"
    _make_runs(src)
    secret = postgres_url.replace("nbm@", "nbm:pw-s3cret@")  # trust auth: any password works
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-m", "nbmonitor", "copy", str(src), secret],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "2 run(s) copied" in r.stdout and "cp/run0" in r.stdout and "pw-s3cret" not in r.stdout
    assert _snapshot(postgres_url) == _snapshot(src)
    r = subprocess.run([sys.executable, "-m", "nbmonitor", "copy", str(tmp_path / "nothing"), str(tmp_path / "x")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "no nbmonitor store" in r.stderr


def test_copy_refuses_the_same_store(tmp_path):
    _make_runs(tmp_path / "a")
    with pytest.raises(ValueError, match="same store"):
        nbm.copy(tmp_path / "a", tmp_path / "a")
