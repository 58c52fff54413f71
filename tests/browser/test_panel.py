"""The live panel in a real browser: JupyterLab 4 and Notebook 7 in headless Chromium.

A cell logs for a few seconds; from the DOM we check that the header, the
sparkline table and the bqplot charts appear and move *while the cell still
runs*, that the final values shown are the logged ones, that the cell's
output ends with the static end-of-run block, and that a run named like
markup shows as text. Screenshots: test-artifacts/screenshots/panel_*.png.
"""

from __future__ import annotations

import json

import pytest

from nbmonitor.ui.panel import format_number
from tests.browser import lab

N = 240  # steps; x 0.03 s: the cell runs ~7 s
XSS = "<img src=x onerror=alert(1)>"


def loss(i: int) -> float:
    return 1.0 / (i + 1)


def acc(i: int) -> float:
    return i / N


TRAIN_CELL = """
import os, time
import nbmonitor as nbm

run = nbm.init(project="browser-panel", name="live-{ui}", total_steps={N}, config={{"lr": 3e-4}})
for i in range({N}):
    nbm.log({{"train/loss": 1.0 / (i + 1), "train/acc": i / {N}, "val/loss": 2.0 / (i + 1),
             "lr": float("nan") if i == 100 else 3e-4}})
    time.sleep(0.03)
t0 = time.time()
while not os.path.exists("release-panel-{ui}") and time.time() - t0 < 120:  # the test looks first (a slow page)
    time.sleep(0.05)
nbm.finish()
"""  # .format(ui=...): the Lab and Notebook 7 runs share a project, so the second overlays the first

