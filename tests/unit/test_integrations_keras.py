"""Keras 3 on the torch backend -> nbmonitor: a small MLP on scikit-learn's digits, two epochs."""

from __future__ import annotations

import math
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
datasets = pytest.importorskip("sklearn.datasets")

import nbmonitor as nbm  # noqa: E402
from nbmonitor.integrations.keras import NbmonitorCallback  # noqa: E402

if keras.backend.backend() != "torch":  # pragma: no cover - keras imported earlier with another backend
    pytest.skip("these tests run Keras on its torch backend", allow_module_level=True)


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data():
    x, y = datasets.load_digits(return_X_y=True)
    return (x[:256] / 16.0).astype("float32"), y[:256], (x[1500:1628] / 16.0).astype("float32"), y[1500:1628]


def test_epoch_and_batch_metrics(tmp_path):
    x, y, xv, yv = _data()
    cb = NbmonitorCallback(log_freq=2, project="keras-digits", dir=tmp_path, display=False)
    h = _model().fit(x, y, validation_data=(xv, yv), epochs=2, batch_size=32, verbose=0, callbacks=[cb])
    run = cb.run
    assert run.state == "finished" and run.project == "keras-digits"
    hist = run.history()
    epochs = hist.dropna(subset=["epoch/loss"])
    assert epochs["_step"].tolist() == [8, 16] and epochs["epoch/epoch"].tolist() == [0, 1]
    for k in ("loss", "accuracy", "val_loss", "val_accuracy"):
        for got, want in zip(epochs[f"epoch/{k}"], h.history[k]):
            assert math.isclose(got, want, rel_tol=1e-5), k
    assert epochs["epoch/learning_rate"].tolist() == pytest.approx([0.05, 0.05])
    batches = hist.dropna(subset=["batch/loss"])
    assert batches["_step"].tolist() == [2, 4, 6, 8, 10, 12, 14, 16]
    assert batches["batch/batch_step"].tolist() == [2, 4, 6, 8, 10, 12, 14, 16]
    assert run.config["epochs"] == 2 and run.config["steps"] == 8 and run.config["optimizer"] == "SGD"
    assert run.config["model/num_parameters"] == 64 * 32 + 32 + 32 * 10 + 10
    assert math.isclose(run.summary["epoch/val_accuracy"], h.history["val_accuracy"][-1], rel_tol=1e-5)


def test_wandb_names_after_changing_the_import(tmp_path):
    from nbmonitor.keras import WandbCallback, WandbMetricsLogger

    assert WandbMetricsLogger is NbmonitorCallback
    x, y, xv, yv = _data()
    nbm.init(project="keras-legacy", dir=tmp_path, display=False, config={"epochs": 3})
    cb = WandbCallback(save_model=False, log_weights=True, monitor="val_loss")
    h = _model().fit(x, y, validation_data=(xv, yv), epochs=3, batch_size=64, verbose=0, callbacks=[cb])
    run = nbm.run
    assert run is not None and run.state == "running"  # the user's run stays open
    hist = run.history()
    assert hist["_step"].tolist() == [0, 1, 2] and hist["epoch"].tolist() == [0, 1, 2]
    assert hist["val_loss"].tolist() == pytest.approx(h.history["val_loss"], rel=1e-5)
    assert run.summary["best_val_loss"] == pytest.approx(min(h.history["val_loss"]), rel=1e-5)
    nbm.finish(quiet=True)
