"""The SummaryWriter's own event-file writing (`tensorboard/eventfile.py`): scalar Events encoded
with numpy are the bytes protobuf writes, framed as tensorboard frames them, and TensorBoard's
EventAccumulator reads what the writer's fast path wrote."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.compat.proto.event_pb2 import Event  # noqa: E402
from tensorboard.compat.proto.summary_pb2 import Summary  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c  # noqa: E402

from nbmonitor.tensorboard import crc  # noqa: E402
from nbmonitor.tensorboard.eventfile import EventFile, scalar_prefix, scalar_records  # noqa: E402
from nbmonitor.tensorboard.events import EventFileReader  # noqa: E402


def _tf_record(data: bytes) -> bytes:
    """tensorboard's RecordWriter framing, with its own (pure Python) crc."""
    n = struct.pack("<Q", len(data))
    return n + struct.pack("<I", masked_crc32c(n)) + data + struct.pack("<I", masked_crc32c(data))


def test_scalar_records_are_the_bytes_protobuf_writes():
    tags = ["loss", "acc/é✓", "x" * 200, ""]  # one- and two-byte lengths; an empty tag is left out
    rng = np.random.default_rng(0)
    n = 2000
    ids = rng.integers(0, len(tags), n)
    steps = rng.choice([0, 1, 127, 128, 300, -1, 16383, 16384, 2**62, 2**63 - 1, -2**63], n).astype(np.int64)
    steps[:400] = np.arange(400)  # a stretch of growing steps, as a loop logs them
    ids[:400] = 0
    walls = rng.random(n) * 2e9
    values = rng.standard_normal(n).astype(np.float32)
    values[400:404] = [np.inf, -np.inf, np.nan, -0.0]
    got = scalar_records([scalar_prefix(t) for t in tags], ids, walls, steps, values).tobytes()
    want = b"".join(_tf_record(Event(wall_time=walls[i], step=int(steps[i]), summary=Summary(value=[
        Summary.Value(tag=tags[ids[i]], simple_value=values[i])])).SerializeToString()) for i in range(n))
    assert got == want
    one = scalar_records([scalar_prefix("t")], np.zeros(3, np.int64), walls[:3], np.arange(3), values[:3])
    assert one.tobytes() == b"".join(_tf_record(Event(wall_time=walls[i], step=i, summary=Summary(value=[
        Summary.Value(tag="t", simple_value=values[i])])).SerializeToString()) for i in range(3))


def test_masked_crc_with_and_without_google_crc32c(monkeypatch):
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert crc.masked_crc(data) == masked_crc32c(data)
        monkeypatch.setattr(crc, "_GCRC", None)  # as if google-crc32c were not installed
        assert crc.masked_crc(data) == masked_crc32c(data)
        monkeypatch.undo()
    rows = np.frombuffer(bytes(range(200)), np.uint8).reshape(8, 25)
    assert crc.masked_crc_rows(rows).tolist() == [masked_crc32c(r.tobytes()) for r in rows]


def test_event_file_names_first_record_and_reopen(tmp_path):
    f = EventFile(str(tmp_path), filename_suffix=".v2")
    g = EventFile(str(tmp_path), filename_suffix=".v2")  # same second, same process: another name
    assert f.path != g.path and f.path.endswith(".v2") and "events.out.tfevents." in f.path
    f.add_event(Event(step=3, wall_time=1.5, summary=Summary(value=[Summary.Value(tag="a", simple_value=2.0)])))
    f.close()
    with pytest.raises(OSError):
        f.write(b"x")
    f.reopen()
    assert f.path != g.path and not f.closed
    f.close()
    g.close()
    first, second = (Event.FromString(r) for r in _records(sorted(tmp_path.iterdir())[0].read_bytes())[:2])
    assert first.file_version == "brain.Event:2" and first.source_metadata.writer == "nbmonitor"
    assert second.summary.value[0].simple_value == 2.0 and second.step == 3


def _records(data: bytes) -> list[bytes]:
    starts, lens, _, damaged = crc.frame(data)
    assert not damaged
    return [data[s:s + n] for s, n in zip(starts, lens, strict=True)]


def test_event_accumulator_reads_the_writers_fast_scalars(tmp_path):
    pytest.importorskip("torch")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from nbmonitor import SummaryWriter

    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    want: dict[str, list[tuple[int, float]]] = {"loss": [], "acc/top1": [], "é✓": [], "nostep": []}
    for i in range(3000):  # interleaved tags, steps crossing varint widths
        w.add_scalar("loss", 1.0 / (i + 1), i)
        want["loss"].append((i, 1.0 / (i + 1)))
        if i % 3 == 0:
            w.add_scalar("acc/top1", i * 1e-3, i * 1000)
            want["acc/top1"].append((i * 1000, i * 1e-3))
    for k, v in enumerate([math.inf, -math.inf, 1e300, -5]):
        w.add_scalar("é✓", v, -k, walltime=1e9 + k)
        want["é✓"].append((-k, v))
    w.add_scalar("nostep", 7.0)
    want["nostep"].append((0, 7.0))
    w.add_scalar("loss", 0.25, 3000, double_precision=True)  # the slow path, in the same drain
    want["loss"].append((3000, 0.25))
    w.add_scalars("pair", {"a": 1.0, "b": 2.0}, 5)
    w.add_histogram("h", np.arange(10.0), 1)  # another kind between scalars
    w.add_scalar("loss", 0.125, 3001)
    want["loss"].append((3001, 0.125))
    w.add_scalar("bad\ud800", 1.0, 1)  # no UTF-8 for it: reported, the rest written
    w.close()
    assert any("bad" in e for e in w.errors)
    acc = EventAccumulator(str(tmp_path / "exp"), size_guidance={"scalars": 0})
    acc.Reload()
    assert sorted(acc.Tags()["scalars"]) == sorted(want)
    for tag, points in want.items():
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        with np.errstate(over="ignore"):  # 1e300 is inf as a float32, in torch's files too
            assert got == [(s, float(np.float32(v))) for s, v in points], tag
    assert [e.wall_time for e in acc.Scalars("é✓")] == [1e9 + k for k in range(4)]
    for sub, value in (("pair_a", 1.0), ("pair_b", 2.0)):
        a = EventAccumulator(str(tmp_path / "exp" / sub))
        a.Reload()
        assert [(e.step, e.value) for e in a.Scalars("pair")] == [(5, value)]
    (path,) = (tmp_path / "exp").glob("events.out.tfevents.*")
    ours = EventFileReader(path).read_new()
    assert ours.scalars["loss"][0].tolist() == [s for s, _ in want["loss"]]
    run = w.source.run(w.source.name)
    assert run.read_series(["loss"])["loss"].steps.tolist() == [s for s, _ in want["loss"]]
