"""System metrics: a daemon thread that samples the machine beside the training.

Every `interval` seconds (1 s by default) `SystemSampler` reads

- psutil (when installed): this process's CPU (% of one core) and resident
  memory, the system's CPU (% of all cores) and memory, disk and network I/O
  rates (MB/s since the previous sample);
- NVML (when `nvidia-ml-py` is importable and a driver answers): per GPU,
  utilisation, memory, power and temperature, through handles taken once.
  No per-process queries (they cost milliseconds and contend for the driver's
  lock);
- torch's CUDA allocator (allocated, reserved, peak), only when torch is
  already imported *and* has initialised CUDA: this module never imports torch.

and hands one dict of `system/...` floats with the sample's wall time to
`emit` (the run's `log_system`, which keeps them on their own step axis). A
source that is missing or fails is dropped after one `logging.debug` line;
the user never sees it. This module imports nothing of nbmonitor's.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("nbmonitor.system")

PREFIX = "system/"
DEFAULT_INTERVAL_S = 1.0
MB = 1024.0 * 1024.0

Emit = Callable[[dict, float], None]


class _Psutil:
    """CPU, memory, disk and network through psutil (rates from the previous sample)."""

    def __init__(self, psutil):
        self.ps = psutil
        self.proc = psutil.Process(os.getpid())
        self.proc.cpu_percent(None)  # first call primes the deltas
        psutil.cpu_percent(None)
        self.last_t = time.monotonic()
        self.disk = self._disk()
        self.net = self._net()

    def _disk(self):
        try:
            d = self.ps.disk_io_counters(nowrap=False)  # wrap handled below; ~25% cheaper
        except Exception:  # containers without /proc/diskstats
            return None
        return None if d is None else (d.read_bytes, d.write_bytes)

    def _net(self):
        try:
            n = self.ps.net_io_counters(nowrap=False)
        except Exception:
            return None
        return None if n is None else (n.bytes_sent, n.bytes_recv)

    def sample(self, out: dict) -> None:
        ps = self.ps
        now = time.monotonic()
        dt = max(now - self.last_t, 1e-6)
        self.last_t = now
        out["cpu_process_percent"] = self.proc.cpu_percent(None)  # (oneshot() costs more for two reads)
        out["process_rss_mb"] = self.proc.memory_info().rss / MB
        out["cpu_percent"] = ps.cpu_percent(None)
        out["memory_percent"] = ps.virtual_memory().percent
        disk = self._disk()
        if disk is not None and self.disk is not None:
            out["disk_read_mb_s"] = max(disk[0] - self.disk[0], 0) / MB / dt
            out["disk_write_mb_s"] = max(disk[1] - self.disk[1], 0) / MB / dt
        self.disk = disk
        net = self._net()
        if net is not None and self.net is not None:
            out["net_sent_mb_s"] = max(net[0] - self.net[0], 0) / MB / dt
            out["net_recv_mb_s"] = max(net[1] - self.net[1], 0) / MB / dt
        self.net = net


class _Nvml:
    """Per-GPU utilisation, memory, power and temperature; device handles taken once."""

    def __init__(self, pynvml):
        self.nv = pynvml
        pynvml.nvmlInit()
        self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        self.no_power: set[int] = set()  # some boards do not report power: ask once
        self.no_temp: set[int] = set()

    def sample(self, out: dict) -> None:
        nv = self.nv
        for i, h in enumerate(self.handles):
            util = nv.nvmlDeviceGetUtilizationRates(h)
            mem = nv.nvmlDeviceGetMemoryInfo(h)
            out[f"gpu{i}_util_percent"] = float(util.gpu)
            out[f"gpu{i}_memory_used_mb"] = mem.used / MB
            out[f"gpu{i}_memory_percent"] = 100.0 * mem.used / mem.total if mem.total else 0.0
            if i not in self.no_power:
                try:
                    out[f"gpu{i}_power_w"] = nv.nvmlDeviceGetPowerUsage(h) / 1000.0
                except nv.NVMLError as e:
                    self.no_power.add(i)
                    log.debug("nbmonitor: NVML gives no power for GPU %d (%s)", i, e)
            if i not in self.no_temp:
                try:
                    out[f"gpu{i}_temp_c"] = float(nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU))
                except nv.NVMLError as e:
                    self.no_temp.add(i)
                    log.debug("nbmonitor: NVML gives no temperature for GPU %d (%s)", i, e)

    def close(self) -> None:
        try:
            self.nv.nvmlShutdown()
        except Exception:
            pass


def _torch_cuda(out: dict) -> None:
    """torch's CUDA allocator figures, if (and only if) this process has already initialised CUDA."""
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None) if torch is not None else None
    if cuda is None or not cuda.is_initialized():
        return
    for i in range(cuda.device_count()):
        out[f"cuda{i}_allocated_mb"] = cuda.memory_allocated(i) / MB
        out[f"cuda{i}_reserved_mb"] = cuda.memory_reserved(i) / MB
        out[f"cuda{i}_peak_allocated_mb"] = cuda.max_memory_allocated(i) / MB


