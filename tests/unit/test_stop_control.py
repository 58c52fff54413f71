"""'Stop this run after the current step': `run.should_stop`, the panel's control, and a real kernel
that hears the click while a CPU-bound cell runs (routed to a kernel subshell the panel owns)."""

from __future__ import annotations

import os
import time

import pytest

pytest.importorskip("bqplot")
pytest.importorskip("anywidget")

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.compat.disabled import DisabledRun  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.store.memory import MemoryStore  # noqa: E402
from nbmonitor.ui.panel import Panel  # noqa: E402
from nbmonitor.ui.stopcontrol import LATE_TIP  # noqa: E402
from nbmonitor.ui.subshell import Subshell  # noqa: E402
from tests.kernels import iopub_until, printed, real_kernel  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_should_stop_is_false_until_asked():
    run = nbm.init(project="stop", name="r", display=False, store=MemoryStore(), system_metrics=False)
    assert run.should_stop is False
    run.request_stop()
    assert run.should_stop is True
    nbm.finish(quiet=True)
    off = nbm.init(project="stop", mode="disabled")
    assert isinstance(off, DisabledRun) and off.should_stop is False
    off.finish()


def test_the_control_stops_the_panel_s_run_and_says_when_it_acts():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="stop2", name="train", display=False, store=store, system_metrics=False)
        run.log({"loss": 1.0})
        panel = Panel(LiveSource(store), project="stop2", follow=run.id).attach(run)
        panel.stopper.open()  # no kernel here: no subshell, the click acts when the cell ends
        ctl = panel.stopper.widget
        assert Subshell.open() is None
        assert ctl.run == "train" and ctl.live is False and ctl.tip == LATE_TIP and "cell ends" in ctl.tip
        ctl.set_state({"requested": True})  # what the browser's click sends
        assert run.should_stop is True
        assert ctl.heard.startswith("asked after 1 steps")
        panel.set_static()
        assert ctl.run == ""  # static: nothing to click
        panel.resume()  # live again (idle.py: a run goes on): the control is back
        assert ctl.run == "train"
        nbm.finish(quiet=True)
        panel.end()
        assert ctl.run == ""  # ended: nothing to stop


def test_a_panel_without_runs_of_this_kernel_shows_no_stop_control():
    with recording_comms():
        store = MemoryStore()
        run = nbm.init(project="stop3", display=False, store=store, system_metrics=False)
        run.log({"x": 1.0})
        panel = Panel(LiveSource(store), project="stop3")
        panel.flush()
        assert panel.stopper.widget.run == ""
        nbm.finish(quiet=True)



def test_the_stop_control_hides_once_the_focus_run_has_finished():
    """Hidden by the widget's layout (what ipywidgets keeps; an inline style on its element is reset):
    a view of finished runs shows no control (runs_lab_more.png showed one), nor a panel whose run ended."""
    with recording_comms():
        store = MemoryStore()
        first = nbm.init(project="stop4", name="first", display=False, store=store, system_metrics=False)
        first.log({"x": 1.0})
        nbm.finish(quiet=True)
        view = Panel(LiveSource(store), project="stop4")  # nbm.panel(project=) of finished runs
        view.stopper.open()
        view.flush()
        assert view.stopper.widget.run == "" and view.stopper.widget.layout.display == "none"

        a = nbm.init(project="stop4", name="a", display=False, store=store, system_metrics=False)
        a.log({"x": 1.0})
        panel = Panel(LiveSource(store), project="stop4", follow=a.id).attach(a)
        panel.stopper.open()
        panel.flush()
        ctl = panel.stopper.widget
        assert ctl.run == "a" and ctl.layout.display is None  # shown while its run goes on
        a.finish(quiet=True)
        panel.flush()  # the run finished: nothing to stop
        assert ctl.run == "" and ctl.layout.display == "none"
        assert "nbm-stop-hidden" in open(os.path.join(REPO, "js", "stop.js")).read()  # the view hides itself too


LOOP = """
import sys, time
print("started", flush=True)
t0 = time.time()
steps = 0
while time.time() - t0 < 60 and not run.should_stop:
    x = 0
    for _ in range(20000):  # CPU-bound: the main shell is busy
        x += 1
    nbm.log({"loss": 1.0 / (steps + 1)})
    steps += 1
print(f"stopped={run.should_stop} after {time.time() - t0:.1f}s", flush=True)
t1 = time.time()
while time.time() - t1 < 2:  # busy a while after the stop: the kernel status must say so
    pass
"""


@pytest.fixture
def kernel(tmp_path):
    with real_kernel(tmp_path / "root", display=True) as k:  # panels shown: the test clicks the panel's control
        yield k


def test_a_busy_kernel_hears_the_stop_click_on_the_panel_s_subshell(kernel):
    pytest.importorskip("ipykernel.subshell")
    km, kc = kernel
    comm_id, live = printed(
        kc, "import nbmonitor as nbm\nrun = nbm.init(project='stop-k', name='busy', system_metrics=False)\n"
        "p = run._on_finish[0].__self__\nprint(p.stopper.widget.comm.comm_id, p.stopper.widget.live)").split()
    assert live == "True"  # ipykernel >= 7: the panel owns a subshell
    msg_id = kc.execute(LOOP)
    iopub_until(kc, lambda m: m["msg_type"] == "stream" and "started" in m["content"]["text"])
    time.sleep(1.0)  # well into the loop; the main shell is busy
    # what the browser's click sends: an update of the control's state, on the plain shell channel
    click = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {
        "method": "update", "state": {"requested": True}, "buffer_paths": []}})
    kc.shell_channel.send(click)
    seen = iopub_until(kc, lambda m: m["msg_type"] == "stream" and "stopped=" in m["content"]["text"])
    text = [m["content"]["text"] for m in seen if m["msg_type"] == "stream"][-1]
    assert "stopped=True" in text, text
    assert float(text.split("after ")[1].rstrip("s\n")) < 30  # long before the loop's own 60 s
    seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                         and m["parent_header"].get("msg_id") == msg_id)
    # the kernel status stays true: the subshell's idle for the click is followed by busy for the cell
    status = [(m["content"]["execution_state"], m["parent_header"].get("msg_type"), m["parent_header"].get("msg_id"))
              for m in seen if m["msg_type"] == "status"]
    idle_click = [i for i, s in enumerate(status) if s[:2] == ("idle", "comm_msg")]
    assert idle_click, status
    assert status[idle_click[0] + 1] == ("busy", "execute_request", msg_id), status
    assert status[-1] == ("idle", "execute_request", msg_id)
