"""The kernel status stays "busy" for the whole of a training cell while the front end talks to widgets.

JupyterLab (commsOverSubshells "perCommTarget", its default) asks the kernel for a subshell on the
control channel and sends every widget message on it; each is handled off the main thread, which
publishes its own busy/idle, and JupyterLab and Notebook 7 take that idle as the kernel's ("Idle"
while the cell still runs). Once a panel has a subshell (ui/subshell.py), every such idle is followed
at once by "busy" for the running cell. A real kernel, the messages JupyterLab sends.
"""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from tests.kernels import busy_cell, iopub_until, printed, real_kernel  # noqa: E402

LOOP = busy_cell('run.log({"loss": 1.0 / (i + 1)})', ready_at=200)


@pytest.fixture
def kernel(tmp_path):
    with real_kernel(tmp_path / "root", display=True) as k:  # panels shown: the panel opens its subshell
        yield k


def _status(seen: list[dict]) -> list[tuple[str, str, str]]:
    return [(m["content"]["execution_state"], m["parent_header"].get("msg_type"), m["parent_header"].get("msg_id"))
            for m in seen if m["msg_type"] == "status"]


def test_widget_messages_on_a_front_end_subshell_leave_the_status_busy(kernel, tmp_path):
    pytest.importorskip("ipykernel.subshell")
    _km, kc = kernel
    release = tmp_path / "release"
    comm_id, live = printed(
        kc, f"RELEASE = {str(release)!r}\nimport ipywidgets as w, nbmonitor as nbm\n"
        "slider = w.IntSlider()  # a widget of the user's, not the panel's\n"
        "run = nbm.init(project='status-k', name='busy', system_metrics=False)\n"
        "p = run._on_finish[0].__self__\nprint(slider.comm.comm_id, p.stopper.widget.live)").split()
    assert live == "True"  # ipykernel >= 7: the panel owns a subshell
    msg_id = kc.execute(LOOP)
    seen = iopub_until(kc, lambda m: m["msg_type"] == "stream" and "started" in m["content"]["text"])
    # JupyterLab's way, on its first widget message: a subshell for the "jupyter.widget" target, asked for
    # on the control channel (handled on the control thread, mid-cell), then the message sent on it
    kc.control_channel.send(kc.session.msg("create_subshell_request", {}))
    sub = kc.control_channel.get_msg(timeout=30)["content"]
    assert sub["status"] == "ok", sub
    seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_type") == "create_subshell_request")
    move = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {
        "method": "update", "state": {"value": 7}, "buffer_paths": []}})
    move["header"]["subshell_id"] = sub["subshell_id"]
    kc.shell_channel.send(move)
    kc.control_channel.send(kc.session.msg("list_subshell_request", {}))
    assert sub["subshell_id"] in kc.control_channel.get_msg(timeout=30)["content"]["subshell_id"]
    seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_type") == "list_subshell_request")
    release.write_text("")
    seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_id") == msg_id, timeout=90)
    status = _status(seen)
    others = [i for i, s in enumerate(status) if s[0] == "idle" and s[2] != msg_id]
    kinds = {status[i][1] for i in others}
    assert {"create_subshell_request", "list_subshell_request"} <= kinds, status  # the front end's traffic
    for i in others:  # each idle of that traffic, mid-cell: the next status is "busy" for the cell
        assert status[i + 1] == ("busy", "execute_request", msg_id), (i, status)
    assert status[-1] == ("idle", "execute_request", msg_id)  # the cell's own idle comes last, and stays
    # the slider moved (the user's widget: its messages wait for the main shell, as before)
    assert printed(kc, "print(slider.value)").strip() == "7"
