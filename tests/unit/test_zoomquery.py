"""Zoom re-query: the browser asks for a chart's visible x range and gets the raw points (ui/zoomquery.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("bqplot")
pytest.importorskip("anywidget")

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.store.memory import MemoryStore  # noqa: E402
from nbmonitor.ui.panel import Panel  # noqa: E402
from nbmonitor.ui.zoomquery import range_points  # noqa: E402
from tests.kernels import REPO, busy_cell, iopub_until, printed, real_kernel  # noqa: E402

JS = os.path.join(REPO, "js", "charts.js")


@pytest.fixture
def kernel(tmp_path):
    with real_kernel(tmp_path / "root", display=True) as k:  # panels shown: the test asks the panel's zoom widget
        yield k


def test_range_points_are_raw_when_few_and_a_min_max_envelope_when_many():
    steps = np.arange(100_000)
    values = np.sin(steps / 50.0)
    values[41_234] = 99.0  # a spike
    values[41_300] = -99.0
    x, y, exact = range_points(steps, values, 41_000, 41_500)
    assert exact and x[0] == 40_999 and x[-1] == 41_501 and len(x) == 503  # one point either side
    np.testing.assert_array_equal(y, values[40_999:41_502].astype(np.float32))
    x, y, exact = range_points(steps, values, 0, 99_999, limit=1000)
    assert not exact and len(x) <= 1000 and np.all(np.diff(x) > 0)
    assert 99.0 in y and -99.0 in y  # min/max kept: no spike dropped
    assert range_points(steps, values, 200_000, 300_000)[0].size == 0


def test_the_panel_answers_a_range_request_with_the_raw_points_of_each_run():
    store = MemoryStore()
    runs = []
    for name in ("a", "b"):
        run = nbm.init(project="zoomq", name=name, display=False, store=store, system_metrics=False)
        steps = np.arange(30_000)
        for i in steps:
            run.log({"loss": float(i % 97) + (1000.0 if i == 12_345 else 0.0)}, step=int(i))
        runs.append(run)
        nbm.finish(quiet=True)
    with recording_comms():
        panel = Panel(LiveSource(store), project="zoomq")
        panel.flush()
        line = panel._charts["loss"].lines[runs[0].id]
        assert len(line.x) < 5_000  # the charts get the envelope
        sent = []
        panel.controls.send = lambda content, buffers=None: sent.append((content, buffers))
        panel.controls._handle_custom_msg({"type": "range", "req": 7, "key": "loss", "x0": 12_300.5, "x1": 12_400.0,
                                           "runs": [r.id for r in runs] + ["nope"]}, [])
        (content, buffers), = sent
        assert content["type"] == "range" and content["req"] == 7 and content["key"] == "loss"
        assert [r for r, _ in content["runs"]] == [r.id for r in runs] and all(ex for _, ex in content["runs"])
        x = np.frombuffer(buffers[0], np.float64)
        y = np.frombuffer(buffers[1], np.float32)
        np.testing.assert_array_equal(x, np.arange(12_300, 12_402))  # every step, one either side
        np.testing.assert_array_equal(y, [float(i % 97) + (1000.0 if i == 12_345 else 0.0) for i in range(12_300, 12_402)])
        panel.controls._handle_custom_msg({"type": "range", "key": "loss", "x0": "bad"}, [])  # ignored, no crash
        assert len(sent) == 1


def test_the_zoom_requests_have_a_widget_of_their_own_and_say_when_they_are_answered():
    """No kernel here: no subshell, so a busy kernel would answer after its cell (`zoom_live` False,
    the reset tooltip says so); the requests' widget answers as the controls' comm does."""
    store = MemoryStore()
    run = nbm.init(project="zoomw", name="a", display=False, store=store, system_metrics=False)
    for i in range(300):
        run.log({"loss": float(i)}, step=i)
    nbm.finish(quiet=True)
    with recording_comms():
        panel = Panel(LiveSource(store), project="zoomw")
        panel.show()
        try:
            assert panel.controls.zoom == panel.zoom.widget.model_id and panel.controls.zoom_live is False
            sent = []
            panel.zoom.widget.send = lambda content, buffers=None: sent.append((content, buffers))
            panel.zoom.widget._handle_custom_msg({"type": "range", "req": 1, "key": "loss", "x0": 10, "x1": 20,
                                                  "runs": [run.id]}, [])
            (content, buffers), = sent
            assert content["runs"] == [[run.id, True]]
            np.testing.assert_array_equal(np.frombuffer(buffers[0], np.float64), np.arange(9, 22))
        finally:
            panel.close()
    assert "zoom_live" in open(JS).read() and "this kernel has no subshells" in open(JS).read()


# on ready, run.flush(): what the request asks for is written (not up to the writer thread's timing)
ZOOM_LOOP = busy_cell('run.log({"loss": float(i % 97)})', ready_at=300, on_ready="run.flush()")


def test_a_busy_kernel_answers_the_zoom_on_the_panel_s_subshell(kernel, tmp_path):
    """A training cell runs; a range request (sent on the plain shell channel, as JupyterLab with
    commsOverSubshells off) is answered with the raw points while it runs, and the kernel status
    goes back to busy for the cell after the subshell's idle."""
    pytest.importorskip("ipykernel.subshell")
    _km, kc = kernel
    release = tmp_path / "release"
    comm_id, run_id, live = printed(
        kc, f"RELEASE = {str(release)!r}\nimport nbmonitor as nbm\n"
        "run = nbm.init(project='zoom-k', name='busy', system_metrics=False)\n"
        "p = run._on_finish[0].__self__\nprint(p.zoom.widget.comm.comm_id, run.id, p.controls.zoom_live)").split()
    assert live == "True"  # ipykernel >= 7: the panel owns a subshell and routes the zoom widget to it
    msg_id = kc.execute(ZOOM_LOOP)
    iopub_until(kc, lambda m: m["msg_type"] == "stream" and "started" in m["content"]["text"])
    ask = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {
        "type": "range", "req": 3, "key": "loss", "x0": 100, "x1": 150, "runs": [run_id]}}})
    kc.shell_channel.send(ask)
    seen = iopub_until(kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
                       and m["content"]["data"].get("method") == "custom")
    answer = seen[-1]
    # answered while the cell runs: its end ("done") and its idle come after
    assert not [m for m in seen if m["msg_type"] == "stream" and "done" in m["content"]["text"]]
    assert not [m for m in seen if m["msg_type"] == "status" and m["parent_header"].get("msg_id") == msg_id
                and m["content"]["execution_state"] == "idle"]
    content = answer["content"]["data"]["content"]
    assert content["req"] == 3 and content["runs"] == [[run_id, True]], content
    x = np.frombuffer(answer["buffers"][0], np.float64)
    y = np.frombuffer(answer["buffers"][1], np.float32)
    np.testing.assert_array_equal(x, np.arange(99, 152))  # every step of the range, one either side
    np.testing.assert_array_equal(y, np.arange(99, 152) % 97)
    release.write_text("")
    seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_id") == msg_id)
    status = [(m["content"]["execution_state"], m["parent_header"].get("msg_type"), m["parent_header"].get("msg_id"))
              for m in seen if m["msg_type"] == "status"]
    idle_ask = [i for i, s in enumerate(status) if s[:2] == ("idle", "comm_msg")]
    assert idle_ask, status
    assert status[idle_ask[0] + 1] == ("busy", "execute_request", msg_id), status
    assert status[-1] == ("idle", "execute_request", msg_id)


