"""Issue 13's polish items that a unit test can hold: a cell's panel shows that cell's runs, repeated
names are told apart, no empty "Tables" section, the end-of-run block says when it shows some keys,
System charts are never smoothed, and one step count for a run (header, static copy, report)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("bqplot")
pytest.importorskip("anywidget")

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.output.report import RunReport  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.store.memory import MemoryStore  # noqa: E402
from nbmonitor.ui import autopanel  # noqa: E402
from nbmonitor.ui.panel import Panel  # noqa: E402
from nbmonitor.ui.publisher import display_names  # noqa: E402

from .test_panel import _fake_notebook  # noqa: E402


def _panel_of(run):
    return run._on_finish[0].__self__


def test_a_cell_s_panel_shows_that_cell_s_runs_not_the_project_s(monkeypatch):
    _fake_notebook(monkeypatch)
    store = MemoryStore()
    cell = {"n": 1}
    monkeypatch.setattr(autopanel, "_cell_id", lambda: cell["n"])
    with recording_comms():
        first = nbm.init(project="p", name="earlier", store=store, system_metrics=False, display=True)
        first.log({"loss": 1.0})
        nbm.finish(quiet=True)
        cell["n"] = 2
        runs = []
        for _ in range(2):  # a sweep in one cell: one panel, its two runs
            runs.append(nbm.init(project="p", name="trial", store=store, system_metrics=False, display=True))
            runs[-1].log({"loss": 0.5})
            nbm.finish(quiet=True)
        panel = _panel_of(runs[-1])
        panel.flush()
        names = [r["name"] for r in panel.controls.runs]
        assert len(names) == 2 and "earlier" not in " ".join(names)
        # the same name twice: told apart by the run id, in the legend, the header and the static copy
        assert names == [f"trial ({runs[0].id})", f"trial ({runs[1].id})"]
        assert panel.header.run == names[1]
        assert names[0] in panel.html()
        # run.panel() asks for the project: all three
        whole = runs[-1].panel()
        whole.flush()
        assert len(whole.controls.runs) == 3


def test_display_names():
    from types import SimpleNamespace as R

    recs = [R(id="a1", name="x"), R(id="b2", name="y"), R(id="c3", name="x")]
    assert display_names(recs) == {"a1": "x (a1)", "b2": "y", "c3": "x (c3)"}


def test_no_tables_section_for_a_table_of_images(monkeypatch):
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="t", display=False, store=store, system_metrics=False)
        img = nbm.Image(np.zeros((8, 8, 3), np.uint8))
        run.log({"preds": nbm.Table(columns=["image", "label"], data=[[img, "cat"]])})
        run.log({"loss": 1.0})
        run.flush()
        panel = Panel(LiveSource(store), project="t")
        panel.flush()
        titles = [panel.events.box.get_title(i) for i in range(len(panel.events.box.children))]
        assert "Tables" not in titles and "Media and charts" not in titles and titles  # the grid's section only
        assert "Tables: none logged" not in panel.html()
        run.log({"plain": nbm.Table(columns=["a"], data=[[1]])})
        run.flush()
        panel.flush()
        titles = [panel.events.box.get_title(i) for i in range(len(panel.events.box.children))]
        assert "Tables" in titles
        nbm.finish(quiet=True)


def test_the_report_says_when_it_shows_some_keys():
    from nbmonitor.store import Chunk  # noqa: F401

    class S:
        def __init__(self, n):
            self.steps = np.arange(n)
            self.values = np.arange(n, dtype=float)

        def __len__(self):
            return len(self.steps)

    rec = type("R", (), {"project": "p", "name": "wide", "state": "finished", "summary": {}})()
    few = RunReport.from_series(rec, {f"k{i:02d}": S(5) for i in range(20)})
    assert "of" not in str(few).splitlines()[1] and len(few.history) == 20  # 20 keys: all shown
    many = RunReport.from_series(rec, {f"k{i:02d}": S(5) for i in range(45)})
    assert "Run history (30 of 45 keys; all of them: run.history()" in str(many)
    assert "30 of 45 keys" in many._repr_html_()


def test_system_charts_say_they_are_not_smoothed():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="s", display=False, store=store, system_metrics=False)
        run.log({"loss": 1.0})
        run.log_system({"cpu_percent": 10.0})
        run.flush()
        panel = Panel(LiveSource(store), project="s", smoothing=0.9)
        panel.flush()
        charts = {c["key"]: c for c in panel.controls.charts}
        assert charts["loss"]["system"] is False and charts["system/cpu_percent"]["system"] is True
        nbm.finish(quiet=True)


def test_one_step_count_for_a_run():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="n", name="count", display=False, store=store, system_metrics=False)
        for i in range(376):
            run.log({"loss": 1.0 / (i + 1)})
        nbm.finish(quiet=True)
        panel = Panel(LiveSource(store), project="n")
        panel.flush()
        # header.js shows step + 1 = "376 steps"; the static copy and the end-of-run block say the same
        assert panel.header.step + 1 == 376
        assert "376 steps" in panel.text().splitlines()[0]
        from nbmonitor.output.report import report_for

        assert report_for(run).steps == 376
        assert {r["key"]: r["n"] for r in panel.table.rows}["loss"] == 376


def test_the_static_copy_draws_a_run_s_sparklines_in_its_legend_colour():
    from nbmonitor.ui.static import spark_html

    with recording_comms():
        store = MemoryStore()
        ids = []
        for name in ("first", "second"):
            run = nbm.init(project="c", name=name, display=False, store=store, system_metrics=False)
            for i in range(30):
                run.log({"loss": float(i % 7)})
            nbm.finish(quiet=True)
            ids.append(run.id)
        panel = Panel(LiveSource(store), project="c", follow=ids[0])
        panel.flush()
        tr = panel.publisher.focus_run()
        assert tr.color == "#ff7f0e"  # the older run (colours go newest first): orange in the legend and the charts
        dec = tr.series["loss"].decimator
        assert spark_html(dec, tr.color) in panel.html()
        assert spark_html(dec) != spark_html(dec, tr.color)  # not the default blue
