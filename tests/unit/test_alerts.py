"""nbm.alert and nbm.on_alert: recorded events, levels, wait_duration, callbacks."""

from __future__ import annotations

import datetime

import pytest

import nbmonitor as nbm
from nbmonitor.sources import open_source
from nbmonitor.tracking import alerts


@pytest.fixture
def received():
    got = []
    nbm.on_alert(got.append)
    yield got
    alerts.remove_alert_callback(got.append)


def test_alert_recorded_with_step_and_time(tmp_path, received):
    run = nbm.init(project="a", dir=tmp_path, display=False)
    nbm.log({"acc": 0.9})
    nbm.log({"acc": 0.5})
    assert nbm.alert("Accuracy dropped", "acc 0.5 < 0.8", level="error") is True
    nbm.finish(quiet=True)
    (ev,) = open_source(tmp_path).read_events(run.id, kinds=["alert"])
    assert ev.payload == {"title": "Accuracy dropped", "text": "acc 0.5 < 0.8", "level": "ERROR"}
    assert ev.step == 2 and ev.time > 0
    (a,) = received
    assert (a.title, a.level, a.step, a.run_name) == ("Accuracy dropped", "ERROR", 2, run.name)
    assert "alert" not in run.summary  # an alert is not a logged value


def test_wait_duration_suppresses_repeats_of_a_title(tmp_path, received, monkeypatch):
    nbm.init(project="a", dir=tmp_path, display=False)
    now = [1000.0]
    monkeypatch.setattr(alerts.time, "time", lambda: now[0])
    assert nbm.alert("slow", "1", wait_duration=60)
    assert not nbm.alert("slow", "2", wait_duration=60)
    assert nbm.alert("other", "3", wait_duration=60)
    now[0] += 61
    assert nbm.alert("slow", "4", wait_duration=datetime.timedelta(minutes=1))
    assert nbm.alert("slow", "5")  # no wait_duration: always sent
    assert [a.text for a in received] == ["1", "3", "4", "5"]


def test_levels_and_bad_input(tmp_path):
    with pytest.raises(nbm.NotInitializedError):
        nbm.alert("t", "x")
    nbm.init(project="a", dir=tmp_path, display=False)

    class AlertLevel:  # W&B's enum members carry .value
        value = "INFO"

    assert nbm.alert("t", "x", level=AlertLevel())
    assert nbm.alert("t2", "x", level="warning")
    with pytest.raises(ValueError, match="INFO, WARN, ERROR"):
        nbm.alert("t", "x", level="LOUD")
    with pytest.raises(TypeError, match="wait_duration"):
        nbm.alert("t", "x", wait_duration="1m")
    with pytest.raises(TypeError, match="strings"):
        nbm.alert(1, "x")
    with pytest.raises(TypeError, match="callable"):
        nbm.on_alert("not a function")


def test_failing_callback_warns_and_training_goes_on(tmp_path):
    run = nbm.init(project="a", dir=tmp_path, display=False)

    def broken(alert):
        raise RuntimeError("slack down")

    nbm.on_alert(broken)
    try:
        with pytest.warns(nbm.NbmonitorWarning, match="slack down"):
            assert nbm.alert("t", "x")
    finally:
        alerts.remove_alert_callback(broken)
    nbm.finish(quiet=True)
    assert len(open_source(tmp_path).read_events(run.id, kinds=["alert"])) == 1
