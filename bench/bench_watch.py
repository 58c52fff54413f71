"""watch() overhead per training step, and logging a 64-image table.

    PYTHONPATH=. python bench/bench_watch.py                  # nbmonitor only
    PYTHONPATH=. bench/.venv/bin/python bench/bench_watch.py  # + W&B's watch, offline (if wandb imports)

A small CNN (2 conv + 2 linear, ~60k parameters, batch 64 of 28x28) trained on
random data on the CPU with one torch thread; each step logs its loss. Modes
run interleaved, `--rounds` times, and each mode's best round is kept (the
machines are shared and noisy). Reported: ms per step and the ratio to the
unwatched step of the same tool. Target: nbmonitor's watch(log="all",
log_freq=100) <= 1.2x.

Then a Table of 64 images (28x28 grayscale) with pred/target/score columns:
time to build it (PNG encoding), to log it and to flush it, and its bytes on
disk; the same with wandb.Table offline when wandb imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def make_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10),
    )


def train(model, steps, log) -> float:
    """Seconds per step of `steps` SGD steps, calling `log(loss)` each step."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(1)
    xs = torch.randn(8, 64, 1, 28, 28, generator=g)
    ys = torch.randint(0, 10, (8, 64), generator=g)
    t0 = time.perf_counter()
    for i in range(steps):
        out = model(xs[i % 8])
        loss = torch.nn.functional.cross_entropy(out, ys[i % 8])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        log(loss)
    return (time.perf_counter() - t0) / steps


# -- contenders: each returns (setup, teardown) around a fresh model -----------------


def nbm_mode(log_freq):
    def run(steps, tmp):
        import nbmonitor as nbm

        nbm.init(project="bench", dir=tmp, display=False)
        model = make_model()
        if log_freq:
            nbm.watch(model, log="all", log_freq=log_freq)
        dt = train(model, steps, lambda loss: nbm.log({"loss": loss}))
        nbm.unwatch()
        nbm.finish(quiet=True)
        return dt

    return run


def wandb_mode(log_freq):
    def run(steps, tmp):
        import wandb

        r = wandb.init(project="bench", dir=tmp, mode="offline")
        model = make_model()
        if log_freq:
            wandb.watch(model, log="all", log_freq=log_freq)
        dt = train(model, steps, lambda loss: r.log({"loss": loss.item()}))
        if log_freq:
            wandb.unwatch(model)
        r.finish()
        return dt

    return run


