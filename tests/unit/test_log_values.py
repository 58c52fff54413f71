"""What log() accepts on its fast path, GPU values converted off the training thread, bounded buffers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import nbmonitor as nbm
from nbmonitor.tracking import run as run_mod
from nbmonitor.tracking.columns import columns

NUMBERS = [
    3, -2**63, 2**64 + 1, True, 0.1, np.float16(0.1), np.float32(0.1), np.float64(0.1), np.longdouble(0.1),
    np.int8(-3), np.int16(300), np.int32(-7), np.int64(2**62 + 1), np.uint8(9), np.uint16(9), np.uint32(2**32 - 1),
    np.uint64(2**64 - 1), np.bool_(False), np.array(2.5), np.array(0.1, np.float32), np.array(7, np.int64),
    np.array(True), np.array([4.0]), np.array([[5]], np.uint8), np.array(0.1, np.longdouble),
]


@pytest.mark.parametrize("value", NUMBERS, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(NUMBERS)])
def test_numbers_of_every_kind_are_stored_as_float_of_the_value(tmp_path, value):
    """log() keeps plain numbers as they are (the writer converts them); what is stored is float(v) all the same."""
    expected = float(value.reshape(())) if isinstance(value, np.ndarray) else float(value)
    run = nbm.init(project="p", dir=tmp_path, display=False)
    run.log({"x": value, "y": 1.0})  # a new key: the slow path
    assert run.summary["x"] == expected and type(run.summary["x"]) is float  # before any seal
    run.log({"x": value, "y": value})  # known keys: the fast path
    run.seal()
    assert run.summary["x"] == expected and type(run.summary["x"]) is float
    run.log({"x": value})
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["x"]) == [expected] * 3 and list(h["y"][:2]) == [1.0, expected]
    assert run.summary["x"] == expected and type(run.summary["x"]) is float
    assert type(run.summary.as_dict()["y"]) is float


def test_a_row_of_mixed_numbers_in_one_call(tmp_path):
    torch = pytest.importorskip("torch")
    run = nbm.init(project="p", dir=tmp_path, display=False)
    for i in range(3):
        run.log({"loss": torch.tensor(0.5 + i), "epoch": i, "lr": 3e-4, "acc": np.float32(0.25), "z": np.array(i)})
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["loss"]) == [0.5, 1.5, 2.5] and list(h["epoch"]) == [0.0, 1.0, 2.0] and list(h["z"]) == [0, 1, 2]
    assert set(h["lr"]) == {3e-4} and set(h["acc"]) == {0.25}


def test_what_is_logged_is_what_was_passed_at_the_call(tmp_path):
    """The dict is copied and an array is read at the call: changing either afterwards changes nothing stored."""
    run = nbm.init(project="p", dir=tmp_path, display=False)
    acc = np.array(1.0)
    for i in range(3):
        d = {"a": float(i), "acc": acc}
        run.log(d)
        d["a"] = -1.0
        acc += 1  # in place, as a running total is often kept
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["a"]) == [0.0, 1.0, 2.0] and list(h["acc"]) == [1.0, 2.0, 3.0]


def test_an_int_too_large_for_a_float_is_stored_as_inf_and_loses_nothing(tmp_path):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    run.log({"big": 1, "ok": 1.0})
    run.log({"big": 10**400, "ok": 2.0})
    run.log({"big": -10**400, "ok": 3.0})
    nbm.finish(quiet=True)
    h = run.history()
    assert list(h["big"]) == [1.0, float("inf"), float("-inf")] and list(h["ok"]) == [1.0, 2.0, 3.0]


def test_the_summary_is_each_key_s_newest_value_before_and_after_the_seal(tmp_path):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    from nbmonitor.tracking import flusher

    flusher.unregister(run)  # no writer thread: this test decides when rows are sealed
    run.log({"epoch": 1, "loss": 0.5})
    for i in range(5):
        run.log({"loss": float(i)})
    assert run.summary["epoch"] == 1.0 and run.summary["loss"] == 4.0
    assert run.summary.as_dict() == {"epoch": 1.0, "loss": 4.0} and list(run.summary) == ["epoch", "loss"]
    run.seal()
    run.log({"loss": 9})
    assert run.summary.as_dict() == {"epoch": 1.0, "loss": 9.0}
    run.log_system({"cpu": 50.0})  # the system stream stays out of the summary
    run.seal()
    assert run.summary.as_dict() == {"epoch": 1.0, "loss": 9.0} and "system/cpu" not in run.summary
    nbm.finish(quiet=True)
    assert run.summary["loss"] == 9.0
    assert list(run.history(stream="system")["system/cpu"]) == [50.0]


def test_cpu_tensors_and_parameters(tmp_path):
    torch = pytest.importorskip("torch")
    run = nbm.init(project="p", dir=tmp_path, display=False)
    w = torch.nn.Parameter(torch.tensor([1.5]))
    loss = (w * 2).sum()
    run.log({"loss": loss, "w": w, "i": torch.tensor(3), "h": torch.tensor(0.5, dtype=torch.bfloat16)})
    nbm.finish(quiet=True)
    h = run.history()
    assert (h["loss"][0], h["w"][0], h["i"][0], h["h"][0]) == (3.0, 1.5, 3.0, 0.5)


@pytest.mark.parametrize("value", [object(), {1, 2}, np.array(["a"]), np.array("a"), np.array(None),
                                   np.array("2020-01-01T00:00", "datetime64[ns]")])
def test_errors_name_the_key_and_keep_the_run_going(tmp_path, value):
    run = nbm.init(project="p", dir=tmp_path, display=False)
    with pytest.raises(TypeError, match="'weights'"):
        run.log({"ok": 1.0, "weights": value})
    run.log({"ok": 2.0, "weights": 1.0})
    with pytest.raises(TypeError, match="'weights'"):  # a known key: the fast path refuses it too
        run.log({"ok": 3.0, "weights": value})
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
        # pending (<= 1000 + 202) and the last RECENT_WRITES writes kept for readers, each at most that
        assert sum(len(c) for chunks, _ in pending for c in chunks) <= (1 + flusher.RECENT_WRITES) * (1000 + 202)
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


def test_rows_of_one_size_with_other_keys_are_sealed_key_by_key():
    rows = [(0, 0.0, {"a": 1.0, "b": 2.0}), (1, 1.0, {"a": 3, "c": np.int64(4)}), (2, 2.0, {"c": 5.0, "b": np.float32(6)})]
    got = {k: (list(s), list(v), list(t)) for k, (s, v, t) in columns(rows).items()}
    assert got == {"a": ([0, 1], [1.0, 3.0], [0.0, 1.0]), "b": ([0, 2], [2.0, 6.0], [0.0, 2.0]),
                   "c": ([1, 2], [4.0, 5.0], [1.0, 2.0])}
