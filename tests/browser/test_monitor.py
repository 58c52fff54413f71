"""`%monitor --logdir` in JupyterLab on a folder a background process keeps writing.

The writer is a plain script using torch's SummaryWriter (event files, flushed
every step); the notebook only runs `%load_ext nbmonitor` and `%monitor`, and
the cell returns at once: the panel's own thread brings the new points.
The same with an nbmonitor root that a script logging with `nbm.log()` writes.
Screenshots: test-artifacts/screenshots/monitor_{tensorboard,nbmonitor}_lab_{early,later}.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from tests.browser import lab

pytest.importorskip("torch")
pytest.importorskip("tensorboard")

TB_WRITER = textwrap.dedent("""
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

NBM_WRITER = textwrap.dedent("""
    import math, sys, time
    import nbmonitor as nbm
    nbm.init(project="background", name="train", dir=sys.argv[1], display=False)
    for step in range(100000):
        nbm.log({"Loss/train": math.exp(-step / 40) + 0.05 * math.sin(step),
                 "Loss/val": math.exp(-step / 50) + 0.1, "accuracy": 1 - math.exp(-step / 30)})
        time.sleep(0.2)
""")

JS_STEP = """() => {
  const h = document.querySelector('.nbm-panel .nbm-header');
  return h && h.dataset.step !== undefined ? Number(h.dataset.step) : -1;
}"""

JS_LINES = """() => Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure svg path.line'))
  .map(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1)"""


@pytest.fixture(params=["tensorboard", "nbmonitor"])
def growing_logdir(request, tmp_path):
    """A folder another process keeps writing: TensorBoard event files, or an nbmonitor root."""
    logdir = tmp_path / "logs"
    if request.param == "tensorboard":
        argv, first = [TB_WRITER, str(logdir / "train")], lambda: list((logdir / "train").glob("*tfevents*"))
    else:
        argv, first = [NBM_WRITER, str(logdir)], lambda: (logdir / "nbmonitor.db").exists()
    child = subprocess.Popen([sys.executable, "-c", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(lab.REPO_ROOT)})
    deadline = time.time() + 60
    while not first() and time.time() < deadline:
        assert child.poll() is None, child.stderr.read().decode()
        time.sleep(0.2)
    yield request.param, logdir, child
    child.kill()
    child.wait()


def test_monitor_logdir_shows_points_arriving(lab_page, jupyter_server, growing_logdir):
    page = lab_page
    kind, logdir, writer = growing_logdir
    cells = ["%load_ext nbmonitor", f"%monitor --logdir {logdir} --smoothing 0.3"]
    lab.open_and_run(page, jupyter_server, cells, ui="lab", name=f"monitor-{kind}.ipynb")
    page.wait_for_selector(".nbm-panel .nbm-header", timeout=lab.SELECTOR_TIMEOUT_MS)
    page.wait_for_function(f"() => ({JS_STEP})() >= 0", timeout=lab.SELECTOR_TIMEOUT_MS)
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", timeout=lab.SELECTOR_TIMEOUT_MS)
    first_step = page.evaluate(JS_STEP)
    first_lines = page.evaluate(JS_LINES)
    lab.screenshot(page, f"monitor_{kind}_lab_early")

    # the cell has returned (kernel idle); the points keep coming
    page.wait_for_function(f"() => ({JS_STEP})() >= {first_step + 10}", timeout=30_000)
    page.wait_for_function(
        f"() => {{ const n = ({JS_LINES})(); return n.length && Math.max(...n) > {max(first_lines or [0])}; }}",
        timeout=30_000)
    later_step = page.evaluate(JS_STEP)
    assert later_step >= first_step + 10
    header = page.inner_text(".nbm-panel .nbm-header")
    assert "train" in header and ("active" if kind == "tensorboard" else "running") in header
    keys = page.eval_on_selector_all(".nbm-panel .nbm-sparktable tr[data-key]", "rs => rs.map(r => r.dataset.key)")
    assert sorted(keys) == ["Loss/train", "Loss/val", "accuracy"]
    lab.screenshot(page, f"monitor_{kind}_lab_later")
    lab.assert_no_widget_errors(page)
    if kind == "tensorboard":  # the writer stops: "idle since <time>" (its cadence: 15 s), then the static view
        writer.kill()
        writer.wait()
        page.wait_for_function("() => document.body.innerText.includes('idle since')", timeout=90_000)
        page.wait_for_selector(".nbm-panel-static:not(.nbm-live-fallback)", timeout=60_000)
        text = page.inner_text(".nbm-panel-static:not(.nbm-live-fallback)")
        assert "logs/train · idle since" in text, text
        lab.screenshot(page, "monitor_tensorboard_lab_idle")
