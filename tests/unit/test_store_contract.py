"""The `Store` protocol, the same tests on the in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import numpy as np
import pytest

from nbmonitor.errors import StoreError
from nbmonitor.store import Chunk, Event, RunRecord
from nbmonitor.store.memory import MemoryStore
from nbmonitor.store.sqlite import SQLiteStore


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        yield SQLiteStore(tmp_path / "root")
    else:
        from nbmonitor.store.postgres import PostgresStore

        st = PostgresStore(request.getfixturevalue("postgres_url"))
        yield st
        st.close()


def _chunk(key, start, n, offset=0.0):
    steps = np.arange(start, start + n, dtype=np.int64)
    return Chunk(key, start, steps, steps * 0.5 + offset, 1.7e9 + steps * 0.001)


def test_runs_create_update_list_find(store):
    store.create_run(RunRecord(id="a1", project="p", name="first", created=1.0, config={"lr": 0.1}, tags=["x"]))
    store.create_run(RunRecord(id="b2", project="p", name="second", created=2.0))
    store.create_run(RunRecord(id="c3", project="q", name="first", created=3.0, notes="n", total_steps=10))
    store.update_run("a1", state="finished", summary={"acc": 0.9}, heartbeat=5.0)
    assert [r.id for r in store.list_runs()] == ["a1", "b2", "c3"]
    assert [r.id for r in store.list_runs("p")] == ["a1", "b2"]
    a = store.get_run("a1")
    assert (a.state, a.summary, a.config, a.tags, a.heartbeat) == ("finished", {"acc": 0.9}, {"lr": 0.1}, ["x"], 5.0)
    c = store.get_run("c3")
    assert (c.notes, c.total_steps, c.config, c.tags) == ("n", 10, {}, [])
    assert store.get_run("nope") is None
    assert [r.id for r in store.find_runs("first")] == ["c3", "a1"]  # newest first
    assert [r.id for r in store.find_runs("first", project="p")] == ["a1"]
    assert [r.id for r in store.find_runs("b2")] == ["b2"]
    with pytest.raises(ValueError, match="unknown run fields"):
        store.update_run("a1", colour="red")


def test_series_by_cursor_and_keys(store):
    store.create_run(RunRecord(id="r", project="p", name="n"))
    store.write("r", [_chunk("loss", 0, 5), _chunk("acc", 0, 3)], [], heartbeat=1.0)
    store.write("r", [_chunk("loss", 5, 4)], [], state="running")
    store.write("r", [_chunk("loss", 9, 0)], [])  # empty chunks are not stored
    assert store.keys("r") == {"acc": 3, "loss": 9}
    everything = store.read_series("r")
    assert sorted(everything) == ["acc", "loss"]
    loss = everything["loss"]
    assert (loss.start, loss.steps.tolist()) == (0, list(range(9)))
    np.testing.assert_array_equal(loss.values, np.arange(9) * 0.5)
    np.testing.assert_allclose(loss.times, 1.7e9 + np.arange(9) * 0.001, atol=1e-6, rtol=0)
    for cursor in range(10):  # from every cursor: nothing skipped, nothing repeated
        got = store.read_series("r", ["loss"], {"loss": cursor})
        if cursor == 9:
            assert got == {}
        else:
            assert got["loss"].start == cursor and got["loss"].steps.tolist() == list(range(cursor, 9))
    assert list(store.read_series("r", ["acc", "missing"])) == ["acc"]
    assert store.read_series("other") == {} and store.keys("other") == {}


def test_nan_inf_and_large_values_survive(store):
    store.create_run(RunRecord(id="r", project="p", name="n"))
    vals = np.array([np.nan, np.inf, -np.inf, 1e300, 0.1])
    store.write("r", [Chunk("v", 0, np.arange(5), vals, np.full(5, 1.7e9))], [])
    np.testing.assert_array_equal(store.read_series("r")["v"].values, vals)


def test_events_with_files_and_kinds(store):
    store.create_run(RunRecord(id="r", project="p", name="n"))
    png = bytes(range(256)) * 4
    evs = [Event(0, "img", 3, 1.0, "image", {"width": 2}, {"image.png": png}),
           Event(1, "alert", 4, 2.0, "alert", {"title": "t"}),
           Event(2, "h", 5, 3.0, "histogram", {"bins": [1, 2]})]
    store.write("r", [], evs[:2], summary={"img": {"_type": "image"}})
    store.write("r", [], evs[2:])
    got = store.read_events("r")
    assert [(e.seq, e.key, e.step, e.kind) for e in got] == [(0, "img", 3, "image"), (1, "alert", 4, "alert"),
                                                             (2, "h", 5, "histogram")]
    assert got[0].files == {"image.png": png} and got[0].payload == {"width": 2}
    assert got[1].files == {} and got[2].payload == {"bins": [1, 2]}
    assert [e.seq for e in store.read_events("r", since=1)] == [1, 2]
    assert [e.seq for e in store.read_events("r", kinds=["image", "histogram"])] == [0, 2]
    assert store.get_run("r").summary == {"img": {"_type": "image"}}


def test_events_of_one_key_at_one_step(store):
    """`read_events_at`: a media view's older step, one key at one step (or a step range), with its files."""
    store.create_run(RunRecord(id="r", project="p", name="n"))
    store.create_run(RunRecord(id="other", project="p", name="m"))
    evs, seq = [], 0
    for step in range(30):
        for key, kind in (("grid", "table"), ("sample", "image"), ("grid", "alert")):
            png = bytes([step % 256, len(key)]) * 300
            evs.append(Event(seq, key, step, float(step), kind, {"step": step}, {"image.png": png}))
            seq += 1
    store.write("r", [], evs[:45])
    store.write("r", [], evs[45:])
    store.write("other", [], [Event(0, "grid", 3, 0.0, "table", {"step": "other run"}, {})])
    (got,) = store.read_events_at("r", "grid", 3, kinds=["table"])
    assert (got.seq, got.key, got.step, got.kind, got.payload) == (9, "grid", 3, "table", {"step": 3})
    assert got.files == {"image.png": bytes([3, 4]) * 300}
    assert [(e.step, e.kind) for e in store.read_events_at("r", "grid", 3)] == [(3, "table"), (3, "alert")]
    assert [e.seq for e in store.read_events_at("r", "grid", 3, 5, kinds=["table"])] == [9, 12, 15]
    assert [e.step for e in store.read_events_at("r", "sample", 28, 99)] == [28, 29]
    assert store.read_events_at("r", "grid", 30) == [] and store.read_events_at("r", "nope", 3) == []
    assert store.read_events_at("missing", "grid", 3) == []
    assert [e.payload for e in store.read_events_at("other", "grid", 3)] == [{"step": "other run"}]


