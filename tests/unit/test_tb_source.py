"""TensorBoardSource: event files written by torch's SummaryWriter, read as nbmonitor runs.

Every value read is checked against what the tensorboard package's own
EventAccumulator reads from the same files.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

import nbmonitor as nbm  # noqa: E402
from nbmonitor import NbmonitorWarning  # noqa: E402
from nbmonitor.sources import open_source  # noqa: E402
from nbmonitor.store import check_run_id  # noqa: E402
from nbmonitor.tensorboard.source import TensorBoardSource, tb_run_id  # noqa: E402

KEEP_ALL = {ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.TENSORS: 0,
            ea.COMPRESSED_HISTOGRAMS: 0, ea.AUDIO: 0}


def accumulator(path: Path) -> ea.EventAccumulator:
    acc = ea.EventAccumulator(str(path), size_guidance=KEEP_ALL)
    acc.Reload()
    return acc


@pytest.fixture
def logdir(tmp_path):
    """Two runs written by torch's SummaryWriter: scalars (with add_scalars sub-runs), media."""
    root = tmp_path / "logs"
    rng = np.random.default_rng(0)
    w = SummaryWriter(str(root / "ex1"))
    for i in range(0, 300, 3):  # steps with gaps
        w.add_scalar("Loss/train", float(rng.normal()), i)
        if i % 2 == 0:
            w.add_scalar("Loss/val", float(rng.normal()), i)
        w.add_scalars("Acc", {"train": float(rng.random()), "val": float(rng.random())}, i)
    w.add_scalar("special", float("nan"), 1000)
    w.add_scalar("special", float("inf"), 1001)
    w.add_scalar("special", -float("inf"), 1002)
    w.add_scalar("special", 1e-30, 1003)
    for step in range(3):
        w.add_histogram("layer/weight", torch.randn(500) * (step + 1), step)
        w.add_histogram("layer/bias", np.arange(10.0) + step, step, bins="auto")
        w.add_image("sample", torch.rand(3, 6, 5), step)
        w.add_text("notes", f"step **{step}** <b>", step)
        w.add_pr_curve("pr", torch.randint(0, 2, (200,)), torch.rand(200), step)
    w.add_histogram("constant", torch.zeros(20), 0)
    w.close()
    w = SummaryWriter(str(root / "deep" / "ex2"))
    for i in range(50):
        w.add_scalar("x", i * 0.5, i)
    w.close()
    return root


def test_runs_named_as_tensorboard_names_them(logdir):
    src = TensorBoardSource(logdir)
    runs = src.list_runs()
    assert [r.name for r in runs] == ["deep/ex2", "ex1", "ex1/Acc_train", "ex1/Acc_val"]
    for r in runs:
        assert r.project == "logs"
        assert check_run_id(r.id) == r.id == tb_run_id(r.name)
        assert r.state == "active"  # just written
        assert r.created <= r.updated
    assert TensorBoardSource(logdir).list_runs()[1].id == runs[1].id  # stable across readers
    assert src.list_runs(project="other") == []
    assert [r.name for r in src.find_runs("ex1")] == ["ex1"]
    assert [r.name for r in src.find_runs(runs[0].id)] == ["deep/ex2"]
    assert isinstance(open_source(logdir), TensorBoardSource)


def test_state_idle_when_files_stop_growing(logdir):
    src = TensorBoardSource(logdir, running_window=0.5)
    time.sleep(0.6)
    assert {r.state for r in src.list_runs()} == {"idle"}  # a logdir never says "finished"


def _closed_run(folder: Path, gap_s: float, n: int = 30) -> float:
    """A closed writer whose scalars were logged `gap_s` apart, its files last written 20 s ago."""
    t0 = time.time() - 20 - n * gap_s
    w = SummaryWriter(str(folder))
    for i in range(n):
        w.add_scalar("loss", 1.0 / (i + 1), i, walltime=t0 + i * gap_s)
    w.close()
    mtime = time.time() - 20
    for f in folder.iterdir():
        os.utime(f, (mtime, mtime))
    return t0


