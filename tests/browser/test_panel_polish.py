"""Issue 13's polish, seen in a real page (JupyterLab 4 and Notebook 7).

Cell 1 logs a run "trial" in a project; cell 2 logs two more runs named "trial" in the same project
(the first with a table of images), leaving the second open so its panel stays live. Checked on
cell 2's panel: it charts only cell 2's runs, and the repeated name is told apart in the legend; the
header counts "375 steps" as the static copy does; x ticks on a step axis are evenly spaced integers
and no y tick is below 0 for non-negative data; every line's colour is its run's legend colour, also
after a run is hidden; smoothing doubles the lines of train/loss but not of a System chart; there is
no empty "Tables" section; Notebook 7 does not squeeze the panel into a scroll box.
Screenshots: test-artifacts/screenshots/polish_<ui>.png, polish_<ui>_hidden.png.
"""

from __future__ import annotations

import pytest

from tests.browser import lab

CELL1 = """
import nbmonitor as nbm
first = nbm.init(project="polish-{ui}", name="trial")
for i in range(50):
    nbm.log({{"train/loss": 1.0 / (i + 1)}})
nbm.finish(quiet=True)
"""

CELL2 = """
import math, time
import numpy as np
a = nbm.init(project="polish-{ui}", name="trial")
for i in range(268):
    nbm.log({{"train/loss": 0.5 + 0.5 * math.cos(i / 20), "val/acc": i / 268}})
nbm.log({{"preds": nbm.Table(columns=["image", "label"], data=[[nbm.Image(np.zeros((8, 8, 3), np.uint8)), "cat"]])}})
nbm.finish(quiet=True)
b = nbm.init(project="polish-{ui}", name="trial")
for i in range(375):
    nbm.log({{"train/loss": 0.4 * (1 + math.sin(i / 15)), "val/acc": i / 400}})
time.sleep(3)  # a few system-metric points; b stays open, so the panel stays live
"""

FIG = """(title) => Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))
  .find(f => (f.querySelector('.mainheading') || {}).textContent === title)"""
JS = """() => {
  const fig = (__FIG__);
  const visible = (f) => Array.from(f.querySelectorAll('path.line')).filter(p => (p.getAttribute('d') || '').length > 10
      && getComputedStyle(p).visibility !== 'hidden' && p.getClientRects().length > 0);
  const loss = fig('train/loss');
  const sys = Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))
    .find(f => ((f.querySelector('.mainheading') || {}).textContent || '').startsWith('system/'));
  const ticks = (f, i) => Array.from(f.querySelectorAll('g.axis')[i].querySelectorAll('.tick text')).map(t => t.textContent);
  const legend = Array.from(document.querySelectorAll('.nbm-panel .nbm-legend-item')).map(it => ({
    name: it.querySelector('.nbm-legend-name').textContent,
    color: getComputedStyle(it.querySelector('.nbm-legend-dot')).backgroundColor,
    on: it.querySelector('input').checked}));
  const panel = document.querySelector('.nbm-panel');
  const area = panel.closest('.jp-Cell-outputArea') || panel.closest('.jp-OutputArea');
  return {
    legend, strokes: [...new Set(visible(loss).map(p => getComputedStyle(p).stroke))],
    lossLines: visible(loss).length, sysLines: sys ? visible(sys).length : -1,
    xticks: ticks(loss, 0), yticks: ticks(loss, 1),
    step: document.querySelector('.nbm-panel .nbm-step').textContent,
    sections: Array.from(document.querySelectorAll('.nbm-panel .jupyter-widget-Collapse-header')).map(h => h.textContent.trim()),
    panelHeight: panel.getBoundingClientRect().height,
    areaHeight: area ? area.getBoundingClientRect().height : -1,
    areaScrolls: area ? area.scrollHeight > area.clientHeight + 2 : null,
    scrolledCell: !!panel.closest('.jp-mod-outputsScrolled'),
  };
}""".replace("__FIG__", FIG)


def _num(t: str) -> float:
    return float(t.replace(",", "").replace("−", "-"))


def _xticks_even(s: dict) -> bool:
    xs = [_num(t) for t in s["xticks"]]
    return len(xs) >= 3 and all(x == int(x) for x in xs) and len({round(b - a, 6) for a, b in zip(xs, xs[1:])}) == 1


def _drawn(s: dict) -> bool:
    """Everything the test reads is drawn: both runs' lines and the legend's colours, the system chart, the
    step count, integer x ticks."""
    return (s["lossLines"] >= 2 and s["sysLines"] > 0 and len(s["legend"]) == 2 and s["step"] == "375 steps"
            and set(s["strokes"]) == {it["color"] for it in s["legend"]} and _xticks_even(s) and bool(s["yticks"]))


