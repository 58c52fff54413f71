"""nbmonitor.tensorboard.events against TensorBoard's own EventAccumulator, on files torch writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboard")
torch_tb = pytest.importorskip("torch.utils.tensorboard")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util.tensor_util import make_ndarray  # noqa: E402

from nbmonitor.errors import NbmonitorWarning  # noqa: E402
from nbmonitor.tensorboard import crc  # noqa: E402
from nbmonitor.tensorboard import events as tfevents  # noqa: E402
from nbmonitor.tensorboard.events import EventFileReader, RunData  # noqa: E402
from nbmonitor.tensorboard.logdir import LogdirReader  # noqa: E402

SummaryWriter = torch_tb.SummaryWriter
KEEP_ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0,
            "compressedHistograms": 0, "audio": 0}


def accumulator(path: Path) -> EventAccumulator:
    ea = EventAccumulator(str(path), size_guidance=KEEP_ALL)
    ea.Reload()
    return ea


def event_file(folder: Path) -> Path:
    (path,) = [p for p in folder.iterdir() if "tfevents" in p.name]
    return path


def write_scalars(folder: Path, steps: range, tag: str = "loss") -> None:
    with SummaryWriter(str(folder)) as w:
        for s in steps:
            w.add_scalar(tag, s * 0.5, s)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    rng = np.random.default_rng(0)
    with SummaryWriter(str(root / "exp")) as w:
        for step in range(30):
            w.add_scalar("train/loss", 1.0 / (step + 1), step)
            w.add_scalar("train/acc", step / 30, step)
            w.add_scalar("weird", [np.nan, np.inf, -np.inf, 1e-30][step % 4], step)
            w.add_scalar("new/style", step * 2.0, step, new_style=True)
            w.add_scalars("Loss", {"train": 1.0 / (step + 1), "val": 2.0 / (step + 1)}, step)
            if step % 10 == 0:
                w.add_histogram("weights", rng.normal(size=1000), step)
                w.add_image("sample", rng.random((3, 8, 12)), step)
                w.add_text("notes", f"step **{step}** ✓", step)
                w.add_pr_curve("pr", rng.integers(0, 2, 50), rng.random(50), step)
        w.add_hparams({"lr": 0.1, "opt": "adam"}, {"hparam/acc": 0.9})
    with SummaryWriter(str(root / "exp")) as w:  # a second file in the same run (a resume)
        for step in range(30, 40):
            w.add_scalar("train/loss", 1.0 / (step + 1), step)
    write_scalars(root, range(5), tag="top")  # event files in the logdir itself
    return root


@pytest.fixture(scope="module")
def polled(logdir: Path) -> dict[str, RunData]:
    reader = LogdirReader(logdir)
    data = reader.poll()
    assert reader.poll() == {}  # nothing new on the second poll
    return data


def test_runs_are_folders_holding_event_files(polled: dict[str, RunData]) -> None:
    hparams_runs = [r for r in polled if r.startswith("exp/") and "Loss" not in r]
    assert len(hparams_runs) == 1  # add_hparams writes its own timestamped run
    assert set(polled) == {".", "exp", "exp/Loss_train", "exp/Loss_val", *hparams_runs}


def test_scalars_equal_event_accumulator(logdir: Path, polled: dict[str, RunData]) -> None:
    for run, data in polled.items():
        ea = accumulator(logdir / run)
        simple = set(ea.Tags()["scalars"])
        assert simple <= set(data.scalars)
        for tag in simple:
            events = ea.Scalars(tag)
            steps, values, walls = data.scalars[tag]
            assert steps.dtype == np.int64 and values.dtype == walls.dtype == np.float64
            np.testing.assert_array_equal(steps, [e.step for e in events])
            np.testing.assert_array_equal(values, [e.value for e in events])
            np.testing.assert_array_equal(walls, [e.wall_time for e in events])
    steps, values, _ = polled["exp"].scalars["train/loss"]
    np.testing.assert_array_equal(steps, np.arange(40))  # both files, in order
    _, weird, _ = polled["exp"].scalars["weird"]
    np.testing.assert_array_equal(weird[:4], [np.nan, np.inf, -np.inf, np.float32(1e-30)])
    np.testing.assert_array_equal(polled["exp/Loss_val"].scalars["Loss"][1],
                                  np.float32(2.0 / (np.arange(30) + 1)))


def test_tensor_scalars_equal_event_accumulator(logdir: Path, polled: dict[str, RunData]) -> None:
    events = accumulator(logdir / "exp").Tensors("new/style")
    steps, values, walls = polled["exp"].scalars["new/style"]
    np.testing.assert_array_equal(steps, [e.step for e in events])
    np.testing.assert_array_equal(values, [make_ndarray(e.tensor_proto).item() for e in events])
    np.testing.assert_array_equal(walls, [e.wall_time for e in events])
    assert "new/style" not in polled["exp"].tensors


def test_histograms_equal_event_accumulator(logdir: Path, polled: dict[str, RunData]) -> None:
    events = accumulator(logdir / "exp").Histograms("weights")
    ours = polled["exp"].histograms["weights"]
    assert len(ours) == len(events) == 3
    for mine, theirs in zip(ours, events, strict=True):
        h = theirs.histogram_value
        assert (mine["step"], mine["wall_time"]) == (theirs.step, theirs.wall_time)
        assert (mine["min"], mine["max"], mine["num"], mine["sum"], mine["sum_squares"]) == (
            h.min, h.max, h.num, h.sum, h.sum_squares)
        np.testing.assert_array_equal(mine["bucket_limits"], h.bucket_limit)
        np.testing.assert_array_equal(mine["bucket_counts"], h.bucket)


def test_images_equal_event_accumulator(logdir: Path, polled: dict[str, RunData]) -> None:
    events = accumulator(logdir / "exp").Images("sample")
    ours = polled["exp"].images["sample"]
    assert len(ours) == len(events) == 3
    for mine, theirs in zip(ours, events, strict=True):
        assert mine["png"] == theirs.encoded_image_string
        assert (mine["step"], mine["wall_time"], mine["width"], mine["height"]) == (
            theirs.step, theirs.wall_time, 12, 8) == (
            theirs.step, theirs.wall_time, theirs.width, theirs.height)
        assert mine["format"] == "png"


def test_text_pr_curves_and_hparams(logdir: Path, polled: dict[str, RunData]) -> None:
    ea = accumulator(logdir / "exp")
    text = polled["exp"].text["notes/text_summary"]
    assert [t["text"] for t in text] == [f"step **{s}** ✓" for s in (0, 10, 20)]
    assert [t["step"] for t in text] == [e.step for e in ea.Tensors("notes/text_summary")]
    curves = polled["exp"].tensors["pr"]
    for mine, theirs in zip(curves, ea.Tensors("pr"), strict=True):
        assert mine["plugin"] == "pr_curves" and mine["array"].shape[0] == 6
        np.testing.assert_array_equal(mine["array"], make_ndarray(theirs.tensor_proto))
    (run,) = [r for r in polled if r.startswith("exp/") and "Loss" not in r]
    expected = accumulator(logdir / run).PluginTagToContent("hparams")
    ours = polled[run].plugin_data
    assert {tag: items[0]["content"] for tag, items in ours.items()} == expected
    assert polled[run].scalars["hparam/acc"][1].tolist() == [pytest.approx(0.9)]


def test_incremental_read_returns_only_new_points(tmp_path: Path) -> None:
    with SummaryWriter(str(tmp_path)) as w:
        for s in range(100):
            w.add_scalar("x", s, s)
        w.flush()
        reader = EventFileReader(event_file(tmp_path))
        assert reader.read_new().scalars["x"][0].tolist() == list(range(100))
        before = reader.bytes_read
        for s in range(100, 200):
            w.add_scalar("x", s, s)
        w.flush()
        steps, values, _ = reader.read_new().scalars["x"]
        assert steps.tolist() == list(range(100, 200)) and values.tolist() == list(range(100, 200))
        assert reader.bytes_read - before == reader.offset - before  # only new bytes were read
    assert not reader.read_new()


def test_small_reads_give_the_same_data(logdir: Path, polled: dict[str, RunData],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tfevents, "_READ_SIZE", 100)  # smaller than the image records
    small = LogdirReader(logdir).poll()["exp"]
    whole = polled["exp"]
    for tag, arrays in whole.scalars.items():
        for mine, theirs in zip(small.scalars[tag], arrays, strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert [i["png"] for i in small.images["sample"]] == [i["png"] for i in whole.images["sample"]]
    assert len(small.histograms["weights"]) == 3


def test_poll_picks_up_new_files_and_new_runs(tmp_path: Path) -> None:
    reader = LogdirReader(tmp_path, discover_interval=0)
    assert reader.poll() == {} and reader.runs() == []
    write_scalars(tmp_path / "a", range(10))
    assert reader.poll()["a"].scalars["loss"][0].tolist() == list(range(10))
    write_scalars(tmp_path / "a", range(10, 15))  # a second writer: a second file
    write_scalars(tmp_path / "b" / "deep", range(3))
    new = reader.poll()
    assert new["a"].scalars["loss"][0].tolist() == list(range(10, 15))
    assert new["b/deep"].scalars["loss"][0].tolist() == [0, 1, 2]
    assert reader.runs() == ["a", "b/deep"] and reader.poll() == {}


def test_the_tree_is_walked_less_often_than_files_are_read(tmp_path: Path) -> None:
    write_scalars(tmp_path / "a", range(3))
    reader = LogdirReader(tmp_path, discover_interval=3600)
    assert list(reader.poll()) == ["a"]
    write_scalars(tmp_path / "b", range(3))
    assert reader.poll() == {}  # b is not looked for yet; known files still are
    assert list(reader.poll(discover=True)) == ["b"]


def test_walk_lists_only_folders_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_scalars(tmp_path / "a" / "x", range(3))
    old = time.time() - 3600
    for folder in (tmp_path, tmp_path / "a", tmp_path / "a" / "x"):
        os.utime(folder, (old, old))  # unchanged for an hour: listings of them are kept
    reader = LogdirReader(tmp_path, discover_interval=0)
    assert list(reader.poll()) == ["a/x"]
    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(os.fspath(p)) or real(p))
    assert reader.poll() == {} and listed == []  # nothing changed: stats only
    write_scalars(tmp_path / "a" / "x", range(3, 5))  # a new file: its folder's mtime changes
    write_scalars(tmp_path / "b", range(2))  # a new run: the logdir's mtime changes
    new = reader.poll()
    assert new["a/x"].scalars["loss"][0].tolist() == [3, 4] and new["b"].scalars["loss"][0].tolist() == [0, 1]
    assert sorted(listed) == sorted([str(tmp_path), str(tmp_path / "a" / "x"), str(tmp_path / "b")])


def test_idle_runs_are_looked_at_in_turns_active_ones_every_poll(tmp_path: Path) -> None:
    old = time.time() - 3600
    for name in ("idle", "busy"):
        write_scalars(tmp_path / name, range(3))
    os.utime(event_file(tmp_path / "idle"), (old, old))  # last written an hour ago
    reader = LogdirReader(tmp_path, discover_interval=1000)
    assert reader.poll(discover=True).keys() == {"busy", "idle"}
    for name in ("idle", "busy"):  # one more record in each: a copy of the last
        path = event_file(tmp_path / name)
        data = path.read_bytes()
        path.write_bytes(data + data[_record_offsets(data)[-1]:])
    os.utime(event_file(tmp_path / "idle"), (old, old))
    assert reader.poll().keys() == {"busy"}  # the idle run waits for its turn (within discover_interval)
    assert reader.poll(discover=True).keys() == {"idle"}  # a forced poll looks at every file


@pytest.mark.parametrize("cut", [5, 14, 200])  # in the data crc, the header, the middle
def test_partial_tail_is_not_damage(tmp_path: Path, cut: int) -> None:
    write_scalars(tmp_path / "w", range(20))
    whole = event_file(tmp_path / "w").read_bytes()
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(whole[:-cut])
    reader = EventFileReader(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = reader.read_new().scalars["loss"][0].tolist()
    assert first == list(range(len(first))) and len(first) < 20
    with path.open("ab") as f:  # the writer finishes the record(s)
        f.write(whole[-cut:])
    rest = reader.read_new().scalars["loss"][0].tolist()
    assert first + rest == list(range(20))
    assert reader.offset == len(whole) and not reader.damaged


def _record_offsets(data: bytes) -> list[int]:
    starts, _, _, _ = crc.frame(data)
    return [s - 12 for s in starts]


@pytest.mark.parametrize("where", ["length", "header_crc", "data", "data_crc"])
def test_corrupt_record_warns_and_keeps_what_came_before(tmp_path: Path, where: str) -> None:
    write_scalars(tmp_path / "w", range(20))
    data = bytearray(event_file(tmp_path / "w").read_bytes())
    offsets = _record_offsets(bytes(data))
    assert len(offsets) == 21  # the file_version event, then one per point
    bad = offsets[8]  # the record of step 7
    length = int.from_bytes(data[bad:bad + 8], "little")
    at = {"length": bad, "header_crc": bad + 9, "data": bad + 12 + length - 2,
          "data_crc": bad + 12 + length + 1}[where]
    data[at] ^= 0x10
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(bytes(data))
    reader = EventFileReader(path)
    with pytest.warns(NbmonitorWarning, match=rf"events\.out\.tfevents\.1\.host.* byte {bad}\b"):
        steps = reader.read_new().scalars["loss"][0]
    assert steps.tolist() == list(range(7))
    assert reader.damaged and reader.offset == bad
    assert not reader.read_new()  # a damaged file is not read further


def test_crc_matches_tensorboard() -> None:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    rng = np.random.default_rng(1)
    records = [rng.integers(0, 256, n, dtype=np.uint8).tobytes()
               for n in [0, 1, 3, 4, 5, 37, 255, 256, 257, 511, 512, 513, 3000, 70001]]
    buf = b"".join(records)
    lens = np.array([len(r) for r in records], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    got = crc.masked_crcs(np.frombuffer(buf, np.uint8), starts, lens)
    assert got.tolist() == [masked_crc32c(r) for r in records]


def test_run_data_merge() -> None:
    a = RunData(scalars={"x": (np.array([0]), np.array([1.0]), np.array([5.0]))},
                text={"t": [{"step": 0}]})
    b = RunData(scalars={"x": (np.array([1]), np.array([2.0]), np.array([6.0])),
                         "y": (np.array([1]), np.array([3.0]), np.array([6.0]))},
                text={"t": [{"step": 1}]})
    assert a.merge(b) is a
    assert [arr.tolist() for arr in a.scalars["x"]] == [[0, 1], [1.0, 2.0], [5.0, 6.0]]
    assert a.scalars["y"][1].tolist() == [3.0] and len(a.text["t"]) == 2
    assert not RunData() and a


def test_missing_tensorboard_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto.event_pb2", None)
    with pytest.raises(ImportError, match=r'pip install "nbmonitor\[tensorboard\]"'):
        EventFileReader(tmp_path / "events.out.tfevents.1")


WRITER = textwrap.dedent("""
    import sys, time
    from torch.utils.tensorboard import SummaryWriter
    logdir, n = sys.argv[1], int(sys.argv[2])
    time.sleep(0.3)  # let the reader poll an empty logdir first
    w = SummaryWriter(logdir + "/live", max_queue=5, flush_secs=1)
    for s in range(n):
        w.add_scalar("a", s, s)
        w.add_scalar("b/c", -s, s)
        if s % 17 == 0:
            w.flush()
            time.sleep(0.002)
    w.close()
""")


def test_tailing_a_writer_process_sees_every_point_once(tmp_path: Path) -> None:
    n = 1500
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "logs"), str(n)])
    (tmp_path / "logs").mkdir()
    reader = LogdirReader(tmp_path / "logs", discover_interval=0)
    total = RunData()
    polls = 0
    try:
        while proc.poll() is None:
            new = reader.poll()
            polls += bool(new)
            total.merge(new.get("live", RunData()))
            time.sleep(0.01)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == 0
    total.merge(reader.poll().get("live", RunData()))
    assert reader.runs() == ["live"]
    steps, values, walls = total.scalars["a"]
    np.testing.assert_array_equal(steps, np.arange(n))
    np.testing.assert_array_equal(values, np.arange(n))
    assert np.all(np.diff(walls) >= 0)
    np.testing.assert_array_equal(total.scalars["b/c"][1], -np.arange(n))
    assert polls > 1  # it really was read while being written
    assert os.path.getsize(reader._runs["live"][0].path) == reader._runs["live"][0].offset
