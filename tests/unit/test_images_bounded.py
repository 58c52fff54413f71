"""Images in the live panel stay bounded: previews, the newest steps only, full size on request."""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
import pytest

pytest.importorskip("anywidget")
pytest.importorskip("PIL")

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.store import Event, RunRecord  # noqa: E402
from nbmonitor.ui.views.images import KEEP, ImagesView  # noqa: E402
from tests.kernels import busy_cell, iopub_until, printed, real_kernel  # noqa: E402


def _events(n: int):
    rng = np.random.default_rng(0)
    frames = [nbm.Image(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)) for _ in range(4)]
    for i in range(n):
        kind, payload, files = frames[i % 4]._nbm_event("pred")
        yield Event(seq=i, key="pred", step=i, time=0.0, kind=kind, payload=payload, files=files), files["image.png"]


def test_200_images_bounded_in_bytes_held_and_sent():
    run = RunRecord(id="r1", project="p", name="r1")
    events = list(_events(200))
    full = len(events[0][1])
    assert full > 40_000  # noise: PNG cannot shrink it
    with recording_comms() as rec:
        view = ImagesView()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        sent0 = rec.bytes
        for ev, _ in events:
            view.add(run, [ev])  # one publisher tick per image: the worst case
        del ev
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        sent = rec.bytes - sent0
    # before: every PNG was held and sent whole, and the whole item list re-sent each time
    assert sent < 200 * 8_000, sent  # previews (~5 KB) plus bounded lists, not 200 x 49 KB
    assert held < (KEEP + 8) * (full + 8_000), held  # the newest steps' full PNGs and previews, not all 200
    assert len(view.widget.items) == KEEP and len(view.widget.blobs) <= KEEP
    assert view.widget.total == 200 and [it["s"] for it in view.widget.items] == list(range(200 - KEEP, 200))
    assert all(it["m"] == "image/jpeg" for it in view.widget.items)
    assert "200 images" in view.text()


def test_full_size_sent_on_request():
    run = RunRecord(id="r1", project="p", name="r1")
    events = list(_events(KEEP + 3))
    sent = []
    with recording_comms():
        view = ImagesView()
        for ev, _ in events:
            view.add(run, [ev])
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "full", "k": 0, "s": KEEP + 2}, [])
        view._on_msg(view.widget, {"type": "full", "k": 0, "s": 0}, [])  # out of the window: the store has it
    (c1, b1), (c2, b2) = sent
    assert c1 == {"type": "full", "k": 0, "s": KEEP + 2, "ok": True} and b1 == [events[-1][1]]
    assert c2["ok"] is False and b2 is None


