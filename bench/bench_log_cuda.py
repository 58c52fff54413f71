"""Does log() of a CUDA loss slow training down? (target: <= 1 % step-time overhead)

    python bench/bench_log_cuda.py [--steps 2000] [--reps 5]

A small MLP trains on random data on the GPU; each step is timed without
logging, with `nbm.log({"loss": loss})` (the tensor itself: nbmonitor keeps it
and converts it on its writer thread, so the training thread never waits for
the GPU), and, for reference, with `loss.item()` each step (what a logger that
converts on the calling thread costs: one GPU synchronisation per step) and
W&B offline's `run.log({"loss": loss})` when installed. Repetitions
alternate, and the median per-step time is compared. Without CUDA it prints
that it was skipped and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--width", type=int, default=256)
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("bench_log_cuda: SKIPPED (torch is not installed)")
        return 0
    if not torch.cuda.is_available():
        print("bench_log_cuda: SKIPPED (no CUDA device here; run it on a GPU machine)")
        return 0
    import nbmonitor as nbm

    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(args.width, args.width), torch.nn.ReLU(),
        torch.nn.Linear(args.width, args.width), torch.nn.ReLU(),
        torch.nn.Linear(args.width, 10),
    ).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(64, args.width, device=dev)
    y = torch.randint(0, 10, (64,), device=dev)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def loop(kind, log):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
            if kind == "nbmonitor":
                log({"loss": loss})
            elif kind == "item":
                log(loss.item())
            elif kind == "wandb":
                log({"loss": loss})
        torch.cuda.synchronize()
        return (time.perf_counter() - t0) / args.steps

    tmp = tempfile.mkdtemp(prefix="nbm-cuda-")
    run = nbm.init(project="bench-cuda", dir=tmp, display=False)
    contenders = {"no logging": lambda v: None, "nbmonitor": run.log, "item": lambda v: None}
    try:
        os.environ.setdefault("WANDB_MODE", "offline")
        os.environ.setdefault("WANDB_SILENT", "true")
        import wandb

        wrun = wandb.init(project="bench-cuda", dir=tmp)
        contenders["wandb"] = wrun.log
    except ImportError:
        wrun = None
    for _ in range(200):  # warm up kernels and the allocator
        step()
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.reps):
        for kind, log in contenders.items():
            times[kind].append(loop(kind if kind != "no logging" else "", log))
    nbm.finish(quiet=True)
    if wrun is not None:
        wrun.finish()
    floor = statistics.median(times["no logging"])
    print(f"device: {torch.cuda.get_device_name()}; {args.steps} steps x {args.reps} reps, MLP width {args.width}")
    print(f"{'contender':<34}{'µs/step':>10}{'vs no logging':>16}")
    labels = {"no logging": "no logging (floor)", "nbmonitor": "nbm.log({'loss': loss})",
              "item": "loss.item() each step (a sync)", "wandb": "wandb offline run.log({'loss': loss})"}
    for kind in contenders:
        med = statistics.median(times[kind])
        print(f"{labels[kind]:<34}{med * 1e6:>10.1f}{(med / floor - 1) * 100:>+15.1f}%")
    h = nbm.get_run(run.id, dir=tmp).history()
    assert len(h) == args.steps * args.reps, len(h)
    return 0


if __name__ == "__main__":
    sys.exit(main())
