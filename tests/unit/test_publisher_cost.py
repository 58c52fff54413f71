"""A panel tick costs in proportion to the new points (issue 12): behaviour, not timings.

The decimator takes a few points without touching its buckets and folds them in later, with
the same result; lines with no new points are not sent again; `LiveSource` stops at the
pending block a reader has read and asks the store for events only when there are new ones.
(`bench/bench_publisher.py` measures the cost: 10 runs x 50 keys at 100 Hz.)
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor._testing import recording_comms
from nbmonitor.sources import LiveSource
from nbmonitor.store import Chunk
from nbmonitor.store.memory import MemoryStore
from nbmonitor.tracking import flusher
from nbmonitor.ui import charts
from nbmonitor.ui.downsample import FOLD_AT, Decimator
from nbmonitor.ui.panel import Panel


def _state(dec: Decimator):
    x, y = dec.points()
    s, v = dec.nonfinite_marks()
    _, nf = dec.means(60)  # (the means themselves: float sums, equal to rounding)
    return (x.tolist(), np.nan_to_num(y, nan=7.5).tolist(), s.tolist(), np.nan_to_num(v, nan=7.5).tolist(),
            nf.tolist(), dec.min, dec.max, dec.count, dec.nonfinite, dec.first, dec.last, dec.per_bucket, dec.buckets)


@pytest.mark.parametrize("chunk", [1, 7, FOLD_AT - 1, FOLD_AT + 3])
def test_a_decimator_fed_a_few_points_at_a_time_ends_as_one_fed_all_at_once(chunk):
    rng = np.random.default_rng(3)
    n = 20_011 if chunk > 1 else 5_003
    v = np.cumsum(rng.normal(size=n))
    v[[5, 1_000, 4_444]] = [np.nan, np.inf, -np.inf]
    steps = np.arange(n) * 3
    whole = Decimator(capacity=100)
    whole.add(steps, v)
    fed = Decimator(capacity=100)
    for lo in range(0, n, chunk):
        fed.add(steps[lo:lo + chunk], v[lo:lo + chunk])
        if lo % (chunk * 97) == 0:  # a read in between folds what waits: the prefix's points
            prefix = Decimator(capacity=100)
            prefix.add(steps[:lo + chunk], v[:lo + chunk])
            assert fed.points()[0].tolist() == prefix.points()[0].tolist()
    assert _state(fed) == _state(whole)
    np.testing.assert_allclose(fed.means(60)[0], whole.means(60)[0], rtol=1e-9)


def test_points_wait_unfolded_but_never_more_than_fold_at():
    dec = Decimator(capacity=100)
    for i in range(10 * FOLD_AT):
        dec.add(np.array([i]), np.array([float(i)]))
        assert dec.nbytes() <= 100 * 12 * 8 + FOLD_AT * 16
    assert dec.count == 10 * FOLD_AT and dec.last == (10 * FOLD_AT - 1, float(10 * FOLD_AT - 1))
    assert dec.max == 10 * FOLD_AT - 1


def test_a_tick_with_no_new_points_sends_no_line_and_a_line_with_none_is_not_sent(monkeypatch):
    sent = []
    orig = charts.Chart.set_data

    def set_data(self, run_id, *a, **k):
        sent.append(self.key)
        return orig(self, run_id, *a, **k)

    monkeypatch.setattr(charts.Chart, "set_data", set_data)
    with recording_comms() as rec:
        run = nbm.init(project="quiet", name="r", display=False, store=MemoryStore(), system_metrics=False)
        panel = Panel(LiveSource(run.store), project="quiet", follow=run.id)
        run.log({"a": 1.0, "b": 2.0})
        run.flush()
        panel.flush()
        assert sorted(sent) == ["a", "b"]
        sent.clear()
        panel.flush()  # nothing new
        assert sent == []
        run.log({"a": 3.0})
        run.seal()
        panel.flush()
        assert sent == ["a"]  # b has no new point: its line is not sent again
        nbm.finish(quiet=True)
        panel.flush()  # the final state: the header and table say "finished"
        before = len(rec.messages)
        sent.clear()
        panel.flush()  # a finished run read to the end: no message at all
        assert sent == [] and len(rec.messages) == before
        panel.close()


class _Store(MemoryStore):
    """Counts the store's reads (the memory blocks should answer)."""

    def __init__(self):
        super().__init__()
        self.reads = {"series": 0, "events": 0}

    def read_series(self, *a, **k):
        self.reads["series"] += 1
        return super().read_series(*a, **k)

    def read_events(self, *a, **k):
        self.reads["events"] += 1
        return super().read_events(*a, **k)


def _block(start: dict[str, int], n: dict[str, int]) -> tuple[list[Chunk], list]:
    out = []
    for k, m in n.items():
        s = np.arange(start[k], start[k] + m)
        out.append(Chunk(k, start[k], s, s * 10.0, s * 0.5))
    return out, []


def _fake_live_run(monkeypatch, store, blocks, counts, events=0):
    run = SimpleNamespace(id="fake1", store=store, memory_snapshot=lambda: (blocks, dict(counts), events))
    monkeypatch.setattr(flusher, "live_runs", lambda: [run])
    return run


