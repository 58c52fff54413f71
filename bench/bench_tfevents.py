"""Benchmark: nbmonitor.tensorboard.events vs TensorBoard's EventAccumulator on 1M scalar points.

    python bench/bench_tfevents.py [--points 1000000] [--tags 10] [--repeat 1]

The logdir is written once with torch's SummaryWriter and cached in the temp dir
(set NBMONITOR_BENCH_DIR to put it elsewhere).  Then, on the same files:

- nbmonitor LogdirReader full load (data crc checked, and header crc only),
- tensorboard EventAccumulator(size_guidance={'scalars': 0}).Reload(),
- an incremental poll after appending 1,000 points to the same event file,
  and an idle poll (nothing new);
- TensorBoard's Rust data server (the tensorboard-data-server wheel, when installed): its
  own log of one load cycle of the same logdir, with and without checksums;
- scalar ingest in points/s beside EventAccumulator's and the Rust data server's
  (issue 12's target: >= 3M/s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nbmonitor.tensorboard.logdir import LogdirReader  # noqa: E402


def cached_logdir(points: int, tags: int) -> Path:
    root = Path(os.environ.get("NBMONITOR_BENCH_DIR", tempfile.gettempdir()))
    logdir = root / f"nbmonitor-bench-tfevents-{points}x{tags}"
    if (logdir / "DONE").exists():
        return logdir
    from torch.utils.tensorboard import SummaryWriter

    staging = Path(tempfile.mkdtemp(dir=root))
    print(f"writing {points:,} scalar points with torch SummaryWriter into {logdir} ...",
          flush=True)
    start = time.perf_counter()
    with SummaryWriter(str(staging / "run")) as w:
        for step in range(points // tags):
            for k in range(tags):
                w.add_scalar(f"group{k % 3}/metric_{k}", step * 1e-3 + k, step)
    (staging / "DONE").write_text("")
    shutil.rmtree(logdir, ignore_errors=True)
    staging.rename(logdir)
    print(f"  written in {time.perf_counter() - start:.1f} s", flush=True)
    return logdir


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def ours(logdir: Path, verify: bool) -> int:
    data = LogdirReader(logdir, verify_data_crc=verify).poll()
    return sum(len(s[0]) for run in data.values() for s in run.scalars.values())


def event_accumulator(logdir: Path) -> int:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    ea = EventAccumulator(str(logdir / "run"), size_guidance={"scalars": 0})
    ea.Reload()
    return sum(len(ea.Scalars(tag)) for tag in ea.Tags()["scalars"])


def rust_data_server(logdir: Path, checksum: bool) -> float | None:
    """Seconds of the Rust data server's first load cycle of `logdir` (its own log line), or None
    when the tensorboard-data-server wheel is not installed."""
    import re
    import subprocess

    try:
        import tensorboard_data_server
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [tensorboard_data_server.server_binary(), "--logdir", str(logdir), "--reload", "once", "--port", "0",
               "--port-file", str(Path(tmp) / "port"), "-v", "--samples-per-plugin", "scalars=all",
               "--checksum" if checksum else "--no-checksum"]
        proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                m = re.search(r"Finished load cycle \(([\d.]+)(m?s)\)", line)
                if m:
                    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
        finally:
            proc.kill()
            proc.wait()
    return None


def append_points(path: Path, steps: range, tags: int) -> None:
    """Append records exactly as torch's SummaryWriter writes them, to the same file."""
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.summary.writer.record_writer import RecordWriter
    from torch.utils.tensorboard.summary import scalar

    with path.open("ab") as f:
        writer = RecordWriter(f)
        for step in steps:
            for k in range(tags):
                event = Event(wall_time=time.time(), step=step,
                              summary=scalar(f"group{k % 3}/metric_{k}", step * 1e-3 + k))
                writer.write(event.SerializeToString())


