"""define_metric in the panel: `step_metric=` is the x-axis of the key's chart, `hidden=True` keeps
the key out of the charts, the table and the static copy (W&B's "Define metric" guide)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("bqplot")
pytest.importorskip("anywidget")

import nbmonitor as wandb  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.ui.axes import MetricAxes, map_x  # noqa: E402
from nbmonitor.ui.panel import Panel  # noqa: E402


def test_map_x_is_the_step_metrics_last_value_at_or_before_each_step():
    x, v, kept = map_x(np.array([0, 3, 5, 9]), np.array([1.0, 2.0, 3.0, 4.0]),
                       np.array([3, 6, 9]), np.array([1.0, 2.0, np.nan]))
    assert kept.tolist() == [False, True, True, True]  # no step metric before step 3: no x
    assert x.tolist() == [1.0, 1.0, 2.0] and v.tolist() == [2.0, 3.0, 4.0]  # NaN of the step metric skipped


def test_metric_axes_exact_name_first_then_last_glob():
    ax = MetricAxes()
    assert ax.update([{"name": "*", "step_metric": "custom_step"}, {"name": "custom_step"},
                      {"name": "val/*", "step_metric": "epoch", "hidden": False},
                      {"name": "noise", "hidden": True}])
    assert ax.step_metric("val/acc") == "epoch" and ax.step_metric("loss") == "custom_step"
    assert ax.step_metric("custom_step") is None  # its own definition, no x metric
    assert ax.hidden("noise") and not ax.hidden("val/acc")
    assert not ax.update(list(ax.defs))


def _epochs_run():
    run = wandb.init(project="dm", name="epochs")
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    run.define_metric("noise", hidden=True)
    for step in range(30):
        run.log({"train/loss": 1.0 / (step + 1), "noise": float(step)})
        if step % 10 == 9:
            run.log({"epoch": float(step // 10 + 1), "val/acc": 0.5 + step / 100})
    return run


def _line(panel, key):
    (ln,) = panel._charts[key].lines.values()
    return np.asarray(ln.x, np.float64), np.asarray(ln.y, np.float64)


def test_step_metric_is_the_x_axis_and_hidden_keys_stay_out():
    with recording_comms():
        run = _epochs_run()
        run.flush()
        panel = Panel(LiveSource(run.store), project="dm", follow=run.id)
        panel.flush()
        x, y = _line(panel, "val/acc")
        assert x.tolist() == [1.0, 2.0, 3.0]  # against epoch, not against steps 10, 21, 32
        assert np.allclose(y, [0.59, 0.69, 0.79])
        assert panel._charts["val/acc"].ax.label == "epoch"
        tx, _ = _line(panel, "train/loss")
        assert panel._charts["train/loss"].ax.label == "step" and tx[0] == 0 and tx[-1] > 30
        assert "noise" not in panel._charts
        assert {r["key"] for r in panel.table.rows} == {"train/loss", "val/acc", "epoch"}
        assert {c["key"]: c["x"] for c in panel.controls.charts}["val/acc"] == "epoch"  # hover read-out
        wandb.finish()
        text, html = panel.text(), panel.html()
    assert "noise" not in text and "noise" not in html
    assert "val/acc" in text and "vs epoch" in text and "vs epoch" in html


def test_definitions_after_the_points_redraw_the_charts():
    with recording_comms():
        run = wandb.init(project="dm2")
        for step in range(5):
            run.log({"k": float(step), "noise": 1.0, "t": float(10 * step)})
        run.flush()
        panel = Panel(LiveSource(run.store), project="dm2", follow=run.id)
        panel.flush()
        assert "noise" in panel._charts and _line(panel, "k")[0].tolist() == [0, 1, 2, 3, 4]
        run.define_metric("noise", hidden=True)
        run.define_metric("k", step_metric="t")
        run.log({"k": 5.0, "t": 50.0})
        run.flush()
        panel.flush()
        wandb.finish()
    assert "noise" not in panel._charts
    assert _line(panel, "k")[0].tolist() == [0, 10, 20, 30, 40, 50]


def test_sparklines_are_drawn_against_the_step_metric():  # the table's and the static copy's history column
    from nbmonitor.ui.axes import series_means

    with recording_comms():
        run = wandb.init(project="dm3")
        run.define_metric("validation/loss", step_metric="custom_step")
        for i in range(10):
            run.log({"custom_step": i**2, "validation/loss": float(i), "train/loss": float(i)})
        run.flush()
        panel = Panel(LiveSource(run.store), project="dm3", follow=run.id)
        panel.flush()
        tr = panel.publisher.focus_run()
        m, nf = series_means(tr, "validation/loss", 20)
        assert len(m) == 10 and not nf.any()
        assert m[0] == 1.0  # x 0, 1, 4 fall in the first tenth of 0..81: the values 0, 1, 2
        assert np.all(np.diff(m) >= 0) and m[-1] == 9.0
        plain, _ = series_means(tr, "train/loss", 20)
        assert plain.tolist() == [float(i) for i in range(10)]  # no step metric: one point per step
        wandb.finish()
        assert "vs custom_step" in panel.text()


def test_history_fills_in_the_step_metric():  # W&B's step_sync (define_metric's default)
    run = wandb.init(project="dm4")
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    run.log({"epoch": 1})
    run.log({"train/loss": 0.5})
    run.log({"val/acc": 0.7})  # no epoch in this row: W&B's history still gives it epoch 1
    wandb.finish()
    h = wandb.Api().run(f"dm4/{run.id}").history()
    rows = h.set_index("_step")
    assert rows.loc[2, "epoch"] == 1 and rows.loc[2, "val/acc"] == 0.7
    assert np.isnan(rows.loc[1, "epoch"])  # train/loss has no step metric: nothing filled in
