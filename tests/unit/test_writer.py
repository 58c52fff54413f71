"""nbmonitor.SummaryWriter: torch's API, TensorBoard's files, work off the calling thread.

The seed's flow (the PyTorch TensorBoard tutorial, on scikit-learn's digits)
runs once with torch's writer and once with ours; the tensorboard package's
EventAccumulator must read the same data from both folders.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tensorboard")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

import nbmonitor  # noqa: E402
from nbmonitor import SummaryWriter  # noqa: E402
from nbmonitor.tensorboard.source import TensorBoardSource  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CLASSES = tuple(str(i) for i in range(10))


# -- the seed's flow --------------------------------------------------------------------------


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc1 = torch.nn.Linear(6 * 4 * 4, 32)
        self.fc2 = torch.nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images[:320] / 16.0, dtype=torch.float32).unsqueeze(1)
    return x, torch.tensor(d.target[:320])


def _grid(images: torch.Tensor, ncols: int = 4) -> torch.Tensor:
    """torchvision.utils.make_grid for N x 1 x H x W (no torchvision here)."""
    n, c, h, w = images.shape
    rows = (n + ncols - 1) // ncols
    out = torch.zeros(c, rows * (h + 2) + 2, ncols * (w + 2) + 2)
    for i in range(n):
        r, k = divmod(i, ncols)
        out[:, 2 + r * (h + 2): 2 + r * (h + 2) + h, 2 + k * (w + 2): 2 + k * (w + 2) + w] = images[i]
    return out


def _preds_figure(net, images, labels):
    import matplotlib.pyplot as plt

    with torch.no_grad():
        probs = torch.softmax(net(images), 1)
    fig = plt.figure(figsize=(4, 1.5), dpi=50)
    for i in range(4):
        ax = fig.add_subplot(1, 4, i + 1, xticks=[], yticks=[])
        ax.imshow(images[i, 0].numpy(), cmap="Greys")
        p = int(probs[i].argmax())
        ax.set_title(f"{p} {probs[i, p]:.0%}\n(label {int(labels[i])})",
                     color="green" if p == int(labels[i]) else "red", fontsize=6)
    return fig


def seed_flow(writer_cls, log_dir: str):
    """The tutorial's calls, deterministic: same numbers whatever the writer."""
    torch.manual_seed(0)
    x, y = _digits()
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    writer = writer_cls(log_dir)
    writer.add_image("four_digits", _grid(x[:4]))
    writer.add_graph(net, x[:4])
    writer.add_embedding(x[:40].reshape(40, -1), metadata=[CLASSES[int(t)] for t in y[:40]], label_img=x[:40])
    step = 0
    for epoch in range(2):
        running = 0.0
        for i in range(0, 256, 32):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[i:i + 32]), y[i:i + 32])
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
            if step % 4 == 0:
                writer.add_scalar("training loss", running / 4, step)
                writer.add_scalars("loss", {"train": running / 4, "half": running / 8}, step)
                writer.add_histogram("fc1.weight", net.fc1.weight, step)
                running = 0.0
        writer.add_figure("predictions vs. actuals", _preds_figure(net, x[256:260], y[256:260]), global_step=step)
    with torch.no_grad():
        probs = torch.softmax(net(x[256:]), 1)
    for k in range(10):
        writer.add_pr_curve(CLASSES[k], y[256:] == k, probs[:, k], global_step=0)
    writer.add_text("notes", "**digits**, 2 epochs", step)
    writer.add_hparams({"lr": 0.1, "momentum": 0.9, "optimizer": "sgd"}, {"hparam/loss": running},
                       run_name="hparams")
    writer.close()


def _acc(folder) -> EventAccumulator:
    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


def _png_pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    base = tmp_path_factory.mktemp("seed")
    os.environ["NBMONITOR_DISPLAY"] = "0"
    try:
        seed_flow(TorchWriter, str(base / "torch" / "exp"))
        seed_flow(SummaryWriter, str(base / "ours" / "exp"))
    finally:
        del os.environ["NBMONITOR_DISPLAY"]
    return base / "torch" / "exp", base / "ours" / "exp"


