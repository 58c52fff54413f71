"""A distributed job's runs written straight into a store: `ranks` runs `<name>/rank<k>` in `group`,
each with a `loss` and a `perf/step_time` series, rank `slow` taking `factor` x the others' step time.
Deterministic (seeded); used by the unit tests of groups and the browser test of the group band."""

from __future__ import annotations

import hashlib
import time

import numpy as np

from nbmonitor.store import Chunk, RunRecord

STEP_S = 0.1


def write_group(store, project: str = "ddp", name: str = "job", group: str = "exp1", ranks: int = 4,
                steps: int = 200, slow: int | None = 2, factor: float = 1.6, state: str = "finished") -> list[str]:
    ids = []
    t0 = time.time() - steps * STEP_S * 2
    for k in range(ranks):
        rng = np.random.default_rng(k)
        run_id = f"rank{k}-" + hashlib.sha1(f"{name}\0{group}".encode()).hexdigest()[:12]
        rec = RunRecord(id=run_id, project=project, name=f"{name}/rank{k}", state="running", created=t0 + k * 1e-3,
                        updated=t0, heartbeat=t0, host="test", pid=1000 + k, group=group,
                        config={"distributed": {"rank": k, "world_size": ranks, "local_rank": k,
                                                "launcher": "torchrun"}})
        store.create_run(rec)
        s = np.arange(steps, dtype=np.int64)
        st = STEP_S * (factor if k == slow else 1.0) * (1 + 0.05 * rng.standard_normal(steps - 1))
        times = t0 + np.concatenate([[0.0], np.cumsum(st)])
        loss = 2.0 * np.exp(-s / (steps / 3)) + 0.08 * k + 0.03 * rng.standard_normal(steps)
        store.write(run_id, [Chunk("loss", 0, s, loss, times), Chunk("perf/step_time", 0, s[1:], st, times[1:])], [],
                    state=state, updated=float(times[-1]), heartbeat=float(times[-1]))
        ids.append(run_id)
    return ids
