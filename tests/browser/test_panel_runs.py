"""A project of 30 runs: the panel reads them all, draws the newest 10 and says "showing 10 of 30 runs";
"show more runs" draws 10 more in the browser while the kernel is busy in the cell that showed it
(JupyterLab and Notebook 7). The cell runs until the test drops a file, so nothing depends on timing:
the test checks the kernel is still running when the change shows. When the cell ends (nothing runs),
the panel's output becomes its static view, which says "showing 20 of 30 runs" too.
Screenshots: test-artifacts/screenshots/runs_<ui>_{more,static}.png.
"""

from __future__ import annotations

import pytest

from tests.browser import lab

CELL = """
import nbmonitor as nbm
for k in range(30):
    nbm.init(project="thirty-{ui}", name=f"t{{k:02d}}", display=False, system_metrics=False)
    for i in range(5):
        nbm.log({{"loss": (k + 1) / (i + 1)}})
    nbm.finish(quiet=True)
p = nbm.panel(project="thirty-{ui}")
"""

JS_RUNS = """() => {
  const c = document.querySelector('.nbm-panel .nbm-controls');
  if (!c) return null;
  const f = Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))
    .find(f => (f.querySelector('.mainheading') || {}).textContent === 'loss');
  const lines = f ? Array.from(f.querySelectorAll('path.line')).filter(p => (p.getAttribute('d') || '').length > 10
      && getComputedStyle(p).visibility !== 'hidden' && p.getClientRects().length > 0).length : -1;
  return {legend: c.querySelectorAll('.nbm-legend-item').length, showing: (c.querySelector('.nbm-showing') || {}).textContent,
          more: !!c.querySelector('.nbm-more-runs') && c.querySelector('.nbm-more-runs').offsetParent !== null, lines,
          stop: Array.from(document.querySelectorAll('.nbm-panel .nbm-stop-button')).some(b => b.offsetParent !== null)};
}"""


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_show_more_runs_acts_while_the_cell_runs(lab_page, jupyter_server, ui):
    page = lab_page
    cell = CELL.format(ui=ui) + lab.busy_loop(f"release-{ui}")
    opened = lab.open_and_run(page, jupyter_server, [cell], ui=ui, name=f"runs-{ui}.ipynb", wait=False)
    page.wait_for_function(f"() => {{ const r = ({JS_RUNS})(); return r && r.legend === 10 && r.lines === 10; }}",
                           timeout=lab.LOAD_TIMEOUT_MS * 2)
    before = page.evaluate(JS_RUNS)
    assert before["showing"] == "showing 10 of 30 runs" and before["more"], before
    assert not before["stop"], before  # every run has finished: no "stop after this step" control
    page.click(".nbm-panel .nbm-more-runs")
    page.wait_for_function(f"() => {{ const r = ({JS_RUNS})(); return r && r.legend === 20 && r.lines === 20; }}",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    after = page.evaluate(JS_RUNS)
    assert after["showing"] == "showing 20 of 30 runs", after
    assert lab.run_state(page, opened.path).get("state") == "running"  # the kernel is still busy in the cell
    lab.screenshot(page, f"runs_{ui}_more")
    (jupyter_server.root_dir / f"release-{ui}").write_text("")
    lab.wait_run_finished(page, opened.path)
    # nothing runs: the output is the static view, which heard "show more runs" once the kernel was free
    page.wait_for_function("() => Array.from(document.querySelectorAll('.nbm-panel-static:not(.nbm-live-fallback)'))"
                           ".some(e => e.innerText.includes('showing 20 of 30 runs'))", timeout=lab.SELECTOR_TIMEOUT_MS)
    lab.screenshot(page, f"runs_{ui}_static")
