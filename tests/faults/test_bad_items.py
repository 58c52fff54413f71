"""Bad items fail at the call that gave them; nothing logged is affected (issue 11, items 3 and 4)."""

from __future__ import annotations

import math

import pytest

import nbmonitor as nbm
from nbmonitor.errors import NbmonitorWarning, StoreError


def _circular():
    d: dict = {}
    d["self"] = d
    return d


@pytest.mark.parametrize("value, problem", [
    (_circular(), "Circular"),
    ({("a", 1): 2}, "keys must be str"),
    (10**5000, "digits"),
], ids=["circular", "tuple-keys", "huge-int"])
@pytest.mark.parametrize("where", ["config", "summary"])
def test_unstorable_config_and_summary_values_fail_at_set_naming_the_key(value, problem, where):
    run = nbm.init(project="bad")
    target = getattr(run, where)
    with pytest.raises(TypeError, match=rf"{where}\['bad_key'\].*{problem}"):
        target["bad_key"] = value
    if where == "config":
        with pytest.raises(TypeError, match="bad_key"):
            run.config.update({"bad_key": value})
    target["nan_is_fine"] = math.nan
    for i in range(600):
        run.log({"x": float(i)})
    run.finish(quiet=True)  # does not raise
    view = nbm.get_run(run.id)
    assert len(view.history()) == 600
    stored = view.config if where == "config" else view.summary
    assert "bad_key" not in stored and math.isnan(stored["nan_is_fine"])


def test_init_config_with_an_unstorable_value_fails_in_init():
    with pytest.raises(TypeError, match=r"config\['loop'\]"):
        nbm.init(project="bad", config={"loop": _circular()})


def test_lone_surrogate_key_and_huge_step_fail_in_log_and_the_run_goes_on():
    run = nbm.init(project="bad")
    run.log({"ok": 1.0})
    with pytest.raises(ValueError, match="not valid text"):
        run.log({"bad\ud800": 1.0})
    with pytest.raises(ValueError, match="not valid text"):
        run.log({"bad\udfff": 2})  # not a float: the slow path checks it too
    with pytest.raises(ValueError, match="too large"):
        run.log({"ok": 1.0}, step=2**63)
    run.log({"ok": 2.0}, step=2**63 - 1)
    run.finish(quiet=True)
    hist = nbm.get_run(run.id).history()
    assert hist["ok"].tolist() == [1.0, 2.0]
    assert hist["_step"].tolist() == [0, 2**63 - 1]


def test_config_changed_in_place_to_unstorable_costs_the_config_not_the_points():
    run = nbm.init(project="bad", config={"opts": {"a": 1}})
    opts = run.config["opts"]
    opts["me"] = opts  # after the check: the store finds out at the next write
    for i in range(600):
        run.log({"x": float(i)})
    with pytest.warns(NbmonitorWarning, match="config/summary could not be stored"):
        run.finish(quiet=True)
    assert len(nbm.get_run(run.id).history()) == 600


def test_a_failing_write_keeps_the_rows_in_memory_and_the_next_one_writes_them(monkeypatch):
    import threading

    run = nbm.init(project="bad")
    store = run.store
    real = store.write

    def flaky(*a, **kw):  # this thread's writes fail until told otherwise; the writer thread's succeed
        if threading.current_thread() is threading.main_thread() and failing:
            raise StoreError("disk full (injected)")
        return real(*a, **kw)

    failing = True
    monkeypatch.setattr(store, "write", flaky)
    for i in range(600):
        run.log({"x": float(i)})
        if i % 150 == 149:
            with pytest.raises(StoreError, match="injected"):
                run.flush()
    failing = False
    run.finish(quiet=True)
    assert nbm.get_run(run.id).history()["x"].tolist() == [float(i) for i in range(600)]


@pytest.mark.parametrize("key", ["_step", "_timestamp"])
def test_reserved_history_columns_are_refused_at_log(key):
    run = nbm.init(project="bad")
    with pytest.raises(ValueError, match=f"{key}.*reserved"):
        run.log({key: 5.0})
    run.log({"x": 1.0})
    run.finish(quiet=True)
    hist = nbm.get_run(run.id).history()
    assert hist["_step"].tolist() == [0]


def test_config_keys_named_like_run_columns_keep_their_own_columns():
    config = {"name": "cfg-name", "id": "cfg-id", "state": "cfg-state", "project": "x", "created": 1, "lr": 0.1}
    run = nbm.init(project="cols", name="real-name", config=config)
    run.summary["name"] = "summary-name"
    run.finish(quiet=True)
    df = nbm.runs(project="cols")
    row = df.iloc[0]
    assert row["name"] == "real-name" and row["id"] == run.id and row["state"] == "finished"
    assert row["project"] == "cols"
    for k, v in config.items():
        assert row[f"config.{k}" if k != "lr" else "lr"] == v
    assert row["summary/name"] == "summary-name"