def _envelope_by_loop(v, edges):
    """The envelope as a loop over buckets: lowest and highest finite value of each, or its first point."""
    keep = []
    finite = np.where(np.isfinite(v), v, np.nan)
    for a, b in zip(edges[:-1], edges[1:]):
        seg = finite[a:b]
        if np.all(np.isnan(seg)):
            keep.append(int(a))
            continue
        keep += sorted({int(np.nanargmin(seg)) + int(a), int(np.nanargmax(seg)) + int(a)})
    return np.asarray(keep, dtype=np.int64)


def test_the_envelope_keeps_each_buckets_lowest_and_highest_finite_point_as_a_loop_would():
    from nbmonitor.ui.zoomquery import envelope_indices

    rng = np.random.default_rng(7)
    for n, buckets in ((10_007, 500), (1_000, 999), (50, 7), (3, 1)):
        v = rng.normal(size=n).round(1)  # ties: the first occurrence is kept
        v[rng.integers(0, n, n // 10 + 1)] = np.nan
        v[rng.integers(0, n, n // 20 + 1)] = np.inf
        v[rng.integers(0, n, n // 20 + 1)] = -np.inf
        if n > 100:
            v[200:260] = np.nan  # whole buckets without a finite value
        edges = np.unique(np.linspace(0, n, buckets + 1).astype(np.int64))
        got = envelope_indices(v, edges)
        np.testing.assert_array_equal(got, _envelope_by_loop(v, edges))
        assert np.all(np.diff(got) > 0)
