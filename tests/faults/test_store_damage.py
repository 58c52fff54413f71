"""Damage is contained; paths read from a store stay inside it (issue 11, items 7 and 8)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.errors import NbmonitorWarning, StoreError
from nbmonitor.store import open_store
from nbmonitor.store.sqlite import SQLiteStore

from .conftest import mounted


def _real_store(root, flushes=6, per=100):
    """A store written by a real run: keys a, b, c in several chunks each, and an image."""
    run = nbm.init(project="p", name="subject", dir=root)
    for f in range(flushes):
        for i in range(per):
            run.log({"a": float(i), "b": float(-i), "c": 0.5})
        run.flush()
    run.log({"img": nbm.Image(np.zeros((4, 4, 3), np.uint8))})
    run.finish(quiet=True)
    return run.id


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_a_damaged_chunk_costs_that_chunk_only(tmp_path):
    run_id = _real_store(tmp_path / "orig")
    root = _copy(tmp_path / "orig", tmp_path / "damaged")
    con = sqlite3.connect(root / "nbmonitor.db")
    starts = [s for (s,) in con.execute("SELECT start FROM chunks WHERE key='a' ORDER BY start")]
    assert len(starts) >= 4
    con.execute("UPDATE chunks SET vals=X'3400ff00ff' WHERE key='a' AND start=?", (starts[1],))
    con.execute("UPDATE chunks SET steps=X'78deadbeef' WHERE key='b' AND start=?", (starts[2],))
    con.commit()
    con.close()
    nbm.finish(quiet=True)
    view = nbm.get_run(run_id, dir=root)
    with pytest.warns(NbmonitorWarning) as got:
        hist = view.history()
    messages = [str(w.message) for w in got]
    assert len(messages) == 2, messages
    a_end = starts[2] - 1
    assert any(f"run '{run_id}'" in m and f"key 'a' (points {starts[1]}-{a_end}, steps {starts[1]}-{a_end})" in m
               for m in messages), messages  # a's steps still decode: the warning names them
    assert any("key 'b' (points " in m and "steps unknown" in m for m in messages), messages
    total = 600
    assert len(hist) == total
    a, b, c = hist["a"].to_numpy(), hist["b"].to_numpy(), hist["c"].to_numpy()
    assert np.isnan(a).sum() == 100 and np.isnan(b).sum() == 100  # one chunk each, nothing more
    assert (c == 0.5).all()
    # the panel's reads: cursor by cursor, no point skipped or repeated
    from nbmonitor.sources import open_source

    source = open_source(root)
    with pytest.warns(NbmonitorWarning):
        got = source.read_series(run_id, ["a", "b"], {"a": 0, "b": 50})
    assert got["a"].start == 0 and len(got["a"]) == total
    assert got["b"].start == 50 and len(got["b"]) == total - 50
    assert np.all(np.diff(got["b"].steps) >= 0)
    rest = source.read_series(run_id, ["a"], {"a": total})  # from the end cursor: nothing new, nothing repeated
    assert not rest or len(rest["a"]) == 0
    assert [r.id for r in source.list_runs()] == [run_id]


def test_damaged_json_fields_and_events_are_skipped_with_a_warning(tmp_path):
    run_id = _real_store(tmp_path / "orig", flushes=1)
    root = _copy(tmp_path / "orig", tmp_path / "damaged")
    con = sqlite3.connect(root / "nbmonitor.db")
    con.execute("UPDATE runs SET config='{not json'")
    con.execute("UPDATE events SET payload='[[['")
    con.commit()
    con.close()
    store = SQLiteStore(root)
    with pytest.warns(NbmonitorWarning, match="config is damaged"):
        assert store.get_run(run_id).config == {}
    with pytest.warns(NbmonitorWarning, match="event 0 .* damaged"):
        assert store.read_events(run_id) == []
    assert len(store.read_series(run_id)["a"]) == 100  # the series are untouched


def test_paths_in_a_crafted_store_never_leave_the_root(tmp_path):
    run_id = _real_store(tmp_path / "orig", flushes=1)
    root = _copy(tmp_path / "orig", tmp_path / "crafted")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not show")
    con = sqlite3.connect(root / "nbmonitor.db")
    payload = json.loads(con.execute("SELECT payload FROM events").fetchone()[0])
    name = next(iter(payload["_files"]))
    for rel in ("../secret.txt", str(secret), "media/../../secret.txt"):
        payload["_files"] = {name: rel}
        con.execute("UPDATE events SET payload=?", (json.dumps(payload),))
        con.commit()
        with pytest.warns(NbmonitorWarning, match="outside its folder"):
            (ev,) = SQLiteStore(root).read_events(run_id)
        assert ev.files[name] == b""
    con.close()


def test_projector_paths_outside_the_logdir_are_refused(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    from nbmonitor.tensorboard.payloads import projector_entry

    logdir = tmp_path / "logdir"
    logdir.mkdir()
    (logdir / "tensors.tsv").write_text("1\t2\n3\t4\n5\t6\n")
    (tmp_path / "secret.tsv").write_text("s1\ns2\ns3\n")
    e = ProjectorConfig().embeddings.add()
    e.tensor_name, e.tensor_path, e.metadata_path = "emb:0", "tensors.tsv", "../secret.tsv"
    with pytest.warns(NbmonitorWarning, match="metadata_path outside"):
        tag, step, payload, files, wall = projector_entry(logdir, e)
    assert payload["labels"] is None
    e.metadata_path = str(tmp_path / "secret.tsv")
    with pytest.warns(NbmonitorWarning, match="metadata_path outside"):
        assert projector_entry(logdir, e)[2]["labels"] is None
    e.tensor_path = str(tmp_path / "secret.tsv")
    with pytest.warns(NbmonitorWarning, match="tensor_path outside"), pytest.raises(ValueError):
        projector_entry(logdir, e)


def test_read_only_store_opens_for_reading(tmp_path):
    run_id = _real_store(tmp_path / "orig", flushes=2)
    store = SQLiteStore(tmp_path / "orig", read_only=True)  # SQLite's mode=ro
    assert store.read_only and len(store.read_series(run_id)["a"]) == 200
    clean = tmp_path / "clean"  # as a finished process leaves it: a WAL database without -wal and -shm files
    clean.mkdir()
    src, dst = sqlite3.connect(tmp_path / "orig" / "nbmonitor.db"), sqlite3.connect(clean / "nbmonitor.db")
    src.backup(dst)
    src.close()
    dst.close()
    assert sorted(p.name for p in clean.iterdir()) == ["nbmonitor.db"]
    with mounted("bind", tmp_path / "ro", str(clean)) as ro:  # a real read-only file system
        with pytest.raises(OSError):
            (ro / "probe").write_text("x")
        df = nbm.runs(dir=ro)
        assert df["id"].tolist() == [run_id]
        assert len(nbm.get_run(run_id, dir=ro).history()) == 200
        assert open_store(ro).read_only


def test_a_failed_media_write_keeps_the_scalars_of_the_same_flush(tmp_path):
    run = nbm.init(project="p", dir=tmp_path / "root2")
    (tmp_path / "root2" / "media").mkdir(exist_ok=True)
    (tmp_path / "root2" / "media" / run.id).write_text("a file where the media folder goes")
    for i in range(100):
        run.log({"x": float(i)})
    run.log({"img": nbm.Image(np.zeros((4, 4, 3), np.uint8)), "x": 100.0})
    with pytest.warns(NbmonitorWarning, match="could not be written"):
        run.finish(quiet=True)
    view = nbm.get_run(run.id, dir=tmp_path / "root2")
    assert view.history()["x"].tolist() == [float(i) for i in range(101)]
    (ev,) = SQLiteStore(tmp_path / "root2").read_events(run.id)
    assert ev.kind == "image" and ev.payload["_missing_files"]


def test_a_full_disk_keeps_points_in_memory_until_there_is_room(tmp_path):
    with mounted("tmpfs", tmp_path / "small", "size=512k") as small:
        run = nbm.init(project="p", dir=small / "root")
        filler = small / "filler"
        with open(filler, "wb") as f:  # fill the file system up
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        for i in range(20_000):
            run.log({"x": float(i), "y": float(-i)})
        with pytest.raises(StoreError, match="full"):
            run.flush()  # the disk is full: the write fails, the points stay
        filler.unlink()
        run.finish(quiet=True)
        assert nbm.get_run(run.id, dir=small / "root").history()["x"].tolist() == [float(i) for i in range(20_000)]
