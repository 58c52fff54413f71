"""The media views' step sliders reach every logged step: the newest in the browser, the older read on demand.

The image grid (a table of images per step) keeps its newest KEEP_TABLES steps in the browser and lists the
rest; asking for one has the kernel read that key at that step through the panel's reader (the store's
`read_events_at`, not every later event) and answer its table with the previews. The images view does the
same for single images, TensorBoard logdirs included (their events are in memory).
"""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("anywidget")
pytest.importorskip("PIL")

import nbmonitor as nbm  # noqa: E402
from nbmonitor._testing import recording_comms  # noqa: E402
from nbmonitor.sources import LiveSource  # noqa: E402
from nbmonitor.ui.views._older import MAX_RUNS, StepRuns, StepWindows  # noqa: E402
from nbmonitor.ui.views.imagegrid import KEEP_TABLES, ImageGridView  # noqa: E402
from nbmonitor.ui.views.images import KEEP, ImagesView  # noqa: E402

STEPS = 30
PER_TABLE = 5


def _pixel(data: bytes) -> tuple:
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB").getpixel((4, 4))


def _log_grid_steps(store=None, steps=range(STEPS), run=None) -> nbm.Run:
    """Steps of a table of 5 images; image j of step s is grey 8 * s + j, captioned "step s #j"."""
    run = run or nbm.init(project="older", name="grid", display=False, store=store, system_metrics=False)
    for s in steps:
        t = nbm.Table(columns=["image", "pred", "target"])
        for j in range(PER_TABLE):
            t.add_data(nbm.Image(np.full((8, 8, 3), 8 * s + j, np.uint8), caption=f"step {s} #{j}"), j, (j + s) % 3)
        run.log({"predictions": t, "loss": 1.0 / (s + 1)}, step=s)
    return run


def _panel(store, project: str):
    from nbmonitor.ui.panel import Panel

    panel = Panel(LiveSource(store), project=project)
    panel.flush()
    return panel


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path):
    if request.param == "memory":
        from nbmonitor.store.memory import MemoryStore

        return MemoryStore()
    from nbmonitor.store.sqlite import SQLiteStore

    return SQLiteStore(tmp_path / "grid-root")


def test_the_grid_slider_reaches_step_3_of_30_read_from_the_store(store, monkeypatch):
    run = _log_grid_steps(store)
    nbm.finish(quiet=True)
    sent = []
    with recording_comms():
        panel = _panel(store, "older")
        view = next(v for v in panel.events.views.values() if isinstance(v, ImageGridView))
        assert [t["step"] for t in view.widget.tables] == list(range(STEPS - KEEP_TABLES, STEPS))
        # the other steps are listed for the slider: 0, 1, ... 25 as one run
        assert view.widget.older == [{"run_id": run.id, "key": "predictions", "steps": [0, 1, STEPS - KEEP_TABLES]}]
        # one key at one step is read, not every later event (the store's read_events is never asked)
        monkeypatch.setattr(store, "read_events", lambda *a, **k: pytest.fail("read every later event"))
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "table", "run_id": run.id, "key": "predictions", "step": 3}, [])
        (reply, buffers), = sent
        assert reply["ok"] is True and reply["step"] == 3
        table = reply["table"]
        assert table["step"] == 3 and table["columns"] == ["image", "pred", "target"]
        cells = [row[0] for row in table["rows"]]
        assert [c["caption"] for c in cells] == [f"step 3 #{j}" for j in range(PER_TABLE)]
        assert [row[2] for row in table["rows"]] == [(j + 3) % 3 for j in range(PER_TABLE)]
        previews = buffers[0]
        for j, c in enumerate(cells):  # each cell points at its own preview in the one buffer: step 3's image j
            _, off, n = c["_img"]
            assert _pixel(previews[off:off + n]) == (24 + j,) * 3
        # a click on one of its images: the full-size PNG, from the store as well
        view._on_msg(view.widget, {"type": "full", "run_id": run.id, "key": "predictions", "step": 3,
                                   "f": cells[2]["f"]}, [])
        full, full_buffers = sent[-1]
        assert full["ok"] is True and full_buffers[0][:4] == b"\x89PNG" and _pixel(full_buffers[0]) == (26, 26, 26)
        # a step never logged is not read
        view._on_msg(view.widget, {"type": "table", "run_id": run.id, "key": "predictions", "step": 99}, [])
        assert sent[-1][0]["ok"] is False and sent[-1][1] is None
        panel.stop()


