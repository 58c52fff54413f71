"""Large media of the PostgreSQL store in a folder (NBMONITOR_MEDIA_DIR) instead of bytea."""

from __future__ import annotations

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.errors import NbmonitorWarning, StoreError
from nbmonitor.store import Event, RunRecord
from nbmonitor.store.pgmedia import MediaFolder

pytest.importorskip("psycopg")

from nbmonitor.store.postgres import PostgresStore  # noqa: E402

BIG = bytes(range(256)) * 40  # 10,240 bytes
SMALL = b"tiny"


def _files_in_db(store: PostgresStore) -> list[tuple]:
    return store._call(lambda c: c.execute("SELECT seq, name, length(data) FROM nbm_files ORDER BY seq, name")
                       .fetchall())


def test_large_files_go_to_the_folder_small_ones_to_the_database(postgres_url, tmp_path, monkeypatch):
    media = tmp_path / "media"
    monkeypatch.setenv("NBMONITOR_MEDIA_DIR", str(media))
    monkeypatch.setenv("NBMONITOR_MEDIA_MIN_BYTES", "1000")
    st = PostgresStore(postgres_url)
    assert st.media is not None and st.media.path == media and st.media.min_bytes == 1000
    st.create_run(RunRecord(id="r1", project="p", name="n"))
    ev = Event(0, "img", 3, 1.0, "image", {"width": 2}, {"image.png": BIG, "thumb.png": SMALL})
    st.write("r1", [], [ev])
    st.write("r1", [], [ev])  # a retried write: the same file, the same rows - fine
    assert (media / "r1" / "0-image.png").read_bytes() == BIG
    assert _files_in_db(st) == [(0, "thumb.png", 4)]  # only the small one is in the database
    (got,) = st.read_events("r1")
    assert got.files == {"image.png": BIG, "thumb.png": SMALL} and got.payload == {"width": 2}

    # a reader with no setting finds the file where the writer put it
    monkeypatch.delenv("NBMONITOR_MEDIA_DIR")
    other = PostgresStore(postgres_url)
    assert other.media is None and other.read_events("r1")[0].files["image.png"] == BIG
    # the folder moved (mounted elsewhere): the reader's own setting wins
    moved = tmp_path / "elsewhere"
    media.rename(moved)
    assert PostgresStore(postgres_url, media_dir=moved).read_events("r1")[0].files["image.png"] == BIG
    with pytest.warns(NbmonitorWarning, match="missing"):
        assert other.read_events("r1")[0].files["image.png"] == b""
    for s in (st, other):
        s.close()


def test_a_file_is_never_overwritten_and_a_crafted_path_is_not_read(tmp_path):
    folder = MediaFolder(tmp_path / "m", min_bytes=0)
    ref = folder.place("r1", 0, "a/../../x.png", BIG)
    assert ref == {"path": "r1/0-a_.._.._x.png", "dir": str(tmp_path / "m"), "bytes": len(BIG)}
    assert folder.place("r1", 0, "a/../../x.png", BIG) == ref  # the same bytes again: fine
    with pytest.raises(StoreError, match="another process"):
        folder.place("r1", 0, "a/../../x.png", SMALL)
    assert MediaFolder.read(ref, "r1", None) == BIG
    (tmp_path / "secret").write_bytes(b"s")
    for bad in ({"path": "../secret", "dir": str(tmp_path / "m")}, {"path": "x", "dir": "relative/dir"}):
        with pytest.warns(NbmonitorWarning, match="outside its folder"):
            assert MediaFolder.read(bad, "r1", None) == b""


def test_a_folder_that_cannot_be_written_keeps_the_file_in_the_database(postgres_url, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    st = PostgresStore(postgres_url, media_dir=blocker, media_min_bytes=10)
    st.create_run(RunRecord(id="r2", project="p", name="n"))
    with pytest.warns(NbmonitorWarning, match="kept in the database"):
        st.write("r2", [], [Event(0, "img", 0, 1.0, "image", {}, {"image.png": BIG})])
    assert _files_in_db(st) == [(0, "image.png", len(BIG))]
    assert st.read_events("r2")[0].files == {"image.png": BIG}
    st.close()


def test_runs_log_large_images_through_the_folder_and_copy_keeps_them(postgres_url, tmp_path, monkeypatch):
    media = tmp_path / "media"
    monkeypatch.setenv("NBMONITOR_MEDIA_DIR", str(media))
    monkeypatch.setenv("NBMONITOR_MEDIA_MIN_BYTES", "2000")
    rng = np.random.default_rng(0)
    big, small = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), np.zeros((4, 4, 3), np.uint8)
    run = nbm.init(project="media", name="imgs", dir=postgres_url, system_metrics=False)
    nbm.log({"big": nbm.Image(big), "small": nbm.Image(small), "loss": 1.0})
    nbm.finish(quiet=True)
    placed = sorted(p.name for p in (media / run.id).iterdir())
    assert len(placed) == 1 and placed[0].endswith(".png")  # only the big image is in the folder
    local = tmp_path / "copy"
    nbm.copy(postgres_url, local)
    monkeypatch.delenv("NBMONITOR_MEDIA_DIR")
    src = {e.key: e.files for e in PostgresStore(postgres_url).read_events(run.id)}
    from nbmonitor.store.sqlite import SQLiteStore

    dst = {e.key: e.files for e in SQLiteStore(local).read_events(run.id)}
    assert src == dst and set(src) >= {"big", "small"} and all(v for f in src.values() for v in f.values())