def test_event_files_read_the_same_as_torchs(both):
    theirs, ours = (_acc(p) for p in both)
    t, o = theirs.Tags(), ours.Tags()
    for kind in ("scalars", "histograms", "images", "tensors"):
        assert sorted(o[kind]) == sorted(t[kind]), kind
    assert o["graph"] and t["graph"]
    assert sorted(t["scalars"]) == ["training loss"]
    for tag in t["scalars"]:
        a, b = theirs.Scalars(tag), ours.Scalars(tag)
        assert [e.step for e in a] == [e.step for e in b]
        assert [e.value for e in a] == [e.value for e in b]
    for tag in t["histograms"]:
        a, b = theirs.Histograms(tag), ours.Histograms(tag)
        assert [e.step for e in a] == [e.step for e in b]
        for ea, eb in zip(a, b):
            assert ea.histogram_value == eb.histogram_value
    assert len(t["images"]) == 2
    for tag in t["images"]:
        a, b = theirs.Images(tag), ours.Images(tag)
        assert [(e.step, e.width, e.height) for e in a] == [(e.step, e.width, e.height) for e in b]
        for ea, eb in zip(a, b):
            assert np.array_equal(_png_pixels(ea.encoded_image_string), _png_pixels(eb.encoded_image_string))
    pr_tags = [tag for tag in t["tensors"] if theirs.SummaryMetadata(tag).plugin_data.plugin_name == "pr_curves"]
    assert sorted(pr_tags) == sorted(CLASSES)
    from tensorboard.util.tensor_util import make_ndarray

    for tag in t["tensors"]:
        a, b = theirs.Tensors(tag), ours.Tensors(tag)
        assert [e.step for e in a] == [e.step for e in b]
        for ea, eb in zip(a, b):
            assert np.array_equal(make_ndarray(ea.tensor_proto), make_ndarray(eb.tensor_proto))
        assert ours.SummaryMetadata(tag).plugin_data == theirs.SummaryMetadata(tag).plugin_data


def test_sub_folders_graph_and_projector_as_torch(both):
    theirs, ours = both
    subs = sorted(p.name for p in theirs.iterdir() if p.is_dir())
    assert sorted(p.name for p in ours.iterdir() if p.is_dir()) == subs == ["00000", "hparams", "loss_half",
                                                                              "loss_train"]
    for sub in ("loss_train", "loss_half"):
        a, b = _acc(theirs / sub), _acc(ours / sub)
        assert [(e.step, e.value) for e in a.Scalars("loss")] == [(e.step, e.value) for e in b.Scalars("loss")]
    a, b = _acc(theirs / "hparams"), _acc(ours / "hparams")
    assert a.Tags()["scalars"] == b.Tags()["scalars"] == ["hparam/loss"]
    assert a.SummaryMetadata("_hparams_/session_start_info") == b.SummaryMetadata("_hparams_/session_start_info")
    assert _acc(theirs).Graph() == _acc(ours).Graph()
    for name in ("tensors.tsv", "metadata.tsv", "sprite.png"):
        assert (theirs / "00000" / "default" / name).read_bytes() == (ours / "00000" / "default" / name).read_bytes()
    assert (theirs / "projector_config.pbtxt").read_text() == (ours / "projector_config.pbtxt").read_text()


def test_tensorboard_source_reads_ours_like_torchs(both):
    theirs, ours = (TensorBoardSource(p.parent) for p in both)
    assert [r.name for r in ours.list_runs()] == [r.name for r in theirs.list_runs()]
    for ra, rb in zip(theirs.list_runs(), ours.list_runs()):
        a, b = theirs.read_events(ra.id), ours.read_events(rb.id)
        assert [(e.kind, e.key, e.step) for e in a] == [(e.kind, e.key, e.step) for e in b]
        for ea, eb in zip(a, b):
            if ea.kind != "image":
                assert ea.payload == eb.payload