def test_state_is_active_while_the_writers_cadence_says_it_may_still_flush(tmp_path):
    """Idle after 3 flush intervals guessed from the events' wall times (>= 15 s, <= 120 s): a run logging
    every 0.1 s whose files stopped 20 s ago is idle; one logging every minute may still be buffering."""
    from nbmonitor.ui.static import state_label

    t_fast = _closed_run(tmp_path / "logs" / "fast", 0.1)
    _closed_run(tmp_path / "logs" / "slow", 60.0)
    src = TensorBoardSource(tmp_path / "logs")
    runs = {r.name: r for r in src.list_runs()}
    assert runs["fast"].state == "idle" and runs["slow"].state == "active"
    fast = runs["fast"]
    assert fast.created == pytest.approx(t_fast) and fast.updated == pytest.approx(t_fast + 29 * 0.1)
    assert abs(fast.heartbeat - (time.time() - 20)) < 5  # the files' mtime: what "idle since" shows
    assert state_label(fast).startswith("idle since ") and state_label(runs["slow"]) == "active"


def test_scalars_equal_event_accumulator(logdir):
    src = TensorBoardSource(logdir)
    for rec in src.list_runs():
        acc = accumulator(logdir / rec.name)
        tags = acc.Tags()["scalars"]
        assert sorted(src.keys(rec.id)) == sorted(tags)
        series = src.read_series(rec.id)
        for tag in tags:
            expected = acc.Scalars(tag)
            ch = series[tag]
            assert ch.start == 0 and len(ch) == len(expected) == src.keys(rec.id)[tag]
            assert ch.steps.tolist() == [e.step for e in expected]
            assert ch.times.tolist() == [e.wall_time for e in expected]
            np.testing.assert_array_equal(ch.values, [e.value for e in expected])  # NaN == NaN here
    special = src.read_series(tb_run_id("ex1"), ["special"])["special"].values
    assert math.isnan(special[0]) and special[1] == math.inf and special[2] == -math.inf


def test_history_dataframe_equals_event_accumulator(logdir):
    df = nbm.get_run("ex1", dir=logdir).history()
    acc = accumulator(logdir / "ex1")
    assert list(df.columns[:2]) == ["_step", "_timestamp"]
    assert sorted(df.columns[2:]) == sorted(acc.Tags()["scalars"])
    for tag in acc.Tags()["scalars"]:
        col = df.set_index("_step")[tag].dropna()
        expected = [e for e in acc.Scalars(tag) if not math.isnan(e.value)]
        assert col.index.tolist() == [e.step for e in expected]
        assert col.tolist() == [e.value for e in expected]
    frame = nbm.runs(dir=logdir)
    assert frame["name"].tolist() == ["deep/ex2", "ex1", "ex1/Acc_train", "ex1/Acc_val"]
    assert set(frame["state"]) == {"active"}
    view = nbm.get_run("deep/ex2", dir=logdir)
    assert view.keys() == ["x"] and view.history()["x"].tolist() == [i * 0.5 for i in range(50)]


def test_histograms_equal_tensorboards_own_conversion(logdir):
    from tensorboard import data_compat
    from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
    from tensorboard.util.tensor_util import make_ndarray

    src = TensorBoardSource(logdir)
    acc = accumulator(logdir / "ex1")
    events = src.read_events(tb_run_id("ex1"), kinds=["histogram"])
    tags = acc.Tags()["histograms"]
    assert sorted({e.key for e in events}) == sorted(tags)
    for tag in tags:
        mine = [e for e in events if e.key == tag]
        theirs = acc.Histograms(tag)
        assert [(e.step, e.time) for e in mine] == [(h.step, h.wall_time) for h in theirs]
        for e, h in zip(mine, theirs):
            hv = h.histogram_value
            p = e.payload
            assert set(p) == {"edges", "counts", "min", "max", "num", "sum"}
            assert (p["min"], p["max"], p["num"], p["sum"]) == (hv.min, hv.max, hv.num, hv.sum)
            assert sum(p["counts"]) == hv.num == sum(hv.bucket)
            assert len(p["edges"]) == len(p["counts"]) + 1
            assert p["edges"] == sorted(p["edges"])  # no backwards bucket, no ±DBL_MAX
            proto = HistogramProto(min=hv.min, max=hv.max, num=hv.num, sum=hv.sum,
                                   sum_squares=hv.sum_squares, bucket_limit=hv.bucket_limit,
                                   bucket=hv.bucket)
            migrated = data_compat.migrate_value(Summary.Value(tag=tag, histo=proto))
            buckets = make_ndarray(migrated.tensor)  # TensorBoard's (left, right, count) rows
            np.testing.assert_allclose(p["edges"][:-1], buckets[:, 0], rtol=1e-6)
            np.testing.assert_allclose(p["edges"][1:], buckets[:, 1], rtol=1e-6)
            np.testing.assert_array_equal(p["counts"], buckets[:, 2])


