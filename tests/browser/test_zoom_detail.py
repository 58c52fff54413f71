"""Zooming a chart in shows the raw points of its x range, asked of the kernel (nbmonitor/ui/zoomquery.py).

One finished run of 60,000 steps (the chart gets a ~2,000-point min/max envelope); the panel is
`nbm.panel(..., static_when_idle=False)` so it stays a widget after the cell. The test wheel-zooms
the loss chart: the figure says how many points the kernel sent for the range and that they are
all of them (`data-nbm-zoom-exact`); "reset zoom" brings the envelope back (the marks go).
A busy kernel answers while its cell runs: the requests go to the panel's kernel subshell (JupyterLab
with commsOverSubshells on and off, Notebook 7); a kernel without subshells answers when the cell ends.
Screenshots: zoom_lab_detail.png, zoom_<ui>_busy_detail.png, zoom_lab_after_busy.png.
"""

from __future__ import annotations

import pytest

from tests.browser import lab

CELL = """
import nbmonitor as nbm
run = nbm.init(project="zoomq", name="long", display=False, system_metrics=False)
for i in range(60000):
    run.log({"loss": float(i % 97) + (500.0 if i == 30000 else 0.0)})
nbm.finish(quiet=True)
p = nbm.panel(project="zoomq", static_when_idle=False)
"""

LOSS = ("Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))"
        ".find(f => (f.querySelector('.mainheading') || {}).textContent === 'loss')")
JS_ZOOM = (f"() => {{ const f = {LOSS}; return f ? "
           "{points: f.dataset.nbmZoomPoints || null, exact: f.dataset.nbmZoomExact || null} : null; }")
JS_ZOOM_MS = f"() => Number(({LOSS}).dataset.nbmZoomMs)"  # request to answer, in the page
# the answer to the last request: the raw points of the zoomed range (an answer to a request sent mid-zoom, for a
# wider range, can come first when the wheel events are slow: more points, the range not yet the final one)
JS_ZOOMED = (f"() => {{ const z = ({JS_ZOOM})(); return !!z && !!z.points && z.exact === 'true'"
             " && Number(z.points) > 0 && Number(z.points) < 20000; }")


