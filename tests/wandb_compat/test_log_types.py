"""What log() accepts beyond numbers, as W&B does (tests/unit covers the numbers)."""

from __future__ import annotations

import numpy as np
import pytest

import nbmonitor as wandb


def _events(run, key):
    wandb.finish()
    return [e for e in run.store.read_events(run.id) if e.key == key]


def test_none_is_skipped():  # W&B drops None values
    run = wandb.init(project="p")
    wandb.log({"a": 1.0, "b": None})
    assert "b" not in run.history().columns and "b" not in run.summary


def test_string_is_recorded_as_text():
    run = wandb.init(project="p")
    wandb.log({"note": "epoch done"})
    assert run.summary["note"] == "epoch done"  # W&B's summary holds the string
    (ev,) = _events(run, "note")
    assert ev.kind == "text" and ev.payload["text"] == "epoch done"


def test_string_comes_back_from_api_history():
    run = wandb.init(project="p")
    wandb.log({"note": "hi", "x": 1})
    wandb.finish()
    h = wandb.Api().run(f"p/{run.id}").history()
    assert h["note"].tolist() == ["hi"]


def test_nested_dict_is_flattened_with_dots():  # W&B shows {"a": {"b": 1}} as key a.b
    run = wandb.init(project="p")
    wandb.log({"train": {"loss": 0.5, "acc": {"top1": 0.9}}})
    h = run.history()
    assert h["train.loss"].tolist() == [0.5] and h["train.acc.top1"].tolist() == [0.9]


def test_nested_dict_with_media():
    run = wandb.init(project="p")
    wandb.log({"eval": {"hist": wandb.Histogram([1, 2, 3]), "n": 3}})
    assert [e.kind for e in _events(run, "eval.hist")] == ["histogram"]


def test_large_numpy_array_becomes_a_32_bin_histogram():  # W&B: size > 32 -> Histogram(num_bins=32)
    run = wandb.init(project="p")
    wandb.log({"w": np.random.default_rng(0).normal(size=1000)})
    (ev,) = _events(run, "w")
    assert ev.kind == "histogram" and len(ev.payload["counts"]) == 32 and ev.payload["num"] == 1000


def test_tensor_becomes_a_histogram():
    torch = pytest.importorskip("torch")
    run = wandb.init(project="p")
    wandb.log({"w": torch.randn(10, 10)})
    (ev,) = _events(run, "w")
    assert ev.kind == "histogram" and ev.payload["num"] == 100


def test_list_of_numbers_becomes_a_histogram():  # W&B keeps short lists as lists (not charted)
    run = wandb.init(project="p")
    wandb.log({"v": [1, 2, 3, 4]})
    (ev,) = _events(run, "v")
    assert ev.kind == "histogram"


def test_scalar_array_and_scalar_tensor_stay_numbers():
    torch = pytest.importorskip("torch")
    run = wandb.init(project="p")
    wandb.log({"a": np.array([2.5]), "t": torch.tensor(1.5)})
    h = run.history()
    assert h["a"].tolist() == [2.5] and h["t"].tolist() == [1.5]


def test_list_of_images_is_a_gallery():
    run = wandb.init(project="p")
    imgs = [wandb.Image(np.full((4, 4), i * 20, np.uint8), caption=f"#{i}") for i in range(3)]
    wandb.log({"examples": imgs})
    (ev,) = _events(run, "examples")
    assert ev.kind == "table" and [r[1] for r in ev.payload["rows"]] == ["#0", "#1", "#2"]
    assert len(ev.files) == 3


def test_list_of_histograms_is_one_event_each():
    run = wandb.init(project="p")
    wandb.log({"h": [wandb.Histogram([1, 2]), wandb.Histogram([3, 4])]})
    assert [e.kind for e in _events(run, "h")] == ["histogram", "histogram"]


def test_matplotlib_figure_becomes_an_image():  # W&B converts figures (to plotly); we keep a PNG
    plt = pytest.importorskip("matplotlib.pyplot")
    run = wandb.init(project="p")
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    wandb.log({"chart": fig})
    plt.close(fig)
    (ev,) = _events(run, "chart")
    assert ev.kind == "image" and ev.files["image.png"].startswith(b"\x89PNG")


def test_pandas_dataframe_becomes_a_table():  # W&B: DataFrame -> Table
    pd = pytest.importorskip("pandas")
    run = wandb.init(project="p")
    wandb.log({"df": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})})
    (ev,) = _events(run, "df")
    assert ev.kind == "table" and ev.payload["columns"] == ["a", "b"]


@pytest.mark.parametrize("value, word", [(object(), "object"), ({1, 2}, "set"), (["a", 1], "list")])
def test_values_w_and_b_cannot_chart_still_name_the_key(value, word):
    wandb.init(project="p")
    with pytest.raises(TypeError, match=f"'k'.*{word}"):
        wandb.log({"k": value})


def test_table_and_image_and_histogram_still_log():
    run = wandb.init(project="p")
    t = wandb.Table(columns=["a", "b"], data=[[1, "x"]])
    wandb.log({"t": t, "i": wandb.Image(np.zeros((2, 2))), "h": wandb.Histogram(np.arange(10))})
    wandb.finish()
    kinds = sorted(e.kind for e in run.store.read_events(run.id))
    assert kinds == ["histogram", "image", "table"]