def test_images_text_pr_curves_equal_event_accumulator(logdir):
    from tensorboard.util.tensor_util import make_ndarray

    src = TensorBoardSource(logdir)
    acc = accumulator(logdir / "ex1")
    events = src.read_events(tb_run_id("ex1"))
    assert [e.seq for e in events] == list(range(len(events)))

    images = [e for e in events if e.kind == "image"]
    theirs = acc.Images("sample")
    assert len(images) == len(theirs) == 3
    for e, im in zip(images, theirs):
        assert (e.key, e.step, e.time) == ("sample", im.step, im.wall_time)
        assert e.files["image.png"] == im.encoded_image_string
        assert e.files["image.png"].startswith(b"\x89PNG")
        assert e.payload == {"caption": None, "width": im.width, "height": im.height, "format": "png"}

    texts = [e for e in events if e.kind == "text"]
    tt = acc.Tensors("notes/text_summary")
    assert [t.payload["text"] for t in texts] == [make_ndarray(t.tensor_proto).item().decode() for t in tt]
    assert texts[1].payload == {"text": "step **1** <b>"}

    prs = [e for e in events if e.kind == "pr_curve"]
    tp = acc.Tensors("pr")
    assert [(e.step, e.time) for e in prs] == [(t.step, t.wall_time) for t in tp]
    for e, t in zip(prs, tp):
        data = make_ndarray(t.tensor_proto)  # rows: tp, fp, tn, fn, precision, recall
        p = e.payload
        n = len(p["thresholds"])
        assert set(p) == {"precision", "recall", "thresholds", "tp", "fp", "tn", "fn"}
        for i, name in enumerate(["tp", "fp", "tn", "fn", "precision", "recall"]):
            np.testing.assert_array_equal(p[name], data[i, :n])
        np.testing.assert_allclose(p["thresholds"], np.linspace(0, 1, data.shape[1])[:n])
        assert (data[0, n:] + data[1, n:] == 0).all()  # only the undefined tail is trimmed

    assert src.read_events(tb_run_id("ex1"), since=len(events)) == []
    assert [e.seq for e in src.read_events(tb_run_id("ex1"), since=5)] == list(range(5, len(events)))


def test_hparams_become_config_and_an_event(tmp_path):
    w = SummaryWriter(str(tmp_path / "hp"))
    w.add_hparams({"lr": 0.1, "opt": "adam", "nesterov": True}, {"hp/acc": 0.75}, run_name="trial")
    w.close()
    src = TensorBoardSource(tmp_path / "hp")
    (rec,) = [r for r in src.list_runs() if r.name == "trial"]
    assert rec.config == {"lr": 0.1, "opt": "adam", "nesterov": True}
    (ev,) = src.read_events(rec.id, kinds=["hparams"])
    assert ev.payload == {"hparams": rec.config, "metrics": {"hp/acc": 0.75}}


def test_incremental_reads_cost_only_new_bytes(tmp_path):
    w = SummaryWriter(str(tmp_path / "run"))
    for i in range(100):
        w.add_scalar("a", i, i)
    w.flush()
    src = TensorBoardSource(tmp_path, poll_interval=0)
    rid = tb_run_id("run")
    assert len(src.read_series(rid)["a"]) == 100
    read = src._reader.bytes_read
    assert src.read_series(rid, since={"a": 100}) == {}
    assert src._reader.bytes_read == read  # nothing new: nothing read
    for i in range(100, 150):
        w.add_scalar("a", i, i)
    w.flush()
    ch = src.read_series(rid, since={"a": 100})["a"]
    assert ch.start == 100 and ch.steps.tolist() == list(range(100, 150))
    grown = src._reader.bytes_read - read
    w.close()
    size = sum(f.stat().st_size for f in (tmp_path / "run").iterdir())
    assert grown < size / 2  # only the appended records were read


WRITER = textwrap.dedent("""
    import sys, time
    from torch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(sys.argv[1], flush_secs=3600)
    n = 0
    for batch in range(int(sys.argv[2])):
        for _ in range(200):
            w.add_scalar("loss", n * 0.25, n)
            n += 1
        w.flush()
        time.sleep(0.01)
    w.close()
""")