JS_PANEL = """() => {
  const h = document.querySelector('.nbm-panel .nbm-header');
  const rows = Array.from(document.querySelectorAll('.nbm-panel .nbm-sparktable tbody tr'));
  return {
    state: h ? h.dataset.state : null,
    step: h ? Number(h.dataset.step) : -1,
    lines: document.querySelectorAll('.nbm-panel .bqplot.figure svg path.line').length,
    rows: Object.fromEntries(rows.map(r => [r.dataset.key, {
      last: r.querySelector('.nbm-last').textContent,
      exact: r.querySelector('.nbm-last').dataset.value,
      min: r.querySelector('.nbm-min').textContent,
      max: r.querySelector('.nbm-max').textContent,
      spark: r.querySelectorAll('svg.nbm-spark polyline').length,
    }])),
  };
}"""


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_panel_streams_while_the_cell_runs(lab_page, jupyter_server, ui):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [TRAIN_CELL.format(ui=ui, N=N)], ui=ui, name=f"panel-{ui}.ipynb", wait=False)

    # While the cell runs: header, sparklines and charts are there and move on.
    page.wait_for_selector(".nbm-panel .nbm-header[data-state=running]", timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_selector(".nbm-panel .nbm-sparktable tbody tr svg.nbm-spark polyline", state="attached")
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", state="attached")
    page.wait_for_function(f"() => ({JS_PANEL})().step >= 30")
    first = page.evaluate(JS_PANEL)
    assert lab.run_state(page, opened.path)["state"] == "running", "the cell finished before the DOM was checked"
    # one chart per key: the four figures' lines are views of their own, drawn at their own pace
    page.wait_for_function(f"() => {{ const s = ({JS_PANEL})(); return s.step >= {min(first['step'] + 20, N - 1)}"
                           " && s.lines >= 4; }")
    mid = page.evaluate(JS_PANEL)
    assert lab.run_state(page, opened.path)["state"] == "running", f"cell no longer running: {mid}"
    assert set(mid["rows"]) == {"train/loss", "train/acc", "val/loss", "lr"}
    assert mid["lines"] >= 4  # one chart per key
    assert mid["state"] == "running" and first["step"] <= mid["step"] < N
    assert first["step"] < mid["step"] or first["step"] == N - 1  # it moved on (unless the page saw only the end)
    page.wait_for_timeout(300)  # let bqplot finish drawing for the picture
    lab.screenshot(page, f"panel_{ui}_running")

    # the chart lines hold many points (the whole run so far, downsampled)
    d = page.get_attribute(".nbm-panel .bqplot.figure svg path.line", "d")
    assert d and d.count("L") > 20, d
    # every chart's axes and lines redraw through js/charts.js' frame queue (once a frame, not off screen)
    page.wait_for_function("""() => { const f = Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'));
      return f.length >= 4 && f.every((e) => e.dataset.nbmLazy === 'true'); }""")
    # the live static copy (for front ends without widget JS) is there but hidden
    assert page.locator(".nbm-live-fallback").count() == 1
    assert not page.locator(".nbm-live-fallback").is_visible()

    (jupyter_server.root_dir / f"release-panel-{ui}").write_text("")  # the cell may finish now
    lab.wait_run_finished(page, opened.path)
    # when the run ends, the panel's output becomes the static view (a saved notebook reopened
    # without its kernel shows it, not "model not found")
    page.wait_for_selector(".nbm-panel-static")
    page.wait_for_selector(".nbm-report")  # the static end-of-run block follows the panel
    assert page.locator(".nbm-panel").count() == 0
    head = page.inner_text(".nbm-panel-static > div")
    assert f"live-{ui}" in head and "finished" in head and f"{N}/{N} steps" in head, head
    rows = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll(
        '.nbm-panel-static table.nbm-sparktable-static tr')).slice(1).map(r => {
          const td = Array.from(r.querySelectorAll('td'));
          return [td[0].textContent, {last: td[2].textContent, min: td[3].textContent, max: td[4].textContent,
                                      spark: td[1].querySelectorAll('img[src^="data:image/png"]').length}];
        }))""")
    expect = {  # key: (last, min, max)
        "train/loss": (loss(N - 1), loss(N - 1), 1.0), "train/acc": (acc(N - 1), 0.0, acc(N - 1)),
        "val/loss": (2 * loss(N - 1), 2 * loss(N - 1), 2.0), "lr": (3e-4, 3e-4, 3e-4)}
    for key, (last, mn, mx) in expect.items():
        row = rows[key]
        assert (row["last"], row["min"], row["max"]) == tuple(map(format_number, (last, mn, mx))), (key, row)
        assert row["spark"] == 1
    # the panel and the report come before anything else would in the output, in order
    order = page.evaluate("""() => {
      const out = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
      return out.map(o => o.querySelector('.nbm-panel-static') ? 'panel' : o.querySelector('.nbm-report') ? 'report' : 'other');
    }""")
    assert [o for o in order if o != "other"] == ["panel", "report"], order
    lab.screenshot(page, f"panel_{ui}")
    lab.assert_no_widget_errors(page)


XSS_CELL = f"""
import nbmonitor as nbm
run = nbm.init(project={XSS!r}, name={XSS!r}, display=False)
for i in range(20):
    nbm.log({{{XSS!r}: float(i), "ok/" + {XSS!r}: 1.0}})
    if i == 10:
        nbm.alert(title={XSS!r}, text="loss is " + {XSS!r}, level="ERROR")
nbm.finish()
# a widget to look at after the cell (nbm.panel() of finished runs would become its static view)
p = nbm.panel(project={XSS!r}, static_when_idle=False)
"""


def test_markup_in_names_shows_as_text(lab_page, jupyter_server):
    page = lab_page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    lab.open_and_run(page, jupyter_server, [XSS_CELL], ui="lab", name="panel-xss.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-header[data-state=finished]")
    page.wait_for_selector(".nbm-panel .bqplot.figure")
    assert page.inner_text(".nbm-panel .nbm-header .nbm-run") == XSS
    # the alert banner in the header: text, level, and a dismiss button that works
    page.wait_for_selector(".nbm-panel .nbm-alert.nbm-alert-error")
    assert page.inner_text(".nbm-alert .nbm-alert-title") == f"ERROR · {XSS}"
    assert page.inner_text(".nbm-alert .nbm-alert-text") == f"loss is {XSS}"
    # the sparkline table and each section's charts are views of their own: all drawn before they are read
    page.wait_for_function("(name) => document.querySelectorAll('.nbm-sparktable tbody tr').length === 2 && Array.from("
                           "document.querySelectorAll('.nbm-panel .bqplot.figure .mainheading')).some(t => t.textContent === name)",
                           arg=XSS, timeout=lab.SELECTOR_TIMEOUT_MS)
    keys = page.evaluate("() => Array.from(document.querySelectorAll('.nbm-sparktable tbody tr')).map(r => r.dataset.key)")
    assert sorted(keys) == sorted([XSS, "ok/" + XSS])
    titles = page.evaluate("() => Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure .mainheading')).map(t => t.textContent)")
    assert XSS in titles, titles
    # no element was made from the names: no <img> in the outputs but the PNG sparklines
    assert page.locator(".jp-OutputArea img:not([src^='data:image/png;base64,'])").count() == 0
    assert dialogs == []
    lab.screenshot(page, "panel_xss")
    page.click(".nbm-alert .nbm-alert-close")
    assert page.locator(".nbm-panel .nbm-alert").count() == 0
    # (A run finishing within ~0.1 s of init() replaces the panel's display while bqplot is
    # still laying out its first views, and bqplot logs "<rect> attribute width: negative";
    # harmless, but it would fail this check, so the cell above runs for a second or two.)
    lab.assert_no_widget_errors(page)
    assert json.dumps(XSS)  # (the name as logged, for the record)


CONTROLS_CELLS = [
    """
