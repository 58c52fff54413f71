"""Accelerate -> nbmonitor: a small MLP on scikit-learn's digits, a few steps through Accelerator(log_with=...)."""

from __future__ import annotations

import math

import pytest

accelerate = pytest.importorskip("accelerate")
torch = pytest.importorskip("torch")
datasets = pytest.importorskip("sklearn.datasets")

import nbmonitor as nbm  # noqa: E402
from nbmonitor.integrations.accelerate import NbmonitorTracker  # noqa: E402


def test_accelerator_log_with_tracker(tmp_path):
    torch.manual_seed(0)
    x, y = datasets.load_digits(return_X_y=True)
    data = torch.utils.data.TensorDataset(torch.tensor(x[:256] / 16.0, dtype=torch.float32), torch.tensor(y[:256]))
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    tracker = NbmonitorTracker(project="acc", run_name="mlp", dir=tmp_path, display=False)
    accelerator = accelerate.Accelerator(cpu=True, log_with=tracker)
    accelerator.init_trackers("ignored-for-custom-trackers", config={"lr": 0.1, "batch_size": 32, "note": "x"})
    assert accelerator.get_tracker("nbmonitor", unwrap=True) is tracker.tracker
    model, opt, loader = accelerator.prepare(model, opt, torch.utils.data.DataLoader(data, batch_size=32))
    losses = []
    for step, (xb, yb) in enumerate(loader):
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        accelerator.backward(loss)
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
        accelerator.log({"train/loss": loss.item(), "phase": "train"}, step=step)
    accelerator.log({"val/acc": 0.5}, step=len(losses) - 1)
    accelerator.end_training()

    run = tracker.tracker
    assert run.state == "finished" and run.name == "mlp" and run.project == "acc"
    assert dict(run.config) == {"lr": 0.1, "batch_size": 32, "note": "x"}
    hist = run.history()
    assert hist["_step"].tolist() == list(range(8))
    assert all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(hist["train/loss"], losses))
    assert "phase" not in hist.columns  # text is not a scalar: left out
    assert run.summary["val/acc"] == 0.5
    assert nbm.run is None