def test_create_run_again_replaces_the_record(store):  # resume writes the record again
    store.create_run(RunRecord(id="r", project="p", name="n", state="crashed"))
    store.write("r", [_chunk("k", 0, 3)], [])
    store.create_run(RunRecord(id="r", project="p", name="n", state="running", summary={"k": 1.0}))
    assert store.get_run("r").state == "running" and len(store.list_runs()) == 1
    assert store.keys("r") == {"k": 3}


def test_stored_points_and_events_are_never_overwritten(store):
    """Rows are only added: the same write again (retried after a lost commit) adds nothing; other data
    under a stored chunk's or event's index is an error, and nothing of that write is stored."""
    store.create_run(RunRecord(id="r", project="p", name="n"))
    png = bytes(range(256))
    ev = Event(0, "img", 3, 1.0, "image", {"width": 2}, {"image.png": png})
    store.write("r", [_chunk("k", 0, 10)], [ev], heartbeat=1.0)
    store.write("r", [_chunk("k", 0, 10)], [ev], heartbeat=2.0)  # a retried write: fine, adds nothing
    assert store.keys("r") == {"k": 10} and len(store.read_events("r")) == 1
    with pytest.raises(StoreError, match="another process is writing"):
        store.write("r", [_chunk("other", 0, 3), _chunk("k", 0, 10, offset=1.0)], [], state="failed")
    with pytest.raises(StoreError, match="another process is writing"):
        store.write("r", [], [Event(0, "img", 3, 1.0, "image", {"width": 3}, {"image.png": png})])
    assert store.keys("r") == {"k": 10}  # the clashing writes stored nothing, not even their other key
    np.testing.assert_array_equal(store.read_series("r")["k"].values, np.arange(10) * 0.5)
    (got,) = store.read_events("r")
    assert got.payload == {"width": 2} and got.files == {"image.png": png}
    assert store.get_run("r").state == "running" and store.get_run("r").heartbeat == 2.0
    store.write("r", [_chunk("k", 10, 5)], [])  # and the run goes on
    assert store.keys("r") == {"k": 15}
