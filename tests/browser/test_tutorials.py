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


# a finished run's panel is its static view: key -> last value shown, and its PNG sparkline
JS_STATIC = """(i) => Object.fromEntries(Array.from(document.querySelectorAll('.nbm-panel-static')[i]
    .querySelectorAll('table.nbm-sparktable-static tr')).slice(1).map(r => {
      const td = r.querySelectorAll('td');
      return [td[0].textContent, {last: Number(td[2].textContent), spark: td[1].querySelectorAll('img[src^="data:image/png"]').length}];
    }))"""


@pytest.fixture(scope="module")
def tutorial_server(jupyter_server_factory):
    """Kernels that use the tutorials' own default store (./nbmonitor-runs), as a user's would."""
    return jupyter_server_factory({"NBMONITOR_DIR": ""})


def test_quickstart_panel_shows_the_logged_values(lab_page, tutorial_server):
    page = lab_page
    lab.open_and_run(page, tutorial_server, NOTEBOOKS / "01-quickstart.ipynb", ui="lab", name="01-quickstart.ipynb")
    root = tutorial_server.root_dir / "nbmonitor-runs"
    # every run ended: each panel's output is its static view (what a reopened notebook shows)
    page.wait_for_function("() => document.querySelectorAll('.nbm-report').length >= 6")
    assert page.locator(".nbm-panel").count() == 0
    assert page.locator(".nbm-panel-static:not(.nbm-live-fallback)").count() == 2  # the sweep's and the final run's
    # the sweep's panel lists its five runs
    assert page.locator(".nbm-panel-static >> nth=0").inner_text().count("finished,") == 5
    shown = page.evaluate(JS_STATIC, 1)
    final = nbm.get_run("final", project="quickstart", dir=root).history()
    assert shown["loss"]["last"] == pytest.approx(final["loss"].iloc[-1], rel=1e-5)
    assert shown["val/acc"]["last"] == pytest.approx(final["val/acc"].iloc[-1], rel=1e-5)
    assert all(v["spark"] == 1 for v in shown.values())
    page.locator(".nbm-panel-static").first.scroll_into_view_if_needed()
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

    page.wait_for_selector(".nbm-panel-static table.nbm-sparktable-static")
    shown = page.evaluate(JS_STATIC, 0)
    assert shown["val/acc"]["last"] == pytest.approx(run.summary["val/acc"], rel=1e-5)

    # the prediction grid in the static view: a compact table of sized thumbnails, mistakes marked
    grid = ".nbm-panel-static .nbm-static-grid table.nbm-static-gridtable"
    page.wait_for_selector(f"{grid} img[src^='data:image/png']", state="attached")
    n = page.locator(f"{grid} td").count()
    assert n == min(48, len(table["rows"]))
    assert page.locator(f"{grid} td.miss").count() == sum(
        r[cols.index("pred")] != r[cols.index("target")] for r in table["rows"][:n])
    box = page.locator(f"{grid}").first.bounding_box()
    assert box["height"] < 1000, box  # rows of eight, not a list of 64 tiny images
    page.wait_for_selector(".nbm-panel-static .nbm-static-hist", state="attached")
    assert mistakes >= 0

    page.wait_for_function("() => document.querySelectorAll('.nbm-report').length >= 1")
    page.locator(".nbm-panel-static").first.scroll_into_view_if_needed()
    lab.screenshot(page, "tutorial_classifier", full_page=True)
    assert_no_widget_errors(page)
