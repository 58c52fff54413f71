"""The event-file reader's numpy fast path (`tensorboard/scan.py`) reads what protobuf reads.

Files big enough for the pattern-predicted blocks (thousands of records), mixing everything
that must leave the fast path: other kinds between scalars, tensor scalars of the same tag,
tags of equal length and equal ends, step widths changing, damage and partial tails.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.compat.proto.event_pb2 import Event  # noqa: E402
from tensorboard.compat.proto.summary_pb2 import Summary  # noqa: E402

from nbmonitor.errors import NbmonitorWarning  # noqa: E402
from nbmonitor.tensorboard import crc, scan  # noqa: E402
from nbmonitor.tensorboard.eventfile import EventFile, scalar_prefix, scalar_records  # noqa: E402
from nbmonitor.tensorboard.events import EventFileReader  # noqa: E402

LONG_A = "metrics/" + "a" * 20 + "/x"  # same length, same first and last 8 bytes
LONG_B = "metrics/" + "b" * 20 + "/x"


def _record(data: bytes) -> bytes:
    n = len(data)
    return struct.pack("<QI", n, crc.header_crc(n)) + data + struct.pack("<I", crc.masked_crc(data))


def _scalar(tag: str, step: int, value: float, wall: float) -> bytes:
    return _record(Event(wall_time=wall, step=step, summary=Summary(value=[
        Summary.Value(tag=tag, simple_value=value)])).SerializeToString())


def _reference(data: bytes) -> dict[str, list[tuple[int, float, float]]]:
    """Every simple_value point, parsed by protobuf record by record."""
    starts, lens, _, damaged = crc.frame(data)
    assert not damaged
    out: dict[str, list[tuple[int, float, float]]] = {}
    for s, n in zip(starts, lens, strict=True):
        ev = Event.FromString(data[s:s + n])
        for v in ev.summary.value:
            if v.WhichOneof("value") == "simple_value":
                out.setdefault(v.tag, []).append((ev.step, v.simple_value, ev.wall_time))
    return out


def _ours(path: Path, **kw) -> dict[str, list[tuple[int, float, float]]]:
    data = EventFileReader(path, **kw).read_new()
    return {tag: list(zip(s.tolist(), v.tolist(), w.tolist(), strict=True)) for tag, (s, v, w) in data.scalars.items()}


def _mixed_file(folder: Path, n: int = 6000) -> tuple[Path, bytes]:
    rng = np.random.default_rng(1)
    f = EventFile(str(folder))
    tags = ["loss", "acc", LONG_A, LONG_B, "", "é✓/x"]
    for start in range(0, n, 1000):  # stretches from the fast encoder, steps crossing varint widths
        k = np.arange(start, start + 1000)
        ids = k % len(tags)
        steps = (k // len(tags)) * np.where(k < 3000, 1, 997) - (k == 4000) * 10**12
        f.write_framed(scalar_records([scalar_prefix(t) for t in tags], ids, 1.7e9 + k * 1e-3, steps,
                                      rng.standard_normal(1000).astype(np.float32)))
        # between stretches: an image, a scalar of a known tag with metadata (protobuf's), a graph
        f.write(Event(step=start, summary=Summary(value=[Summary.Value(
            tag="img", image=Summary.Image(height=1, width=1, encoded_image_string=b"\x89PNG"))])).SerializeToString())
        meta = Summary.Value(tag="acc", simple_value=0.5)
        meta.metadata.plugin_data.plugin_name = "scalars"
        f.write(Event(step=start, wall_time=1.0, summary=Summary(value=[meta])).SerializeToString())
        f.write(Event(step=start, graph_def=b"graph").SerializeToString())
    f.close()
    return Path(f.path), Path(f.path).read_bytes()


def test_mixed_file_reads_as_protobuf_reads_it(tmp_path):
    path, data = _mixed_file(tmp_path)
    want = _reference(data)
    got = _ours(path)
    assert sorted(got) == sorted(want)
    for tag in want:
        assert got[tag] == want[tag], tag
    assert sum(len(v) for v in got.values()) > 6000
    b = scan.Bytes(data)
    starts, _, blocks, end, damaged = scan.frame_records(b)
    assert blocks and end == len(data) and not damaged  # the fast path was taken
    done = np.zeros(len(starts), bool)
    scan.decode_blocks(b, blocks, done)
    assert done.sum() > 5000


@pytest.mark.parametrize("period", [1, 3, 7])
def test_long_stretches_with_every_period(tmp_path, period):
    tags = [f"t{i}" * (i + 1) for i in range(period)]
    n = 5000
    k = np.arange(n)
    data = scalar_records([scalar_prefix(t) for t in tags], k % period, 1e9 + k, k // period,
                          (k * 0.25).astype(np.float32)).tobytes()
    path = tmp_path / "events.out.tfevents.1"
    path.write_bytes(data)
    assert _ours(path) == _reference(data)


def test_a_damaged_record_inside_a_block_stops_the_read_there(tmp_path):
    k = np.arange(5000)
    data = bytearray(scalar_records([scalar_prefix("loss")], np.zeros(5000, np.int64), 1e9 + k, k,
                                    k.astype(np.float32)).tobytes())
    starts, lens, _, _ = crc.frame(bytes(data))
    at = starts[3000] - 12  # record 3000's header
    data[starts[3000] + lens[3000] - 2] ^= 0x01  # a byte of its value: its crc no longer matches
    path = tmp_path / "events.out.tfevents.1"
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = EventFileReader(path)
        got = reader.read_new()
    assert got.scalars["loss"][0].tolist() == list(range(3000))
    assert reader.damaged and reader.offset == at
    assert any(issubclass(w.category, NbmonitorWarning) and f"byte {at}" in str(w.message) for w in caught)
    assert _ours(path, verify_data_crc=False)["loss"][3000][0] == 3000  # unchecked: read on


def test_partial_tail_then_the_rest(tmp_path):
    k = np.arange(4000)
    data = scalar_records([scalar_prefix("a"), scalar_prefix("bb")], k % 2, 1e9 + k, k // 2,
                          k.astype(np.float32)).tobytes()
    path = tmp_path / "events.out.tfevents.1"
    cut = len(data) // 2 + 7
    path.write_bytes(data[:cut])
    reader = EventFileReader(path)
    first = reader.read_new()
    with path.open("ab") as f:
        f.write(data[cut:])
    second = reader.read_new()
    both = {t: np.concatenate([first.scalars[t][0], second.scalars[t][0]]).tolist() for t in ("a", "bb")}
    assert both == {"a": list(range(2000)), "bb": list(range(2000))}
    assert not reader.damaged


def test_scalar_records_with_unusual_field_order_go_to_protobuf(tmp_path):
    """A valid Event whose fields are not in protobuf's order (another writer's) still reads right."""
    value = b"\x15" + struct.pack("<f", 2.5) + b"\x0a\x01z"  # simple_value before the tag
    summary = b"\x0a" + bytes([len(value)]) + value
    odd = b"\x10\x07" + b"\x09" + struct.pack("<d", 5.0) + b"\x2a" + bytes([len(summary)]) + summary
    k = np.arange(3000)
    data = scalar_records([scalar_prefix("z")], np.zeros(3000, np.int64), 1e9 + k, k, k.astype(np.float32)).tobytes()
    data += _record(odd) + _scalar("z", 3001, 1.0, 6.0)
    path = tmp_path / "events.out.tfevents.1"
    path.write_bytes(data)
    got = _ours(path)
    assert got == _reference(data)
    assert got["z"][-2:] == [(7, 2.5, 5.0), (3001, 1.0, 6.0)]