def test_tailing_a_growing_file_loses_and_repeats_nothing(tmp_path):
    logdir = tmp_path / "tail"
    batches = 40
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(logdir / "run"), str(batches)])
    try:
        src = TensorBoardSource(logdir, poll_interval=0)
        rid = tb_run_id("run")
        cursor = {}
        steps, values, reads = [], [], 0
        deadline = time.time() + 60
        while time.time() < deadline:
            done = child.poll() is not None
            for key, ch in src.read_series(rid, since=cursor).items():
                assert ch.start == cursor.get(key, 0)  # contiguous: no gap, no overlap
                cursor[key] = ch.start + len(ch)
                steps += ch.steps.tolist()
                values += ch.values.tolist()
                reads += 1
            if done and len(steps) == batches * 200:
                break
            time.sleep(0.005)
    finally:
        child.wait(timeout=30)
    assert child.returncode == 0
    n = batches * 200
    assert steps == list(range(n))
    assert values == [i * 0.25 for i in range(n)]
    assert reads > 1  # it really tailed, not one read at the end
    assert src.keys(rid) == {"loss": n}


def test_truncated_file_is_a_writer_still_writing(tmp_path):
    w = SummaryWriter(str(tmp_path / "run"))
    for i in range(20):
        w.add_scalar("a", i, i)
    w.close()
    (path,) = (tmp_path / "run").iterdir()
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # the last record cut short: no warning, read later
    src = TensorBoardSource(tmp_path, poll_interval=0)
    rid = tb_run_id("run")
    assert src.keys(rid) == {"a": 19}
    path.write_bytes(data)
    assert src.read_series(rid, since={"a": 19})["a"].steps.tolist() == [19]


def test_corrupt_file_is_read_up_to_the_damage_with_a_warning(tmp_path):
    w = SummaryWriter(str(tmp_path / "run"))
    for i in range(20):
        w.add_scalar("a", i, i)
    w.close()
    (path,) = (tmp_path / "run").iterdir()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    src = TensorBoardSource(tmp_path, poll_interval=0)
    with pytest.warns(NbmonitorWarning, match="damaged"):
        n = src.keys(tb_run_id("run"))["a"]
    assert 0 < n < 20
    assert src.read_series(tb_run_id("run"))["a"].steps.tolist() == list(range(n))


def test_runs_appearing_later_are_found(tmp_path):
    (tmp_path / "logs").mkdir()
    w = SummaryWriter(str(tmp_path / "logs" / "a"))
    w.add_scalar("x", 1, 0)
    w.flush()
    src = TensorBoardSource(tmp_path / "logs", poll_interval=0)
    assert [r.name for r in src.list_runs()] == ["a"]
    w2 = SummaryWriter(str(tmp_path / "logs" / "b"))
    w2.add_scalar("y", 2, 0)
    w2.flush()
    assert [r.name for r in src.list_runs()] == ["a", "b"]
    w.close()
    w2.close()
    assert src.read_series("no-such-run") == {} and src.read_events("no-such-run") == []
    assert src.keys("no-such-run") == {}


def test_events_kept_per_tag_are_bounded(tmp_path):
    w = SummaryWriter(str(tmp_path / "run"))
    for step in range(30):
        w.add_histogram("a", np.arange(5.0) + step, step)
        if step % 3 == 0:
            w.add_text("b", f"t{step}", step)
    w.close()
    src = TensorBoardSource(tmp_path, max_events_per_key=4)
    events = src.read_events(tb_run_id("run"))
    assert [(e.key, e.step) for e in events if e.key == "a"] == [("a", s) for s in range(26, 30)]
    assert [e.step for e in events if e.key.startswith("b")] == [18, 21, 24, 27]
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and seqs[-1] == 39  # seqs keep counting: cursors stay valid
    assert [e.seq for e in src.read_events(tb_run_id("run"), since=seqs[3])] == seqs[3:]
    everything = TensorBoardSource(tmp_path, max_events_per_key=None).read_events(tb_run_id("run"))
    assert len(everything) == 40


# -- graphs and embeddings (add_graph's GraphDef, add_embedding's projector files) ------
class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.act = torch.nn.ReLU()
        self.head = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))

    def forward(self, x):
        return self.head(self.act(self.fc1(x)))


def _shape(tree: dict) -> tuple:
    return (tree["name"], tree["type"], tuple(_shape(c) for c in tree["children"]))


@pytest.fixture
def projector_logdir(tmp_path):
    """torch's SummaryWriter: a scalar, a graph and an embedding with labels and label images."""
    root = tmp_path / "proj"
    w = SummaryWriter(str(root / "r"))
    for i in range(5):
        w.add_scalar("loss", 1.0 / (i + 1), i)
    w.add_graph(_Net(), torch.zeros(2, 4))
    mat = torch.randn(25, 6)
    w.add_embedding(mat, metadata=[f"c{i % 3}" for i in range(25)], label_img=torch.rand(25, 3, 8, 8),
                    global_step=4, tag="feat/x")
    w.flush()
    yield root, w, mat
    w.close()


