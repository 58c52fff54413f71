"""nbm.watch / unwatch on a small CNN: histograms at the right steps, hooks removed, NaN alerts."""

from __future__ import annotations

import gc
import weakref

import pytest

torch = pytest.importorskip("torch")

import nbmonitor as nbm  # noqa: E402
from nbmonitor.sources import open_source  # noqa: E402
from nbmonitor.tracking import watch as hooks  # noqa: E402
from nbmonitor.tracking.alerts import remove_alert_callback  # noqa: E402


def cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 10),
    )


def train(model, steps, log_every_step=True):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if log_every_step:
            nbm.log({"loss": loss})


def events(run, tmp_path, kinds=("histogram",)):
    return open_source(tmp_path).read_events(run.id, kinds=list(kinds))


def test_watch_all_logs_at_every_log_freq_steps(tmp_path):
    run = nbm.init(project="w", dir=tmp_path, display=False)
    model = cnn()
    nbm.watch(model, log="all", log_freq=3)
    train(model, 10)
    with torch.no_grad():
        model(torch.randn(2, 1, 8, 8))  # evaluation: not a training step
    model.eval()
    model(torch.randn(2, 1, 8, 8))
    nbm.finish(quiet=True)
    evs = events(run, tmp_path)
    names = ["0.weight", "0.bias", "4.weight", "4.bias"]
    keys = {e.key for e in evs}
    assert keys == {f"{kind}/{n}" for kind in ("parameters", "gradients") for n in names}
    for key in keys:
        assert [e.step for e in evs if e.key == key] == [2, 5, 8], key  # the 3rd, 6th, 9th step
    e = next(e for e in evs if e.key == "parameters/4.bias")
    assert len(e.payload["counts"]) == hooks.NUM_BINS and e.payload["num"] == 10
    assert set(e.payload) == {"edges", "counts", "min", "max", "num", "sum"}
    # logged with commit=False: the scalar steps are untouched
    assert run.history()["_step"].tolist() == list(range(10))


def test_watch_gradients_default_and_parameters_only(tmp_path):
    run = nbm.init(project="w", dir=tmp_path, display=False)
    a, b = cnn(), cnn()
    nbm.watch(a, log_freq=2)
    nbm.watch(b, log="parameters", log_freq=2)
    train(a, 2)
    train(b, 2)
    nbm.finish(quiet=True)
    keys = sorted({e.key for e in events(run, tmp_path)})
    assert [k for k in keys if k.startswith("gradients/")] == ["gradients/0.bias", "gradients/0.weight",
                                                              "gradients/4.bias", "gradients/4.weight"]
    assert len([k for k in keys if k.startswith("parameters/")]) == 4


def test_watch_several_models_prefixes_names(tmp_path):
    run = nbm.init(project="w", dir=tmp_path, display=False)
    m1, m2 = cnn(), torch.nn.Linear(3, 1)
    nbm.watch([m1, m2], log="parameters", log_freq=1)
    m2(torch.randn(2, 3))
    nbm.finish(quiet=True)
    assert {e.key for e in events(run, tmp_path)} == {"parameters/1.weight", "parameters/1.bias"}


def test_unwatch_removes_every_hook(tmp_path):
    nbm.init(project="w", dir=tmp_path, display=False)
    model = cnn()
    nbm.watch(model, log="all", log_freq=1)
    assert model._forward_hooks and all(p._backward_hooks for p in model.parameters())
    nbm.unwatch(model)
    assert not model._forward_hooks
    assert not any(p._backward_hooks for p in model.parameters())
    nbm.watch(model, log="all", log_freq=1)
    nbm.watch(model, log="all", log_freq=1)  # watching again replaces, not doubles
    assert len(model._forward_hooks) == 1
    assert all(len(p._backward_hooks) == 1 for p in model.parameters())
    nbm.unwatch()
    assert not model._forward_hooks and not hooks._watches


def test_hooks_keep_no_graph_or_model_alive(tmp_path):
    nbm.init(project="w", dir=tmp_path, display=False)
    model = cnn()
    nbm.watch(model, log="all", log_freq=1000)
    for step in range(2):
        hidden = model[0](torch.randn(4, 1, 8, 8))  # an activation the graph holds
        ref = weakref.ref(hidden)
        out = model[1:](hidden).sum()
        del hidden
        out.backward()
        del out
        gc.collect()
        assert ref() is None, "the graph of a watched step outlived it"
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_nan_gradient_alerts_once_per_parameter(tmp_path):
    run = nbm.init(project="w", dir=tmp_path, display=False)
    seen = []
    nbm.on_alert(seen.append)
    try:
        model = torch.nn.Linear(3, 2)
        nbm.watch(model, log="gradients", log_freq=1)
        for _ in range(3):
            model(torch.tensor([[float("nan"), 1.0, 1.0]])).sum().backward()
            nbm.log({"x": 1.0})
    finally:
        remove_alert_callback(seen.append)
    nbm.finish(quiet=True)
    alerts = events(run, tmp_path, ["alert"])
    assert [a.payload["title"] for a in alerts] == ["Non-finite gradient in weight"]
    assert alerts[0].step == 0 and alerts[0].payload["level"] == "WARN"
    assert "weight" in alerts[0].payload["text"] and "NaN" in alerts[0].payload["text"]
    assert [a.title for a in seen] == ["Non-finite gradient in weight"]
    # the finite part is still binned; an all-NaN gradient is skipped, not a crash
    grads = events(run, tmp_path)
    assert {e.key for e in grads} == {"gradients/weight", "gradients/bias"}


def test_watch_bad_input(tmp_path):
    with pytest.raises(nbm.NotInitializedError):
        nbm.watch(cnn())
    nbm.init(project="w", dir=tmp_path, display=False)
    with pytest.raises(TypeError, match="torch.nn.Module.*got str"):
        nbm.watch("model")
    with pytest.raises(TypeError, match="got int"):
        nbm.watch([cnn(), 3])
    with pytest.raises(ValueError, match="log must be"):
        nbm.watch(cnn(), log="weights")
    with pytest.raises(ValueError, match="log_freq"):
        nbm.watch(cnn(), log_freq=0)
    nbm.unwatch("not watched")  # nothing to do, no error


def test_hooks_outlive_the_run_quietly(tmp_path):
    run = nbm.init(project="w", dir=tmp_path, display=False)
    model = cnn()
    nbm.watch(model, log="all", log_freq=1)
    nbm.finish(quiet=True)
    before = len(events(run, tmp_path))
    train(model, 1, log_every_step=False)  # no run: the hooks do nothing, and raise nothing
    assert len(events(run, tmp_path)) == before  # nothing was recorded into the finished run
    assert nbm.run is None
    nbm.unwatch()
    assert not model._forward_hooks and not any(p._backward_hooks for p in model.parameters())
