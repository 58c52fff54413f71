"""The panel's controls act while a training cell runs (JupyterLab 4 and Notebook 7).

One CPU-bound cell logs two runs into one panel until the test releases it. With the
kernel busy, the test uses each control in the page and checks that the chart
changed before the cell ends: log scale (y tick labels change), smoothing (a
second, smoothed line per run), hiding a run (its lines disappear), wheel zoom
then reset zoom (x ticks change and come back), collapsing a section; and that
hovering a chart shows the value, step and run of the nearest point over
bqplot's pan/zoom layer. Printed: how long each took to show.
Screenshots: test-artifacts/screenshots/controls_<ui>_*.png.
"""

from __future__ import annotations

import time

import pytest

from tests.browser import lab

CELL = """
import nbmonitor as nbm
first = nbm.init(project="midrun-{ui}", name="warmup")
for i in range(50):
    nbm.log({{"train/loss": 2.0 / (i + 1), "train/acc": i / 100}})
nbm.finish(quiet=True)
run = nbm.init(project="midrun-{ui}", name="busy")
"""
STEP = 'nbm.log({"train/loss": 1.0 / (i + 1) + 0.05 * ((i * 7919) % 13) / 13, "train/acc": i / 1000})'


def _cell(ui: str) -> str:
    """The warm-up run, then the busy run logging as a training loop until the test releases it."""
    return CELL.format(ui=ui) + lab.busy_loop(f"release-controls-{ui}", STEP) + "nbm.finish(quiet=True)\n"


LOSS = ("Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))"
        ".find(f => (f.querySelector('.mainheading') || {}).textContent === 'train/loss')")
JS_STATE = f"""() => {{
  const f = {LOSS};
  if (!f) return {{ticks: [], lines: -1, visibleFig: false, gone: true}};
  const axes = Array.from(f.querySelectorAll('g.axis'));
  const ticks = axes.map(a => Array.from(a.querySelectorAll('.tick text')).map(t => t.textContent).join('|'));
  const lines = Array.from(f.querySelectorAll('path.line')).filter(p => (p.getAttribute('d') || '').length > 10
      && getComputedStyle(p).visibility !== 'hidden' && p.getClientRects().length > 0);
  return {{ticks, lines: lines.length, visibleFig: f.getBoundingClientRect().height > 0}};
}}"""


JS_TIP_SHOWN = "() => { const t = document.querySelector('.nbm-hover'); return t && t.style.display === 'block'; }"
JS_TIP = """() => { const t = document.querySelector('.nbm-hover');
  return t && t.style.display === 'block'
    ? {text: t.innerText, step: t.dataset.step, value: t.dataset.value, run: t.dataset.run} : null; }"""


def _timed(page, cond: str, timeout_ms: int = 10_000) -> float:
    t0 = time.monotonic()
    page.wait_for_function(cond, timeout=timeout_ms)
    return (time.monotonic() - t0) * 1000


