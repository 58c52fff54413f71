"""System metrics: the sampler thread, its own step axis beside the run's, NVML and torch.cuda faked."""

from __future__ import annotations

import logging
import sys
import threading
import time
import types

import pytest

import nbmonitor as nbm
from nbmonitor.tracking import system
from nbmonitor.tracking.system import SystemSampler

CORE_KEYS = {"system/cpu_percent", "system/cpu_process_percent", "system/process_rss_mb", "system/memory_percent"}


def _sampler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "nbmonitor-system"]


def _wait_for(cond, what: str, limit_s: float = 20.0) -> None:
    """Poll until `cond()` (generous bound: the machine may be busy); never a timing assertion."""
    deadline = time.monotonic() + limit_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_system_metrics_beside_the_runs_steps_not_in_them(tmp_path):
    run = nbm.init(project="sys", dir=tmp_path, system_metrics=True, system_metrics_interval=0.02)
    for i in range(5):
        nbm.log({"loss": 1.0 / (i + 1)})
    _wait_for(lambda: len(run.history(stream="system")) >= 3, "three samples")
    nbm.log({"loss": 0.1})
    assert run.step == 6  # the sampler never moved the step
    hist = run.history()
    assert list(hist.columns) == ["_step", "_timestamp", "loss"]
    assert hist["_step"].tolist() == list(range(6))
    assert not any(k.startswith("system/") for k in run.summary)
    nbm.finish(quiet=True)

    assert not _sampler_threads()  # finish() stopped it
    sysh = run.history(stream="system")
    assert CORE_KEYS <= set(sysh.columns)
    steps = sysh["_step"].tolist()
    assert steps == sorted(set(steps))  # strictly increasing: seconds since start, one per sample at most
    assert (sysh["system/process_rss_mb"] > 1).all()
    assert sysh["system/memory_percent"].between(0, 100).all()
    # the stored run, read back: same streams, training steps untouched
    view = nbm.get_run(run.id, dir=tmp_path)
    assert list(view.history().columns) == ["_step", "_timestamp", "loss"]
    assert CORE_KEYS <= set(view.history(stream="system").columns)
    assert view.report().steps == 6
    assert "system/cpu_percent" in view.keys()


def test_every_run_gets_system_keys_even_a_short_one(tmp_path, monkeypatch):
    monkeypatch.delenv("NBMONITOR_SYSTEM_METRICS")  # the default: on
    run = nbm.init(project="sys", dir=tmp_path)
    nbm.log({"x": 1.0})
    nbm.finish(quiet=True)  # well under the 1 s interval: stop() takes the one sample
    assert CORE_KEYS <= set(run.history(stream="system").columns)
    assert not _sampler_threads()


@pytest.mark.parametrize("how", ["arg", "env"])
def test_turned_off(tmp_path, monkeypatch, how):
    monkeypatch.setenv("NBMONITOR_SYSTEM_METRICS", "0" if how == "env" else "1")
    run = nbm.init(project="sys", dir=tmp_path, **({"system_metrics": False} if how == "arg" else {}))
    assert not _sampler_threads()
    nbm.log({"x": 1.0})
    nbm.finish(quiet=True)
    assert run.history(stream="system").columns.tolist() == ["_step", "_timestamp"]


def test_bad_interval(tmp_path):
    with pytest.raises(ValueError, match="system_metrics_interval"):
        nbm.init(project="sys", dir=tmp_path, system_metrics_interval=0)
    with pytest.raises(ValueError, match="stream"):
        nbm.init(project="sys", dir=tmp_path, system_metrics=False).history(stream="gpu")


def test_context_manager_and_exit_paths_stop_the_sampler(tmp_path):
    with pytest.raises(RuntimeError):
        with nbm.init(project="sys", dir=tmp_path, system_metrics=True):
            assert len(_sampler_threads()) == 1
            raise RuntimeError("boom")
    assert not _sampler_threads()
    nbm.init(project="sys", dir=tmp_path, system_metrics=True)
    nbm.init(project="sys", dir=tmp_path, system_metrics=True)  # finishes the first: one sampler left
    assert len(_sampler_threads()) == 1
    from nbmonitor.tracking import flusher

    flusher._finish_all()  # what atexit runs
    assert not _sampler_threads()


def test_resume_ignores_system_steps(tmp_path):
    run = nbm.init(project="sys", dir=tmp_path, id="r1", system_metrics=False)
    run.log({"loss": 1.0})
    run.log_system({"cpu_percent": 5.0}, t=run.start_time + 500)  # step 500 on the system axis
    nbm.finish(quiet=True)
    again = nbm.init(project="sys", dir=tmp_path, id="r1", resume="allow", system_metrics=False)
    assert again.step == 1
    assert "system/cpu_percent" not in again.summary
    again.log_system({"system/cpu_percent": 6.0}, t=again.start_time + 400)  # axis never goes back
    nbm.finish(quiet=True)
    assert again.history(stream="system")["_step"].tolist() == [500, 501]


