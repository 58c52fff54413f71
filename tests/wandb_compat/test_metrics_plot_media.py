"""define_metric, wandb.plot charts, and the extra media types."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

import nbmonitor as wandb


def _events(run, key):
    wandb.finish()
    return [e for e in run.store.read_events(run.id) if e.key == key]


@pytest.mark.parametrize("op, want", [("min", 1.0), ("max", 5.0), ("mean", 3.0)])
def test_define_metric_summary_aggregates(op, want):  # W&B: summary["loss"] == {"min": ...}
    run = wandb.init(project="p")
    wandb.define_metric("loss", summary=op)
    for v in (5, 1, 3, 4, 2):
        wandb.log({"loss": v})
    wandb.finish()
    assert run.summary["loss"] == {op: want}


def test_define_metric_summary_is_current_before_the_writer_runs():  # W&B's summary follows each log()
    run = wandb.init(project="p")
    run.define_metric("acc", summary="max")
    for v in (0.2, 0.7, 0.4):
        run.log({"acc": v})
        assert run.summary["acc"] == {"max": max(0.2, v) if v != 0.4 else 0.7}


def test_define_metric_summary_is_current_while_the_writer_holds_the_run():  # was a race under load
    import threading

    run = wandb.init(project="p")
    run.define_metric("acc", summary="max")
    run.log({"acc": 0.5})
    held = threading.Event()

    def writer():  # what the writer thread does while it writes to the store: hold the run's lock
        with run._io_lock:
            held.set()
            threading.Event().wait(0.2)

    t = threading.Thread(target=writer)
    t.start()
    held.wait()
    run.log({"acc": 0.9})
    assert run.summary["acc"] == {"max": 0.9}  # waited for the lock, then folded in the new row
    t.join()


def test_define_metric_best_needs_goal():
    wandb.init(project="p")
    with pytest.raises(ValueError, match="goal"):
        wandb.define_metric("acc", summary="best")


def test_define_metric_best_with_goal():
    run = wandb.init(project="p")
    run.define_metric("acc", summary="best", goal="maximize")
    for v in (0.1, 0.9, 0.5):
        run.log({"acc": v})
    wandb.finish()
    assert run.summary["acc"] == {"best": 0.9}


def test_define_metric_none_drops_from_summary():
    run = wandb.init(project="p")
    run.define_metric("noise", summary="none")
    run.log({"noise": 1.0, "kept": 2.0})
    wandb.finish()
    assert "noise" not in run.summary and run.summary["kept"] == 2.0


def test_define_metric_glob_and_several_ops():
    run = wandb.init(project="p")
    run.define_metric("val/*", summary="min,max")
    for v in (3, 1, 2):
        run.log({"val/loss": v, "train/loss": v})
    wandb.finish()
    assert run.summary["val/loss"] == {"min": 1.0, "max": 3.0}
    assert run.summary["train/loss"] == 2.0


def test_define_metric_step_metric_is_recorded():
    run = wandb.init(project="p")
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    assert run._metrics.step_metric("val/acc") == "epoch"
    (ev,) = _events(run, "_wandb")[-1:]
    assert {"name": "val/*", "step_metric": "epoch", "summary": [], "goal": None, "hidden": False} in ev.payload["metrics"]


def test_define_metric_bad_summary():
    wandb.init(project="p")
    with pytest.raises(ValueError, match="summary"):
        wandb.define_metric("x", summary="median")


def test_define_metric_before_init():
    with pytest.raises(wandb.NotInitializedError):
        wandb.define_metric("x")


def _table():
    return wandb.Table(columns=["x", "y"], data=[[i, i * i] for i in range(5)])


@pytest.mark.parametrize("make, kind", [
    (lambda t: wandb.plot.line(t, "x", "y", title="sq"), "line"),
    (lambda t: wandb.plot.scatter(t, "x", "y"), "scatter"),
    (lambda t: wandb.plot.bar(t, "x", "y"), "bar"),
    (lambda t: wandb.plot.histogram(t, "y"), "histogram"),
])
def test_plot_from_table_logs_a_table_backed_chart(make, kind):
    run = wandb.init(project="p")
    wandb.log({"c": make(_table())})
    (ev,) = _events(run, "c")
    assert ev.kind == "table" and ev.payload["chart"]["type"] == kind and len(ev.payload["rows"]) == 5


def test_plot_unknown_column():
    with pytest.raises(ValueError, match="no column 'z'"):
        wandb.plot.line(_table(), "x", "z")


def test_line_series_table_columns():  # W&B's table: step, lineKey, lineVal
    c = wandb.plot.line_series(xs=[0, 1, 2], ys=[[1, 2, 3], [3, 2, 1]], keys=["up", "down"], title="t")
    assert c.columns == ["step", "lineKey", "lineVal"] and len(c.rows) == 6 and c.rows[3] == [0, "down", 3]


def test_confusion_matrix_counts():
    c = wandb.plot.confusion_matrix(y_true=[0, 1, 1, 2], preds=[0, 1, 2, 2], class_names=["a", "b", "c"])
    assert c.columns == ["Actual", "Predicted", "nPredictions"]
    counts = {(a, p): n for a, p, n in c.rows}
    assert counts[("b", "c")] == 1 and counts[("c", "c")] == 1 and sum(counts.values()) == 4


def test_confusion_matrix_from_probs():
    probs = np.array([[0.9, 0.1], [0.2, 0.8]])
    c = wandb.plot.confusion_matrix(probs=probs, y_true=[0, 0])
    assert {(a, p): n for a, p, n in c.rows}[("Class_1", "Class_2")] == 1


def test_roc_curve_of_a_perfect_classifier():
    y = [0, 0, 1, 1]
    probas = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    c = wandb.plot.roc_curve(y, probas, labels=["neg", "pos"])
    assert c.columns == ["class", "fpr", "tpr"]
    pos = [(f, t) for k, f, t in c.rows if k == "pos"]
    assert (0.0, 1.0) in pos and pos[-1] == (1.0, 1.0)


def test_pr_curve_columns_and_bounds():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    probas = rng.dirichlet(np.ones(3), 200)
    c = wandb.plot.pr_curve(y, probas)
    assert c.columns == ["class", "recall", "precision"]
    assert all(0 <= r <= 1 and 0 <= p <= 1 for _, r, p in c.rows)
    assert {k for k, _, _ in c.rows} == {"0", "1", "2"}


def test_pr_curve_logs():
    run = wandb.init(project="p")
    wandb.log({"pr": wandb.plot.pr_curve([0, 1], [[0.7, 0.3], [0.4, 0.6]])})
    (ev,) = _events(run, "pr")
    assert ev.payload["chart"]["type"] == "pr_curve"


def test_audio_from_array_is_wav():
    a = wandb.Audio(np.sin(np.linspace(0, 440, 8000)), sample_rate=8000, caption="tone")
    with wave.open(io.BytesIO(a.wav)) as w:
        assert (w.getframerate(), w.getnframes(), w.getnchannels()) == (8000, 8000, 1)
    assert a.duration == 1.0


def test_audio_needs_sample_rate():
    with pytest.raises(ValueError, match="sample_rate"):
        wandb.Audio(np.zeros(10))


def test_audio_logs():
    run = wandb.init(project="p")
    wandb.log({"a": wandb.Audio(np.zeros(100), sample_rate=100)})
    (ev,) = _events(run, "a")
    assert ev.kind == "audio" and ev.files["audio.wav"].startswith(b"RIFF")


def test_html_is_sandboxed():
    h = wandb.Html("<script>alert(1)</script><b>hi</b>")
    html = h._repr_html_()
    assert 'sandbox=""' in html and "<script>" not in html  # the content is escaped into srcdoc


def test_html_logs():
    run = wandb.init(project="p")
    wandb.log({"page": wandb.Html("<p>x</p>")})
    (ev,) = _events(run, "page")
    assert ev.kind == "html" and ev.payload["html"] == "<p>x</p>"


def test_video_from_array_as_gif():
    frames = np.random.default_rng(0).integers(0, 255, (4, 3, 8, 8), dtype=np.uint8)
    v = wandb.Video(frames, fps=2)
    assert v.format == "gif" and v.frames == 4 and (v.width, v.height) == (8, 8)
    run = wandb.init(project="p")
    wandb.log({"v": v})
    (ev,) = _events(run, "v")
    assert ev.kind == "video" and ev.files["video.gif"].startswith(b"GIF")


def test_video_mp4_without_writer_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "imageio", None)
    monkeypatch.setitem(sys.modules, "imageio.v3", None)
    with pytest.raises(ImportError, match="imageio"):
        wandb.Video(np.zeros((2, 3, 4, 4), np.uint8), format="mp4")


def test_image_masks_and_boxes_draw_an_overlay():
    img = np.zeros((20, 20, 3), np.uint8)
    mask = np.zeros((20, 20), np.int64)
    mask[5:10, 5:10] = 1
    boxes = {"pred": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.5},
                                    "class_id": 2, "box_caption": "cat"}], "class_labels": {2: "cat"}}}
    classes = wandb.Classes([{"id": 1, "name": "thing"}, {"id": 2, "name": "cat"}])
    plain = wandb.Image(img)
    over = wandb.Image(img, masks={"gt": {"mask_data": mask, "class_labels": {1: "thing"}}}, boxes=boxes,
                       classes=classes)
    assert over.png != plain.png
    kind, payload, files = over._nbm_event("k")
    assert payload["masks"]["gt"]["classes_present"] == [0, 1]
    assert payload["boxes"]["pred"]["box_data"][0]["position"] == [2.0, 2.0, 10.0, 10.0]
    assert "mask-gt.png" in files and "raw.png" in files


def test_image_mask_shape_must_match():
    with pytest.raises(ValueError, match="mask"):
        wandb.Image(np.zeros((4, 4)), masks={"m": {"mask_data": np.zeros((3, 3))}})


def test_classes_validates():
    with pytest.raises(TypeError, match="id"):
        wandb.Classes([{"name": "x"}])
