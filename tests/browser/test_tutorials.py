"""The committed tutorials, run in JupyterLab in headless Chromium.

The notebooks are opened with their outputs cleared and run top to bottom;
from the DOM we check that the live panel, the image prediction grid and the
histogram view render, and that the numbers they show are the ones the
notebook logged (read back from the notebook's store afterwards).
Screenshots: test-artifacts/screenshots/tutorial_*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import nbmonitor as nbm
from tests.browser import lab

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

def assert_no_widget_errors(page) -> None:
    """As lab.assert_no_widget_errors, less bqplot's complaint about a figure laid out before it has a size
    (it draws a negative-size clip rect once, then redraws at the real size)."""
    errs = [e for e in lab.widget_errors(page) if "A negative value is not valid" not in str(e)]
    assert not errs, "widget errors in the browser console:\n" + "\n".join(map(str, errs))


JS_SPARKTABLE = """(sel) => Object.fromEntries(Array.from(document.querySelectorAll(sel + ' .nbm-sparktable tbody tr'))
    .map(r => [r.dataset.key, Number(r.querySelector('.nbm-last').dataset.value)]))"""


@pytest.fixture(scope="module")
def tutorial_server(jupyter_server_factory):
    """Kernels that use the tutorials' own default store (./nbmonitor-runs), as a user's would."""
    return jupyter_server_factory({"NBMONITOR_DIR": ""})


def test_quickstart_panel_shows_the_logged_values(lab_page, tutorial_server):
    page = lab_page
    lab.open_and_run(page, tutorial_server, NOTEBOOKS / "01-quickstart.ipynb", ui="lab", name="01-quickstart.ipynb")
    root = tutorial_server.root_dir / "nbmonitor-runs"
    page.wait_for_selector(".nbm-panel .nbm-header[data-state=finished]")
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", state="attached")
    panels = page.locator(".nbm-panel")
    assert panels.count() == 2  # the five experiments share one panel; the "final" run has its own
    # The first panel overlays the five runs: one line per run in each chart.
    lines = page.evaluate("() => document.querySelectorAll('.nbm-panel')[0].querySelectorAll('.bqplot.figure')[0]"
                          ".querySelectorAll('path.line').length")
    assert lines >= 5
    shown = page.evaluate(JS_SPARKTABLE, ".nbm-panel:last-of-type")
    page.wait_for_function("() => document.querySelectorAll('.nbm-report').length >= 6")
    final = nbm.get_run("final", project="quickstart", dir=root).history()
    assert shown["loss"] == pytest.approx(final["loss"].iloc[-1], rel=1e-6)
    assert shown["val/acc"] == pytest.approx(final["val/acc"].iloc[-1], rel=1e-6)
    page.locator(".nbm-panel").first.scroll_into_view_if_needed()
    lab.screenshot(page, "tutorial_quickstart")
    assert_no_widget_errors(page)


def test_classifier_grid_histograms_and_panel(lab_page, tutorial_server):
    page = lab_page
    lab.open_and_run(page, tutorial_server, NOTEBOOKS / "02-pytorch-classifier.ipynb", ui="lab",
                     name="02-pytorch-classifier.ipynb", timeout_s=180)
    root = tutorial_server.root_dir / "nbmonitor-runs"
    run = nbm.get_run("cnn", project="digits-classifier", dir=root)
    table = [e for e in run.events(["table"]) if e.key == "predictions"][-1].payload
    cols = table["columns"]
    mistakes = sum(r[cols.index("pred")] != r[cols.index("target")] for r in table["rows"])

    page.wait_for_selector(".nbm-panel .nbm-header[data-state=finished]")
    shown = page.evaluate(JS_SPARKTABLE, ".nbm-panel")
    assert shown["val/acc"] == pytest.approx(run.summary["val/acc"], rel=1e-6)

    grid = ".nbm-imagegrid"
    page.wait_for_selector(f"{grid} .nbm-card img.nbm-thumb[src^='blob:']", state="attached")
    assert page.locator(f"{grid} .nbm-card").count() == 64
    assert page.locator(f"{grid} .nbm-card.nbm-mistake").count() == mistakes

    hist = ".nbm-histograms"
    page.wait_for_selector(f"{hist} path.nbm-hist-band", state="attached")
    layers = page.locator(f"{hist} select.nbm-hist-key option").all_inner_texts()
    assert "parameters/fc.weight" in layers and "gradients/fc.weight" in layers

    page.wait_for_function("() => document.querySelectorAll('.nbm-report').length >= 1")
    page.locator(".nbm-panel").first.scroll_into_view_if_needed()
    lab.screenshot(page, "tutorial_classifier", full_page=True)
    assert_no_widget_errors(page)
