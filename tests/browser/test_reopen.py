"""A saved notebook shows its results when reopened (JupyterLab and Notebook 7).

A short run is executed, the notebook saved, its kernel shut down and the
page reloaded: no "Error displaying widget: model not found", and the panel's
static view (header line, PNG sparklines) is there. The same notebook copied
without its trust signature (as a committed notebook opens) goes through
JupyterLab's sanitizer: the PNG sparklines survive it (inline SVG would not),
and so does the end-of-run block. A committed tutorial, opened untrusted
without running it, shows its sparklines.
Screenshots: test-artifacts/screenshots/reopen_*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import lab

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

CELL = """
import time
import nbmonitor as nbm
run = nbm.init(project="reopen-{ui}", name="saved", total_steps=40)
for i in range(40):
    nbm.log({{"train/loss": 1.0 / (i + 1), "train/acc": i / 40}})
    time.sleep(0.02)
nbm.finish()
"""

JS_SPARKS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img'))
    .filter(i => (i.getAttribute('src') || '').startsWith('data:image/png') && i.naturalWidth > 0
                 && i.getBoundingClientRect().width > 0).length"""


def _no_model_not_found(page) -> None:
    text = page.inner_text("body")
    assert "model not found" not in text and "Error displaying widget" not in text


def _wait_sparks(page, n: int) -> int:
    page.wait_for_function(f"() => ({JS_SPARKS})() >= {n}", timeout=lab.SELECTOR_TIMEOUT_MS)
    return page.evaluate(JS_SPARKS)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_saved_notebook_reopened_without_kernel(lab_page, jupyter_server, ui):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [CELL.format(ui=ui)], ui=ui, name=f"reopen-{ui}.ipynb")
    page.wait_for_selector(".nbm-panel-static")
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.__nbmPanel || !window.__nbmPanel() || !window.__nbmPanel().context.model.dirty")
    page.wait_for_timeout(500)
    jupyter_server.shutdown_kernels()
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("() => !!(window.jupyterapp && window.jupyterapp.shell)", timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_selector(".nbm-panel-static", timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_selector(".nbm-report")
    assert _wait_sparks(page, 4) >= 4  # the panel's two keys, the report's two
    page.wait_for_timeout(1000)  # the widget manager has restored by now: any error would show
    _no_model_not_found(page)
    assert "reopen-" in page.inner_text(".nbm-panel-static") and "finished" in page.inner_text(".nbm-panel-static")
    lab.screenshot(page, f"reopen_{ui}")

    # the same notebook without its trust signature: the sanitizer decides
    if ui == "lab":
        import nbformat

        nb = nbformat.read(str(jupyter_server.root_dir / opened.path), as_version=4)
        nb.metadata.pop("signature", None)
        nbformat.write(nb, str(jupyter_server.root_dir / "untrusted.ipynb"))
        page.goto(jupyter_server.notebook_url("untrusted.ipynb", ui), wait_until="domcontentloaded")
        page.wait_for_selector(".nbm-report", timeout=lab.LOAD_TIMEOUT_MS)
        assert _wait_sparks(page, 4) >= 4
        assert page.locator(".jp-OutputArea-output svg").count() == 0
        _no_model_not_found(page)
        lab.screenshot(page, "reopen_untrusted")


def test_committed_tutorial_opened_untrusted_shows_sparklines(lab_page, jupyter_server):
    """The committed quickstart, opened as a newcomer would (untrusted, not run)."""
    import shutil

    page = lab_page
    shutil.copy(NOTEBOOKS / "01-quickstart.ipynb", jupyter_server.root_dir / "committed-quickstart.ipynb")
    page.goto(jupyter_server.notebook_url("committed-quickstart.ipynb", "lab"), wait_until="domcontentloaded")
    page.wait_for_selector(".jp-OutputArea-output", timeout=lab.LOAD_TIMEOUT_MS)
    assert _wait_sparks(page, 5) >= 5
    page.wait_for_timeout(1000)
    _no_model_not_found(page)
    lab.screenshot(page, "reopen_committed_quickstart")