def test_grid_of_64_a_step_bounded():
    from nbmonitor.ui.views.imagegrid import KEEP_TABLES, ImageGridView

    run = RunRecord(id="r1", project="p", name="r1")
    rng = np.random.default_rng(1)
    frames = [nbm.Image(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)) for _ in range(4)]
    events = []
    for step in range(8):  # 8 x 64 = 512 images
        t = nbm.Table(columns=["image", "pred", "label"])
        for j in range(64):
            t.add_data(frames[j % 4], j % 10, (j + step) % 10)
        kind, payload, files = t._nbm_event("grid")
        events.append(Event(seq=step, key="grid", step=step, time=0.0, kind=kind, payload=payload, files=files))
    with recording_comms() as rec:
        view = ImageGridView()
        sent0 = rec.bytes
        for ev in events:
            view.add(run, [ev])
        sent = rec.bytes - sent0
    assert sent < 512 * 8_000, sent  # previews, not 512 x 49 KB
    tables = view.widget.tables
    assert [t["step"] for t in tables] == list(range(8 - KEEP_TABLES, 8)) and len(view.widget.blobs) == KEEP_TABLES
    for i, t in enumerate(tables):  # each table's cells point into its own blob
        cells = [c for row in t["rows"] for c in row if isinstance(c, dict) and "_img" in c]
        assert len(cells) == 64 and {c["_img"][0] for c in cells} == {i} and cells[0]["m"] == "image/jpeg"
        end = cells[-1]["_img"][1] + cells[-1]["_img"][2]
        assert end == len(view.widget.blobs[i].data)
    sent_full = []
    view.widget.send = lambda content, buffers=None: sent_full.append((content, buffers))
    cell = tables[-1]["rows"][5][0]
    ask = {"type": "full", "run_id": "r1", "key": "grid", "step": 7, "f": cell["f"]}
    view._on_msg(view.widget, ask, [])
    view._on_msg(view.widget, {**ask, "step": 6}, [])  # only the newest step's full images are kept
    read = []
    view.reader = lambda run_id, key, step, kind: read.append((run_id, key, step, kind)) or events[step]  # the store
    cell6 = tables[-2]["rows"][5][0]
    view._on_msg(view.widget, {**ask, "step": 6, "f": cell6["f"]}, [])  # an older kept step: read from the store
    view._on_msg(view.widget, {**ask, "step": 0}, [])  # older than the window: read from the store too
    view._on_msg(view.widget, {**ask, "step": 99}, [])  # never logged: not asked of the store
    (c1, b1), (c2, b2), (c3, b3), (c4, b4), (c5, b5) = sent_full
    assert c1["ok"] and b1 == [events[-1].files[cell["f"]]] and len(b1[0]) > 40_000
    assert c2["ok"] is False and b2 is None
    assert c3["ok"] and b3 == [events[6].files[cell6["f"]]]
    assert c4["ok"] and b4 == [events[0].files[cell["f"]]]
    assert read == [("r1", "grid", 6, "table"), ("r1", "grid", 0, "table")]
    assert c5["ok"] is False and b5 is None


IMAGE_LOOP = busy_cell('run.log({"loss": 1.0 / (i + 1)})', ready_at=200)


def test_a_busy_kernel_sends_the_full_size_image_from_the_panel_s_subshell(tmp_path):
    """The images view's widget is routed to the panel's kernel subshell: a click's request for the
    full-size PNG is answered while a CPU-bound cell runs, and the kernel status says busy after."""
    pytest.importorskip("ipykernel.subshell")
    release = tmp_path / "release"
    with real_kernel(tmp_path / "root", display=True) as (_km, kc):
        comm_id, live = printed(
            kc, f"RELEASE = {str(release)!r}\nimport numpy as np, nbmonitor as nbm\n"
            "run = nbm.init(project='img-k', name='busy', system_metrics=False)\n"
            "p = run._on_finish[0].__self__\n"
            "run.log({'pred': nbm.Image(np.full((8, 8, 3), 200, np.uint8))}, step=0)\nrun.flush()\np.flush()\n"
            "v = [v for v in p.events.views.values() if getattr(v, 'asks_kernel', False)][0]\n"
            "print(v.widget.comm.comm_id, v.widget.live)").split()
        assert live == "True"  # the tooltip says the click is answered mid-run
        msg_id = kc.execute(IMAGE_LOOP)
        iopub_until(kc, lambda m: m["msg_type"] == "stream" and "started" in m["content"]["text"])
        time.sleep(0.3)
        ask = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {
            "type": "full", "k": 0, "s": 0}}})
        kc.shell_channel.send(ask)
        seen = iopub_until(kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
                           and m["content"]["data"].get("method") == "custom")
        assert not [m for m in seen if m["msg_type"] == "stream" and "done" in m["content"]["text"]]  # mid-cell
        assert seen[-1]["content"]["data"]["content"]["ok"] is True
        assert bytes(seen[-1]["buffers"][0])[:8] == b"\x89PNG\r\n\x1a\n"
        release.write_text("")
        seen += iopub_until(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                            and m["parent_header"].get("msg_id") == msg_id)
        status = [(m["content"]["execution_state"], m["parent_header"].get("msg_type"),
                   m["parent_header"].get("msg_id")) for m in seen if m["msg_type"] == "status"]
        idle_ask = [i for i, s in enumerate(status) if s[:2] == ("idle", "comm_msg")]
        assert idle_ask and status[idle_ask[0] + 1] == ("busy", "execute_request", msg_id), status


