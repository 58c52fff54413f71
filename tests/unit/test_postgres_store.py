"""The PostgreSQL store against a real server: URLs everywhere, schema, NOTIFY, passwords, a restart."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.errors import StoreError
from nbmonitor.store import Chunk, RunRecord, open_store, resolve_root

pytest.importorskip("psycopg")

from nbmonitor.store.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore, redact  # noqa: E402


def _wait_for(cond, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_url_is_accepted_wherever_a_root_folder_is(postgres_url, monkeypatch):
    assert resolve_root(postgres_url) == postgres_url
    run = nbm.init(project="p", name="one", dir=postgres_url, config={"lr": 0.1})
    for i in range(10):
        nbm.log({"loss": 1.0 / (i + 1)})
    nbm.finish(quiet=True)
    frame = nbm.runs(dir=postgres_url)
    assert frame["name"].tolist() == ["one"] and frame["state"].tolist() == ["finished"]
    view = nbm.get_run("one", dir=postgres_url)
    assert view.history()["loss"].tolist() == [1.0 / (i + 1) for i in range(10)]
    monkeypatch.setenv("NBMONITOR_DIR", postgres_url)  # $NBMONITOR_DIR
    assert nbm.runs()["id"].tolist() == [run.id]
    run2 = nbm.init(project="p", name="two")
    assert isinstance(run2.store, PostgresStore)
    nbm.finish(quiet=True)
    from nbmonitor.magic import open_logdir, resolve

    source, where = open_logdir(postgres_url)  # %monitor --logdir postgresql://...
    assert [r.name for r in source.list_runs("p")] == ["one", "two"] and where == postgres_url
    source, project, where = resolve(None, None)  # %monitor with $NBMONITOR_DIR a URL
    assert project == "p" and where == postgres_url


def test_password_never_shown(postgres_cluster):
    url = postgres_cluster.url().replace("nbm@", "nbm:s3cret-pw@")
    assert redact(url) == url.replace("s3cret-pw", "***")
    assert redact("postgresql://h/db?user=u&password=s3cret-pw") == "postgresql://h/db?user=u&password=***"
    store = PostgresStore(url)  # trust auth: the password is not checked
    assert "s3cret-pw" not in repr(store) and "s3cret-pw" not in str(store) and "***" in store.location
    bad = f"postgresql://nbm:s3cret-pw@127.0.0.1:{postgres_cluster.port}/no_such_db"
    with pytest.raises(StoreError) as err:
        PostgresStore(bad)
    assert "s3cret-pw" not in str(err.value) and "no_such_db" in str(err.value)
    with pytest.raises(StoreError) as err:
        nbm.init(project="p", dir=bad.replace("no_such_db", "also_missing"))
    assert "s3cret-pw" not in str(err.value)


def test_schema_is_versioned_and_migrates_from_version_1(postgres_url):
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as c:  # a database made by schema version 1
        for statement in MIGRATIONS[1]:
            c.execute(statement)
        c.execute("CREATE TABLE nbm_schema (version INTEGER NOT NULL)")
        c.execute("INSERT INTO nbm_schema VALUES (1)")
        c.execute("INSERT INTO nbm_runs (id, project, name, state, created, config, summary, tags) "
                  "VALUES ('old1', 'p', 'old', 'finished', 1.0, '{\"lr\": 1}', '{}', '[]')")
    store = PostgresStore(postgres_url)
    assert store.schema_version() == SCHEMA_VERSION >= 2
    old = store.get_run("old1")
    assert (old.name, old.config, old.state) == ("old", {"lr": 1}, "finished")
    PostgresStore(postgres_url)  # opening again changes nothing
    assert store.schema_version() == SCHEMA_VERSION
    with psycopg.connect(postgres_url, autocommit=True) as c:
        c.execute("UPDATE nbm_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="upgrade nbmonitor"):
        PostgresStore(postgres_url)


def test_wait_wakes_on_a_write_from_another_connection(postgres_url):
    reader, writer = PostgresStore(postgres_url), PostgresStore(postgres_url)
    writer.create_run(RunRecord(id="r", project="p", name="n"))
    assert reader.wait(0.05) is None  # first call: now listening, read everything once
    assert reader.wait(0.05) == set()
    got = []
    t = threading.Thread(target=lambda: got.append(reader.wait(30)))
    t.start()
    time.sleep(0.2)
    steps = np.arange(3)
    writer.write("r", [Chunk("k", 0, steps, steps * 1.0, steps * 1.0)], [])
    t.join(30)
    assert got == [{"r"}]


def test_a_store_in_another_schema_of_the_database_does_not_wake_the_reader(postgres_cluster, postgres_url):
    """Schemas of one database are separate roots: a write in the other one is not news here (NOTIFY is
    database-wide; the channel is the schema's). The suite's schemas share a database, as teams' may."""
    other_url = postgres_cluster.create_schema()
    reader, writer = PostgresStore(postgres_url), PostgresStore(postgres_url)
    elsewhere = PostgresStore(other_url)
    assert reader.wait(0.05) is None  # now listening
    elsewhere.create_run(RunRecord(id="far", project="p", name="n"))
    steps = np.arange(3)
    elsewhere.write("far", [Chunk("k", 0, steps, steps * 1.0, steps * 1.0)], [])
    assert reader.wait(0.5) == set()  # nothing written in this schema
    writer.create_run(RunRecord(id="near", project="p", name="n"))
    writer.write("near", [Chunk("k", 0, steps, steps * 1.0, steps * 1.0)], [])
    assert reader.wait(5) == {"near"}
    assert [r.id for r in reader.list_runs()] == ["near"]


@pytest.mark.filterwarnings("ignore::nbmonitor.NbmonitorWarning")  # "could not write run ... retrying"
def test_a_database_restart_mid_run_loses_no_point(postgres_cluster, postgres_url):
    run = nbm.init(project="p", name="restart", dir=postgres_url)
    store = open_store(postgres_url)
    n = 0

    def log(k):
        nonlocal n
        for _ in range(k):
            nbm.log({"loss": float(n), "acc": -float(n)})
            n += 1

    log(200)
    _wait_for(lambda: store.keys(run.id).get("loss") == 200)  # written by the writer thread
    postgres_cluster.stop("fast")
    try:
        log(300)  # log() keeps buffering while the database is gone
        time.sleep(2.5)  # several failed flushes (backoff)
        with pytest.raises(StoreError):
            store.keys(run.id)
    finally:
        postgres_cluster.start()
    log(100)
    nbm.finish(quiet=True)  # retries until the store takes everything
    h = nbm.get_run(run.id, dir=postgres_url).history()
    assert h["_step"].tolist() == list(range(600))
    assert h["loss"].tolist() == [float(i) for i in range(600)]
    assert store.get_run(run.id).state == "finished"


def test_log_buffer_is_bounded_while_the_store_is_unreachable(monkeypatch):
    from nbmonitor.store.memory import MemoryStore
    from nbmonitor.tracking import run as run_mod

    class Down(MemoryStore):
        def write(self, *a, **kw):
            raise StoreError("down")

    monkeypatch.setattr(run_mod, "MAX_BUFFERED_POINTS", 50)
    r = run_mod.Run(Down(), run_mod.new_record("p", "n", "rid", {}, None, None, None))
    for i in range(40):
        r.log({"a": 1.0, "b": 2.0})
    r._seal()
    for i in range(40):
        r.log({"a": 1.0, "b": 2.0})
    with pytest.warns(nbm.NbmonitorWarning, match="dropping new points"):
        r._seal()
    assert r._pending_points == 80 and r._dropped == 80
    monkeypatch.setattr(run_mod, "MAX_UNSEALED_ROWS", 5)
    monkeypatch.setattr(run_mod, "MAX_PENDING_POINTS", 10)
    monkeypatch.setattr(run_mod, "MAX_BUFFERED_POINTS", 1000)
    r2 = run_mod.Run(Down(), run_mod.new_record("p", "n", "rid2", {}, None, None, None))
    for i in range(30):  # back-pressure writes fail: log() keeps buffering, never raises
        r2.log({"a": 1.0})
    assert r2._pending_points + len(r2._rows) == 30 and r2._dropped == 0


def test_the_panel_reads_only_the_runs_the_database_says_were_written(postgres_url):
    from nbmonitor.sources import LiveSource
    from nbmonitor.ui.publisher import Publisher

    writer, reader = PostgresStore(postgres_url), PostgresStore(postgres_url)
    now = time.time()
    steps = np.arange(3)
    for rid in ("a", "b"):
        writer.create_run(RunRecord(id=rid, project="p", name=rid, created=now, heartbeat=now, host="elsewhere", pid=1))
        writer.write(rid, [Chunk("k", 0, steps, steps * 1.0, steps * 1.0)], [])
    reads: list[str] = []
    read_series = reader.read_series
    reader.read_series = lambda rid, *a, **kw: (reads.append(rid), read_series(rid, *a, **kw))[1]
    pub = Publisher(LiveSource(reader), project="p", clock=lambda: 1000.0)  # one slow tick, then fast ones
    pub.poll()
    assert sorted(set(reads)) == ["a", "b"]
    reads.clear()
    for _ in range(3):
        pub.poll()
    assert reads == []  # nothing written: nothing read
    writer.write("a", [Chunk("k", 3, steps + 3, steps * 1.0, steps * 1.0)], [])
    _wait_for(lambda: pub.poll() is not None and "a" in reads)
    assert "b" not in reads
    assert pub.runs["a"].step == 5