def incremental(logdir: Path, tags: int, new_points: int) -> tuple[float, int, float, int]:
    """(seconds, bytes) for the poll after appending, and for an idle poll."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "logdir"
        shutil.copytree(logdir, work)
        reader = LogdirReader(work)
        reader.poll()
        (path,) = (work / "run").glob("*tfevents*")
        size_before = os.path.getsize(path)
        append_points(path, range(10**9, 10**9 + new_points // tags), tags)
        before = reader.bytes_read
        start = time.perf_counter()
        new = reader.poll()
        seconds = time.perf_counter() - start
        nbytes = reader.bytes_read - before
        assert nbytes == os.path.getsize(path) - size_before
        assert sum(len(s[0]) for s in new["run"].scalars.values()) == new_points
        start = time.perf_counter()
        assert reader.poll() == {}
        idle = time.perf_counter() - start
        return seconds, nbytes, idle, reader.bytes_read - before - nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--tags", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each full load")
    args = parser.parse_args()

    logdir = cached_logdir(args.points, args.tags)
    size = sum(p.stat().st_size for p in (logdir / "run").iterdir())
    print(f"logdir: {logdir} ({size / 1e6:.1f} MB, {args.points:,} points)", flush=True)

    # imports are not timed, for either side
    import tensorboard.backend.event_processing.event_accumulator  # noqa: F401

    from nbmonitor.tensorboard.events import _event_class

    _event_class()
    t_ours, n_ours = timed(lambda: ours(logdir, verify=True), args.repeat)
    t_fast, n_fast = timed(lambda: ours(logdir, verify=False), args.repeat)
    t_ea, n_ea = timed(lambda: event_accumulator(logdir), args.repeat)
    t_rust = min((rust_data_server(logdir, True) or float("inf")) for _ in range(args.repeat))
    t_rust_fast = min((rust_data_server(logdir, False) or float("inf")) for _ in range(args.repeat))
    assert n_ours == n_fast == n_ea == args.points, (n_ours, n_fast, n_ea)
    t_inc, inc_bytes, t_idle, idle_bytes = incremental(logdir, args.tags, 1000)

    rows = [
        ("nbmonitor LogdirReader, full load (header + data crc)", t_ours, t_ea / t_ours),
        ("nbmonitor LogdirReader, full load (header crc only)", t_fast, t_ea / t_fast),
        ("tensorboard EventAccumulator.Reload (scalars: 0)", t_ea, 1.0),
    ]
    if t_rust < float("inf"):
        rows += [("Rust data server load cycle (--checksum)", t_rust, t_ea / t_rust),
                 ("Rust data server load cycle (default: no checksum)", t_rust_fast, t_ea / t_rust_fast)]
    print(f"\n{'what':56} {'seconds':>9} {'Mpoints/s':>10} {'vs EA':>7}")
    for name, seconds, ratio in rows:
        print(f"{name:56} {seconds:9.3f} {args.points / seconds / 1e6:10.3g} {ratio:6.1f}x")
    print(f"{'incremental poll after appending 1,000 points':56} {t_inc:9.4f}"
          f"   read {inc_bytes:,} bytes of {size + inc_bytes:,}")
    print(f"{'idle poll (nothing new)':56} {t_idle:9.4f}   read {idle_bytes:,} bytes")
    rust = (f"the Rust data server {args.points / t_rust / 1e6:.2f}M/s with checksums, "
            f"{args.points / t_rust_fast / 1e6:.2f}M/s without (its published figure: ~10M/s)"
            if t_rust < float("inf") else "the Rust data server not installed (published: ~10M/s)")
    print(f"\nscalar ingest, same run: nbmonitor {args.points / t_ours / 1e6:.2f}M points/s with crc checks, "
          f"{args.points / t_fast / 1e6:.2f}M/s without (target >= 3M/s); EventAccumulator "
          f"{args.points / t_ea / 1e6:.3g}M/s; {rust}")


if __name__ == "__main__":
    main()
