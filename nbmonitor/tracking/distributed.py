"""Distributed training: which rank this process is, and what `init()` makes of it.

`torchrun` (and accelerate, DeepSpeed, Lightning) set RANK, WORLD_SIZE and
LOCAL_RANK; SLURM sets SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID. With a
world of more than one process `init()` follows `distributed=`:

- "rank0" (the default, as Lightning and W&B recommend): rank 0 records the
  run; every other rank gets the run of `init(mode="disabled")` - config
  works, `log()` does nothing, nothing is stored.
- "all": every rank records its own run, named `<name>/rank<k>`, in the group
  `group=` (default: the name, else the launcher's job id), with its rank in
  the config under "distributed", and logs its step time (`perf/step_time`,
  seconds per step; `Run.time_steps`) so the panel can show a straggler.
- "none": ranks are ignored (each process is an unrelated run, as before).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

MODES = ("rank0", "all", "none")
STEP_TIME_KEY = "perf/step_time"  # seconds per step, logged by each rank's run in "all" mode


@dataclasses.dataclass(frozen=True)
class RankInfo:
    rank: int
    world_size: int
    local_rank: int
    launcher: str  # "torchrun" (RANK/WORLD_SIZE) or "slurm"
    job_id: str | None = None  # shared by every rank of one launch, when the launcher gives one

    def as_config(self) -> dict[str, Any]:
        return {"rank": self.rank, "world_size": self.world_size, "local_rank": self.local_rank,
                "launcher": self.launcher}


def _int(env: Mapping[str, str], name: str) -> int | None:
    v = env.get(name, "").strip()
    try:
        return int(v) if v else None
    except ValueError:
        return None


def rank_info(env: Mapping[str, str] | None = None) -> RankInfo | None:
    """This process's place in a distributed job, or None when it is alone (world size 1 or unset)."""
    env = os.environ if env is None else env
    world, rank = _int(env, "WORLD_SIZE"), _int(env, "RANK")
    if world is not None and rank is not None:
        local = _int(env, "LOCAL_RANK")
        job = env.get("TORCHELASTIC_RUN_ID")
        job = job if job and job != "none" else env.get("SLURM_JOB_ID")
        info = RankInfo(rank, world, rank if local is None else local, "torchrun", job or None)
    else:
        world, rank = _int(env, "SLURM_NTASKS"), _int(env, "SLURM_PROCID")
        if world is None or rank is None:
            return None
        local = _int(env, "SLURM_LOCALID")
        info = RankInfo(rank, world, rank if local is None else local, "slurm", env.get("SLURM_JOB_ID") or None)
    return info if info.world_size > 1 else None


def check_mode(distributed: str | bool | None) -> str:
    if distributed is None or distributed is True:
        return "rank0"
    if distributed is False:
        return "none"
    if distributed not in MODES:
        raise ValueError(f"nbmonitor.init: distributed must be 'rank0', 'all' or 'none', got {distributed!r}")
    return distributed


def rank_run_name(info: RankInfo, name: str | None, group: str | None) -> tuple[str, str]:
    """(run name, group) of this rank's run in `distributed="all"` mode."""
    group = group or name or (f"job-{info.job_id}" if info.job_id else None)
    if group is None:
        raise ValueError("nbmonitor.init(distributed='all'): every rank must name the same group; pass group= "
                         "or name= (the launcher gives no job id here)")
    return f"{name or group}/rank{info.rank}", group


class StepClock:
    """Times a run's steps: at the first `log()` of each new step, the seconds since the first `log()` of
    the last step timed, divided by the steps between them, go in as `perf/step_time` at the new step
    (so a rank that logs every 10 steps gets the mean of those 10). Nothing at the first step logged."""

    __slots__ = ("step", "time")

    def __init__(self) -> None:
        self.step = -1
        self.time = 0.0

    def tick(self, step: int, t: float, vals: dict[str, float]) -> None:
        if step > self.step:
            if self.step >= 0:
                vals[STEP_TIME_KEY] = (t - self.time) / (step - self.step)
            self.step, self.time = step, t
