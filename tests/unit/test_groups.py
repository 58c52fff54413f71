"""A group of runs (torchrun ranks) in the panel: the min/median/max band, the straggler flag, folding."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from nbmonitor.output.band import band_png, img_band
from nbmonitor.ui.groupband import band, find_groups, rank_label, straggling
from tests.groupdata import write_group

XSS = "<img src=x onerror=alert(1)>"


def _rec(name, group):
    return SimpleNamespace(name=name, group=group)


def test_groups_are_runs_sharing_a_group_ordered_by_rank():
    recs = {"a": _rec("job/rank10", "g"), "b": _rec("job/rank2", "g"), "c": _rec("solo", "h"),
            "d": _rec("other", None), "e": _rec("fold-b", "cv"), "f": _rec("fold-a", "cv")}
    assert find_groups(recs) == {"cv": ["f", "e"], "g": ["b", "a"]}  # a group of one is no group
    assert rank_label("job/rank3") == "rank3" and rank_label("fold-a") == "fold-a"


def test_band_is_the_min_median_max_across_runs_at_each_step():
    x = np.arange(5)
    ys = [np.array([1.0, 2, 3, 4, 5]), np.array([3.0, 2, 1, 0, -1]), np.array([2.0, 9, 2, 2, 2])]
    b = band([(x, y) for y in ys])
    assert b.x.tolist() == [0, 1, 2, 3, 4] and b.n.tolist() == [3] * 5
    assert b.lo.tolist() == [1, 2, 1, 0, -1] and b.hi.tolist() == [3, 9, 3, 4, 5]
    assert b.median.tolist() == [2, 2, 2, 2, 2]


def test_band_counts_each_run_only_inside_its_steps_and_skips_nonfinite():
    b = band([(np.array([0, 2, 4]), np.array([0.0, 2.0, 4.0])),  # interpolated at 1 and 3
              (np.array([2, 3]), np.array([10.0, np.nan])),  # only step 2 counts
              (np.array([], np.int64), np.array([]))])
    assert b.x.tolist() == [0, 2, 4]  # the union of the finite points' steps
    assert b.n.tolist() == [1, 2, 1] and b.lo.tolist() == [0, 2, 4] and b.hi.tolist() == [0, 10, 4]
    assert band([]).x.size == 0
    many = band([(np.arange(10_000), np.ones(10_000))], points=100)
    assert len(many) == 100 and many.x[0] == 0 and many.x[-1] == 9_999


def test_a_straggler_is_at_or_over_1_2_times_the_group_median_step_time():
    base = {f"r{k}": np.full(50, 0.1) for k in range(4)}
    assert straggling(base).slow == []
    s = straggling({**base, "r2": np.full(50, 0.12)})  # medians .1 .1 .12 .1 -> group median .1
    assert s.slow == ["r2"] and s.factor("r2") == pytest.approx(1.2)
    assert straggling({**base, "r2": np.full(50, 0.1199)}).slow == []
    s = straggling({**base, "r1": np.r_[np.full(10, 5.0), np.full(40, 0.1)], "r3": np.full(50, 0.2)})
    assert s.slow == ["r3"]  # medians: one slow start does not make a straggler
    assert straggling({"r0": np.full(5, 1.0)}).slow == []  # one run with step times: nothing to compare
    assert straggling({"r0": [np.nan, 0.1], "r1": [0.3, np.inf]}).slow == ["r1"]


def test_band_png_is_deterministic_and_escaped():
    lo, med, hi = np.linspace(0, 1, 50), np.linspace(0.2, 1.2, 50), np.linspace(0.5, 1.5, 50)
    assert band_png(lo, med, hi) == band_png(lo, med, hi) and band_png(lo, med, hi).startswith(b"\x89PNG")
    assert img_band(lo, med, hi).startswith('<img class="nbm-band" src="data:image/png;base64,')
    assert img_band(np.zeros(0), np.zeros(0), np.zeros(0)) == ""


@pytest.fixture
def panel_of():
    pytest.importorskip("bqplot")
    pytest.importorskip("anywidget")
    from nbmonitor._testing import recording_comms
    from nbmonitor.ui.panel import Panel

    made = []

    def make(store, **kw):
        p = Panel(store, **kw)
        made.append(p)
        return p

    with recording_comms():
        yield make
    for p in made:
        p.close()


def test_the_panel_shows_a_group_as_a_band_folded_with_its_straggler(panel_of):
    from nbmonitor.store.memory import MemoryStore

    store = MemoryStore()
    ids = write_group(store, slow=2, factor=1.6)
    panel = panel_of(store, project="ddp")
    panel.flush()
    chart = panel._charts["loss"]
    (mark,) = chart.bands.values()
    assert list(chart.bands) == ["group:exp1"] and mark.fill == "between" and mark.y.shape == (3, 200)
    series = [store.read_series(r)["loss"].values for r in ids]
    assert np.allclose(mark.y[1], np.median(series, axis=0), atol=1e-5)  # float32 on the wire
    assert np.allclose(mark.y[0], np.max(series, axis=0), atol=1e-5)
    assert np.allclose(mark.y[2], np.min(series, axis=0), atol=1e-5)
    assert set(panel.controls.hidden) == set(ids)  # the ranks start folded into the band
    assert panel.controls.runs[-1] == {"id": "group:exp1", "name": "exp1 (band of 4 runs)",
                                       "color": panel.publisher.runs[ids[0]].color, "state": "group"}  # rank0's
    c = next(c for c in panel.controls.charts if c["key"] == "loss")
    assert c["bands"] == {"group:exp1": mark.model_id}
    (flag,) = panel.header.flags
    assert flag["text"].startswith("straggler: exp1 rank2 (1.6") and "1.2" in flag["title"]
    (g,) = panel.groups.widget.groups
    assert [r["label"] for r in g["runs"]] == ["rank0", "rank1", "rank2", "rank3"]
    assert [r["slow"] for r in g["runs"]] == [False, False, True, False] and g["step_time"] == pytest.approx(0.1, rel=0.05)
    page = panel.html()
    assert "group exp1" in page and "straggler: rank2" in page and page.count('class="nbm-band"') == 2
    text = panel.text()
    assert "group exp1: 4 runs, median step 0.1" in text and "straggler: rank2 (1.6" in text
    assert "loss: median last" in text
    assert text == panel.text() and page == panel.html()  # deterministic


def test_a_group_that_grows_keeps_its_runs_folded_and_an_expanded_one_stays_expanded(panel_of):
    from nbmonitor.store.memory import MemoryStore

    store = MemoryStore()
    ids = write_group(store, ranks=2, slow=None)
    panel = panel_of(store, project="ddp")
    panel.flush()
    assert set(panel.controls.hidden) == set(ids) and panel.header.flags == []
    panel.controls.hidden = []  # the browser spread the runs out (js/group.js edits `hidden`)
    ids2 = write_group(store, group="exp1", name="job2", ranks=3, slow=None)
    panel.flush()
    assert ids2[2] in panel.publisher.runs and set(panel.controls.hidden) == set()


def test_group_names_are_text_not_markup(panel_of):
    from nbmonitor.store.memory import MemoryStore

    store = MemoryStore()
    write_group(store, group=XSS, name=XSS)
    panel = panel_of(store, project="ddp")
    panel.flush()
    page = panel.html()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert XSS in panel.header.flags[0]["text"]  # the header sets it with textContent
    assert panel.groups.widget.groups[0]["name"] == XSS


def test_bands_share_the_message_budget_with_the_lines(panel_of, monkeypatch):
    """While every rank writes flat out, lines and bands are sent least recently sent first, so a group's
    band keeps up even when the budget cannot send every line each tick (a fake clock: 1 message a tick)."""
    from nbmonitor.store import Chunk
    from nbmonitor.store.memory import MemoryStore
    from nbmonitor.ui import groups
    from nbmonitor.ui.publisher import MessageBudget

    monkeypatch.setattr(groups, "BAND_EVERY_S", 0.0)
    store = MemoryStore()
    ids = write_group(store, steps=20, state="running")
    panel = panel_of(store, project="ddp")
    panel.flush()
    t = [0.0]
    panel.budget = MessageBudget(10, 1, clock=lambda: t[0])
    sent = []
    for step in range(20, 80):
        for k, r in enumerate(ids):
            s = np.array([step])
            store.write(r, [Chunk("loss", step, s, np.array([1.0 + k]), np.array([1.7e9 + step])),
                            Chunk("perf/step_time", step - 1, s, np.array([0.1]), np.array([1.7e9 + step]))], [])
        t[0] += 0.1  # one message's worth of budget a tick
        panel._apply(panel.publisher.poll(), final=False)
        sent.append(float(panel._charts["loss"].bands["group:exp1"].x.max()))
    assert panel.messages <= 60 + 1
    assert len(set(sent)) >= 4 and sent[-1] >= 79 - 12  # the band moved on with the runs, not stuck at 19