class _FakeNvml(types.ModuleType):
    """Enough of nvidia-ml-py for the sampler: two GPUs, the second without power readings."""

    NVML_TEMPERATURE_GPU = 0

    class NVMLError(Exception):
        pass

    def __init__(self, fail_init=False):
        super().__init__("pynvml")
        self.fail_init = fail_init
        self.calls: list[str] = []

    def nvmlInit(self):
        if self.fail_init:
            raise self.NVMLError("Driver Not Loaded")

    def nvmlShutdown(self):
        self.calls.append("shutdown")

    def nvmlDeviceGetCount(self):
        return 2

    def nvmlDeviceGetHandleByIndex(self, i):
        self.calls.append(f"handle{i}")
        return i

    def nvmlDeviceGetUtilizationRates(self, h):
        return types.SimpleNamespace(gpu=40 + h, memory=10)

    def nvmlDeviceGetMemoryInfo(self, h):
        return types.SimpleNamespace(used=1024 * 1024 * 512, total=1024 * 1024 * 2048)

    def nvmlDeviceGetPowerUsage(self, h):
        if h == 1:
            self.calls.append("power1")
            raise self.NVMLError("Not Supported")
        return 150_000

    def nvmlDeviceGetTemperature(self, h, sensor):
        return 60

    def __getattr__(self, name):  # a per-process query would land here
        raise AssertionError(f"sampler called pynvml.{name}")


def test_nvml_per_gpu_with_cached_handles(monkeypatch):
    fake = _FakeNvml()
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    got = []
    s = SystemSampler(lambda d, t: got.append(d), interval=60).start()
    for _ in range(3):
        s.sample()
    s.stop()
    last = got[-1]
    assert last["system/gpu0_util_percent"] == 40 and last["system/gpu1_util_percent"] == 41
    assert last["system/gpu0_memory_used_mb"] == 512 and last["system/gpu0_memory_percent"] == 25
    assert last["system/gpu0_power_w"] == 150 and "system/gpu1_power_w" not in last
    assert last["system/gpu1_temp_c"] == 60
    assert fake.calls.count("handle0") == 1 and fake.calls.count("power1") == 1  # asked once, then left alone
    assert fake.calls[-1] == "shutdown"


def test_nvml_absent_or_broken_is_one_debug_line(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pynvml", _FakeNvml(fail_init=True))
    with caplog.at_level(logging.DEBUG, logger="nbmonitor.system"):
        got = []
        s = SystemSampler(lambda d, t: got.append(d), interval=60).start()
        s.sample()
        s.stop()
    nvml_lines = [r for r in caplog.records if "NVML" in r.getMessage()]
    assert len(nvml_lines) == 1 and nvml_lines[0].levelno == logging.DEBUG
    assert CORE_KEYS <= set(got[-1]) and not any("gpu" in k for k in got[-1])
    monkeypatch.setitem(sys.modules, "pynvml", None)  # not installed: import fails
    s = SystemSampler(lambda d, t: None, interval=60).start()
    assert s.sample() and s.stop() is None


def test_torch_cuda_figures_only_when_cuda_is_initialised(monkeypatch):
    torch = pytest.importorskip("torch")
    got = []
    s = SystemSampler(lambda d, t: got.append(d), interval=60, gpu=False).start()
    s.sample()
    assert not any(k.startswith("system/cuda") for k in got[-1])  # CPU-only torch: nothing asked
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda i: 3 * 1024 * 1024)
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda i: 8 * 1024 * 1024)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda i: 5 * 1024 * 1024)
    s.sample()
    s.stop()
    assert got[-1]["system/cuda0_allocated_mb"] == 3
    assert got[-1]["system/cuda0_reserved_mb"] == 8
    assert got[-1]["system/cuda0_peak_allocated_mb"] == 5


def test_never_imports_torch(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    s = SystemSampler(lambda d, t: None, interval=60, gpu=False).start()
    s.sample()
    s.stop()
    assert "torch" not in sys.modules


def test_without_psutil_the_sampler_is_a_quiet_no_op(monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)
    monkeypatch.setitem(sys.modules, "pynvml", None)
    got = []
    s = SystemSampler(lambda d, t: got.append(d), interval=60, gpu=False).start()
    monkeypatch.setattr(system, "_torch_cuda", lambda out: None)
    assert s.sample() == {} and not got
    s.stop()


def test_panel_puts_system_keys_in_a_system_section_last():
    pytest.importorskip("bqplot")
    from nbmonitor.ui.panel import _section_order, section_of

    assert section_of("system/cpu_percent") == "System"
    assert sorted(["train", "System", "eval", "charts"], key=_section_order) == ["charts", "eval", "train", "System"]


def test_panel_step_counts_training_steps_only():
    from nbmonitor.sources import LiveSource
    from nbmonitor.store.memory import MemoryStore
    from nbmonitor.ui.publisher import Publisher

    store = MemoryStore()
    run = nbm.init(project="sys", store=store, system_metrics=False)
    for i in range(3):
        run.log({"loss": float(i)})
    run.log_system({"cpu_percent": 1.0}, t=run.start_time + 1000)
    run.flush()
    pub = Publisher(LiveSource(store), project="sys")
    pub.poll()
    assert pub.focus_run().step == 2
    nbm.finish(quiet=True)