# -- the in-memory source the panel shows --------------------------------------------------------


def test_memory_source_matches_what_is_read_from_disk(tmp_path):
    w = SummaryWriter(str(tmp_path / "runs" / "exp"), display=False)
    for i in range(20):
        w.add_scalar("Loss/train", 1.0 / (i + 1), i)
        w.add_scalars("acc", {"train": i / 20, "val": i / 25}, i)
    w.add_histogram("w", np.arange(100.0), 3)
    w.add_image("img", np.random.default_rng(0).random((3, 6, 5)), 3)
    w.add_images("batch", np.zeros((4, 5, 6, 1), np.uint8), 3, dataformats="NHWC")
    w.add_text("notes", "# title\n<script>x</script>", 4)
    w.add_pr_curve("pr", np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.6, 0.4]), 5, num_thresholds=11)
    w.add_hparams({"lr": 0.01, "layers": 2, "act": "relu", "bn": True}, {"hparam/acc": 0.5}, run_name="trial-1")
    w.close()
    assert w.errors == []
    mem, disk = w.source, TensorBoardSource(tmp_path / "runs")
    assert [(r.id, r.name, r.project) for r in mem.list_runs()] == [(r.id, r.name, r.project)
                                                                    for r in disk.list_runs()]
    names = [r.name for r in mem.list_runs()]
    assert names == ["exp", "exp/acc_train", "exp/acc_val", "exp/trial-1"]
    for r in mem.list_runs():
        assert r.state == "finished"
        assert mem.keys(r.id) == disk.keys(r.id)
        a, b = mem.read_series(r.id), disk.read_series(r.id)
        for k in a:
            assert np.array_equal(a[k].steps, b[k].steps) and np.array_equal(a[k].values, b[k].values), k
            assert np.allclose(a[k].times, b[k].times)
        ea, eb = mem.read_events(r.id), disk.read_events(r.id)
        assert [(e.kind, e.key, e.step, e.payload) for e in ea] == [(e.kind, e.key, e.step, e.payload) for e in eb]
        assert [e.files for e in ea] == [e.files for e in eb]
    # add_scalars: one key, several runs: one chart with a line per run in the panel
    acc_runs = [r for r in mem.list_runs() if r.name.startswith("exp/acc_")]
    assert all(mem.keys(r.id) == {"acc": 20} for r in acc_runs)
    hp = mem.read_events(mem.find_runs("exp/trial-1")[0].id, kinds=["hparams"])[0].payload
    assert hp == {"hparams": {"lr": 0.01, "layers": 2.0, "act": "relu", "bn": True},
                  "metrics": {"hparam/acc": 0.5}}
    main = mem.find_runs("exp")[0].id
    assert mem.read_series(main, since={"Loss/train": 15})["Loss/train"].start == 15
    assert [e.kind for e in mem.read_events(main, since=2)] == ["image", "text", "pr_curve"]