def test_older_steps_are_listed_and_read_from_the_store_on_request():
    """Past the window, the slider still lists a key's steps (`older`); asking for one reads it
    through the panel's reader and answers its preview; its full size the same way."""
    run = RunRecord(id="r1", project="p", name="r1")
    events = list(_events(KEEP + 5))
    by_seq = {ev.seq: ev for ev, _ in events}
    read = []
    sent = []
    with recording_comms():
        view = ImagesView()
        for ev, _ in events[:-1]:
            view.add(run, [ev])
        assert view.widget.older == {}  # no reader (a view shown on its own): older steps are not reachable
        view.reader = lambda run_id, key, step, kind: read.append((run_id, key, step, kind)) or by_seq.get(step)
        view.add(run, [events[-1][0]])
        assert view.widget.older == {"0": [0, 1, 5]}  # the steps before the newest KEEP: 0, 1, ... 4
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "step", "k": 0, "s": 2}, [])
        view._on_msg(view.widget, {"type": "full", "k": 0, "s": 2}, [])
        view._on_msg(view.widget, {"type": "step", "k": 0, "s": 999}, [])  # no such step
        view.reader = None
        view._on_msg(view.widget, {"type": "step", "k": 0, "s": 1}, [])  # a view without a reader: not reachable
    assert read == [("r1", "pred", 2, "image"), ("r1", "pred", 2, "image")]
    (c1, b1), (c2, b2), (c3, b3), (c4, b4) = sent
    assert c1["type"] == "step" and c1["ok"] and c1["w"] == 128 and c1["m"] in ("image/png", "image/jpeg")
    assert 0 < len(b1[0]) < len(events[2][1])  # a preview, smaller than the PNG
    assert c2 == {"type": "full", "k": 0, "s": 2, "ok": True} and b2 == [events[2][1]]
    assert c3["ok"] is False and b3 is None and c4["ok"] is False


def test_the_panel_reads_an_older_image_step_from_its_source():
    from nbmonitor.sources import LiveSource
    from nbmonitor.store.memory import MemoryStore
    from nbmonitor.ui.panel import Panel

    store = MemoryStore()
    run = nbm.init(project="older", name="a", display=False, store=store, system_metrics=False)
    for i in range(KEEP + 4):
        run.log({"pred": nbm.Image(np.full((8, 8, 3), i, np.uint8))}, step=i)
    nbm.finish(quiet=True)
    sent = []
    with recording_comms():
        panel = Panel(LiveSource(store), project="older")
        panel.flush()
        view = next(v for v in panel.events.views.values() if isinstance(v, ImagesView))
        assert view.widget.older == {"0": [0, 1, 4]}  # steps 0-3
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "full", "k": 0, "s": 1}, [])
    (content, buffers), = sent
    assert content["ok"] is True and buffers[0][:4] == b"\x89PNG"
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(buffers[0])).getpixel((0, 0)) == (1, 1, 1)  # step 1's image, from the store


def test_the_panel_reads_an_older_grid_step_s_full_size_image_from_its_source():
    from nbmonitor.sources import LiveSource
    from nbmonitor.store.memory import MemoryStore
    from nbmonitor.ui.panel import Panel
    from nbmonitor.ui.views.imagegrid import ImageGridView

    store = MemoryStore()
    run = nbm.init(project="older-grid", name="a", display=False, store=store, system_metrics=False)
    for step in range(3):
        t = nbm.Table(columns=["image", "pred"])
        t.add_data(nbm.Image(np.full((8, 8, 3), 50 + step, np.uint8)), step)
        run.log({"grid": t}, step=step)
    nbm.finish(quiet=True)
    sent = []
    with recording_comms():
        panel = Panel(LiveSource(store), project="older-grid")
        panel.flush()
        view = next(v for v in panel.events.views.values() if isinstance(v, ImageGridView))
        table = next(t for t in view.widget.tables if t["step"] == 1)
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "full", "run_id": run.id, "key": "grid", "step": 1,
                                   "f": table["rows"][0][0]["f"]}, [])
    (content, buffers), = sent
    import io

    from PIL import Image
    assert content["ok"] is True and Image.open(io.BytesIO(buffers[0])).getpixel((0, 0)) == (51, 51, 51)