# The training cell runs until the test releases it, so every check lands mid-cell however slow the
# machine; a click can still wait on a page starved by the CPU-bound kernel, so a failure is retried up
# to twice (pytest-rerunfailures).
@pytest.mark.flaky(reruns=2)
@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_controls_act_while_the_cell_runs(lab_page, jupyter_server, ui):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [_cell(ui)], ui=ui, name=f"controls-{ui}.ipynb", wait=False)
    page.wait_for_selector(".nbm-panel .nbm-controls .nbm-legend-item >> nth=1", state="attached",
                           timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_function(f"() => {{ const s = ({JS_STATE})(); return s && s.lines >= 2; }}",
                           timeout=lab.LOAD_TIMEOUT_MS)
    assert lab.run_state(page, opened.path)["state"] == "running"
    took = {}
    before = page.evaluate(JS_STATE)

    # log scale: the y ticks change
    page.click(".nbm-panel .nbm-controls button.nbm-log")
    took["log scale"] = _timed(page, f"() => JSON.stringify(({JS_STATE})().ticks) !== {repr(__import__('json').dumps(before['ticks']))}")
    page.click(".nbm-panel .nbm-controls button.nbm-log")  # back to linear: the two runs' lines again
    _timed(page, f"() => ({JS_STATE})().lines === 2")

    # smoothing: one more (smoothed) line per run
    page.eval_on_selector(".nbm-panel .nbm-controls .nbm-smooth input",
                          "el => { el.value = '0.9'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    took["smoothing"] = _timed(page, f"() => ({JS_STATE})().lines >= 4")

    # hide the first run: its raw and smoothed lines go
    page.click(".nbm-panel .nbm-controls .nbm-legend-item >> nth=0")
    took["hide run"] = _timed(page, f"() => ({JS_STATE})().lines === 2")

    # hover over the busy run's line: value, step and run of the nearest point
    fig = page.evaluate_handle(LOSS)
    box = fig.as_element().query_selector("path.line").bounding_box()
    path_d = page.evaluate(f"() => Array.from(({LOSS}).querySelectorAll('path.line'))"
                           ".map(p => p.getBoundingClientRect()).filter(r => r.width > 50)[0]")
    x = path_d["x"] + path_d["width"] * 0.5
    page.mouse.move(x, path_d["y"] + 5)
    for dy in range(0, int(path_d["height"]), 10):
        page.mouse.move(x, path_d["y"] + dy)
        if page.evaluate(JS_TIP_SHOWN):
            break
    hover = page.evaluate(JS_TIP)
    assert hover, "no hover read-out over the chart"
    assert "busy" in hover["text"] and "step" in hover["text"] and "value" in hover["text"], hover
    assert float(hover["step"]) >= 0 and float(hover["value"]) > 0
    lab.screenshot(page, f"controls_{ui}_hover")
    assert box is not None

    # wheel zoom on the chart, then reset zoom: the x axis no longer starts at 0, then does again
    first_x = "() => (({JS_STATE})().ticks[0] || '').split('|')[0]"
    page.wait_for_function(f"() => ({first_x.replace('{JS_STATE}', JS_STATE)})() === '0'", timeout=10_000)
    page.mouse.move(path_d["x"] + path_d["width"] * 0.6, path_d["y"] + path_d["height"] / 2)
    page.mouse.wheel(0, -600)
    page.wait_for_function(f"() => ({first_x.replace('{JS_STATE}', JS_STATE)})() !== '0'", timeout=10_000)
    page.click(".nbm-panel .nbm-controls button.nbm-reset")
    took["reset zoom"] = _timed(page, f"() => ({first_x.replace('{JS_STATE}', JS_STATE)})() === '0'")

    # collapse the "train" section
    page.click(".nbm-panel .nbm-section .jupyter-widget-Collapse-header >> text=train")
    took["collapse section"] = _timed(page, f"() => !({JS_STATE})().visibleFig")

    assert lab.run_state(page, opened.path)["state"] == "running", f"the cell ended before the checks: {took}"
    assert lab.kernel_status_settled(page, opened.path) == "busy"  # the status bar says so too
    print(f"\n{ui}: shown after (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in took.items()))
    (jupyter_server.root_dir / f"release-controls-{ui}").write_text("")
    lab.wait_run_finished(page, opened.path)
    # bqplot complains while a figure has no size (laid out before it has one, or in a collapsed section)
    # bqplot's own transient errors while a y scale is swapped or a figure is collapsed mid-draw
    # (axis ticks over an empty or NaN domain, a path of no points); the charts then draw right
    # (screenshots controls_<ui>_*.png). Known issue, see the note on issue 13.
    noise = ("A negative value is not valid", "NaN", ",undefined)",
             "Expected moveto path command", "RangeError: Invalid array length")
    errs = [e for e in lab.widget_errors(page) if not any(n in str(e) for n in noise)]
    assert not errs, "widget errors in the browser console:\n" + "\n".join(map(str, errs))
