"""`%monitor --logdir` in JupyterLab on a folder a background process keeps writing.

The writer is a plain script using torch's SummaryWriter (event files, flushed
every step); the notebook only runs `%load_ext nbmonitor` and `%monitor`, and
the cell returns at once: the panel's own thread brings the new points.
Screenshots: test-artifacts/screenshots/monitor_lab_{early,later}.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.browser import lab

pytest.importorskip("torch")
pytest.importorskip("tensorboard")

WRITER = textwrap.dedent("""
    import math, sys, time
    import torch
    from torch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(sys.argv[1])
    w.add_image("samples", torch.rand(3, 16, 16), 0)
    for step in range(100000):
        w.add_scalar("Loss/train", math.exp(-step / 40) + 0.05 * math.sin(step), step)
        w.add_scalar("Loss/val", math.exp(-step / 50) + 0.1, step)
        w.add_scalar("accuracy", 1 - math.exp(-step / 30), step)
        if step % 10 == 0:
            w.add_histogram("weights", torch.randn(1000) * (1 + step / 100), step)
        w.flush()
        time.sleep(0.2)
""")

JS_STEP = """() => {
  const h = document.querySelector('.nbm-panel .nbm-header');
  return h && h.dataset.step !== undefined ? Number(h.dataset.step) : -1;
}"""

JS_LINES = """() => Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure svg path.line'))
  .map(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1)"""


@pytest.fixture
def growing_logdir(tmp_path):
    logdir = tmp_path / "logs"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(logdir / "train")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not list((logdir / "train").glob("*tfevents*")) and time.time() < deadline:
        assert child.poll() is None, child.stderr.read().decode()
        time.sleep(0.2)
    yield logdir
    child.kill()
    child.wait()


def test_monitor_logdir_shows_points_arriving(lab_page, jupyter_server, growing_logdir):
    page = lab_page
    cells = ["%load_ext nbmonitor", f"%monitor --logdir {growing_logdir} --smoothing 0.3"]
    lab.open_and_run(page, jupyter_server, cells, ui="lab", name="monitor-logdir.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-header", timeout=lab.SELECTOR_TIMEOUT_MS)
    page.wait_for_function(f"() => ({JS_STEP})() >= 0", timeout=lab.SELECTOR_TIMEOUT_MS)
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", timeout=lab.SELECTOR_TIMEOUT_MS)
    first_step = page.evaluate(JS_STEP)
    first_lines = page.evaluate(JS_LINES)
    lab.screenshot(page, "monitor_lab_early")

    # the cell has returned (kernel idle); the points keep coming
    page.wait_for_function(f"() => ({JS_STEP})() >= {first_step + 10}", timeout=30_000)
    page.wait_for_function(
        f"() => {{ const n = ({JS_LINES})(); return n.length && Math.max(...n) > {max(first_lines or [0])}; }}",
        timeout=30_000)
    later_step = page.evaluate(JS_STEP)
    assert later_step >= first_step + 10
    header = page.inner_text(".nbm-panel .nbm-header")
    assert "train" in header and "running" in header
    keys = page.eval_on_selector_all(".nbm-panel .nbm-sparktable tr[data-key]", "rs => rs.map(r => r.dataset.key)")
    assert sorted(keys) == ["Loss/train", "Loss/val", "accuracy"]
    lab.screenshot(page, "monitor_lab_later")
    lab.assert_no_widget_errors(page)
