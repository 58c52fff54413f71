"""The live panel without a browser: widget messages counted on recording comms."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("bqplot")
pytest.importorskip("anywidget")

import nbmonitor as nbm  # noqa: E402
from nbmonitor import api  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.store import Event  # noqa: E402
from nbmonitor.store.memory import MemoryStore  # noqa: E402
from nbmonitor.ui import views  # noqa: E402
from nbmonitor.ui.panel import Panel, format_number, section_of  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"


def test_sections_and_number_format():
    assert section_of("train/loss") == "train"
    assert section_of("Loss/train") == "Loss"
    assert section_of("loss") == "charts"
    assert section_of("/odd") == "charts"
    assert format_number(0.5) == "0.5" and format_number(3.0) == "3"
    assert format_number(0.1 + 0.2) == "0.3" and format_number(float("nan")) == "nan"
    assert format_number(-float("inf")) == "-inf" and format_number(123456789.0) == "123456789"


def test_message_rate_bounded_while_logging_flat_out():
    with recording_comms() as rec:
        run = nbm.init(project="busy", name="flat-out", display=False, store=MemoryStore(), system_metrics=False)
        panel = Panel(LiveSource(run.store), project="busy", follow=run.id).start()
        keys = [f"train/k{j}" for j in range(4)] + ["val/loss", "lr"]
        run.log({k: float(j) for j, k in enumerate(keys)})
        run.flush()
        panel.flush()  # charts, sections and legend exist: what follows is steady state
        t0 = time.monotonic()
        i = 1
        while time.monotonic() - t0 < 3.0:
            run.log({k: float(i + j) for j, k in enumerate(keys)})
            i += 1
        panel.stop()
        window = time.monotonic() - t0
        updates = rec.count("update", since=t0)
        nbm.finish(quiet=True)
        panel.flush()
    assert i > 10_000
    assert updates <= 10 * window + 10, f"{updates} widget updates in {window:.1f} s for {i} log() calls"
    # the final flush shows the exact last values
    rows = {r["key"]: r for r in panel.table.rows}
    assert set(rows) == set(keys)
    assert rows["lr"]["last_exact"] == repr(float(i - 1 + 5)) and rows["lr"]["n"] == i
    assert rows["train/k0"]["min"] == "0" and rows["train/k0"]["max"] == format_number(float(i - 1))


def test_arrays_travel_as_float32_buffers():
    from ipywidgets.widgets.widget import _remove_buffers

    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="bin", display=False, store=store)
        for i in range(5000):
            run.log({"a/b": float(i)})
        nbm.finish(quiet=True)
        panel = Panel(LiveSource(store), project="bin")
        panel.flush()
    chart = panel._charts["a/b"]
    line = next(iter(chart.lines.values()))
    assert line.y.dtype == np.float32 and line.x.dtype == np.float32
    _, _, buffers = _remove_buffers(line.get_state())
    assert buffers and sum(memoryview(b).nbytes for b in buffers) >= len(line.y) * 4
    _, _, buffers = _remove_buffers(panel.table.get_state())
    assert len(buffers) == 1  # the table's sparklines
    assert isinstance(panel.table.spark, bytes) and len(panel.table.spark) % 4 == 0


def test_controls_live_in_the_browser_the_kernel_sends_raw_series():
    """Smoothing, log scale, hiding and reset zoom are ChartControls state that js/charts.js applies to
    the bqplot models in the browser; the kernel only ever sends the raw series."""
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="ctl", display=False, store=store)
        for i in range(200):
            run.log({"loss": 1.0 / (i + 1)})
        nbm.finish(quiet=True)
        panel = Panel(LiveSource(store), project="ctl", smoothing=0.6)
        panel.flush()
        chart = panel._charts["loss"]
        line = chart.lines[run.id]
        assert panel.controls.smoothing == 0.6 and line.y.ndim == 1  # raw; the browser smooths
        panel.set_smoothing(0.0)
        assert panel.smoothing == 0.0 and line.y.ndim == 1
        panel.set_log_scale(True)
        assert panel.controls.log and panel.log_scale
        assert panel._charts["loss"] is chart  # no new charts: the browser swaps the y scale
        (c,) = panel.controls.charts
        assert c["key"] == "loss" and c["lines"] == {run.id: line.model_id}
        assert c["sy"] == chart.sy.model_id and c["sylog"] == chart.sylog.model_id and c["ay"] == chart.ay.model_id
        panel.set_run_visible(run.id, False)
        assert panel.controls.hidden == [run.id] and panel.hidden == {run.id}
        panel.set_run_visible(run.id, True)
        assert panel.controls.hidden == []
        r0 = panel.controls.reset
        panel.reset_zoom()
        assert panel.controls.reset == r0 + 1
        # wheel and drag zoom and pan the step axis only; the browser fits y to what is in view (js/charts.js)
        assert chart.zoom.scales == {"x": [chart.sx]}
        assert panel.controls.runs == [{"id": run.id, "name": run.name, "color": "#1f77b4", "state": "finished"}]


def test_a_single_point_is_drawn_as_a_marker():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="one", display=False, store=store)
        run.log({"test/acc": 0.9})
        nbm.finish(quiet=True)
        panel = Panel(LiveSource(store), project="one")
        panel.flush()
    assert panel._charts["test/acc"].lines[run.id].marker == "circle"


def test_names_are_text_not_markup():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project=XSS, name=XSS, display=False, store=store)
        run.log({XSS: 1.0, f"{XSS}/k": 2.0})
        nbm.finish(quiet=True)
        panel = Panel(LiveSource(store), project=XSS)
        panel.flush()
    page = panel.html()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert XSS in panel.text()
    # the widgets carry the raw text; the JS modules set it with textContent
    assert panel.header.run == XSS and panel.table.rows[0]["key"] in (XSS, f"{XSS}/k")
    assert XSS in panel._charts[XSS].figure.title


def test_static_fallback_is_deterministic():
    def make():
        store = MemoryStore()
        run = nbm.init(project="det", name="same", display=False, store=store)
        for i in range(300):
            run.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 300, "x": float("nan") if i == 7 else 1.0})
        nbm.finish(quiet=True)
        with recording_comms():
            p = Panel(LiveSource(store), project="det")
            p.flush()
        return p

    a, b = make(), make()
    assert a.text() == b.text()
    assert "0x" not in a.text()
    assert a.text().splitlines()[0] == "nbmonitor panel: det/same · finished · 300 steps"
    assert "last 0.00333333" in a.text()
    assert a.html() == b.html()
    # sparklines as PNG data URIs: JupyterLab's sanitizer strips inline <svg> in untrusted notebooks
    assert "<svg" not in a.html() and 'src="data:image/png;base64,' in a.html()
    assert "nbm-sparktable-static" in a.html()


class _FakeHandle:
    def __init__(self, log):
        self.log = log

    def update(self, obj, **kw):
        self.log.append(("update", obj))


def _fake_notebook(monkeypatch):
    import IPython.display

    from nbmonitor import _env

    shown = []

    def display(*objs, raw=False, display_id=None, **kw):
        shown.extend(("display", o) for o in objs)
        return _FakeHandle(shown) if display_id else None

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(_env, "in_notebook", lambda: True)
    monkeypatch.setattr(api, "in_notebook", lambda: True)
    return shown


WIDGET = "application/vnd.jupyter.widget-view+json"


def test_init_shows_the_panel_and_finish_leaves_the_static_view(monkeypatch):
    shown = _fake_notebook(monkeypatch)
    with recording_comms():
        run = nbm.init(project="nb", name="cell", display=True, store=MemoryStore(), total_steps=100)
        assert [k for k, _ in shown] == ["display", "display"]  # the panel, its live static copy
        first, live = shown[0][1], shown[1][1]
        assert set(first) == {WIDGET, "text/plain"}
        assert "running" in first["text/plain"]
        assert set(live) == {"text/html"} and "nbm-live-fallback" in live["text/html"]
        for i in range(100):
            nbm.log({"loss": 1.0 / (i + 1)})
        nbm.finish()
    kinds = [k for k, _ in shown]
    # panel, live copy, the panel's output made static, the live copy emptied, the end-of-run report
    assert kinds == ["display", "display", "update", "update", "display"]
    final = shown[2][1]
    assert WIDGET not in final  # reopened without a kernel: no "model not found"
    assert final["text/plain"].splitlines()[0] == "nbmonitor panel: nb/cell · finished · 100/100 steps"
    assert "last 0.01" in final["text/plain"]
    assert "nbm-panel-static" in final["text/html"] and "nbm-live-fallback" not in final["text/html"]
    assert shown[3][1] == {"text/plain": ""}
    assert "Run history" in shown[4][1]._repr_html_()
    panel_obj = run._on_finish[0].__self__
    assert not panel_obj.publisher.running
    assert panel_obj.header.state == "finished" and panel_obj.header.step == 99


def test_the_live_static_copy_is_refreshed_while_runs_go_on(monkeypatch):
    from nbmonitor.ui import panel as panel_mod

    shown = _fake_notebook(monkeypatch)
    monkeypatch.setattr(panel_mod, "FALLBACK_EVERY_S", 0.0)
    with recording_comms():
        run = nbm.init(project="nb2", name="live", display=True, store=MemoryStore())
        p = run._on_finish[0].__self__
        p.stop()
        for i in range(10):
            nbm.log({"loss": float(i)})
        run.flush()
        p.publisher.tick()
        updates = [o for k, o in shown if k == "update"]
        assert updates and "nbm-live-fallback" in updates[-1]["text/html"]
        assert "10 steps" in updates[-1]["text/html"]
        nbm.finish(quiet=True)
        n = len(shown)
        p.publisher.tick()  # ended: nothing more
        assert len(shown) == n


def test_colab_gets_anywidget_s_display_metadata(monkeypatch):
    import sys
    import types

    from nbmonitor.ui.panel import colab_metadata

    assert colab_metadata() == {}
    enabled = []
    colab = types.ModuleType("google.colab.output")
    colab.enable_custom_widget_manager = lambda: enabled.append(True)
    colab._widgets = types.SimpleNamespace(_installed_url="https://ssl.gstatic.com/colaboratory-static/widgets/colab-cdn-widget-manager/x/manager.min.js")
    monkeypatch.setitem(sys.modules, "google.colab.output", colab)
    md = colab_metadata()
    assert md == {WIDGET: {"colab": {"custom_widget_manager": {"url": colab._widgets._installed_url}}}}
    # what anywidget's own _repr_mimebundle_ would add there
    from anywidget._util import get_repr_metadata

    assert md == get_repr_metadata()
    shown = []
    import IPython.display

    from nbmonitor import _env

    monkeypatch.setattr(IPython.display, "display",
                        lambda *o, raw=False, display_id=None, metadata=None, **k: shown.append(metadata) or _FakeHandle([]))
    monkeypatch.setattr(_env, "in_notebook", lambda: True)
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="colab", display=False, store=store)
        run.log({"x": 1.0})
        Panel(LiveSource(store), project="colab").show().stop()
        nbm.finish(quiet=True)
    assert shown[0] == md


def test_runs_of_one_cell_share_one_panel(monkeypatch):
    shown = _fake_notebook(monkeypatch)
    store = MemoryStore()
    with recording_comms():
        for k in range(3):
            run = nbm.init(project="loop", name=f"trial-{k}", display=True, store=store)
            run.log({"loss": float(k)})
            nbm.finish(quiet=True)
    panels = [o for k, o in shown if k == "display" and WIDGET in o]
    assert len(panels) == 1
    panel = run._on_finish[0].__self__
    assert [t.record.name for t in panel.publisher.runs.values()] == ["trial-0", "trial-1", "trial-2"]
    assert len(panel._charts["loss"].lines) == 3
    assert "(+2 more runs)" in panel.text()


def test_display_off_and_outside_a_notebook(monkeypatch):
    shown = _fake_notebook(monkeypatch)
    nbm.init(project="off", display=False, store=MemoryStore())
    nbm.finish(quiet=True)
    monkeypatch.setenv("NBMONITOR_DISPLAY", "0")
    nbm.init(project="off", store=MemoryStore())
    nbm.finish(quiet=True)
    assert shown == []
    from nbmonitor import _env

    monkeypatch.setattr(_env, "in_notebook", lambda: False)
    monkeypatch.setattr(api, "in_notebook", lambda: False)
    run = nbm.init(project="off", display=True, store=MemoryStore())
    assert run.panel() is None and nbm.panel() is None
    nbm.finish(quiet=True)
    assert shown == []


def test_event_views_are_made_lazily_and_alerts_reach_the_header(monkeypatch):
    made = []

    class FakeView:
        title = "Fakes"

        def __init__(self):
            import ipywidgets as w

            self.widget = w.HTML("fake")
            self.got = []
            made.append(self)

        def add(self, run, events):
            self.got += [(run.name, e.seq, e.kind) for e in events]

        def html(self):
            return "<div class='fake-view'>fakes</div>"

    monkeypatch.setattr(views, "_factories", [(("fake",), FakeView)])
    monkeypatch.setattr(views, "load_views", lambda: list(views._factories))
    store = MemoryStore()
    with recording_comms():
        run = nbm.init(project="ev", name="r", display=False, store=store)
        run.log({"loss": 1.0})
        panel = Panel(LiveSource(store), project="ev")
        panel.flush()
        assert made == []  # no event of its kind yet
        run.flush()
        store.write(run.id, [], [Event(0, "f", 1, time.time(), "fake", {}),
                                 Event(1, "a", 1, time.time(), "alert",
                                       {"title": XSS, "text": "loss is NaN", "level": "ERROR"}),
                                 Event(2, "f", 2, time.time(), "fake", {})])
        run._event_count = 3
        panel.flush()
        panel.flush()
    assert len(made) == 1 and made[0].got == [("r", 0, "fake"), ("r", 2, "fake")]
    assert panel._views_box.children == (made[0].widget,)
    alerts = panel.header.alerts
    assert len(alerts) == 1 and alerts[0]["title"] == XSS and alerts[0]["level"] == "ERROR"
    page = panel.html()
    assert "fake-view" in page and "&lt;img" in page and "<img src=x" not in page
    nbm.finish(quiet=True)


def test_a_panel_over_a_plain_store_source():
    """Any Source works: here a MemoryStore itself, where read_series is the only way to data."""
    store = MemoryStore()
    for name, scale in (("a", 1.0), ("b", 2.0)):
        run = nbm.init(project="src", name=name, display=False, store=store)
        for i in range(1000):
            run.log({"Loss/train": scale / (i + 1), "Loss/val": scale})
        nbm.finish(quiet=True)
    with recording_comms():
        panel = Panel(store, project="src", runs="*", keys="Loss/train", smoothing=0.5, height=500)
        panel.flush()
        assert list(panel._charts) == ["Loss/train"] and len(panel._charts["Loss/train"].lines) == 2
        assert [r["key"] for r in panel.table.rows] == ["Loss/train"]
        assert panel.header.run == "b" and panel.header.runs == 2
        panel.close()
    assert panel.widget.comm is None and panel.table.comm is None


def test_nbm_panel_without_a_current_run(monkeypatch):
    shown = _fake_notebook(monkeypatch)
    store = MemoryStore()
    run = nbm.init(project="later", name="done", display=False, store=store)
    run.log({"x": 1.0})
    nbm.finish(quiet=True)
    with recording_comms():
        panel = nbm.panel()
        assert panel is not None and panel.publisher.running
        panel.stop()
    assert [k for k, _ in shown] == ["display", "display"]  # the panel and its static copy
    assert shown[0][1]["text/plain"].startswith("nbmonitor panel: later/done · finished · 1 step")
    assert "nbm-panel-static" in shown[1][1]["text/html"]
    assert callable(nbm.panel)  # the function, not a module of the same name


def test_only_the_newest_runs_are_kept():
    store = MemoryStore()
    with recording_comms():
        panel = Panel(store, project="many", max_runs=3)
        for k in range(6):
            run = nbm.init(project="many", name=f"t{k}", display=False, store=store)
            run.log({"loss": float(k)})
            nbm.finish(quiet=True)
            panel.flush()
    assert [t.record.name for t in panel.publisher.runs.values()] == ["t3", "t4", "t5"]
    assert len(panel._charts["loss"].lines) == 3 and len(panel.controls.runs) == 3


def test_png_sparklines_are_deterministic_pngs():
    import zlib

    from nbmonitor.output.png import sparkline_png
    from nbmonitor.output.sparkline import img_sparkline

    v = np.array([1.0, 2.0, np.nan, 3.0, 0.5])
    a, b = sparkline_png(v), sparkline_png(v)
    assert a == b and a.startswith(b"\x89PNG\r\n\x1a\n")
    # decode: 24 rows of 1 + 120*4 bytes; the line is drawn (blue) and the NaN marked (red) at the top
    idat = a[a.index(b"IDAT") + 4:a.index(b"IEND") - 8]
    px = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(24, 1 + 120 * 4)[:, 1:].reshape(24, 120, 4)
    assert (px[..., 3] == 255).sum() > 50
    assert np.all(px[0:3, :, 0][px[0:3, :, 3] == 255] == 214)  # the red NaN mark
    tag = img_sparkline(v)
    assert tag.startswith('<img class="nbm-spark" src="data:image/png;base64,') and 'width="120"' in tag
    assert img_sparkline(np.zeros(0)) == ""


def test_ema_matches_the_browser_s(tmp_path):
    """js/lib/chartmath.test.js checks ema([1, 2, nan, 4], 0.5) against these numbers."""
    from nbmonitor.ui.downsample import ema

    out = ema(np.array([1.0, 2.0, np.nan, 4.0]), 0.5)
    assert out[0] == pytest.approx(1.0) and out[1] == pytest.approx(5 / 3) and np.isnan(out[2])
    assert out[3] == pytest.approx(3.0)


def test_a_view_of_a_project_is_static_while_nothing_runs_and_live_while_a_run_goes_on(monkeypatch):
    """nbm.panel()/%monitor (static_when_idle): live while the cell's run goes on; static IDLE_END_S after
    its runs stopped; live again when the next run of the project starts; static again after it."""
    from nbmonitor.ui import idle

    shown = _fake_notebook(monkeypatch)
    monkeypatch.setattr(idle, "IDLE_END_S", 0.0)
    store = MemoryStore()
    run = nbm.init(project="watch", name="first", display=False, store=store, system_metrics=False)
    run.log({"x": 1.0})
    run.flush()

    def tick():
        panel.publisher._runs_read_at = -1e18  # re-read the run list now
        panel.publisher.tick()

    def last_panel_output():
        return [o for k, o in shown if isinstance(o, dict) and (WIDGET in o or "nbm-panel-static" in o.get("text/html", "")
                                                                 and "nbm-live-fallback" not in o.get("text/html", ""))][-1]

    with recording_comms():
        panel = Panel(LiveSource(store), project="watch", static_when_idle=True).show()
        panel.publisher.stop()  # ticks by hand below
        panel.idle.cell_done()  # the cell is over, the run goes on: live
        assert not panel.ended and WIDGET in last_panel_output()
        run.finish(quiet=True)
        tick()  # finished: idle from now
        tick()  # idle >= IDLE_END_S: static
        assert panel.ended and WIDGET not in last_panel_output()
        assert "watch/first · finished" in last_panel_output()["text/plain"]
        assert panel.publisher.interval >= idle.DORMANT_INTERVAL_S  # watches slower meanwhile
        second = nbm.init(project="watch", name="second", display=False, store=store, system_metrics=False)
        second.log({"x": 2.0})
        second.flush()
        tick()
        assert not panel.ended and WIDGET in last_panel_output()  # live again
        second.finish(quiet=True)
        tick()
        tick()
        assert panel.ended and "watch/second · finished" in last_panel_output()["text/plain"]
        panel.close()


def _finished_runs(project: str, prefix: str, n: int) -> MemoryStore:
    """A store holding n finished runs of `project`, named prefix00, prefix01, ..., run k logging loss = k."""
    store = MemoryStore()
    for k in range(n):
        run = nbm.init(project=project, name=f"{prefix}{k:02d}", display=False, store=store, system_metrics=False)
        run.log({"loss": float(k)})
        run.finish(quiet=True)
    return store


def test_a_project_of_30_runs_reads_all_draws_10_and_says_so():
    """%monitor on 30 runs: all 30 read (lines in the charts), the newest 10 drawn at first (the browser's
    "show more runs" raises `controls.limit`), "showing 10 of 30 runs" in the panel and its static copy."""
    store = _finished_runs("thirty", "t", 30)
    with recording_comms():
        panel = Panel(LiveSource(store), project="thirty")
        panel.flush()
        assert len(panel.publisher.runs) == 30 and len(panel._charts["loss"].lines) == 30
        assert panel.controls.limit == 10 and panel.controls.total == 30 and len(panel.controls.runs) == 30
        html = panel.html()
        assert "showing 10 of 30 runs" in html and "t29" in html and "t20" in html and "t19" not in html
        panel.controls.limit = 0  # "show more runs" until all show
        assert "showing" not in panel.html() and "t00" in panel.html()
        few = Panel(LiveSource(store), project="thirty", max_runs=20)
        few.flush()
        assert len(few.publisher.runs) == 20
        assert "showing 10 of 30 runs (the newest 20 read; max_runs / --max-runs reads more)" in few.html()


def test_30_runs_get_30_distinct_colours_the_same_in_lines_legend_and_static_copy():
    """A 10-colour palette repeated colours among a project's 30 runs (runs_lab_more.png)."""
    from nbmonitor.ui.publisher import PALETTE

    store = _finished_runs("hues", "h", 31)
    with recording_comms():
        panel = Panel(LiveSource(store), project="hues", max_runs=30)
        panel.flush()
        runs = panel.publisher.runs
        assert len(runs) == 30 and len({tr.color for tr in runs.values()}) == 30
        legend = {r["id"]: r["color"] for r in panel.controls.runs}
        lines = {rid: ln.colors[0] for rid, ln in panel._charts["loss"].lines.items()}
        assert legend == lines == {rid: tr.color for rid, tr in runs.items()}
        newest = sorted(runs.values(), key=lambda tr: tr.record.created)[-10:]  # drawn first: category10
        assert [tr.color for tr in reversed(newest)] == PALETTE[:10]
        panel.controls.limit = 0  # all runs in the static copy: each legend dot in its run's colour
        html = panel.html()
        for tr in runs.values():
            assert f'<span style="color:{tr.color}">●</span> {tr.label}' in html
        # a dropped run's colour goes to the next new run: still no two followed runs share one
        run = nbm.init(project="hues", name="h31", display=False, store=store, system_metrics=False)
        run.log({"loss": 1.0})
        run.finish(quiet=True)
        panel.publisher._runs_read_at = -1e18
        panel.flush()
        assert len(runs) == 30 and len({tr.color for tr in runs.values()}) == 30
        assert {tr.color for tr in runs.values()} == set(PALETTE)
