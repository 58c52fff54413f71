"""The committed tutorials, read the way GitHub or nbviewer shows them: no widget JS.

Each must carry its results as static output: the end-of-run block (run
history with PNG sparklines that JupyterLab's sanitizer keeps, run summary) in its HTML, and no text/plain
holding a memory address or a timestamp (nbval compares those outputs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9]*.ipynb"))
ADDRESS = re.compile(r"at 0x[0-9a-fA-F]{6,}")
TIMESTAMP = re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d")


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def test_there_are_tutorials():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_static_html_shows_run_history_and_summary(path):
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    assert any(True for _ in _outputs(nb)), f"{path.name} was committed without outputs"
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert 'class="nbm-report"' in html, "no end-of-run block in the static HTML"
    assert "Run history" in html and "Run summary" in html
    # (nbconvert sanitizes the HTML and orders attributes by name)
    assert re.search(r'<img[^>]*class="nbm-spark"[^>]*src="data:image/png;base64,', html), "no PNG sparkline"
    assert not re.search(r'<svg[^>]*class="nbm-spark"', html), "an SVG sparkline (stripped in untrusted notebooks)"
    assert re.search(r'class="nbm-panel-static[ "]', html), "the live panel left no static fallback"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_plain_is_deterministic(path):
    nb = nbformat.read(path, as_version=4)
    for out in _outputs(nb):
        text = out.get("data", {}).get("text/plain", "") or out.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        assert not ADDRESS.search(text), f"memory address in output: {text[:200]}"
        assert not TIMESTAMP.search(text), f"timestamp in output: {text[:200]}"
