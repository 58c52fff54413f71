"""Benchmark: many writer processes into one PostgreSQL store, and the same into one SQLite root.

    python bench/bench_postgres_load.py [--writers 8 16 32] [--keys 100] [--hz 10] [--seconds 20]

N writer processes each `init()` a run and `log()` `--keys` scalars `--hz`
times a second for `--seconds` (the writer thread flushes once a second, as
always). A reader in this process follows every run as `%monitor` would: for
PostgreSQL it waits on LISTEN/NOTIFY (`PostgresStore.wait`) and reads the runs
that changed; for SQLite it polls all runs at 10 Hz (the panel's rate). For
each point it sees, delay = time seen - time of its `log()` call.

Reported per store and N: points/s logged and points/s stored (sustained when
equal), delay p50/p95/max, CPU of the database server (PostgreSQL's processes,
in cores) and of the writers. The PostgreSQL server is a throwaway cluster
(`tests/pgcluster.py`) with default durability (fsync on); SQLite is on the
local disk (a temp folder).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nbmonitor.store import open_store  # noqa: E402
from tests.pgcluster import PgCluster  # noqa: E402

WRITER = """
    import sys, time, random, nbmonitor as nbm
    where, keys, hz, seconds, i = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    nbm.init(project="load", name=f"w{i}", dir=where, display=False)
    names = [f"k{j:03d}" for j in range(keys)]
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < seconds:
        nbm.log({k: random.random() for k in names})
        n += 1
        time.sleep(max(0.0, t0 + n / hz - time.monotonic()))
    nbm.finish(quiet=True)
    print("logged", n * keys, flush=True)
"""


def _pid_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def _postgres_pids() -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def run_load(where: str, n: int, keys: int, hz: float, seconds: float, use_notify: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NBMONITOR_DISPLAY": "0", "OMP_NUM_THREADS": "1",
           "NBMONITOR_SYSTEM_METRICS": "0"}  # the store's load only
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(WRITER), where, str(keys), str(hz),
                               str(seconds), str(i)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=env) for i in range(n)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    store = open_store(where)
    runs = {r.id for r in store.list_runs("load")}
    cursors: dict[str, dict[str, int]] = {r: {} for r in runs}
    delays: list[np.ndarray] = []
    seen = 0
    server_cpu: dict[int, float] = {}  # postgres process -> CPU seconds, last seen (backends come and go)

    def sample_server() -> None:
        for pid in _postgres_pids():
            c = _pid_cpu(pid)
            if c is not None:
                server_cpu[pid] = c

    if use_notify:
        sample_server()
    cpu0, t0 = sum(server_cpu.values()), time.monotonic()
    children0 = os.times()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    if use_notify:
        store.wait(0.01)  # start listening

    def read(ids) -> None:
        nonlocal seen
        for rid in ids:
            if rid not in cursors:
                continue
            new = store.read_series(rid, None if not cursors[rid] else list(cursors[rid]) + [
                k for k in store.keys(rid) if k not in cursors[rid]], cursors[rid])
            now = time.time()
            for k, ch in new.items():
                cursors[rid][k] = ch.start + len(ch)
                delays.append(now - ch.times)
                seen += len(ch)

    while any(p.poll() is None for p in procs) or time.monotonic() - t0 < seconds:
        if use_notify:
            changed = store.wait(0.5)
            read(runs if changed is None else changed)
            sample_server()
        else:
            time.sleep(0.1)
            read(runs)
        if time.monotonic() - t0 > seconds * 4 + 60:
            break
    elapsed = time.monotonic() - t0
    cpu = sum(server_cpu.values()) - cpu0 if use_notify else float("nan")
    read(runs)
    logged = sum(int(p.stdout.read().split()[-1]) for p in procs)
    for p in procs:
        p.wait()
    children = os.times()
    wcpu = children.children_user + children.children_system - children0.children_user - children0.children_system
    d = np.concatenate(delays) if delays else np.zeros(1)
    return {"n": n, "logged_per_s": logged / seconds, "stored": seen, "logged": logged,
            "p50": float(np.percentile(d, 50)), "p95": float(np.percentile(d, 95)), "max": float(d.max()),
            "server_cores": cpu / elapsed, "writer_cores": wcpu / elapsed, "elapsed": elapsed}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--writers", type=int, nargs="+", default=[8, 16, 32])
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--hz", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--stores", nargs="+", default=["postgres", "sqlite"])
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; each writer logs {args.keys} keys at {args.hz:g} Hz for {args.seconds:g} s")
    print(f"{'store':9} {'N':>3} {'logged pts/s':>13} {'stored/logged':>13} {'delay p50':>9} {'p95':>6} "
          f"{'max':>6} {'server CPU':>10} {'writers CPU':>11}")
    durable = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    for kind in args.stores:
        for n in args.writers:
            if kind == "postgres":
                with PgCluster(settings=durable) as pg:
                    r = run_load(pg.url(), n, args.keys, args.hz, args.seconds, use_notify=True)
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    r = run_load(str(Path(tmp) / "root"), n, args.keys, args.hz, args.seconds, use_notify=False)
            server = f"{r['server_cores']:.2f} cores" if r["server_cores"] == r["server_cores"] else "(in-proc)"
            print(f"{kind:9} {n:>3} {r['logged_per_s']:>13,.0f} {r['stored'] / max(1, r['logged']):>13.3f} "
                  f"{r['p50']:>8.2f}s {r['p95']:>5.2f}s {r['max']:>5.2f}s {server:>10} "
                  f"{r['writer_cores']:>6.2f} cores", flush=True)


if __name__ == "__main__":
    main()
