"""W&B's example-notebook code (intro, alerts, define_metric, plots), run with only the import changed.

Each test body is the tutorial's own code (datasets swapped for generated numbers), then a check of what
W&B would have recorded.
"""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np

import nbmonitor as wandb


def test_intro_five_simulated_runs():
    wandb.login()
    total_runs = 5
    for run in range(total_runs):
        wandb.init(project="basic-intro", name=f"experiment_{run}",
                   config={"learning_rate": 0.02, "architecture": "CNN", "dataset": "CIFAR-100", "epochs": 10})
        epochs = 10
        offset = random.random() / 5
        for epoch in range(2, epochs):
            acc = 1 - 2 ** -epoch - random.random() / epoch - offset
            loss = 2 ** -epoch + random.random() / epoch + offset
            wandb.log({"acc": acc, "loss": loss})
        wandb.finish()
    runs = wandb.Api().runs("basic-intro")
    assert len(runs) == 5 and all(r.history().shape == (8, 4) for r in runs)


def test_alerts_tutorial():
    wandb.init(project="alerts")
    acc_threshold = 0.3
    for training_step in range(5):
        accuracy = training_step / 10
        wandb.log({"accuracy": accuracy})
        if accuracy <= acc_threshold:
            wandb.alert(title="Low accuracy",
                        text=f"Accuracy {accuracy} is below the acceptable threshold {acc_threshold}",
                        level=wandb.AlertLevel.WARN, wait_duration=timedelta(minutes=5))
    run = wandb.run
    wandb.finish()
    assert len([e for e in run.store.read_events(run.id) if e.kind == "alert"]) == 1  # repeats waited out


def test_define_metric_tutorial():
    wandb.init(project="define-metric")
    wandb.define_metric("train/step")
    wandb.define_metric("train/*", step_metric="train/step")
    wandb.define_metric("val/loss", summary="min")
    wandb.define_metric("val/acc", summary="max", goal="maximize")
    for i in range(10):
        wandb.log({"train/step": i, "train/loss": 1 / (i + 1)})
        if i % 3 == 0:
            wandb.log({"val/loss": 1 / (i + 2), "val/acc": i / 10})
    assert wandb.run.summary["val/acc"] == {"max": 0.9}
    assert wandb.run.summary["val/loss"] == {"min": 1 / 11}


def test_plots_tutorial():
    run = wandb.init(project="plots")
    data = [[x, y] for (x, y) in zip(range(10), [x**2 for x in range(10)])]
    table = wandb.Table(data=data, columns=["x", "y"])
    wandb.log({"my_custom_plot_id": wandb.plot.line(table, "x", "y", title="Custom Y vs X Line Plot")})
    wandb.log({"my_custom_id": wandb.plot.line_series(
        xs=[0, 1, 2, 3, 4], ys=[[10, 20, 30, 40, 50], [0.5, 11, 72, 3, 41]],
        keys=["metric Y", "metric Z"], title="Two Random Metrics", xname="x units")})
    wandb.log({"scatter": wandb.plot.scatter(table, "x", "y", title="Scatter")})
    wandb.log({"bar": wandb.plot.bar(table, "x", "y", title="bars")})
    wandb.log({"hist": wandb.plot.histogram(table, "y", title="dist")})
    y_true = np.array([0, 1, 2, 1, 0, 2])
    probas = np.eye(3)[[0, 2, 2, 1, 0, 1]] * 0.8 + 0.05
    wandb.log({"conf_mat": wandb.plot.confusion_matrix(probs=None, y_true=y_true, preds=probas.argmax(1),
                                                       class_names=["a", "b", "c"])})
    wandb.log({"roc": wandb.plot.roc_curve(y_true, probas, labels=["a", "b", "c"])})
    wandb.log({"pr": wandb.plot.pr_curve(y_true, probas, labels=["a", "b", "c"])})
    wandb.log({"examples": [wandb.Image(np.zeros((8, 8)), caption=str(i)) for i in range(3)]})
    wandb.finish()
    charts = [e.payload["chart"]["type"] for e in run.store.read_events(run.id) if "chart" in e.payload]
    assert charts == ["line", "line_series", "scatter", "bar", "histogram", "confusion_matrix", "roc_curve",
                      "pr_curve"]