def test_live_source_stops_at_a_block_read_already_with_the_same_points(monkeypatch):
    store = _Store()
    # blocks in memory: a and b in each, c only in the oldest
    blocks = [_block({"a": 0, "b": 0, "c": 0}, {"a": 5, "b": 5, "c": 2}),
              _block({"a": 5, "b": 5}, {"a": 5, "b": 5}),
              _block({"a": 10, "b": 10}, {"a": 3, "b": 3})]
    _fake_live_run(monkeypatch, store, blocks, {"a": 13, "b": 13, "c": 2})
    src = LiveSource(store)

    def read(since):
        return {k: (ch.start, ch.steps.tolist()) for k, ch in src.read_series("fake1", since=since).items() if len(ch)}

    assert read({}) == {"a": (0, list(range(13))), "b": (0, list(range(13))), "c": (0, [0, 1])}
    assert read({"a": 10, "b": 10, "c": 2}) == {"a": (10, [10, 11, 12]), "b": (10, [10, 11, 12])}
    assert read({"a": 7, "b": 10, "c": 2}) == {"a": (7, list(range(7, 13))), "b": (10, [10, 11, 12])}
    assert read({"a": 13, "b": 13, "c": 2}) == {}
    # a reader without a cursor for c reads every block (c is only in the oldest)
    assert read({"a": 10, "b": 10}) == {"a": (10, [10, 11, 12]), "b": (10, [10, 11, 12]), "c": (0, [0, 1])}
    assert store.reads["series"] == 0  # all of it was in memory


def test_live_source_asks_the_store_for_events_only_when_the_run_sealed_new_ones(monkeypatch):
    store = _Store()
    run = _fake_live_run(monkeypatch, store, [], {}, events=4)
    src = LiveSource(store)
    assert src.read_events("fake1", since=4) == [] and store.reads["events"] == 0
    src.read_events("fake1", since=3)
    assert store.reads["events"] == 1
    run.memory_snapshot = lambda: ([], {}, 6)
    src.read_events("fake1", since=4)
    assert store.reads["events"] == 2


def test_a_run_keeps_its_last_writes_in_memory_for_a_reader_that_comes_late():
    store = _Store()
    run = nbm.init(project="late", name="r", display=False, store=store, system_metrics=False)
    src = LiveSource(store)
    for i in range(100):
        run.log({"a": float(i)})
    run.flush()  # written: a panel tick that comes now still reads memory
    ch = src.read_series(run.id, since={"a": 40})["a"]
    assert (ch.start, ch.values.tolist()) == (40, [float(i) for i in range(40, 100)])
    assert store.reads["series"] == 0
    for _ in range(flusher.RECENT_WRITES + 1):  # older writes leave memory: the store answers
        run.log({"a": 0.5})
        run.flush()
    ch = src.read_series(run.id, since={"a": 40})["a"]
    assert (ch.start, len(ch)) == (40, 60 + flusher.RECENT_WRITES + 1) and store.reads["series"] == 1
    nbm.finish(quiet=True)
    assert run.memory_snapshot()[0] == []


def test_memory_kept_for_late_readers_is_bounded():
    def block(n):
        return [Chunk("a", 0, np.zeros(n, np.int64), np.zeros(n), np.zeros(n))]

    recent: list = []
    for _ in range(10):
        recent = flusher.keep_recent(recent, block(100))
    assert len(recent) == flusher.RECENT_WRITES and all(evs == [] for _, evs in recent)
    assert flusher.keep_recent(recent, []) is recent  # a write of no points (a heartbeat) keeps them
    assert flusher.keep_recent(recent, block(flusher.RECENT_POINTS + 1)) == []  # too big: none kept, none older
    assert flusher.keep_recent(recent, block(10), final=True) == []


def test_min_and_max_fold_nothing_and_match_the_buckets():
    rng = np.random.default_rng(5)
    v = rng.normal(size=3_000)
    v[[3, 2_999]] = [np.inf, np.nan]
    dec = Decimator(capacity=50)
    for lo in range(0, len(v), 10):
        dec.add(np.arange(lo, lo + 10), v[lo:lo + 10])
        fin = v[:lo + 10][np.isfinite(v[:lo + 10])]
        assert (dec.min, dec.max) == (fin.min(), fin.max())
    empty = Decimator()
    empty.add(np.array([0]), np.array([np.nan]))
    assert np.isnan(empty.min) and np.isnan(empty.max)


def test_the_live_table_draws_a_sparkline_again_only_once_enough_points_are_new():
    with recording_comms():
        run = nbm.init(project="spark", name="r", display=False, store=MemoryStore(), system_metrics=False)
        panel = Panel(LiveSource(run.store), project="spark", follow=run.id)
        for i in range(1_200):
            run.log({"a": float(i)})
        panel.flush()
        tr = panel.publisher.focus_run()
        first, _ = panel._table_rows(tr, live=True)
        run.log({"a": -5.0})  # 1 of 1,201 points: the sparkline looks the same; last and min change
        run.seal()
        panel.publisher.poll()
        rows, sparks = panel._table_rows(tr, live=True)
        assert rows[0]["last"] == "-5" and rows[0]["min"] == "-5" and rows[0]["n"] == 1_201
        assert sparks[0] is panel._sparks[(run.id, "a")][2]  # the one drawn before
        for i in range(20):  # 21 of 1,221 new: more than 1/120
            run.log({"a": float(i)})
        run.seal()
        panel.publisher.poll()
        _, again = panel._table_rows(tr, live=True)
        assert again[0] is not sparks[0]
        exact = panel._table_rows(tr)[1][0]  # the static copy and the final update: drawn exactly
        np.testing.assert_array_equal(exact, again[0])
        nbm.finish(quiet=True)
        panel.close()
