"""The embedded SQLite store: packing, several processes, crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

import nbmonitor as nbm
from nbmonitor.store import Chunk, RunRecord, resolve_root
from nbmonitor.store import codec as _codec
from nbmonitor.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]


def _python(code: str, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_codec_round_trip_keeps_nan_inf_and_precision():
    steps = np.array([0, 1, 2, 5, 1000], np.int64)
    values = np.array([0.1, np.nan, np.inf, -np.inf, 1e300])
    times = np.array([1.7e9, 1.7e9 + 0.001, 1.7e9 + 0.5, 1.7e9 + 1, 1.7e9 + 2])
    s, v, t = _codec.unpack_chunk(*_codec.pack_chunk(steps, values, times))
    assert s.tolist() == steps.tolist()
    np.testing.assert_array_equal(v, values)
    np.testing.assert_allclose(t, times, atol=1e-6, rtol=0)
    f32 = np.float32([0.25, 1.5, 3.1]).astype(np.float64)  # exactly float32: kept in 4 bytes
    assert _codec.pack_values(f32)[:1] == b"4"
    np.testing.assert_array_equal(_codec.unpack_values(_codec.pack_values(f32)), f32)


def test_root_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "env"))
    assert resolve_root(tmp_path / "arg") == (tmp_path / "arg").resolve()
    assert resolve_root() == (tmp_path / "env").resolve()
    monkeypatch.delenv("NBMONITOR_DIR")
    monkeypatch.chdir(tmp_path)
    assert resolve_root() == (tmp_path / "nbmonitor-runs").resolve()


def test_read_series_since_cursor_never_skips_or_repeats(tmp_path):
    store = SQLiteStore(tmp_path)
    store.create_run(RunRecord(id="r1", project="p", name="n"))
    got = []
    cursor = 0
    for i in range(5):  # chunks of uneven size, read back from every cursor
        n = 3 + i
        steps = np.arange(cursor, cursor + n)
        store.write("r1", [Chunk("k", cursor, steps, steps * 1.0, steps * 0.0)], [])
        new = store.read_series("r1", ["k"], {"k": cursor})["k"]
        assert new.start == cursor
        got += new.steps.tolist()
        cursor += n
    assert got == list(range(cursor))
    mid = store.read_series("r1", None, {"k": 7})["k"]
    assert mid.start == 7 and mid.steps.tolist() == list(range(7, cursor))


def test_bytes_per_point_under_24(tmp_path):
    run = nbm.init(project="size", dir=tmp_path)
    rng = np.random.default_rng(0)
    for i, v in enumerate(rng.random((50_000, 4))):
        run.log({"a": float(v[0]), "b": float(v[1]), "c": float(v[2]), "d": float(v[3])})
    nbm.finish(quiet=True)
    con = sqlite3.connect(tmp_path / "nbmonitor.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("VACUUM")
    con.close()
    size = (tmp_path / "nbmonitor.db").stat().st_size
    assert size / 200_000 <= 24, f"{size / 200_000:.1f} bytes per point"


def test_two_processes_log_to_one_root(tmp_path):
    code = """
        import sys, nbmonitor as nbm
        run = nbm.init(project="shared", name=sys.argv[1] if len(sys.argv) > 1 else "{name}")
        for i in range(3000):
            nbm.log({{"x": float(i)}})
        nbm.finish(quiet=True)
    """
    procs = [_python(code.format(name=n), NBMONITOR_DIR=str(tmp_path)) for n in ("left", "right")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    df = nbm.runs(project="shared", dir=tmp_path)
    assert sorted(df["name"]) == ["left", "right"]
    assert set(df["state"]) == {"finished"}
    for name in ("left", "right"):
        assert nbm.get_run(name, dir=tmp_path).history()["x"].tolist() == [float(i) for i in range(3000)]


def test_sigkill_loses_at_most_the_last_flush_and_shows_crashed(tmp_path):
    code = """
        import time, nbmonitor as nbm
        nbm.init(project="crash", name="victim")
        i = 0
        while True:
            nbm.log({"i": float(i)})
            if i % 100 == 0:
                print(i, time.time(), flush=True)
            i += 1
            time.sleep(0.0005)
    """
    p = _python(code, NBMONITOR_DIR=str(tmp_path))
    lines = []
    deadline = time.time() + 60
    while time.time() < deadline:
        lines.append(p.stdout.readline().split())
        if float(lines[-1][1]) - float(lines[0][1]) > 2.5:
            break
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    killed_at = time.time()
    hist = nbm.get_run("victim", dir=tmp_path).history()
    assert hist["i"].tolist() == [float(i) for i in range(len(hist))]  # a clean prefix
    # everything logged more than a flush interval (1 s, plus slack) before the kill is there
    reported = [(int(i), float(t)) for i, t in lines if float(t) < killed_at - 1.5]
    assert reported and len(hist) > reported[-1][0]
    df = nbm.runs(project="crash", dir=tmp_path)
    assert df["state"].tolist() == ["crashed"]


def test_sigterm_writes_and_marks_killed(tmp_path):
    code = """
        import time, nbmonitor as nbm
        nbm.init(project="term", name="t")
        for i in range(10):
            nbm.log({"i": float(i)})
        print("ready", flush=True)
        time.sleep(60)
    """
    p = _python(code, NBMONITOR_DIR=str(tmp_path))
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGTERM
    run = nbm.get_run("t", dir=tmp_path)
    assert run.state == "killed"
    assert len(run.history()) == 10


def test_reader_in_another_process_sees_a_live_run(tmp_path):
    run = nbm.init(project="live", name="writer", dir=tmp_path)
    for i in range(100):
        run.log({"v": float(i)})
    run._flush()
    reader = _python(
        """
        import nbmonitor as nbm
        r = nbm.get_run("writer")
        print(r.state, len(r.history()))
        """,
        NBMONITOR_DIR=str(tmp_path),
    )
    out, err = reader.communicate(timeout=60)
    assert out.split() == ["running", "100"], err
    nbm.finish(quiet=True)


def test_deleting_the_root_between_runs_starts_a_fresh_store(tmp_path):
    """A notebook re-run from the top clears its folder with rmtree: later runs must land in the new one."""
    import shutil

    nbm.init(project="p", name="old", dir=tmp_path / "r")
    nbm.log({"a": 1.0})
    nbm.finish(quiet=True)
    shutil.rmtree(tmp_path / "r")
    nbm.init(project="p", name="new", dir=tmp_path / "r")
    nbm.log({"a": 2.0})
    nbm.finish(quiet=True)
    df = nbm.runs(dir=tmp_path / "r")
    assert df["name"].tolist() == ["new"]
    con = sqlite3.connect(tmp_path / "r" / "nbmonitor.db")
    assert con.execute("SELECT name FROM runs").fetchall() == [("new",)]


def test_one_key_at_one_step_is_an_indexed_read(tmp_path):
    """`read_events_at` seeks the events_key_step index (not a scan of the run's later events), reading
    only the files of the events it returns; a database made before that index gets it when next opened."""
    from nbmonitor.store import Event

    store = SQLiteStore(tmp_path / "root")
    store.create_run(RunRecord(id="r", project="p", name="n"))
    store.write("r", [], [Event(s, "grid", s, 0.0, "table", {}, {"a.png": bytes([s]) * 100}) for s in range(200)])
    plans = []
    store._connection().set_trace_callback(lambda sql: plans.append(sql) if "step BETWEEN" in sql else None)
    store.read_events_at("r", "grid", 3)
    store._connection().set_trace_callback(None)
    (sql,) = plans
    plan = " ".join(row[-1] for row in store._connection().execute("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX events_key_step" in plan, plan
    read = []
    real = store._read_file
    store._read_file = lambda run_id, rel: read.append(rel) or real(run_id, rel)
    (ev,) = store.read_events_at("r", "grid", 3)
    assert ev.files == {"a.png": bytes([3]) * 100} and len(read) == 1
    store.close()
    with sqlite3.connect(tmp_path / "root" / "nbmonitor.db") as c:  # as an older nbmonitor left it
        c.execute("DROP INDEX events_key_step")
    old = SQLiteStore(tmp_path / "root", read_only=True)
    assert [e.step for e in old.read_events_at("r", "grid", 3, 4)] == [3, 4]  # answered without it
    old.close()
    reopened = SQLiteStore(tmp_path / "root")
    names = {row[0] for row in reopened._connection().execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "events_key_step" in names
    reopened.close()
