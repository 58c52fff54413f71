"""Smoke test of the browser harness itself, with no nbmonitor code.

Proves the stack end to end in JupyterLab and Notebook 7: a Jupyter server
from this venv, headless Chromium, the anywidget and bqplot lab extensions
loading offline, an inline-``_esm`` anywidget whose DOM follows a traitlet
that the *same, still running* cell keeps changing, and a bqplot figure
drawing a line.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import lab

MAX_TICKS = 800  # x 0.15 s: the cell counts until the test releases it (2 min at most)

WIDGET_CELL = f'''
import time
import anywidget
import traitlets

class Smoke(anywidget.AnyWidget):
    _esm = """
    function render({{ model, el }}) {{
      el.classList.add('smoke-widget');
      const span = document.createElement('span');
      span.className = 'smoke-text';
      const update = () => {{
        el.dataset.count = String(model.get('count'));
        el.dataset.done = String(model.get('done'));
        span.textContent = `smoke count=${{model.get('count')}} done=${{model.get('done')}}`;
      }};
      update();
      model.on('change:count', update);
      model.on('change:done', update);
      el.appendChild(span);
      return () => {{
        model.off('change:count', update);
        model.off('change:done', update);
      }};
    }}
    export default {{ render }};
    """
    _css = ".smoke-widget {{ font: 16px monospace; padding: 8px; border: 2px solid #4a7; }}"
    count = traitlets.Int(0).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)

w = Smoke()
display(w)
import os
if os.path.exists("__RELEASE__"):
    os.remove("__RELEASE__")
i = 0
while not os.path.exists("__RELEASE__") and i < {MAX_TICKS}:  # counts on until the test releases it
    i += 1
    w.count = i
    time.sleep(0.15)
w.done = True
print(f"final count={{i}}")
'''

BQPLOT_CELL = '''
import numpy as np
import bqplot as bq
x = np.linspace(0, 10, 60)
sx, sy = bq.LinearScale(), bq.LinearScale()
line = bq.Lines(x=x, y=np.sin(x), scales={"x": sx, "y": sy})
fig = bq.Figure(marks=[line], axes=[bq.Axis(scale=sx), bq.Axis(scale=sy, orientation="vertical")],
                title="harness smoke", layout={"height": "300px"})
fig
'''

JS_COUNT = "() => { const e = document.querySelector('.smoke-widget'); return e ? Number(e.dataset.count) : -1; }"


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_widgets_render_and_update_live(lab_page, jupyter_server, ui):
    page = lab_page
    release = f"release-smoke-{ui}"
    cell = WIDGET_CELL.replace("__RELEASE__", release)
    opened = lab.open_and_run(page, jupyter_server, [BQPLOT_CELL, cell], ui=ui, name=f"smoke-{ui}.ipynb", wait=False)

    # bqplot: the figure and its line are in the DOM.
    page.wait_for_selector(".bqplot.figure svg path.line", state="attached", timeout=lab.LOAD_TIMEOUT_MS)

    # anywidget: the view renders and follows the traitlet while the cell still runs.
    page.wait_for_selector(".smoke-widget .smoke-text", timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_function(f"() => ({JS_COUNT})() >= 3")
    first = page.evaluate(JS_COUNT)
    assert lab.run_state(page, opened.path)["state"] == "running", "cell finished before the DOM was checked"
    page.wait_for_function(f"() => ({JS_COUNT})() >= {first + 5}")
    second = page.evaluate(JS_COUNT)
    still = lab.run_state(page, opened.path)
    assert still["state"] == "running", f"expected the cell still running, got {still}"
    assert first < second
    lab.screenshot(page, f"harness_smoke_{ui}_running")

    (jupyter_server.root_dir / release).write_text("")
    lab.wait_run_finished(page, opened.path)
    page.wait_for_function("() => document.querySelector('.smoke-widget').dataset.done === 'true'")
    text = page.inner_text(".smoke-widget .smoke-text")
    out = page.locator(".jp-OutputArea-output", has_text="final count=").first.inner_text()
    final = int(re.search(r"final count=(\d+)", out).group(1))
    assert second <= final < MAX_TICKS, (second, final)
    assert text.strip() == f"smoke count={final} done=true", text  # the view ends where the kernel did

    assert page.locator(".bqplot.figure svg path.line").count() >= 1
    d = page.get_attribute(".bqplot.figure svg path.line", "d")
    assert d and d.count("L") > 10, f"line path looks empty: {d!r}"

    shot = lab.screenshot(page, f"harness_smoke_{ui}")
    assert shot.stat().st_size > 10_000
    lab.assert_no_widget_errors(page)


ENV_CELL = '''
import importlib.util, json, os
spec = importlib.util.find_spec("nbmonitor")  # locates, does not import
print("ENV=" + json.dumps({"nbmonitor": spec and spec.origin, "NBMONITOR_DIR": os.environ.get("NBMONITOR_DIR")}))
'''


def test_kernel_sees_working_tree_and_env(lab_page, jupyter_server):
    """The kernel finds this repo's nbmonitor (PYTHONPATH) and the server's NBMONITOR_DIR;
    a second Lab notebook in the session opens alone (?reset workspace)."""
    import json

    page = lab_page
    lab.open_and_run(page, jupyter_server, [ENV_CELL], ui="lab", name="env.ipynb")
    out = page.locator(".jp-OutputArea-output", has_text="ENV=").first.inner_text()
    env = json.loads(out.strip().split("ENV=", 1)[1])
    assert env["nbmonitor"] == str(lab.REPO_ROOT / "nbmonitor" / "__init__.py")
    assert env["NBMONITOR_DIR"] == jupyter_server.env["NBMONITOR_DIR"]
    open_nbs = page.evaluate(
        "() => Array.from(jupyterapp.shell.widgets('main')).filter(w => w.context).map(w => w.context.path)"
    )
    assert open_nbs == ["env.ipynb"]