def test_zooming_in_shows_the_raw_points_of_the_range(lab_page, jupyter_server):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [CELL], ui="lab", name="zoom-lab.ipynb", wait=False)
    lab.wait_run_finished(page, opened.path)
    page.wait_for_function(f"() => {{ const f = {LOSS}; return f && Array.from(f.querySelectorAll('path.line'))"
                           ".some(p => (p.getAttribute('d') || '').length > 1000); }", timeout=lab.LOAD_TIMEOUT_MS)
    assert page.evaluate(JS_ZOOM) == {"points": None, "exact": None}
    box = page.evaluate(f"() => {{ const r = ({LOSS}).querySelector('path.line').getBoundingClientRect();"
                        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    for _ in range(8):  # zoom well in: a few hundred steps of 60,000 in view
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(50)
    page.wait_for_function(JS_ZOOMED, timeout=lab.SELECTOR_TIMEOUT_MS)
    zoom = page.evaluate(JS_ZOOM)
    print("zoomed:", zoom)
    assert zoom["exact"] == "true" and 0 < int(zoom["points"]) < 20_000, zoom
    # the zoomed axes label few ticks, none over another (9 x labels "29,800 29,850 ..." ran together)
    page.wait_for_function(f"() => ({lab.TICK_OVERLAPS_JS})().length === 0", timeout=lab.SELECTOR_TIMEOUT_MS)  # axes checked every 2 s
    lab.screenshot(page, "zoom_lab_detail")
    page.click(".nbm-panel .nbm-controls button.nbm-reset")
    page.wait_for_function(f"() => {{ const z = ({JS_ZOOM})(); return z && z.points === null; }}",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    lab.assert_no_widget_errors(page)


BUSY = """
import nbmonitor as nbm
{degrade}
run = nbm.init(project="zoomb", name="long", display=False, system_metrics=False)
for i in range(60000):
    run.log({{"loss": float(i % 97)}})
nbm.finish(quiet=True)
p = nbm.panel(project="zoomb", static_when_idle=False)
"""
# the kernel as one without subshells (ipykernel < 7): the panel finds none, the main shell answers
NO_SUBSHELLS = "import nbmonitor.ui.subshell as _ss; _ss._kernel = lambda: None"
RESET = ".nbm-panel .nbm-controls button.nbm-reset"


def _zoom_in(page) -> None:
    """Wheel-zoom the loss chart well in."""
    box = page.evaluate(f"() => {{ const r = ({LOSS}).querySelector('path.line').getBoundingClientRect();"
                        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    for _ in range(8):
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(50)


def _open_busy(page, server, ui, comms, degrade):
    name = f"zoom-busy-{ui}-{comms}{'-late' if degrade else ''}"
    cell = BUSY.format(degrade=NO_SUBSHELLS if degrade else "") + lab.busy_loop(f"release-{name}")
    opened = lab.open_notebook(page, server, [cell], ui=ui, name=f"{name}.ipynb")
    js_comms = """([path, v]) => { __nbmFind; const k = window.__nbmPanel(path).sessionContext.session.kernel;
      if (v) k.commsOverSubshells = v; return k.commsOverSubshells; }""".replace("__nbmFind", lab._JS_FIND_PANEL)
    assert page.evaluate(js_comms, [opened.path, comms]) == comms
    lab.run_all_cells(page)
    page.wait_for_function(f"() => {{ const f = {LOSS}; return f && Array.from(f.querySelectorAll('path.line'))"
                           ".some(p => (p.getAttribute('d') || '').length > 1000); }", timeout=lab.LOAD_TIMEOUT_MS * 2)
    return opened, name


# commsOverSubshells: JupyterLab's default sends widget messages on a subshell of its own; "disabled" on the
# main shell's channel. The kernel routes the zoom widget's comm to the panel's subshell either way.
@pytest.mark.parametrize(("ui", "comms"), [("lab", "perCommTarget"), ("lab", "disabled"), ("notebook", "perCommTarget")])
def test_a_busy_kernel_answers_the_zoom_while_its_cell_runs(lab_page, jupyter_server, ui, comms):
    """The range request goes to the panel's kernel subshell: the raw points come while the cell runs,
    and the front end's kernel status still says busy afterwards."""
    page = lab_page
    opened, name = _open_busy(page, jupyter_server, ui, comms, degrade=False)
    page.wait_for_function(f"() => {{ const b = document.querySelector('{RESET}'); return b && b.dataset.zoomLive === 'true'; }}",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert "also while a cell runs" in page.get_attribute(RESET, "title")
    _zoom_in(page)
    page.wait_for_function(JS_ZOOMED, timeout=lab.SELECTOR_TIMEOUT_MS)
    answered_ms = page.evaluate(JS_ZOOM_MS)
    zoom = page.evaluate(JS_ZOOM)
    assert lab.run_state(page, opened.path).get("state") == "running"  # answered mid-cell
    assert zoom["exact"] == "true" and 0 < int(zoom["points"]) < 20_000, zoom
    lab.screenshot(page, f"zoom_{ui}_busy_detail")
    # the subshell's "idle" for the request must not stick: the status reads busy again (within 10 s)
    status = lab.kernel_status_settled(page, opened.path)
    assert status == "busy", f"kernel status {status!r} while the cell still ran"
    page.click(RESET)  # and zooming again, still mid-cell: answered again
    page.wait_for_function(f"() => {{ const z = ({JS_ZOOM})(); return z && z.points === null; }}",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    _zoom_in(page)
    page.wait_for_function(JS_ZOOMED, timeout=lab.SELECTOR_TIMEOUT_MS)
    assert lab.run_state(page, opened.path).get("state") == "running"
    again_ms = page.evaluate(JS_ZOOM_MS)
    (jupyter_server.root_dir / f"release-{name}").write_text("")
    lab.wait_run_finished(page, opened.path)
    print(f"\n{ui} (commsOverSubshells {comms}): zoomed {zoom}, answered {answered_ms:.0f} ms (again: {again_ms:.0f} ms)"
          " after the request, while the cell ran")
    lab.assert_no_widget_errors(page)


def test_without_subshells_the_zoom_is_answered_when_the_cell_ends(lab_page, jupyter_server):
    """A kernel without subshells: the zoomed chart keeps the envelope while the cell runs (one request,
    not one per change), gets the raw points once it ends, and the tooltip says so."""
    page = lab_page
    opened, name = _open_busy(page, jupyter_server, "lab", "perCommTarget", degrade=True)
    page.wait_for_function(f"() => {{ const b = document.querySelector('{RESET}'); return b && b.dataset.zoomLive === 'false'; }}",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert "when it ends" in page.get_attribute(RESET, "title")
    _zoom_in(page)
    page.wait_for_timeout(1500)  # the request went out 300 ms after the last wheel; the kernel is busy
    assert lab.run_state(page, opened.path).get("state") == "running"
    assert page.evaluate(JS_ZOOM)["points"] is None  # not answered while the cell runs
    (jupyter_server.root_dir / f"release-{name}").write_text("")
    lab.wait_run_finished(page, opened.path)
    page.wait_for_function(JS_ZOOMED, timeout=lab.SELECTOR_TIMEOUT_MS)
    zoom = page.evaluate(JS_ZOOM)
    print("zoomed after the cell:", zoom)
    assert zoom["exact"] == "true", zoom
    lab.screenshot(page, "zoom_lab_after_busy")
    lab.assert_no_widget_errors(page)
