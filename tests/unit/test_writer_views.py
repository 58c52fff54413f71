"""The TensorBoard-style views (nbmonitor/views/tb_*.py): what they send, their static
fallbacks (escaped), and that they serve the events of our writer and of torch's files."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("anywidget")
torch = pytest.importorskip("torch")
pytest.importorskip("tensorboard")

from nbmonitor import SummaryWriter  # noqa: E402
from nbmonitor.output.png import svg_images  # noqa: E402
from nbmonitor.store import Event, RunRecord  # noqa: E402
from nbmonitor.tensorboard.source import TensorBoardSource  # noqa: E402
from nbmonitor.ui.views import load_views  # noqa: E402
from nbmonitor.ui.views.tb_embedding import EmbeddingView  # noqa: E402
from nbmonitor.ui.views.tb_graph import GraphView  # noqa: E402
from nbmonitor.ui.views.tb_hparams import HParamsView  # noqa: E402
from nbmonitor.ui.views.tb_pr_curves import PRCurveView  # noqa: E402
from nbmonitor.ui.views.tb_text import TextView  # noqa: E402

BAD = '<img src=x onerror="alert(1)">'
RUN = RunRecord(id="r1", project="p", name="run " + BAD)


def ev(seq, kind, payload, key="k " + BAD, step=0, files=None):
    return Event(seq, key, step, 0.0, kind, payload, files or {})


def test_views_are_registered_for_their_kinds():
    kinds = {k for ks, _ in load_views() for k in ks}
    assert {"pr_curve", "hparams", "text", "embedding", "graph"} <= kinds


def test_pr_curves_travel_as_float32_and_fallback_is_escaped():
    v = PRCurveView()
    p = {"precision": [1.0, 0.5], "recall": [0.2, 1.0], "thresholds": [0.0, 0.5], "tp": [1, 2], "fp": [0, 2],
         "tn": [2, 0], "fn": [1, 0]}
    v.add(RUN, [ev(0, "pr_curve", p, step=1), ev(1, "pr_curve", p, step=5)])
    assert v.widget.names == [{"run": RUN.name, "run_id": "r1", "key": "k " + BAD}]
    assert [(i["s"], i["o"], i["n"]) for i in v.widget.items] == [(1, 0, 2), (5, 24, 2)]
    data = np.frombuffer(v.widget.blobs[0].data, np.float32)
    assert np.array_equal(data[:6], np.float32([1.0, 0.5, 0.2, 1.0, 0.0, 0.5]))
    html = v.html()
    assert BAD not in html and "&lt;img" in html and "step 5" in html and "<svg" not in html  # the sanitizer strips it
    assert "<polyline" in "".join(svg_images(html))  # drawn in an <img> the sanitizer keeps
    assert v.text() == f"PR curves: 2 curves under 1 tags (k {BAD})"


def test_hparams_one_row_per_run_latest_wins():
    v = HParamsView()
    v.add(RUN, [ev(0, "hparams", {"hparams": {"lr": 0.1, "opt": BAD}, "metrics": {"acc": 0.5}})])
    other = RunRecord(id="r2", project="p", name="two")
    v.add(other, [ev(0, "hparams", {"hparams": {"lr": 0.2, "bn": True}, "metrics": {"acc": float("nan")}})])
    v.add(RUN, [ev(1, "hparams", {"hparams": {"lr": 0.3, "opt": BAD}, "metrics": {"acc": 0.7}})])
    assert v.widget.hparams == ["lr", "opt", "bn"] and v.widget.metrics == ["acc"]
    assert [r["values"] for r in v.widget.rows] == [[0.3, BAD, None, 0.7], [0.2, None, True, "nan"]]
    html = v.html()
    assert BAD not in html and "&lt;img" in html and "<th>acc</th>" in html
    assert v.text() == "Hyperparameters: 2 runs; hparams lr, opt, bn; metrics acc"


def test_text_is_sent_as_text_and_fallback_escapes_it():
    v = TextView()
    v.add(RUN, [ev(i, "text", {"text": f"# step {i}\n<script>x</script>"}, step=i) for i in range(3)])
    assert [i["s"] for i in v.widget.items] == [0, 1, 2]
    html = v.html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "# step 2" in html and "# step 1" not in html
    v.add(RUN, [ev(9, "text", {"text": "x" * 50_000}, step=9)])
    assert len(v.widget.items[-1]["text"]) < 21_000


def test_graph_tree_collapsible_without_script():
    v = GraphView()
    tree = {"name": "Net", "type": "Net", "params": 1234567,
            "children": [{"name": BAD, "type": "Linear", "params": 10, "children": []}]}
    v.add(RUN, [ev(0, "graph", {"tree": tree}, key="graph")])
    html = v.html()
    assert "<details open" in html and "1.23M" in html and BAD not in html and "&lt;img" in html
    assert v.text() == "Graph: Net (1 modules, 1.23M parameters)"
    v.add(RUN, [ev(1, "graph", {"tree": tree}, key="graph")])
    assert len(v.widget.graphs) == 1  # replaced, not added


def test_embedding_points_in_a_blob_labels_escaped():
    v = EmbeddingView()
    pts = [[0.5, -0.5], [1.0, 1.0], [-1.0, 0.0]]
    v.add(RUN, [ev(0, "embedding", {"points": pts, "labels": [BAD, "b", "c"], "header": None, "thumb": [8, 8]},
                   files={"sprite.png": b"\x89PNG..."})])
    (item,) = v.widget.items
    assert item["n"] == 3 and item["sb"] == 1 and (item["tw"], item["th"]) == (8, 8)
    assert np.frombuffer(v.widget.blobs[item["b"]].data, np.float32).tolist() == [0.5, -0.5, 1.0, 1.0, -1.0, 0.0]
    html = v.html()
    assert "".join(svg_images(html)).count("<circle") == 3 and BAD not in html and "&lt;img" in html
    assert "<svg" not in html


def test_views_serve_torchs_own_files(tmp_path):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    tw = TorchWriter(str(tmp_path / "runs" / "exp"))
    tw.add_pr_curve("pr", np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.6, 0.4]), 2)
    tw.add_text("notes", "**hi**", 2)
    tw.add_hparams({"lr": 0.1}, {"hparam/acc": 0.5}, run_name="hp")
    tw.close()
    src = TensorBoardSource(tmp_path / "runs")
    views = {"pr_curve": PRCurveView(), "text": TextView(), "hparams": HParamsView()}
    for run in src.list_runs():
        for kind, view in views.items():
            view.add(run, src.read_events(run.id, kinds=[kind]))
    assert views["pr_curve"].widget.items[0]["s"] == 2
    assert views["text"].widget.items[0]["text"] == "**hi**"
    assert views["hparams"].widget.rows[0]["values"] == [0.1, 0.5]


def test_writer_events_fill_the_views(tmp_path):
    w = SummaryWriter(str(tmp_path / "exp"), display=False)
    w.add_graph(torch.nn.Sequential(torch.nn.Linear(3, 2)), torch.zeros(1, 3))
    w.add_embedding(np.random.default_rng(0).random((10, 4)), metadata=list("abcdefghij"))
    w.add_pr_curve("pr", np.array([0, 1]), np.array([0.3, 0.9]), 1)
    w.add_text("t", "x", 1)
    w.add_hparams({"lr": 0.1}, {"m": 1.0}, run_name="hp")
    w.close()
    views = {"graph": GraphView(), "embedding": EmbeddingView(), "pr_curve": PRCurveView(), "text": TextView(),
             "hparams": HParamsView()}
    for run in w.source.list_runs():
        for kind, view in views.items():
            view.add(run, w.source.read_events(run.id, kinds=[kind]))
    assert views["graph"].widget.graphs[0]["tree"]["params"] == 8
    assert views["embedding"].widget.items[0]["labels"] == list("abcdefghij")
    assert len(views["pr_curve"].widget.items) == 1 and len(views["text"].widget.items) == 1
    assert views["hparams"].widget.rows[0]["values"] == [0.1, 1.0]