def test_graph_def_kept_by_the_reader(projector_logdir):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from nbmonitor.tensorboard.logdir import LogdirReader

    root, _, _ = projector_logdir
    reader = LogdirReader(root)
    (g,) = reader.poll()["r"].graphs
    assert g["step"] == 0 and g["wall_time"] > 0
    gd = GraphDef()
    gd.ParseFromString(g["graph_def"])
    assert any("Linear[fc1]" in n.name for n in gd.node)
    assert reader.poll() == {}  # read once


def test_graph_event_names_the_models_modules(projector_logdir):
    from nbmonitor.tensorboard.writer_args import module_tree

    root, _, _ = projector_logdir
    src = TensorBoardSource(root)
    (run,) = src.list_runs()
    (ev,) = src.read_events(run.id, kinds=["graph"])
    assert (ev.key, ev.step, ev.files) == ("graph", 0, {})
    tree = ev.payload["tree"]
    assert _shape(tree) == _shape(module_tree(_Net()))  # as the live writer's tree, less the counts
    assert [c["name"] for c in tree["children"]] == ["fc1", "act", "head"]
    assert [(c["name"], c["type"]) for c in tree["children"][2]["children"]] == [
        ("0", "Linear"), ("1", "Tanh"), ("2", "Linear")]
    assert run.summary["graph"] == {"_type": "graph"}


def test_embedding_event_from_the_projector_files(projector_logdir):
    from PIL import Image as PILImage

    from nbmonitor.tensorboard.payloads import pca_2d

    root, _, mat = projector_logdir
    src = TensorBoardSource(root)
    (run,) = src.list_runs()
    (ev,) = src.read_events(run.id, kinds=["embedding"])
    assert (ev.key, ev.step) == ("feat/x", 4)
    points = np.array(ev.payload["points"])
    assert points.shape == (25, 2) and np.abs(points).max() <= 1.0
    assert np.allclose(points, np.round(pca_2d(mat.numpy()), 4), atol=2e-4)  # tsv keeps ~7 digits
    assert ev.payload["labels"] == [f"c{i % 3}" for i in range(25)] and ev.payload["header"] is None
    assert ev.payload["thumb"] == [8, 8] and ev.files["sprite.png"].startswith(b"\x89PNG")
    sprite = PILImage.open(io.BytesIO(ev.files["sprite.png"]))
    assert sprite.size == (5 * 8, 5 * 8)  # 25 label images of 8x8 in a 5x5 sprite, as torch wrote them
    assert abs(ev.time - time.time()) < 600
    assert run.summary["feat/x"] == {"_type": "embedding"}


def test_graph_and_embeddings_are_read_once_and_new_ones_picked_up(projector_logdir, monkeypatch):
    import nbmonitor.tensorboard.source as tb

    root, w, _ = projector_logdir
    reads = []
    real = tb.projector_entry
    monkeypatch.setattr(tb, "projector_entry", lambda folder, e: reads.append(e.tensor_name) or real(folder, e))
    src = TensorBoardSource(root)
    (run,) = src.list_runs()
    first = src.read_events(run.id)
    assert [e.kind for e in first] == ["graph", "embedding"] and reads == ["feat/x:00004"]
    src.refresh()
    src.refresh()
    assert src.read_events(run.id, since=first[-1].seq + 1) == [] and len(src.read_events(run.id)) == 2
    assert reads == ["feat/x:00004"]  # an unchanged config: no tsv read again
    # a second embedding (same writer: torch rewrites the config with both entries)
    w.add_embedding(np.eye(5), metadata_header=["name", "n"],
                    metadata=[[f"p{i}", str(i)] for i in range(5)], global_step=9, tag="other")
    w.add_scalar("loss", 0.1, 5)
    w.flush()
    src.refresh()
    (new,) = src.read_events(run.id, since=first[-1].seq + 1, kinds=["embedding"])
    assert reads == ["feat/x:00004", "other:00009"]
    assert (new.key, new.step, new.files) == ("other", 9, {})
    assert new.payload["header"] == ["name", "n"] and new.payload["labels"][2] == ["p2", "2"]
    assert len(new.payload["points"]) == 5 and "thumb" not in new.payload
    assert [e.kind for e in src.read_events(run.id)] == ["graph", "embedding", "embedding"]
    assert src.keys(run.id) == {"loss": 6}


