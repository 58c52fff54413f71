"""GPU system metrics, checked on a machine with an NVIDIA GPU (CI never runs this).

    pip install -e ".[dev,gpu]"          # nvidia-ml-py, and a CUDA build of torch on that machine
    python tests/gpu/check_system_metrics.py

Checks that a run records, beside its own steps, per-GPU NVML figures
(`system/gpu<i>_util_percent`, `_memory_used_mb`, `_memory_percent`, `_power_w`,
`_temp_c`) and torch's CUDA allocator figures (`system/cuda<i>_allocated_mb`,
`_reserved_mb`, `_peak_allocated_mb`) that follow a 1 GiB allocation, and
prints the sampler's CPU cost per sample with NVML on. Exits non-zero on a failure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))


def main() -> int:
    import pynvml  # noqa: F401  (nvidia-ml-py must be installed)
    import torch

    import nbmonitor as nbm
    from nbmonitor.tracking.system import SystemSampler

    assert torch.cuda.is_available(), "no CUDA device"
    failures = []
    with tempfile.TemporaryDirectory() as root:
        run = nbm.init(project="gpu-check", dir=root, display=False, system_metrics_interval=0.25)
        x = torch.empty(256 * 1024 * 1024, dtype=torch.float32, device="cuda")  # 1 GiB
        for i in range(20):
            y = x * 2.0  # keep the GPU busy a little
            nbm.log({"loss": float(i)})
            time.sleep(0.1)
        torch.cuda.synchronize()
        del y
        nbm.finish(quiet=True)
        sysh = run.history(stream="system")
        cols = set(sysh.columns)
        print(sorted(cols))
        for key in ("gpu0_util_percent", "gpu0_memory_used_mb", "gpu0_memory_percent", "gpu0_temp_c",
                    "cuda0_allocated_mb", "cuda0_reserved_mb", "cuda0_peak_allocated_mb"):
            if f"system/{key}" not in cols:
                failures.append(f"missing system/{key}")
        if "system/gpu0_power_w" not in cols:
            print("note: this board reports no power through NVML")
        if "system/cuda0_allocated_mb" in cols and sysh["system/cuda0_allocated_mb"].max() < 1000:
            failures.append("cuda0_allocated_mb never saw the 1 GiB tensor")
        if "system/gpu0_memory_used_mb" in cols and sysh["system/gpu0_memory_used_mb"].max() < 1000:
            failures.append("gpu0_memory_used_mb never saw the 1 GiB tensor")
        if run.history()["_step"].tolist() != list(range(20)):
            failures.append("system metrics disturbed the run's steps")
        print(sysh.drop(columns="_timestamp").tail(3).round(1).to_string())

        s = SystemSampler(lambda d, t: None, interval=3600).start()
        s.sample()
        t0 = time.thread_time()
        n = 500
        for _ in range(n):
            s.sample()
        per = (time.thread_time() - t0) / n
        s.stop()
        print(f"sampler with NVML + torch.cuda: {per * 1e3:.3f} ms CPU per sample = {per * 100:.3f} % of one core at 1 s")
    for f in failures:
        print("FAIL:", f)
    print("OK" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
