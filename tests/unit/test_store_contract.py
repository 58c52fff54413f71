"""The `Store` protocol, the same tests on the in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_create_run_again_replaces_the_record(store):  # resume writes the record again
    store.create_run(RunRecord(id="r", project="p", name="n", state="crashed"))
    store.write("r", [_chunk("k", 0, 3)], [])
    store.create_run(RunRecord(id="r", project="p", name="n", state="running", summary={"k": 1.0}))
    assert store.get_run("r").state == "running" and len(store.list_runs()) == 1
    assert store.keys("r") == {"k": 3}