def test_embeddings_of_a_run_with_no_events_but_the_file_header(tmp_path):
    w = SummaryWriter(str(tmp_path / "only"))
    w.add_embedding(torch.randn(4, 3), global_step=1)
    w.close()
    src = TensorBoardSource(tmp_path)
    (run,) = src.list_runs()
    (ev,) = src.read_events(run.id)
    assert (run.name, ev.kind, ev.key, ev.step, ev.payload["labels"]) == ("only", "embedding", "default", 1, None)
    assert run.created > 0


def test_get_run_on_a_folder_with_graph_and_embeddings(projector_logdir):
    root, _, _ = projector_logdir
    view = nbm.get_run("r", dir=root)
    assert view.history()["loss"].tolist() == [float(np.float32(1.0 / (i + 1))) for i in range(5)]
    assert [e.kind for e in view.events()] == ["graph", "embedding"]
    assert view.summary["loss"] == float(np.float32(0.2)) and view.summary["graph"] == {"_type": "graph"}
    assert "loss" in str(view.report())


def test_disk_events_match_nbmonitors_own_writer(tmp_path):
    """`nbmonitor.SummaryWriter`'s in-memory events == what TensorBoardSource reads after a restart."""
    from nbmonitor import SummaryWriter as NbWriter

    w = NbWriter(str(tmp_path / "runs" / "exp"), display=False)
    w.add_graph(_Net(), torch.zeros(2, 4))
    w.add_embedding(torch.randn(12, 4), metadata=[str(i) for i in range(12)],
                    label_img=torch.rand(12, 1, 6, 6), tag="emb", global_step=2)
    w.add_embedding(np.arange(20.0).reshape(5, 4) ** 0.5, global_step=3)
    w.close()
    assert w.errors == []
    mem, disk = w.source, TensorBoardSource(tmp_path / "runs")
    (a,), (b,) = mem.list_runs(), disk.list_runs()
    assert (a.id, a.name) == (b.id, b.name)
    ea_, eb = mem.read_events(a.id), disk.read_events(b.id)
    assert [(e.kind, e.key, e.step) for e in ea_] == [(e.kind, e.key, e.step) for e in eb] == [
        ("graph", "graph", 0), ("embedding", "emb", 2), ("embedding", "default", 3)]
    assert _shape(ea_[0].payload["tree"]) == _shape(eb[0].payload["tree"])
    for x, y in zip(ea_[1:], eb[1:]):
        assert x.files == y.files and x.payload["labels"] == y.payload["labels"]
        assert x.payload.get("thumb") == y.payload.get("thumb")
        assert np.allclose(x.payload["points"], y.payload["points"], atol=2e-4)


def test_panel_follows_the_run_with_the_most_scalars_never_an_hparams_subrun(tmp_path):
    """torch's add_hparams writes `<run>/<timestamp>` (one point a key) after the run: the header, the
    table and the static copy follow the run itself; a closed run is idle, its elapsed time is first to
    last event, its steps/s from those (not 0.00)."""
    pytest.importorskip("bqplot")
    pytest.importorskip("anywidget")
    from nbmonitor._testing import recording_comms
    from nbmonitor.ui.panel import Panel

    t0 = _closed_run(tmp_path / "logs" / "exp", 0.1, n=200)
    w = SummaryWriter(str(tmp_path / "logs" / "exp"))
    w.add_hparams({"lr": 0.1}, {"hp/loss": 0.005})  # the sub-run: exp/<time.time()>
    w.close()
    time.sleep(0.05)
    src = TensorBoardSource(tmp_path / "logs", running_window=0.01)
    names = [r.name for r in src.list_runs()]
    assert len(names) == 2 and names[0] == "exp" and names[1].startswith("exp/")
    with recording_comms():
        panel = Panel(src)
        panel.flush()
        panel.flush()
        h = panel.header
        assert h.run == "exp" and h.state.startswith("idle since ")
        assert h.elapsed == pytest.approx(199 * 0.1, abs=1e-3)  # stops at the last event
        assert h.rate == pytest.approx(200 / (199 * 0.1), rel=1e-3)
        assert panel.table.title.startswith("exp ·") and "nbmonitor panel: logs/exp · idle since" in panel.text()
        assert "loss" in panel.html()
    assert t0 > 0
