"""Tailing an nbmonitor root that another process is writing, through `LiveSource`.

This is what `%monitor --logdir root` does while `!python train.py &` runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from nbmonitor.sources import LiveSource, open_source
from nbmonitor.store import open_store

REPO = Path(__file__).resolve().parents[2]

WRITER = """
    import sys, time, nbmonitor as nbm
    n, name = int(sys.argv[1]), sys.argv[2]
    nbm.init(project="tail", name=name)
    for i in range(n):
        row = {"loss": i * 0.5, "acc": float(i)}
        if i % 3 == 0:
            row["val/loss"] = -float(i)
        nbm.log(row)
        if i % 500 == 0:
            time.sleep(0.06)
    print("logged", flush=True)
    if sys.argv[3] == "finish":
        nbm.finish(quiet=True)
    else:
        time.sleep(600)
"""


def _child(root: Path, n: int, name: str, end: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(n), name, end],
        env={**os.environ, "PYTHONPATH": str(REPO), "NBMONITOR_DIR": str(root)},
        stdout=subprocess.PIPE, text=True,
    )


def _tail(source, run_id, cursor, got):
    """Read what is new for `run_id`, checking every chunk starts where the last ended."""
    new = source.read_series(run_id, since=cursor)
    for key, ch in new.items():
        assert ch.start == cursor.get(key, 0), key
        cursor[key] = ch.start + len(ch)
        got.setdefault(key, []).extend(zip(ch.steps.tolist(), ch.values.tolist()))
    return bool(new)


def test_tail_sees_every_point_once_in_order_then_finished(tmp_path):
    n = 20000
    child = _child(tmp_path, n, "writer", "finish")
    try:
        source = open_source(tmp_path)
        assert isinstance(source, LiveSource)
        cursor, got, polls, states = {}, {}, 0, []
        deadline = time.time() + 90
        while time.time() < deadline:
            runs = source.list_runs("tail")
            if runs:
                (rec,) = runs
                states.append(rec.state)
                polls += _tail(source, rec.id, cursor, got)
                if rec.state == "finished" and cursor.get("loss") == n:
                    break
            time.sleep(0.05)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0
    assert got["loss"] == [(i, i * 0.5) for i in range(n)]
    assert got["acc"] == [(i, float(i)) for i in range(n)]
    assert got["val/loss"] == [(i, -float(i)) for i in range(0, n, 3)]
    assert states[0] == "running" and states[-1] == "finished"
    assert polls >= 2  # points arrived over several reads while the child was logging
    assert source.keys(rec.id) == {"loss": n, "acc": n, "val/loss": len(range(0, n, 3))}


def test_tail_shows_a_killed_writer_as_crashed(tmp_path):
    child = _child(tmp_path, 3000, "victim", "hang")
    try:
        assert child.stdout.readline().strip() == "logged"
        source = LiveSource(open_store(tmp_path))
        deadline = time.time() + 30
        cursor, got = {}, {}
        while time.time() < deadline:  # everything arrives within a flush interval
            (rec,) = source.list_runs("tail")
            _tail(source, rec.id, cursor, got)
            if cursor.get("loss") == 3000:
                break
            time.sleep(0.05)
        assert rec.state == "running"
        assert got["loss"] == [(i, i * 0.5) for i in range(3000)]
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()  # no zombie: a zombie's pid still answers kill(pid, 0)
    (rec,) = source.list_runs("tail")
    assert rec.state == "crashed"
    assert source.read_series(rec.id, since=cursor) == {}


def test_runs_started_later_appear_in_the_tail(tmp_path):
    first = _child(tmp_path, 10, "first", "finish")
    first.wait(timeout=60)
    source = open_source(tmp_path)
    assert [r.name for r in source.list_runs("tail")] == ["first"]
    second = _child(tmp_path, 10, "second", "finish")
    second.wait(timeout=60)
    runs = {r.name: r for r in source.list_runs("tail")}
    assert sorted(runs) == ["first", "second"]
    assert source.keys(runs["second"].id)["loss"] == 10