# Before js/charts.js syncMarks: 2 of 7 runs here lost the second run's train/loss line (bqplot's Figure
# view misses a change:marks that arrives while it renders); retried once for other load-related misses.
@pytest.mark.flaky(reruns=1)
@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_panel_polish(lab_page, jupyter_server, ui):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [CELL1.format(ui=ui), CELL2.format(ui=ui)], ui=ui,
                              name=f"polish-{ui}.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-legend-item >> nth=1", state="attached", timeout=lab.LOAD_TIMEOUT_MS)
    # the header, the legend, each chart's lines and its axes are drawn by views of their own, at their own
    # pace: read once all have caught up (or after 20 s, for the asserts below to say what is wrong)
    s = lab.settle(page, JS, _drawn)
    lab.screenshot(page, f"polish_{ui}")
    synced = page.evaluate("() => document.querySelectorAll('.nbm-panel .bqplot.figure[data-nbm-marks-synced]').length")
    print(f"\n{ui}: figure views whose missed marks were added (js/charts.js syncMarks): {synced}")
    # a cell's panel: cell 2's two runs, the shared name told apart (the run id added)
    names = [it["name"] for it in s["legend"]]
    assert len(names) == 2 and len(set(names)) == 2 and all(n.startswith("trial (") for n in names), names
    # one step count: the run logged 375 steps (0..374)
    assert s["step"] == "375 steps", s["step"]
    # x ticks: integers, evenly spaced; y ticks: none below 0 (the data is >= 0)
    assert _xticks_even(s), s["xticks"]
    assert s["yticks"] and all(_num(t) >= 0 for t in s["yticks"]), s["yticks"]
    # colours: the lines' are the legend's
    assert set(s["strokes"]) == {it["color"] for it in s["legend"]}, s
    page.click(".nbm-panel .nbm-legend-item >> nth=0")
    page.wait_for_function(f"() => ({JS})().strokes.length === 1")
    s2 = page.evaluate(JS)
    lab.screenshot(page, f"polish_{ui}_hidden")
    assert s2["strokes"] == [s["legend"][1]["color"]], (s2["strokes"], s["legend"])
    page.click(".nbm-panel .nbm-legend-item >> nth=0")
    page.wait_for_function(f"() => ({JS})().strokes.length === 2")
    # smoothing: a smoothed line per run on train/loss, none on the System charts (shown again as before first)
    page.wait_for_function(f"() => ({JS})().sysLines === {s['sysLines']}", timeout=lab.SELECTOR_TIMEOUT_MS)
    sys_before = s["sysLines"]
    page.eval_on_selector(".nbm-panel .nbm-controls .nbm-smooth input",
                          "el => { el.value = '0.9'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function(f"() => ({JS})().lossLines >= 4", timeout=lab.SELECTOR_TIMEOUT_MS)
    assert page.evaluate(JS)["sysLines"] == sys_before
    # no empty "Tables" section (the table holds images: the grid shows it)
    assert "Tables" not in s["sections"], s["sections"]
    # the panel is not squeezed into a scroll box (Notebook 7's 24em)
    assert s["panelHeight"] > 500 and not s["areaScrolls"], s
    if ui == "notebook":  # Notebook 7's 24em scroll box (jp-mod-outputsScrolled): the panel's CSS undoes it
        if not s["scrolledCell"]:
            # Notebook 7 marks a cell whose output grew tall while it arrived, which depends on timing; mark it
            # as its "Enable Scrolling for Outputs" command does, then measure again
            page.evaluate("() => document.querySelector('.nbm-panel').closest('.jp-CodeCell')"
                          ".classList.add('jp-mod-outputsScrolled')")
            s = page.evaluate(JS)
        assert s["scrolledCell"] and s["panelHeight"] > 500 and not s["areaScrolls"], s
    print(f"\n{ui}: cell outputsScrolled {s['scrolledCell']}, panel {s['panelHeight']:.0f} px, area {s['areaHeight']:.0f} px")
    # anywidget rejects a model that takes over 2 s to initialize (a hard AbortSignal.timeout(2000)), which a
    # machine 3x oversubscribed reaches; the widgets then work (all of the above passed)
    errs = [e for e in lab.widget_errors(page) if "[anywidget] Failed to initialize model" not in str(e)]
    assert not errs, "widget errors in the browser console:\n" + "\n".join(map(str, errs))
    assert lab.run_state(page, opened.path)["state"] == "done"