def _open_psutil():
    try:
        import psutil
    except ImportError:
        log.debug("nbmonitor: psutil is not installed; no CPU, memory or I/O system metrics")
        return None
    try:
        return _Psutil(psutil)
    except Exception as e:
        log.debug("nbmonitor: psutil failed (%s); no CPU, memory or I/O system metrics", e)
        return None


def _open_nvml():
    try:
        import pynvml  # nvidia-ml-py
    except ImportError:
        log.debug("nbmonitor: nvidia-ml-py is not installed; no GPU system metrics")
        return None
    try:
        nvml = _Nvml(pynvml)
    except Exception as e:  # no driver, no GPU, a broken library
        log.debug("nbmonitor: NVML unavailable (%s); no GPU system metrics", e)
        return None
    if not nvml.handles:
        nvml.close()
        return None
    return nvml


class SystemSampler:
    """Samples the machine every `interval` seconds in a daemon thread and passes `system/*` dicts to `emit`.

    `start()` opens the sources and starts the thread; `stop()` (idempotent) ends it and
    takes a last sample if none was taken yet, so even a short run gets its `system/*`
    keys. `sample()` takes one sample now (what the thread calls).
    """

    def __init__(self, emit: Emit, interval: float = DEFAULT_INTERVAL_S, *, gpu: bool = True):
        if not interval > 0:
            raise ValueError(f"system metrics interval must be > 0 seconds, got {interval!r}")
        self._emit = emit
        self.interval = float(interval)
        self._gpu = gpu
        self._sources: list = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # sample() from the thread and from stop()
        self.samples = 0
        self._failed: set[str] = set()

    def start(self) -> SystemSampler:
        if self._thread is not None:
            return self
        ps = _open_psutil()
        nvml = _open_nvml() if self._gpu else None
        self._sources = [s for s in (ps, nvml) if s is not None]
        self._thread = threading.Thread(target=self._loop, name="nbmonitor-system", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        next_t = time.monotonic() + self.interval
        while not self._stop.wait(max(next_t - time.monotonic(), 0.0)):
            self.sample()
            next_t += self.interval
            now = time.monotonic()
            if next_t < now:  # fell behind (a suspended laptop, a starved machine): skip, don't burst
                next_t = now + self.interval

    def sample(self) -> dict:
        """Take one sample and emit it; returns what was emitted (without the prefix)."""
        with self._lock:
            out: dict[str, float] = {}
            for src in list(self._sources):
                try:
                    src.sample(out)
                except Exception as e:
                    self._drop(src, e)
            try:
                _torch_cuda(out)
            except Exception as e:
                if "torch" not in self._failed:
                    self._failed.add("torch")
                    log.debug("nbmonitor: torch.cuda memory figures failed (%s)", e)
            if out:
                self.samples += 1
                try:
                    self._emit({PREFIX + k: float(v) for k, v in out.items()}, time.time())
                except Exception as e:  # the run finished under us: nothing to do
                    log.debug("nbmonitor: system metrics not recorded (%s)", e)
            return out

    def _drop(self, src, e: Exception) -> None:
        self._sources.remove(src)
        log.debug("nbmonitor: system metrics from %s stopped (%s)", type(src).__name__.strip("_"), e)
        if isinstance(src, _Nvml):
            src.close()

    def stop(self) -> None:
        """End the thread (waits at most a moment) and release NVML. Safe to call twice."""
        thread = self._thread
        if thread is None or self._stop.is_set():
            return
        self._stop.set()
        if thread is not threading.current_thread():
            thread.join(timeout=max(self.interval, 1.0) + 1.0)
        if self.samples == 0:
            self.sample()
        for src in self._sources:
            if isinstance(src, _Nvml):
                src.close()
        self._sources = []

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
