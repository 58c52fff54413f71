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


def _save_and_reopen_without_kernel(page, jupyter_server) -> None:
    """Save the notebook, shut its kernel down and reload the page, up to the app shell being there."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.__nbmPanel || !window.__nbmPanel() || !window.__nbmPanel().context.model.dirty")
    page.wait_for_timeout(500)
    jupyter_server.shutdown_kernels()
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("() => !!(window.jupyterapp && window.jupyterapp.shell)", timeout=lab.LOAD_TIMEOUT_MS)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_saved_notebook_reopened_without_kernel(lab_page, jupyter_server, ui):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [CELL.format(ui=ui)], ui=ui, name=f"reopen-{ui}.ipynb")
    page.wait_for_selector(".nbm-panel-static")
    _save_and_reopen_without_kernel(page, jupyter_server)
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


VIEWS_TB = """
import os, time, numpy as np, torch
from torch.utils.tensorboard import SummaryWriter
torch.manual_seed(0)
w = SummaryWriter("tbold-{ui}/exp")
for i in range(30):
    w.add_scalar("loss", 1 / (i + 1), i)
    w.add_histogram("weights", torch.randn(500) * (1 + i / 10), i)
w.add_pr_curve("pr", np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.9, 0.7, 0.4, 0.6]), 3)
w.add_embedding(torch.randn(40, 8), metadata=[str(i % 3) for i in range(40)])
w.close()
old = time.time() - 600  # an experiment of earlier: its files stopped growing long ago
for root, _, files in os.walk("tbold-{ui}"):
    for f in files:
        os.utime(os.path.join(root, f), (old, old))
"""

VIEWS_NBM = """
import nbmonitor as nbm
for name in ("done", "other"):
    run = nbm.init(project="views-{ui}", name=name, display=False, config={{"lr": 0.1 if name == "done" else 0.2}})
    for i in range(20):
        nbm.log({{"loss": 1.0 / (i + 1), "acc": i / 20}})
    nbm.finish(quiet=True)
nbm.panel(project="views-{ui}")
"""

COMPARE = 'nbm.compare("views-{ui}")'
JS_FIRST_RUN = "() => { const t = document.querySelector('table.nbm-runs-table'); return t && t.tBodies[0].rows[0].cells[0].textContent; }"



def _wait_first_run(page, name: str) -> None:
    """The compare table's first row names ``name``. Waited for, not read at once: JupyterLab attaches
    the outputs of cells below the viewport when the CPU is idle, so the last cell's table can come
    after the panels above it (CI saw ``None`` from an immediate read of the untrusted copy)."""
    page.wait_for_function(f"() => ({JS_FIRST_RUN})() === {name!r}", timeout=lab.SELECTOR_TIMEOUT_MS)


JS_STATIC = "() => document.querySelectorAll('.nbm-panel-static:not(.nbm-live-fallback)').length"
JS_SVG_IMGS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img'))
    .filter(i => (i.getAttribute('src') || '').startsWith('data:image/svg+xml') && i.naturalWidth > 0
                 && i.getBoundingClientRect().width > 0).length"""


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_views_that_never_end_are_static_when_reopened(lab_page, jupyter_server, ui):
    """`%monitor --logdir` (a finished TensorBoard experiment: histograms, PR curve, embedding) and
    `nbm.panel(project=)` of finished runs: their outputs become the static view when their cells end,
    so the saved notebook reopened without a kernel (and untrusted) shows them, images included.
    `nbm.compare()` is HTML whose columns sort where it is trusted (live, reopened), a plain table untrusted."""
    page = lab_page
    cells = [VIEWS_TB.replace("{ui}", ui), f"%load_ext nbmonitor\n%monitor --logdir tbold-{ui}", VIEWS_NBM.format(ui=ui),
             COMPARE.format(ui=ui)]
    opened = lab.open_and_run(page, jupyter_server, cells, ui=ui, name=f"views-{ui}.ipynb")
    page.wait_for_function(f"() => ({JS_STATIC})() >= 2", timeout=lab.LOAD_TIMEOUT_MS)
    _wait_first_run(page, "done")
    name = page.locator("table.nbm-runs-table th", has_text="name")
    name.click()
    name.click()  # descending
    _wait_first_run(page, "other")
    assert page.locator("label.nbm-rt-key select").count() == 1  # the sparkline key selector
    _save_and_reopen_without_kernel(page, jupyter_server)
    page.wait_for_function(f"() => ({JS_STATIC})() >= 2", timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_function(f"() => ({JS_SVG_IMGS})() >= 3", timeout=lab.SELECTOR_TIMEOUT_MS)  # histogram, PR, embedding
    page.wait_for_timeout(1000)  # the widget manager has restored by now: any error would show
    _no_model_not_found(page)
    text = page.inner_text("body")
    assert f"nbmonitor panel: tbold-{ui}/exp · idle since" in text and f"views-{ui}/other · finished" in text
    name = page.locator("table.nbm-runs-table th", has_text="name")  # reopened, trusted: still sorts
    name.click()
    name.click()
    _wait_first_run(page, "other")
    lab.screenshot(page, f"reopen_views_{ui}", full_page=True)

    if ui == "lab":  # untrusted: through the sanitizer
        import nbformat

        nb = nbformat.read(str(jupyter_server.root_dir / opened.path), as_version=4)
        nb.metadata.pop("signature", None)
        nbformat.write(nb, str(jupyter_server.root_dir / "views-untrusted.ipynb"))
        page.goto(jupyter_server.notebook_url("views-untrusted.ipynb", ui), wait_until="domcontentloaded")
        page.wait_for_function(f"() => ({JS_STATIC})() >= 2", timeout=lab.LOAD_TIMEOUT_MS)
        page.wait_for_function(f"() => ({JS_SVG_IMGS})() >= 3", timeout=lab.SELECTOR_TIMEOUT_MS)
        assert page.locator(".jp-OutputArea-output svg").count() == 0
        _wait_first_run(page, "done")  # the table, as made (the sanitizer dropped the script)
        _no_model_not_found(page)
        lab.screenshot(page, "reopen_views_untrusted", full_page=True)
