"""A Jupyter kernel restarted, shut down or interrupted under an open run (issue 11, item 10)."""

from __future__ import annotations

import time

import pytest

import nbmonitor as nbm
from tests.kernels import real_kernel

OPEN_RUN = """
import nbmonitor as nbm
run = nbm.init(project="k", name="{name}")
for i in range(1000):
    nbm.log({{"i": float(i)}})
"""


@pytest.fixture
def kernel(tmp_path):
    with real_kernel(tmp_path / "root", display=False) as k:
        yield k


def _run(kc, code: str, timeout: float = 60):
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    return reply["content"]


@pytest.mark.parametrize("end", ["restart", "shutdown"])
def test_an_open_run_shows_crashed_after_the_kernel_goes_and_keeps_its_points(kernel, tmp_path, end):
    km, kc = kernel
    assert _run(kc, OPEN_RUN.format(name="open"))["status"] == "ok"
    if end == "restart":
        km.restart_kernel(now=False)  # what Jupyter's "Restart kernel" does: a shutdown request, then a new kernel
    else:
        km.shutdown_kernel(now=False)
    view = nbm.get_run("open", dir=tmp_path / "root")
    assert view.state == "crashed"  # not "finished": nobody finished it
    assert len(view.history()) == 1000


def test_an_interrupted_cell_leaves_the_run_open_and_truly_running(kernel, tmp_path):
    km, kc = kernel
    _run(kc, OPEN_RUN.format(name="interrupted"))
    kc.execute("import time\nfor j in range(10**9):\n    nbm.log({'j': float(j)}); time.sleep(0.001)")
    time.sleep(1.5)
    km.interrupt_kernel()
    time.sleep(1.0)
    reply = _run(kc, "print(nbm.run is run, run.state, run.finished)")
    assert reply["status"] == "ok"
    view = nbm.get_run("interrupted", dir=tmp_path / "root")
    assert view.state == "running"  # open: the next cell may log more, and the writer keeps its heartbeat
    hist = view.history()
    assert len(hist) >= 1000 and hist["j"].notna().sum() > 0
    _run(kc, "nbm.finish(quiet=True)")
    assert nbm.get_run("interrupted", dir=tmp_path / "root").state == "finished"
