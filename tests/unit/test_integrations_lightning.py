"""Lightning -> nbmonitor: a small MLP on scikit-learn's digits (no download), a few steps of fit() and test()."""

from __future__ import annotations

import math

import pytest

L = pytest.importorskip("lightning")
torch = pytest.importorskip("torch")
datasets = pytest.importorskip("sklearn.datasets")

import nbmonitor as nbm  # noqa: E402
from nbmonitor.integrations.lightning import NbmonitorLogger  # noqa: E402


class DigitsMLP(L.LightningModule):
    def __init__(self, hidden: int = 32, lr: float = 0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))

    def _loss(self, batch):
        x, y = batch
        logits = self.net(x)
        return torch.nn.functional.cross_entropy(logits, y), (logits.argmax(1) == y).float().mean()

    def training_step(self, batch, i):
        loss, _ = self._loss(batch)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, i):
        loss, acc = self._loss(batch)
        self.log("val_loss", loss)
        self.log("val_acc", acc)

    def test_step(self, batch, i):
        _, acc = self._loss(batch)
        self.log("test_acc", acc)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def _loaders():
    x, y = datasets.load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    train = torch.utils.data.TensorDataset(x[:256], y[:256])
    val = torch.utils.data.TensorDataset(x[1500:1628], y[1500:1628])
    dl = torch.utils.data.DataLoader
    return dl(train, batch_size=32, shuffle=False), dl(val, batch_size=64)


def _trainer(logger, **kw):
    kw = {"max_epochs": 2, "log_every_n_steps": 2, **kw}
    return L.Trainer(logger=logger, accelerator="cpu", devices=1, enable_progress_bar=False,
                     enable_model_summary=False, enable_checkpointing=False, **kw)


def test_lightning_logger_records_fit_and_test(tmp_path):
    torch.manual_seed(0)
    logger = NbmonitorLogger(project="pl", name="mlp", dir=tmp_path / "runs", display=False)
    model = DigitsMLP()
    train, val = _loaders()
    trainer = _trainer(logger)
    trainer.fit(model, train, val)

    run = nbm.get_run("mlp", project="pl", dir=tmp_path / "runs")
    assert run.state == "finished" and run.id == logger.version
    assert run.config["hidden"] == 32 and run.config["lr"] == 0.05  # save_hyperparameters()
    hist = run.history()
    assert {"train_loss", "val_loss", "val_acc", "epoch"} <= set(hist.columns)
    # 8 batches an epoch, 2 epochs: train_loss every 2 steps, validation at the end of each epoch
    assert hist.dropna(subset=["train_loss"])["_step"].tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    val_rows = hist.dropna(subset=["val_loss"])
    assert val_rows["_step"].tolist() == [7, 15] and val_rows["epoch"].tolist() == [0, 1]
    logged = trainer.logged_metrics  # what Lightning reports last
    assert math.isclose(run.summary["val_acc"], float(logged["val_acc"]), rel_tol=1e-6)
    assert math.isclose(run.summary["train_loss"], float(logged["train_loss"]), rel_tol=1e-6)

    # test() after fit(): reopens the same run for its metrics
    result = trainer.test(model, val, verbose=False)
    run = nbm.get_run("mlp", project="pl", dir=tmp_path / "runs")
    assert run.state == "finished"
    assert math.isclose(run.summary["test_acc"], result[0]["test_acc"], rel_tol=1e-6)
    assert len(nbm.runs(project="pl", dir=tmp_path / "runs")) == 1


def test_experiment_is_the_run_and_watch(tmp_path):
    logger = NbmonitorLogger(project="pl", dir=tmp_path / "runs", display=False, prefix="fold0")
    run = logger.experiment
    assert nbm.run is run and logger.version == run.id and logger.name == "pl"
    model = DigitsMLP()
    logger.watch(model, log="all", log_freq=1)
    train, _ = _loaders()
    _trainer(logger, max_epochs=1, limit_train_batches=2).fit(model, train)
    assert nbm.run is None and run.state == "finished"
    keys = set(run.history().columns)
    assert "fold0-train_loss" in keys
    kinds = {e.kind for e in nbm.get_run(run.id, dir=tmp_path / "runs").events()}
    assert "histogram" in kinds
