"""'Stop after this step' reaches a busy kernel (JupyterLab 4 and Notebook 7).

A CPU-bound cell loops for up to 40 s, checking `run.should_stop`. About 3 s in, the test clicks
the panel's stop control: the click goes to the kernel subshell the panel owns (ipykernel 7), the
loop stops at its next check, and the cell then keeps the kernel busy until the test releases it,
during which the front end's kernel status must read "busy" (the subshell's own "idle" must not stick).
Screenshots: test-artifacts/screenshots/stop_<ui>_requested.png, stop_<ui>_done.png.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import lab

CELL = """
import os, time
import nbmonitor as nbm
if os.path.exists("{release}"):
    os.remove("{release}")
run = nbm.init(project="stop-{ui}", name="long")
t0 = time.time()
i = 0
while time.time() - t0 < 40 and not run.should_stop:
    x = 0
    for _ in range(30000):  # CPU-bound: the kernel is busy, as in training
        x += 1
    nbm.log({{"train/loss": 1.0 / (i + 1)}})
    i += 1
stopped = time.time() - t0
while not os.path.exists("{release}") and time.time() - t0 < stopped + 60:  # busy after the stop, until released
    pass
print(f"should_stop={{run.should_stop}} loop ended after {{stopped:.1f}} s, {{i}} steps")
nbm.finish(quiet=True)
"""

JS_OUT = "() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText).join('\\n')"


# commsOverSubshells: JupyterLab's default sends widget messages on a subshell of its own; "disabled" on the
# main shell's channel. The kernel routes the control's comm to the panel's subshell either way.
@pytest.mark.parametrize(("ui", "comms"), [("lab", "perCommTarget"), ("lab", "disabled"), ("notebook", "perCommTarget")])
def test_stop_reaches_the_loop_while_the_cell_runs(lab_page, jupyter_server, ui, comms):
    page = lab_page
    release = f"release-stop-{ui}-{comms}"
    opened = lab.open_notebook(page, jupyter_server, [CELL.format(ui=ui, release=release)], ui=ui,
                               name=f"stop-{ui}-{comms}.ipynb")
    js_comms = """([path, v]) => { __nbmFind; const k = window.__nbmPanel(path).sessionContext.session.kernel;
      if (v) k.commsOverSubshells = v; return k.commsOverSubshells; }""".replace("__nbmFind", lab._JS_FIND_PANEL)
    assert page.evaluate(js_comms, [opened.path, comms]) == comms
    lab.run_all_cells(page)
    button = ".nbm-panel .nbm-stop .nbm-stop-button"
    page.wait_for_selector(button, state="visible", timeout=lab.LOAD_TIMEOUT_MS)
    # routed to the panel's subshell (the widget shows first, then learns it is routed)
    page.wait_for_function(f"() => document.querySelector('{button}').dataset.live === 'true'",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert "training loop checks" in page.get_attribute(button, "title")
    time.sleep(3.0)
    assert lab.run_state(page, opened.path)["state"] == "running"
    t0 = time.monotonic()
    page.click(button)
    page.wait_for_function("() => /asked after \\d+ steps/.test(document.querySelector('.nbm-stop-note').textContent)",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    heard_ms = (time.monotonic() - t0) * 1000
    # the cell is in its busy tail: the subshell's "idle" for the click must not stick (busy again within 10 s)
    status = lab.kernel_status_settled(page, opened.path)
    assert lab.run_state(page, opened.path)["state"] == "running"
    lab.screenshot(page, f"stop_{ui}_requested")
    (jupyter_server.root_dir / release).write_text("")
    lab.wait_run_finished(page, opened.path)
    out = page.evaluate(JS_OUT)
    lab.screenshot(page, f"stop_{ui}_done")
    m = re.search(r"should_stop=True loop ended after ([\d.]+) s", out)
    assert m, out
    assert float(m.group(1)) < 25, out  # long before the loop's own 40 s
    assert status == "busy", f"kernel status {status!r} while the cell still ran"
    print(f"\n{ui} (commsOverSubshells {comms}): the kernel heard the click after {heard_ms:.0f} ms; {m.group(0)}")
    lab.assert_no_widget_errors(page)
