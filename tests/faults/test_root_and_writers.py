"""A deleted root, two writers of one run, and a concurrency soak (issue 11, items 5 and 6)."""

from __future__ import annotations

import os
import shutil
import threading
import time

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.errors import ActiveRunError, NbmonitorWarning, StoreError
from nbmonitor.store import Chunk, RunRecord
from nbmonitor.store.sqlite import SQLiteStore

from .conftest import child, wait_for_line


def test_root_deleted_while_logging_is_noticed_and_every_later_point_kept(tmp_path):
    root = tmp_path / "runs"
    run = nbm.init(project="p", name="survivor", dir=root, config={"lr": 0.1})
    deleted_at: list[int] = []

    def delete_soon():
        time.sleep(0.3)
        shutil.rmtree(root)  # a notebook re-run from the top that starts with rmtree
        deleted_at.append(run.step)

    t = threading.Thread(target=delete_soon)
    with pytest.warns(NbmonitorWarning, match="was deleted or replaced.*already written to the deleted file are gone"):
        t.start()
        n = 6000
        for i in range(n):
            run.log({"i": float(i)})
            time.sleep(0.0002)
        t.join()
        run.finish(quiet=True)
    assert (root / "nbmonitor.db").is_file()
    view = nbm.get_run("survivor", dir=root)
    assert view.state == "finished" and view.config == {"lr": 0.1}
    got = view.history()["i"].to_numpy()
    after = np.arange(deleted_at[0], n, dtype=float)
    assert np.isin(after, got).all()  # nothing logged after the deletion is lost
    assert np.all(np.diff(got) > 0)


LIVE_WRITER = """
    import time, nbmonitor as nbm
    run = nbm.init(project="p", name="first", id="shared-run")
    for i in range(100):
        nbm.log({"x": float(i)})
    run.flush()
    print("ready", flush=True)
    time.sleep(60)
"""


def test_resuming_a_run_another_live_process_writes_is_refused(tmp_path):
    root = tmp_path / "root"
    p = child(LIVE_WRITER, root)
    try:
        wait_for_line(p, "ready")
        with pytest.raises(ActiveRunError, match=r"shared-run.*another process \(pid \d+"):
            nbm.init(id="shared-run", resume="allow", dir=root)
    finally:
        p.kill()
        p.wait()
    # the writer is gone (it shows as crashed): resuming is fine and keeps its points
    run = nbm.init(id="shared-run", resume="allow", dir=root)
    for i in range(100, 150):
        run.log({"x": float(i)})
    run.finish(quiet=True)
    assert nbm.get_run("shared-run", dir=root).history()["x"].tolist() == [float(i) for i in range(150)]


def test_the_store_never_overwrites_stored_points(tmp_path):
    store = SQLiteStore(tmp_path)
    store.create_run(RunRecord(id="r1", project="p", name="n"))
    steps = np.arange(10)
    mine = Chunk("k", 0, steps, steps * 1.0, steps * 0.0)
    store.write("r1", [mine], [])
    store.write("r1", [mine], [])  # the same rows again (a retried write): fine
    theirs = Chunk("k", 0, steps, steps * 2.0, steps * 0.0)
    with pytest.raises(StoreError, match="another process is writing"):
        store.write("r1", [theirs], [])
    assert store.read_series("r1")["k"].values.tolist() == (steps * 1.0).tolist()


SOAK_WRITER = """
    import sys, nbmonitor as nbm
    n = int(sys.argv[1]) if len(sys.argv) > 1 else {n}
    for r in range(2):
        run = nbm.init(project="soak", name=f"{tag}-{{r}}")
        for i in range(n):
            nbm.log({{f"k{{j}}": float(i) for j in range(8)}})
        nbm.finish(quiet=True)
    print("done", flush=True)
"""

SOAK_READER = """
    import time, nbmonitor as nbm
    from nbmonitor.sources import open_source
    reads = errors = 0
    t0 = time.time()
    while time.time() - t0 < {seconds}:
        try:
            src = open_source(None)
            for r in src.list_runs("soak"):
                src.read_series(r.id)
            reads += 1
        except Exception as e:
            errors += 1
            print("error", e, flush=True)
        time.sleep(0.05)
    print("reads", reads, errors, flush=True)
"""


def test_concurrency_soak_four_processes_two_runs_each(tmp_path):
    """4 processes x 2 runs x N steps x 8 keys, plus a reader: no point lost or repeated, no error."""
    root = tmp_path / "soak"
    n = int(os.environ.get("NBMONITOR_SOAK_STEPS", "5000"))  # the soak: 50000
    writers = [child(SOAK_WRITER.format(n=n, tag=f"w{k}"), root) for k in range(4)]
    reader = child(SOAK_READER.format(seconds=8), root)
    for p in writers:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and "done" in out, err[-3000:]
        assert "locked" not in err and "Warning" not in err, err[-3000:]
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err[-3000:]
    reads, errors = map(int, out.split("reads")[-1].split())
    assert errors == 0, out
    df = nbm.runs(project="soak", dir=root)
    assert len(df) == 8 and set(df["state"]) == {"finished"}
    lost = dup = 0
    store = SQLiteStore(root)
    for run_id in df["id"]:
        series = store.read_series(run_id)
        for j in range(8):
            ch = series[f"k{j}"]
            unique = len(np.unique(ch.steps))
            lost += n - unique
            dup += len(ch) - unique
            assert ch.values.tolist() == [float(i) for i in range(n)]
    print(f"soak: 4 processes x 2 runs x {n} steps x 8 keys; lost {lost}, duplicated {dup}, "
          f"reader errors {errors} in {reads} reads")
    assert lost == 0 and dup == 0
