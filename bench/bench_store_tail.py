"""Following a long run in the SQLite store: does a poll cost O(new points)?

    python bench/bench_store_tail.py [--points 8600000] [--keys 8]

Builds a one-hour-like run (one chunk per key per second, POINTS points in all)
straight through `SQLiteStore.write`, then times, median of many calls:
  - `keys()` (targets: <= 5 ms),
  - a poll with nothing new: `read_series(run, since=counts)` as the panel's
    publisher calls it (target: <= 2 ms),
  - a poll after one more second of points (must cost about as much as that second),
beside the floor, an index-only query of the last chunk per key, and the cost
of reading every blob (what a poll did before: `SELECT ... steps, vals, times`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nbmonitor.store import Chunk  # noqa: E402
from nbmonitor.store.sqlite import SQLiteStore  # noqa: E402
from nbmonitor.tracking.run import new_record  # noqa: E402


def timed(fn, n=30):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def build(store: SQLiteStore, run_id: str, per_chunk: int, keys: list[str], seconds: int,
          counts: dict[str, int] | None = None) -> dict[str, int]:
    counts = dict(counts or dict.fromkeys(keys, 0))
    rng = np.random.default_rng(0)
    t0 = time.time() - seconds
    step = min(counts.values())
    for s in range(seconds):
        steps = np.arange(step, step + per_chunk, dtype=np.int64)
        times = t0 + s + np.linspace(0, 1, per_chunk, endpoint=False)
        chunks = []
        for k in keys:
            chunks.append(Chunk(k, counts[k], steps, rng.standard_normal(per_chunk), times))
            counts[k] += per_chunk
        store.write(run_id, chunks, [])
        step += per_chunk
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=8_600_000)
    ap.add_argument("--keys", type=int, default=8)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nbm-tail-")
    store = SQLiteStore(Path(tmp))
    rec = new_record("tail", "long", "long-run", {}, None, None, None)
    store.create_run(rec)
    keys = [f"train/key{i}" for i in range(args.keys)]
    t0 = time.perf_counter()
    per = max(1, args.points // (len(keys) * 3600))
    counts = build(store, rec.id, per, keys, 3600)
    total = sum(counts.values())
    print(f"built a run of {total:,} points ({len(keys)} keys, 3600 chunks each) in {time.perf_counter() - t0:.0f} s")

    conn = store._connection()  # the floor: index-only, one query per key

    def floor():
        for k in keys:
            conn.execute("SELECT start + n FROM chunks WHERE run_id=? AND key=? ORDER BY start DESC LIMIT 1",
                         (rec.id, k)).fetchone()

    def all_blobs():
        conn.execute("SELECT key, start, n, steps, vals, times FROM chunks WHERE run_id=?", (rec.id,)).fetchall()

    assert store.keys(rec.id) == counts
    t_keys = timed(lambda: store.keys(rec.id))
    t_none = timed(lambda: store.read_series(rec.id, since=counts))
    assert store.read_series(rec.id, since=counts) == {}
    t_floor = timed(floor)
    t_blobs = timed(all_blobs, 3)
    # one more second of points: what a poll then reads
    build(store, rec.id, per, keys, 1, counts)
    t_new = timed(lambda: store.read_series(rec.id, since=counts))
    got = store.read_series(rec.id, since=counts)
    assert all(len(c) == per for c in got.values()), {k: len(c) for k, c in got.items()}
    print(f"{'query':<52}{'ms':>9}{'x floor':>9}")
    for name, ms in [
        ("floor: index-only last chunk per key", t_floor),
        ("keys()", t_keys),
        ("poll with nothing new: read_series(since=counts)", t_none),
        (f"poll with {per * len(keys):,} new points", t_new),
        ("every blob of the run (what a poll read before)", t_blobs),
    ]:
        print(f"{name:<52}{ms:9.2f}{ms / t_floor:9.1f}")


if __name__ == "__main__":
    main()
