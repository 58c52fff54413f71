"""What log() accepts on its fast path, GPU values converted off the training thread, bounded buffers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.tracking import run as run_mod
from nbmonitor.tracking.columns import columns


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (True, 1.0), (np.float32(0.5), 0.5), (np.float64(0.25), 0.25), (np.int64(7), 7.0),
    (np.bool_(False), 0.0), (np.array(2.5), 2.5), (np.array([4.0]), 4.0), (np.uint8(9), 9.0),
])
def test_numbers_of_every_kind_are_logged_as_floats(tmp_path, value, expected):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    run.log({"x": value})
    run.log({"x": value})  # the second time through the fast path's cache
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["x"]) == [expected, expected]
    assert type(run.summary["x"]) is float


def test_cpu_tensors_and_parameters(tmp_path):
    torch = pytest.importorskip("torch")
    run = nbm.init(project="p", dir=tmp_path, display=False)
    w = torch.nn.Parameter(torch.tensor([1.5]))
    loss = (w * 2).sum()
    run.log({"loss": loss, "w": w, "i": torch.tensor(3), "h": torch.tensor(0.5, dtype=torch.bfloat16)})
    nbm.finish(quiet=True)
    h = run.history()
    assert (h["loss"][0], h["w"][0], h["i"][0], h["h"][0]) == (3.0, 1.5, 3.0, 0.5)


@pytest.mark.parametrize("value", [object(), {1, 2}, np.array(["a"])])
def test_errors_name_the_key_and_keep_the_run_going(tmp_path, value):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    with pytest.raises(TypeError, match="'weights'"):
        run.log({"ok": 1.0, "weights": value})
    run.log({"ok": 2.0})
    nbm.finish(quiet=True)
    assert list(run.history()["ok"]) == [2.0]


def test_rows_with_changing_keys_keep_their_order(tmp_path):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    for i in range(30):
        run.log({"a": float(i), "b": float(-i)} if i % 3 else {"b": float(-i), "a": float(i), "c": 1})
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["a"]) == [float(i) for i in range(30)]
    assert list(h["b"]) == [float(-i) for i in range(30)]
    assert h["c"].notna().sum() == 10


def _fake_cuda_tensor_class():
    """A CPU tensor that says it is on a GPU and fails if converted on the main (training) thread."""
    torch = pytest.importorskip("torch")
    main = threading.main_thread()

    def guard(what):
        if threading.current_thread() is main:
            raise AssertionError(f"{what} on a CUDA tensor on the training thread (a GPU sync)")

    class FakeCuda(torch.Tensor):
        @property
        def is_cpu(self):
            return False

        @property
        def is_cuda(self):
            return True

        @property
        def device(self):
            return torch.device("cuda", 0)

        def item(self):
            guard("item()")
            return super().item()

        def __float__(self):
            guard("float()")
            return super().__float__()

        def tolist(self):
            guard("tolist()")
            return super().tolist()

        def cpu(self, *a, **k):
            guard("cpu()")
            return super().cpu(*a, **k)

    return torch, FakeCuda


def test_log_never_converts_a_cuda_tensor_on_the_training_thread(tmp_path):
    torch, FakeCuda = _fake_cuda_tensor_class()
    run = nbm.init(project="p", dir=tmp_path, display=False)
    for i in range(5):
        loss = torch.tensor(float(i) + 0.5).as_subclass(FakeCuda)
        run.log({"loss": loss, "epoch": 1})
    # The seal, with the conversion, happens on another thread (as the writer thread does).
    done = []
    t = threading.Thread(target=lambda: (run.flush(), done.append(True)))
    t.start()
    t.join()
    assert done
    nbm.finish(quiet=True)
    assert list(run.history()["loss"]) == [0.5, 1.5, 2.5, 3.5, 4.5]
    assert run.summary["loss"] == 4.5


def test_unsealed_rows_are_bounded_with_nothing_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(run_mod, "MAX_UNSEALED_ROWS", 100)
    monkeypatch.setattr(run_mod, "MAX_PENDING_POINTS", 1000)
    run = nbm.init(project="p", dir=tmp_path, display=False)
    from nbmonitor.tracking import flusher

    flusher.unregister(run)  # no writer thread: log() alone must keep memory bounded
    for i in range(5000):
        run.log({"a": float(i), "b": i})
        pending, counts, _ = run.memory_snapshot()
        assert counts.get("a", 0) >= i + 1 - 101  # at most ~100 rows not sealed
        assert sum(len(c) for chunks, _ in pending for c in chunks) <= 1000 + 202
    nbm.finish(quiet=True)
    h = run.history()
    assert len(h) == 5000 and h["b"].iloc[-1] == 4999.0


def test_sealing_rows_of_many_key_sets_keeps_every_point_in_order():
    import random

    random.seed(0)
    for _ in range(100):
        rows = []
        for i in range(random.randint(1, 60)):
            keys = random.sample(["a", "b", "c", "d", "e"], random.randint(1, 3))
            rows.append((i, i * 0.5, {k: random.random() for k in keys}))
        got = columns(rows)
        want: dict[str, tuple[list, list, list]] = {}
        for s, t, d in rows:
            for k, v in d.items():
                c = want.setdefault(k, ([], [], []))
                c[0].append(s), c[1].append(v), c[2].append(t)
        assert {k: tuple(map(list, v)) for k, v in got.items()} == want
