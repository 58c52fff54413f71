"""The W&B-style run API: init / log / config / summary / finish / history."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor import NbmonitorWarning
from nbmonitor.store.memory import MemoryStore


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def store_kw(request, tmp_path):
    """Every API test runs against the SQLite store, the in-memory test double and PostgreSQL."""
    if request.param == "postgres":
        return {"dir": request.getfixturevalue("postgres_url")}
    return {"dir": tmp_path / "s"} if request.param == "sqlite" else {"store": MemoryStore()}


def test_basic_intro_flow(store_kw, capsys):
    run = nbm.init(project="basic-intro", name="experiment_0",
                   config={"learning_rate": 0.02, "architecture": "CNN", "epochs": 10}, **store_kw)
    for epoch in range(2, 10):
        nbm.log({"acc": 1 - 2 ** -epoch, "loss": 2 ** -epoch})
    nbm.summary["test_accuracy"] = 0.8
    hist = run.history()
    nbm.finish()
    assert list(hist.columns) == ["_step", "_timestamp", "acc", "loss"]
    assert hist["_step"].tolist() == list(range(8))
    assert hist["loss"].tolist() == [2 ** -e for e in range(2, 10)]
    out = capsys.readouterr().out
    assert "Run history:" in out and "Run summary:" in out
    assert "test_accuracy 0.8" in out
    assert run.state == "finished"


def test_step_semantics(store_kw):
    run = nbm.init(project="p", **store_kw)
    nbm.log({"a": 1.0})                    # step 0
    nbm.log({"b": 2.0}, commit=False)      # step 1, not committed
    nbm.log({"c": 3.0})                    # still step 1, then commit
    assert run.step == 2
    nbm.log({"a": 4.0}, step=10)           # jump ahead; accumulates until the step changes
    nbm.log({"b": 5.0}, step=10)
    nbm.log({"a": 6.0})                    # W&B: no step given -> current step (10), then commit
    with pytest.warns(NbmonitorWarning, match="lower than the current step"):
        nbm.log({"a": 99.0}, step=3)
    h = run.history()
    assert h["_step"].tolist() == [0, 1, 10]
    assert h["b"].tolist()[1:] == [2.0, 5.0]
    assert h["c"].tolist()[1] == 3.0
    assert h["a"].tolist()[0] == 1.0 and math.isnan(h["a"].tolist()[1])
    assert h.loc[h._step == 10, "a"].item() == 6.0  # the last value logged at a step wins
    assert 99.0 not in h["a"].tolist()
    assert run.step == 11


def test_values_numpy_torch_nan_inf(store_kw):
    torch = pytest.importorskip("torch")
    run = nbm.init(project="p", **store_kw)
    nbm.log({"np": np.float32(0.5), "i": np.int64(3), "t": torch.tensor(1.25), "t1": torch.ones(1),
             "b": True, "nan": float("nan"), "inf": float("inf"), "arr0": np.array(2.0)})
    h = run.history()
    row = h.iloc[0]
    assert (row["np"], row["i"], row["t"], row["t1"], row["b"], row["arr0"]) == (0.5, 3.0, 1.25, 1.0, 1.0, 2.0)
    assert math.isnan(row["nan"]) and row["inf"] == math.inf
    assert math.isnan(run.summary["nan"])
    nbm.finish(quiet=True)


@pytest.mark.parametrize("value, words", [  # what W&B also cannot chart (str, None, arrays: tests/wandb_compat)
    (object(), ["'k'", "object"]),
    ({1, 2}, ["'k'", "set"]),
    (["a", "b"], ["'k'", "list"]),
    (1 + 2j, ["'k'", "complex"]),
])
def test_bad_values_name_key_and_type(value, words):
    run = nbm.init(project="p")
    nbm.log({"ok": 1.0})
    with pytest.raises(TypeError) as e:
        nbm.log({"fine": 2.0, "k": value})
    for w in words:
        assert w in str(e.value)
    assert run.history()["ok"].tolist() == [1.0]  # nothing logged before is lost
    assert "fine" not in run.history().columns   # a rejected call records nothing


def test_multi_element_tensor_is_a_histogram():
    torch = pytest.importorskip("torch")
    run = nbm.init(project="p")
    nbm.log({"w": torch.arange(64.0).reshape(8, 8)})  # as W&B: many values -> a 32-bin histogram
    nbm.finish(quiet=True)
    (ev,) = [e for e in run._store.read_events(run.id) if e.key == "w"]
    assert ev.kind == "histogram" and len(ev.payload["counts"]) == 32 and ev.payload["num"] == 64


def test_log_before_init_and_after_finish():
    with pytest.raises(nbm.NotInitializedError, match="init"):
        nbm.log({"a": 1})
    run = nbm.init(project="p")
    nbm.finish(quiet=True)
    with pytest.raises(RuntimeError, match="finished"):
        run.log({"a": 1})
    with pytest.raises(RuntimeError, match="init"):
        nbm.log({"a": 1})


def test_non_string_key_and_non_dict():
    nbm.init(project="p")
    with pytest.raises(TypeError, match="keys must be strings"):
        nbm.log({1: 2.0})
    with pytest.raises(TypeError, match="dict"):
        nbm.log([("a", 1.0)])


def test_config_and_summary_access(store_kw):
    run = nbm.init(project="p", config={"lr": 0.1}, **store_kw)
    assert nbm.config.lr == 0.1 and nbm.config["lr"] == 0.1
    nbm.config.update({"epochs": 3})
    nbm.config.batch = 32
    assert dict(run.config) == {"lr": 0.1, "epochs": 3, "batch": 32}
    nbm.log({"acc": 0.5})
    nbm.log({"acc": 0.7})
    assert nbm.summary["acc"] == 0.7
    nbm.summary["acc"] = 0.9  # overrides the last value
    nbm.log({"acc": 0.8})
    assert run.summary["acc"] == 0.9
    nbm.finish(quiet=True)
    if "dir" in store_kw:
        back = nbm.get_run(run.id, dir=store_kw["dir"])
        assert back.config.epochs == 3 and back.config["batch"] == 32
        assert back.summary == {"acc": 0.9}


def test_second_init_finishes_previous_run(store_kw):
    first = nbm.init(project="p", name="one", **store_kw)
    nbm.log({"a": 1.0})
    second = nbm.init(project="p", name="two", **store_kw)
    assert first.state == "finished" and second.state == "running"
    with pytest.raises(RuntimeError):
        first.log({"a": 2.0})


def test_context_manager_records_failure(store_kw):
    with pytest.raises(ZeroDivisionError):
        with nbm.init(project="p", name="bad", **store_kw) as run:
            run.log({"a": 1.0})
            raise ZeroDivisionError("the block fails")
    assert run.state == "failed"
    with nbm.init(project="p", name="good", **store_kw) as ok:
        ok.log({"a": 1.0})
    assert ok.state == "finished"


def test_random_readable_names():
    names = set()
    for _ in range(3):
        run = nbm.init(project="names")
        names.add(run.name)
        nbm.finish(quiet=True)
    assert len(names) == 3
    assert all(n.count("-") == 2 and n.split("-")[-1].isdigit() for n in names)


def test_runs_frame_and_get_run(tmp_path):
    for i, lr in enumerate([0.1, 0.01]):
        nbm.init(project="sweep", name=f"r{i}", config={"lr": lr}, dir=tmp_path)
        nbm.log({"loss": 1.0 / (i + 1)})
        nbm.finish(quiet=True)
    df = nbm.runs(project="sweep", dir=tmp_path)
    assert df["name"].tolist() == ["r0", "r1"]
    assert df["state"].tolist() == ["finished", "finished"]
    assert df["lr"].tolist() == [0.1, 0.01]
    assert df["loss"].tolist() == [1.0, 0.5]
    r = nbm.get_run("r1", project="sweep", dir=tmp_path)
    assert r.history()["loss"].tolist() == [0.5]
    with pytest.raises(nbm.RunNotFoundError, match="nope"):
        nbm.get_run("nope", dir=tmp_path)


def test_resume_continues_steps(tmp_path):
    nbm.init(project="p", id="myrun-1", dir=tmp_path)
    nbm.log({"a": 1.0})
    nbm.log({"a": 2.0})
    nbm.finish(quiet=True)
    with pytest.raises(ValueError, match="resume"):
        nbm.init(project="p", id="myrun-1", dir=tmp_path)
    again = nbm.init(project="p", id="myrun-1", resume="allow", dir=tmp_path)
    assert again.step == 2
    nbm.log({"a": 3.0})
    assert again.history()["a"].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(nbm.RunNotFoundError):
        nbm.init(project="p", id="other", resume="must", dir=tmp_path)


@pytest.mark.parametrize("bad", ["../../etc", "a/b", "", "x" * 65, "a b"])
def test_ids_never_become_paths(bad, tmp_path):
    with pytest.raises(ValueError, match="run id"):
        nbm.init(project="p", id=bad, dir=tmp_path)


def test_hostile_names_stay_inside_root(tmp_path):
    run = nbm.init(project="../../outside", name="../../../etc/passwd", dir=tmp_path / "root")
    nbm.log({"a": 1.0})
    nbm.finish(quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root"]
    assert nbm.get_run("../../../etc/passwd", dir=tmp_path / "root").history()["a"].tolist() == [1.0]
    assert run.state == "finished"


def test_a_stored_run_displays_its_report(tmp_path):
    nbm.init(project="p", name="<shown>", dir=tmp_path)
    for i in range(10):
        nbm.log({"loss": 1 / (i + 1)})
    nbm.finish(quiet=True)
    bundle = nbm.get_run("<shown>", dir=tmp_path)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("nbmonitor run <shown> in project p: finished, 10 steps")
    assert "&lt;shown&gt;" in bundle["text/html"] and "data:image/png;base64," in bundle["text/html"]


def test_runs_frame_leaves_media_summaries_out(tmp_path):
    nbm.init(project="m", name="r", dir=tmp_path)
    nbm.log({"acc": 0.5, "hist": nbm.Histogram([1.0, 2.0, 3.0])})
    nbm.finish(quiet=True)
    df = nbm.runs(project="m", dir=tmp_path)
    assert "acc" in df.columns and "hist" not in df.columns