def bench_watch(steps, rounds, with_wandb):
    modes = {
        "bare (no logging)": lambda steps, tmp: train(make_model(), steps, lambda loss: None),
        "nbmonitor unwatched": nbm_mode(0),
        "nbmonitor watch all/10": nbm_mode(10),
        "nbmonitor watch all/100": nbm_mode(100),
    }
    if with_wandb:
        modes.update({
            "wandb unwatched": wandb_mode(0),
            "wandb watch all/10": wandb_mode(10),
            "wandb watch all/100": wandb_mode(100),
        })
    best = {name: float("inf") for name in modes}
    for _ in range(rounds):
        for name, fn in modes.items():
            tmp = tempfile.mkdtemp(prefix="bench-watch-")
            try:
                best[name] = min(best[name], fn(steps, tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nwatch() overhead: small CNN, batch 64, {steps} steps x {rounds} rounds (best round), 1 torch thread")
    print(f"{'mode':<26}{'ms/step':>9}{'vs own unwatched':>18}{'vs bare':>9}")
    for name, dt in best.items():
        base = best["wandb unwatched"] if name.startswith("wandb") else best["nbmonitor unwatched"]
        own = f"{dt / base:.2f}x" if not name.startswith("bare") else ""
        print(f"{name:<26}{dt * 1e3:>9.2f}{own:>18}{dt / best['bare (no logging)']:>8.2f}x")
    # The deterministic part: what one logging step costs (bin every parameter and gradient).
    from nbmonitor.tracking.media import tensor_histogram

    model = make_model()
    model(torch.randn(64, 1, 28, 28)).sum().backward()
    tensors = [p for p in model.parameters()] + [p.grad for p in model.parameters()]
    t0 = time.perf_counter()
    for _ in range(20):
        for t in tensors:
            tensor_histogram(t, 64)
    cost = (time.perf_counter() - t0) / 20
    print(f"one logging step (bin {len(tensors)} tensors, {sum(t.numel() for t in tensors):,} values): "
          f"{cost * 1e3:.2f} ms -> {cost / 10 * 1e3:.3f} ms/step at log_freq=10, "
          f"{cost / 100 * 1e3:.4f} ms/step at 100 ({cost / 100 / best['nbmonitor unwatched']:.1%} of a step)")
    return best


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def bench_table(with_wandb):
    rng = np.random.default_rng(0)
    images = (rng.random((64, 28, 28)) * 255).astype(np.uint8)
    images[:, 8:20, 8:20] = 255  # some structure, as digits have; pure noise compresses badly
    preds, targets, scores = rng.integers(0, 10, 64), rng.integers(0, 10, 64), rng.random(64)
    print("\n64-image table (28x28 uint8 + pred/target/score)")
    print(f"{'tool':<12}{'build ms':>10}{'log ms':>8}{'flush ms':>10}{'bytes on disk':>15}")

    import nbmonitor as nbm

    tmp = Path(tempfile.mkdtemp(prefix="bench-table-"))
    try:
        nbm.init(project="bench", dir=tmp, display=False)
        nbm.log({"loss": 1.0})
        nbm.api._current._flush()
        before = folder_bytes(tmp)
        t0 = time.perf_counter()
        table = nbm.Table(columns=["image", "pred", "target", "score"])
        for img, p, t, s in zip(images, preds, targets, scores):
            table.add_data(nbm.Image(img), int(p), int(t), float(s))
        t1 = time.perf_counter()
        nbm.log({"predictions": table})
        t2 = time.perf_counter()
        nbm.finish(quiet=True)
        t3 = time.perf_counter()
        size = folder_bytes(tmp) - before
        print(f"{'nbmonitor':<12}{(t1 - t0) * 1e3:>10.1f}{(t2 - t1) * 1e3:>8.2f}{(t3 - t2) * 1e3:>10.1f}{size:>15,}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if with_wandb:
        import wandb

        tmp = Path(tempfile.mkdtemp(prefix="bench-table-wandb-"))
        try:
            r = wandb.init(project="bench", dir=tmp, mode="offline")
            r.log({"loss": 1.0})
            time.sleep(1.0)
            before = folder_bytes(tmp)
            t0 = time.perf_counter()
            table = wandb.Table(columns=["image", "pred", "target", "score"])
            for img, p, t, s in zip(images, preds, targets, scores):
                table.add_data(wandb.Image(img), int(p), int(t), float(s))
            t1 = time.perf_counter()
            r.log({"predictions": table})
            t2 = time.perf_counter()
            r.finish()
            t3 = time.perf_counter()
            size = folder_bytes(tmp) - before
            pngs = len(list(tmp.rglob("*.png")))
            print(f"{'wandb':<12}{(t1 - t0) * 1e3:>10.1f}{(t2 - t1) * 1e3:>8.2f}{(t3 - t2) * 1e3:>10.1f}{size:>15,}"
                  f"  (offline run dir, {pngs} PNG files in it" +
                  ("; the images are not on disk, so the bytes are not comparable)" if pngs < 64 else ")"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-wandb", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("WANDB_SILENT", "true")
    with_wandb = False
    if not args.no_wandb:
        try:
            import wandb  # noqa: F401

            with_wandb = True
        except ImportError:
            print("wandb not importable: nbmonitor only (run with bench/.venv for the comparison)")
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    bench_watch(args.steps, args.rounds, with_wandb)
    bench_table(with_wandb)


if __name__ == "__main__":
    main()