def test_graph_and_embedding_events(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    net = Net()
    w.add_graph(net, torch.zeros(2, 1, 8, 8))
    w.add_embedding(torch.randn(30, 5), metadata=[f"<b>{i}</b>" for i in range(30)],
                    label_img=torch.rand(30, 1, 8, 8), tag="feat/x", global_step=7)
    w.flush()
    run = w.source.list_runs()[0]
    graph, emb = w.source.read_events(run.id)
    tree = graph.payload["tree"]
    assert tree["type"] == "Net" and tree["params"] == sum(p.numel() for p in net.parameters())
    assert [c["name"] for c in tree["children"]] == ["conv1", "pool", "fc1", "fc2"]
    assert tree["children"][2]["params"] == 96 * 32 + 32
    assert emb.kind == "embedding" and emb.key == "feat/x" and emb.step == 7
    assert len(emb.payload["points"]) == 30 and emb.payload["labels"][3] == "<b>3</b>"
    assert emb.payload["thumb"] == [8, 8] and emb.files["sprite.png"].startswith(b"\x89PNG")
    assert np.abs(np.array(emb.payload["points"])).max() <= 1.0
    assert (tmp_path / "exp" / "00007" / "feat%2fx" / "tensors.tsv").exists()
    w.close()
    from nbmonitor.tensorboard.payloads import graph_tree, projector_embeddings

    (tag, step, payload, files), = projector_embeddings(tmp_path / "exp")
    assert (tag, step, payload["thumb"], payload["labels"]) == ("feat/x", 7, [8, 8], emb.payload["labels"])
    assert np.allclose(np.abs(payload["points"]), np.abs(emb.payload["points"]), atol=2e-3)
    disk_tree = graph_tree(_acc(tmp_path / "exp").Graph())
    assert (disk_tree["type"], disk_tree["params"]) == ("Net", None)  # torch's GraphDef has no shapes of weights
    assert [(c["name"], c["type"]) for c in disk_tree["children"]] == [(c["name"], c["type"]) for c in tree["children"]]


# -- timing: off the calling thread, on disk fast ------------------------------------------------


def _points_on_disk(folder: Path, tag: str) -> list:
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
    from tensorboard.compat.proto.event_pb2 import Event

    out = []
    for f in sorted(folder.glob("events.out.tfevents.*")):
        for record in RawEventFileLoader(str(f)).Load():
            ev = Event.FromString(record)
            out += [(ev.step, v.simple_value, ev.wall_time) for v in ev.summary.value if v.tag == tag]
    return out


def test_a_point_is_on_disk_within_a_second_without_flush(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False, flush_secs=120)
    time.sleep(0.3)
    t0 = time.monotonic()
    w.add_scalar("x", 1.5, 1)
    while not _points_on_disk(tmp_path / "exp", "x"):
        assert time.monotonic() - t0 < 1.5, "the point was not on disk within 1.5 s"
        time.sleep(0.02)
    assert _points_on_disk(tmp_path / "exp", "x")[0][:2] == (1, 1.5)
    w.close()


def test_many_calls_all_arrive_in_order(tmp_path):  # speed: bench/bench_writer.py
    w = SummaryWriter(str(tmp_path / "o"), display=False)
    for i in range(9000):
        w.add_scalar("loss", i / 8, i)
    w.close()
    assert [(s, v) for s, v, _ in _points_on_disk(tmp_path / "o", "loss")] == [(i, i / 8) for i in range(9000)]


# -- killed, terminated, exiting ------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from nbmonitor import SummaryWriter
    w = SummaryWriter(sys.argv[1], display=False)
    n = int(sys.argv[2])
    for i in range(n if n >= 0 else 10**9):
        w.add_scalar("x", float(i), i)
        if n < 0:
            if i == 0:
                print("ready", flush=True)
            time.sleep(0.002)
    print("done", flush=True)
    if sys.argv[3] == "wait":
        time.sleep(60)
""")


def _child(tmp_path, n: int, then: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO)))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / "exp"), str(n), then],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "NBMONITOR_DISPLAY": "0"})


def test_sigkill_loses_at_most_the_last_second_and_files_stay_readable(tmp_path):
    p = _child(tmp_path, -1, "wait")
    assert p.stdout.readline().strip() == "ready"
    time.sleep(2.5)
    killed_at = time.time()
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    pts = _points_on_disk(tmp_path / "exp", "x")
    steps = [s for s, _, _ in pts]
    assert steps == list(range(len(steps))) and len(steps) > 100
    assert pts[-1][2] >= killed_at - 1.0, f"lost {killed_at - pts[-1][2]:.2f} s of points"
    acc = _acc(tmp_path / "exp")  # TensorBoard reads it too
    assert [e.step for e in acc.Scalars("x")] == steps


@pytest.mark.parametrize("how", ["exit", "sigterm"])
def test_everything_is_written_at_exit_and_on_sigterm(tmp_path, how):
    p = _child(tmp_path, 500, "wait" if how == "sigterm" else "exit")
    assert p.stdout.readline().strip() == "done"
    if how == "sigterm":
        p.send_signal(signal.SIGTERM)
    rc = p.wait(20)
    assert rc == (-signal.SIGTERM if how == "sigterm" else 0)
    assert [s for s, _, _ in _points_on_disk(tmp_path / "exp", "x")] == list(range(500))


# -- API and errors ------------------------------------------------------------------------------


def test_signature_defaults_and_log_dir_naming(tmp_path, monkeypatch):
    import inspect
    import socket

    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    ours = inspect.signature(SummaryWriter.__init__).parameters
    theirs = inspect.signature(TorchWriter.__init__).parameters
    assert [(n, p.default) for n, p in theirs.items()] == [(n, p.default) for n, p in ours.items() if n != "display"]
    for name in ("add_scalar", "add_scalars", "add_histogram", "add_image", "add_images", "add_figure", "add_text",
                 "add_pr_curve", "add_hparams", "add_embedding", "add_graph"):
        a = inspect.signature(getattr(TorchWriter, name)).parameters
        b = inspect.signature(getattr(SummaryWriter, name)).parameters
        assert [(n, p.default) for n, p in a.items()] == [(n, p.default) for n, p in b.items()], name
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1", display=False) as w:
        w.add_scalar("a", 1, 0)
    assert nbmonitor.SummaryWriter is SummaryWriter
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.endswith("_" + socket.gethostname() + "_lr0.1")
    assert folder.name[:3].isalpha() and w.get_logdir() == os.path.join("runs", folder.name)


def test_reopens_after_close_as_torch_does(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    w.add_scalar("x", 1, 0)
    w.close()
    w.close()
    w.add_scalar("x", 2, 1)
    w.close()
    assert [s for s, _, _ in _points_on_disk(tmp_path / "exp", "x")] == [0, 1]


def test_values_are_copied_when_added(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    t = torch.zeros(100)
    w.add_histogram("h", t, 0)
    t += 5  # the caller changes it before the writer thread runs
    w.close()
    (ev,) = w.source.read_events(w.source.main_id)
    assert ev.payload["max"] == 0.0


@pytest.mark.parametrize("call, error, words", [
    (lambda w: w.add_scalar("x", "1.0"), TypeError, "add_scalar('x')"),
    (lambda w: w.add_scalar("x", torch.ones(3)), ValueError, "single number"),
    (lambda w: w.add_scalar(3, 1.0), TypeError, "tag must be a string"),
    (lambda w: w.add_scalar("x", 1.0, "seven"), TypeError, "global_step"),
    (lambda w: w.add_scalars("x", [1, 2]), TypeError, "tag_scalar_dict"),
    (lambda w: w.add_histogram("h", []), ValueError, "empty"),
    (lambda w: w.add_histogram("h", ["a", "b"]), TypeError, "numbers"),
    (lambda w: w.add_histogram("h", [1.0], bins="nope"), ValueError, "bins"),
    (lambda w: w.add_image("i", np.zeros((3, 4, 4)), dataformats="XYZ"), ValueError, "dataformats"),
    (lambda w: w.add_image("i", np.zeros((4, 4))), ValueError, "dimensions"),
    (lambda w: w.add_image("i", np.zeros((5, 4, 4))), ValueError, "channels"),
    (lambda w: w.add_images("i", np.zeros((3, 4, 4))), ValueError, "NCHW"),
    (lambda w: w.add_figure("f", np.zeros((3, 4, 4))), TypeError, "matplotlib Figure"),
    (lambda w: w.add_text("t", 42), TypeError, "text_string"),
    (lambda w: w.add_pr_curve("p", [0, 1], [0.5]), ValueError, "same size"),
    (lambda w: w.add_pr_curve("p", [0, 1], [0.5, 3.0]), ValueError, "[0, 1]"),
    (lambda w: w.add_hparams({"lr": 0.1}, [1]), TypeError, "dictionary"),
    (lambda w: w.add_hparams({"lr": [0.1]}, {}), ValueError, "'lr'"),
    (lambda w: w.add_hparams({"lr": 0.1}, {}, run_name="../x"), ValueError, "run_name"),
    (lambda w: w.add_embedding(np.zeros(5)), ValueError, "2D"),
    (lambda w: w.add_embedding(np.zeros((5, 2)), metadata=[1, 2]), ValueError, "2 labels for 5 points"),
    (lambda w: w.add_graph("model", torch.zeros(1)), TypeError, "nn.Module"),
    (lambda w: w.add_graph(torch.nn.Linear(2, 2)), ValueError, "input_to_model"),
    (lambda w: w.add_onnx_graph("m.pb"), NotImplementedError, "add_onnx_graph"),
])
def test_bad_calls_raise_clear_errors(tmp_path, call, error, words):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    with pytest.raises(error) as info:
        call(w)
    assert words in str(info.value)
    w.close()
    assert w.errors == []


def test_a_failure_in_the_background_is_reported_not_silent(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    w.add_histogram("h", [1.0, 2.0], bins=np.array([3.0, 2.0, 1.0]))  # decreasing edges: numpy refuses
    with pytest.warns(nbmonitor.NbmonitorWarning, match=r"add_histogram\('h'\)"):
        w.flush()
    assert len(w.errors) == 1
    w.close()


def test_import_nbmonitor_does_not_import_torch():
    out = subprocess.run([sys.executable, "-c", "import sys, nbmonitor; nbmonitor.SummaryWriter; "
                          "print([m for m in ('torch', 'tensorboard') if m in sys.modules])"],
                         capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == "[]"


def test_memory_of_queued_arrays_is_bounded(tmp_path, monkeypatch):
    from nbmonitor.tensorboard import writer as writer_mod

    monkeypatch.setattr(writer_mod, "MAX_QUEUED_BYTES", 1 << 20)
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    peak = 0
    for i in range(20):
        w.add_images("big", np.zeros((4, 3, 128, 128), np.float32), i)  # 786 kB each
        peak = max(peak, w.queued_bytes)
    assert peak <= (1 << 20) + 4 * 3 * 128 * 128 * 4
    w.close()
    assert w.queued_bytes == 0 and w.errors == []
    assert len(_acc(tmp_path / "exp").Images("big")) == 20


def test_add_video_without_moviepy_says_so_and_carries_on(tmp_path, monkeypatch, capsys):
    import sys

    import numpy as np

    from nbmonitor import SummaryWriter

    monkeypatch.setitem(sys.modules, "moviepy", None)  # not installed
    with SummaryWriter(tmp_path / "tb") as w:
        w.add_video("v", np.zeros((1, 2, 3, 8, 8), np.uint8), 0)  # torch prints the same line and goes on
        w.add_scalar("after", 1.0, 0)
    assert "add_video needs package moviepy" in capsys.readouterr().out


def test_file_writer_as_torchs_for_code_that_writes_through_it(tmp_path):
    """Loggers (Lightning's TensorBoardLogger, say) write hparams through `writer.file_writer` /
    `_get_file_writer()`: both exist, are torch's FileWriter of log_dir, and what goes through them
    is in the event files TensorBoard reads."""
    from torch.utils.tensorboard.summary import hparams, scalar
    from torch.utils.tensorboard.writer import FileWriter

    w = SummaryWriter(str(tmp_path / "r"), display=False)
    assert isinstance(w.file_writer, FileWriter) and w._get_file_writer() is w.file_writer
    assert w.file_writer.get_logdir() == w.get_logdir()
    for s in hparams({"lr": 0.1}, {"hp/acc": 0.5}):
        w.file_writer.add_summary(s)
    w._get_file_writer().add_summary(scalar("direct", 2.5), 3)
    w.add_scalar("queued", 1.0, 0)
    w.close()
    acc = EventAccumulator(str(tmp_path / "r"))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("direct")] == [(3, 2.5)]
    assert [e.value for e in acc.Scalars("queued")] == [1.0]
    (run,) = TensorBoardSource(tmp_path).list_runs()
    assert run.config == {"lr": 0.1}  # the hparams written through file_writer, read back