import nbmonitor as nbm
run = nbm.init(project="controls", name="ctl", display=False)
for i in range(300):
    nbm.log({"loss": 1.0 / (i + 1), "noisy": (i % 7) / 7})
nbm.finish(quiet=True)
p = nbm.panel(project="controls")
""",
    """
import time
time.sleep(1.5)      # the panel above is on screen by now
p.set_smoothing(0.6)  # what moving the slider does
""",
]

JS_TICKS = """() => Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))
  .filter(f => f.querySelector('.mainheading') && f.querySelector('.mainheading').textContent === 'loss')
  .flatMap(f => Array.from(f.querySelectorAll('.axis text')).map(t => t.textContent))"""


@pytest.mark.skip(reason="superseded: a finished run's panel now ends as a static view (issue 13), so its "
                         "controls are gone once the run ends; tests/browser/test_panel_controls.py clicks "
                         "smoothing, log scale, run visibility, reset zoom and collapse while the cell runs")
def test_controls_smoothing_and_log_scale(lab_page, jupyter_server):
    """With the kernel free, smoothing draws a second (smoothed) line per run and the
    log-scale toggle, clicked in the page, re-draws the y axis logarithmically."""
    page = lab_page
    lab.open_and_run(page, jupyter_server, CONTROLS_CELLS, ui="lab", name="panel-controls.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-header[data-state=finished]")
    lines = ".nbm-panel .bqplot.figure svg path.line"
    page.wait_for_function(f"() => document.querySelectorAll('{lines}').length >= 4")  # 2 charts x (raw + smoothed)
    assert "0.01" not in page.evaluate(JS_TICKS)
    page.click(".nbm-panel button:has-text('log scale')")
    page.wait_for_function(f"() => ({JS_TICKS})().includes('0.01')")
    page.wait_for_timeout(300)
    lab.screenshot(page, "panel_controls")
    # bqplot logs "translate(0,NaN)" once for axis ticks while the y scale is swapped in the browser
    # (the chart then draws right, see the screenshot); anything else is an error
    errs = [e for e in lab.widget_errors(page) if ",NaN)" not in str(e)]
    assert not errs, "widget errors in the browser console:\n" + "\n".join(map(str, errs))


EVENTS_CELL = """
import time
import numpy as np
import nbmonitor as nbm
run = nbm.init(project="panel-events", name="ev", display=False)
rng = np.random.default_rng(0)
for i in range(30):
    nbm.log({"loss": 1.0 / (i + 1), "weights": nbm.Histogram(rng.normal(i / 10, 1, 500))})
    if i % 10 == 0:
        nbm.log({"sample": nbm.Image(rng.random((16, 16)), caption=f"step {i}")}, commit=False)
nbm.finish(quiet=True)
p = nbm.panel(project="panel-events", static_when_idle=False)  # stays a widget after the cell
"""


def test_event_views_appear_in_the_panel(lab_page, jupyter_server):
    """Histograms and images logged with the scalars get their registered views as panel sections."""
    page = lab_page
    lab.open_and_run(page, jupyter_server, [EVENTS_CELL], ui="lab", name="panel-events.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-header[data-state=finished]")
    titles = lab.wait_section_titles(page, ("Histograms", "Images"))
    assert {"Histograms", "Images"} <= set(titles), titles
    page.wait_for_timeout(300)
    lab.screenshot(page, "panel_events")
    lab.assert_no_widget_errors(page)