def test_an_older_grid_step_of_a_live_run_not_yet_written(tmp_path):
    """A live run's newest events may be sealed but not yet written (the writer busy with a slow store):
    the source reads those from the run's memory, the older ones from the store."""
    from nbmonitor.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "live-root")
    run = _log_grid_steps(store, range(15))
    run.flush()  # steps 0-14 in the store
    sent = []
    with run._io_lock, recording_comms():  # the writer waits: steps 15-29 stay in memory
        _log_grid_steps(steps=range(15, STEPS), run=run)
        run._seal()
        pending = {e.step for _, evs in run.memory_snapshot()[0] for e in evs}
        assert {3, 20} & pending == {20} and not store.read_events_at(run.id, "predictions", 20)
        panel = _panel(store, "older")
        view = next(v for v in panel.events.views.values() if isinstance(v, ImageGridView))
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        for step in (3, 20):
            view._on_msg(view.widget, {"type": "table", "run_id": run.id, "key": "predictions", "step": step}, [])
        panel.stop()
    assert [(c["ok"], c["table"]["rows"][1][0]["caption"]) for c, _ in sent] == [(True, "step 3 #1"),
                                                                                 (True, "step 20 #1")]
    nbm.finish(quiet=True)


def test_a_view_shown_on_its_own_lists_no_older_steps():
    """Without the panel's reader the older steps cannot be read: the slider does not offer them."""
    from nbmonitor.store.memory import MemoryStore

    store = MemoryStore()
    run = _log_grid_steps(store)
    nbm.finish(quiet=True)
    with recording_comms():
        view = ImageGridView()
        view.add(store.get_run(run.id), store.read_events(run.id))
        assert view.widget.older == [] and len(view.widget.tables) == KEEP_TABLES
        sent = []
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "table", "run_id": run.id, "key": "predictions", "step": 3}, [])
    assert sent[0][0]["ok"] is False


def test_an_older_image_of_a_tensorboard_run(tmp_path):
    """A TensorBoard logdir's events are in memory (TensorBoardSource): an image step older than the images
    view's window is read from there."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    from nbmonitor.tensorboard.source import TensorBoardSource
    from nbmonitor.ui.panel import Panel

    w = SummaryWriter(str(tmp_path / "logs" / "exp"))
    for s in range(KEEP + 4):
        w.add_image("sample", torch.full((3, 8, 8), (10 * s) / 255.0), s)
    w.close()
    sent = []
    with recording_comms():
        panel = Panel(TensorBoardSource(tmp_path / "logs"))
        panel.flush()
        view = next(v for v in panel.events.views.values() if isinstance(v, ImagesView))
        assert view.widget.older == {"0": [0, 1, 4]}  # steps 0-3
        view.widget.send = lambda content, buffers=None: sent.append((content, buffers))
        view._on_msg(view.widget, {"type": "step", "k": 0, "s": 2}, [])
        view._on_msg(view.widget, {"type": "full", "k": 0, "s": 2}, [])
        panel.stop()
    (step, preview), (full, png) = sent
    assert step["ok"] and step["w"] == 8 and _pixel(preview[0]) == (20, 20, 20)
    assert full["ok"] and _pixel(png[0]) == (20, 20, 20)


def test_step_runs_list_every_step_compactly():
    regular = StepRuns()
    for s in range(0, 100_000, 50):
        regular.append(s)
    assert regular.to_json() == [0, 50, 2000] and len(regular) == 2000  # however many steps: three numbers
    assert 4950 in regular and 4951 not in regular and 100_000 not in regular and -50 not in regular
    irregular = StepRuns()
    for s in [0, 3, 4, 10, 12, 14, 15]:
        irregular.append(s)
    assert irregular.to_json() == [0, 3, 2, 4, 6, 2, 12, 2, 2, 15, 0, 1]
    assert all(s in irregular for s in [0, 3, 4, 10, 12, 14, 15]) and 6 not in irregular and 8 not in irregular
    bounded = StepRuns()
    for i in range(3 * MAX_RUNS):  # every step irregular: the oldest runs are forgotten
        bounded.append(i * i)
    assert len(bounded.runs) == MAX_RUNS and (3 * MAX_RUNS - 1) ** 2 in bounded and 0 not in bounded


def test_step_windows_keep_the_newest_and_list_the_rest():
    w = StepWindows(keep=2)
    for s in range(5):
        w.add("k", s, f"entry {s}")
    assert list(w.entries("k")) == ["entry 3", "entry 4"]
    assert w.older_json() == {"k": [0, 1, 3]}
    assert all(w.has("k", s) for s in range(5)) and not w.has("k", 5) and not w.has("other", 0)
    assert not w.has("k", "1") and not w.has("k", None)
