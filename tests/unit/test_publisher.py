"""The panel's publisher: cursors, throttling, message budget, bounded memory (no browser)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.sources import LiveSource
from nbmonitor.store.memory import MemoryStore
from nbmonitor.ui.publisher import MessageBudget, Publisher


class _Recording:
    """Wraps Decimator.add to keep every point the publisher hands it, per key."""

    def __init__(self, monkeypatch):
        from nbmonitor.ui import downsample as _downsample

        self.points: dict[int, list] = {}
        orig = _downsample.Decimator.add
        rec = self

        def add(dec, steps, values, *args, **kwargs):
            rec.points.setdefault(id(dec), []).append((np.array(steps), np.array(values)))
            return orig(dec, steps, values, *args, **kwargs)

        monkeypatch.setattr(_downsample.Decimator, "add", add)

    def of(self, dec):
        parts = self.points.get(id(dec), [])
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


@pytest.mark.parametrize("store", ["sqlite", "memory"])
def test_cursor_never_skips_or_repeats_a_point(monkeypatch, store):
    rec = _Recording(monkeypatch)
    kw = {"store": MemoryStore()} if store == "memory" else {}
    run = nbm.init(project="cur", name="r", display=False, **kw)
    pub = Publisher(LiveSource(run._store), "cur")
    stop = threading.Event()
    n = {"i": 0}

    def train():
        i = 0
        while not stop.is_set() and i < 400_000:
            run.log({"a": float(i), "b/c": float(-i)} if i % 3 else {"a": float(i)})
            i += 1
        n["i"] = i

    t = threading.Thread(target=train)
    t.start()
    deadline = time.monotonic() + 2.5  # crosses several seals (0.1 s) and store flushes (1 s)
    while time.monotonic() < deadline:
        pub.poll()
        time.sleep(0.03)
    stop.set()
    t.join()
    run.finish(quiet=True)
    pub._runs_read_at = -1e18
    pub.poll()
    total = n["i"]
    tr = pub.runs[run.id]
    steps, vals = rec.of(tr.series["a"].decimator)
    assert np.array_equal(steps, np.arange(total)) and np.array_equal(vals, np.arange(total, dtype=float))
    steps_b, vals_b = rec.of(tr.series["b/c"].decimator)
    expect = np.array([i for i in range(total) if i % 3])
    assert np.array_equal(steps_b, expect) and np.array_equal(vals_b, -expect.astype(float))
    assert tr.series["a"].cursor == total
    assert tr.step == total - 1
    assert tr.record.state == "finished"
    assert pub.poll().series == set()  # nothing new: nothing handed on


def test_thread_wakes_at_most_ten_times_a_second():
    store = MemoryStore()
    pub = Publisher(LiveSource(store), interval=0.01)  # asks for 100 Hz, gets 10 Hz
    assert pub.interval == 0.1
    calls = []
    pub.start(lambda upd: calls.append(time.monotonic()))
    time.sleep(1.05)
    pub.stop()
    assert 8 <= len(calls) <= 11
    assert not pub.running


def test_message_budget_token_bucket():
    now = [0.0]
    b = MessageBudget(rate=10, burst=10, clock=lambda: now[0])
    assert sum(b.take() for _ in range(50)) == 10  # the burst
    now[0] += 1.0
    assert sum(b.take() for _ in range(50)) == 10  # 10 more a second later
    got = 0
    for _ in range(100):  # 10 s at 10 Hz ticks, 5 asks a tick
        now[0] += 0.1
        got += sum(b.take() for _ in range(5))
    assert 99 <= got <= 100  # (float clock steps)


def test_follows_new_runs_of_the_project_and_their_state():
    store = MemoryStore()
    pub = Publisher(LiveSource(store), "sweep", runs_interval=0.0)
    names = []
    for k in range(3):
        run = nbm.init(project="sweep", name=f"lr-{k}", store=store, display=False)
        for i in range(50):
            run.log({"loss": 1.0 / (i + 1 + k)})
        run._flush()
        names.append(run.id)
        upd = pub.poll()
        assert run.id in upd.new_runs
        nbm.finish(quiet=True)
    pub.poll()
    pub.poll()
    assert list(pub.runs) == names
    assert {tr.record.state for tr in pub.runs.values()} == {"finished"}
    assert all(tr.series["loss"].decimator.count == 50 for tr in pub.runs.values())
    assert len({tr.color for tr in pub.runs.values()}) == 3
    assert all(tr.done for tr in pub.runs.values())


def test_nonfinite_points_counted_on_their_own_key():
    """A tick reads every key of a run at once: a NaN/inf in one key marks that key only."""
    store = MemoryStore()
    run = nbm.init(project="nf", store=store, display=False)
    pub = Publisher(LiveSource(store), "nf")
    tick_values = [{"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 1.5, "b": float("nan"), "c": 3.5},
                   {"a": 2.0, "b": 2.5, "c": float("-inf")}, {"a": 2.5, "b": 3.0, "c": 4.0}]
    for values in tick_values:
        run.log(values)
        run.seal()
        pub.poll()
    series = pub.runs[run.id].series
    assert {k: s.decimator.nonfinite for k, s in series.items()} == {"a": 0, "b": 1, "c": 1}
    assert {k: s.decimator.count for k, s in series.items()} == {"a": 4, "b": 4, "c": 4}
    assert (series["b"].decimator.min, series["b"].decimator.max) == (2.0, 3.0)
    steps, values = series["c"].decimator.nonfinite_marks()
    assert steps.tolist() == [2] and values.tolist() == [float("-inf")]
    nbm.finish(quiet=True)


def test_run_and_key_filters():
    store = MemoryStore()
    for name in ("ex1", "ex2", "other"):
        run = nbm.init(project="p", name=name, store=store, display=False)
        run.log({"Loss/train": 1.0, "Loss/val": 2.0, "lr": 0.1})
        nbm.finish(quiet=True)
    pub = Publisher(LiveSource(store), "p", runs=["ex*"], keys=["Loss/*"])
    upd = pub.poll()
    assert sorted(tr.record.name for tr in pub.runs.values()) == ["ex1", "ex2"]
    assert {k for _, k in upd.series} == {"Loss/train", "Loss/val"}


def test_memory_bounded_for_a_long_run():
    store = MemoryStore()
    run = nbm.init(project="long", store=store, display=False)
    pub = Publisher(LiveSource(store), "long", capacity=1000)
    for block in range(20):
        for i in range(50_000):
            run.log({"loss": 1.0})
        run._flush()
        pub.poll()
    nbm.finish(quiet=True)
    pub.poll()
    dec = pub.runs[run.id].series["loss"].decimator
    assert dec.count == 1_000_000
    assert pub.memory_bytes() < 200_000
