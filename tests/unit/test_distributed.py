"""Distributed training: ranks from the launcher's environment, rank 0 records or every rank does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nbmonitor as nbm
from nbmonitor.tracking.distributed import STEP_TIME_KEY, RankInfo, StepClock, check_mode, rank_info

REPO = Path(__file__).resolve().parents[2]


def test_rank_info_from_torchrun_and_slurm():
    assert rank_info({}) is None
    assert rank_info({"RANK": "0", "WORLD_SIZE": "1"}) is None  # alone
    info = rank_info({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "TORCHELASTIC_RUN_ID": "abc"})
    assert info == RankInfo(3, 4, 1, "torchrun", "abc")
    assert rank_info({"RANK": "2", "WORLD_SIZE": "4", "TORCHELASTIC_RUN_ID": "none"}).job_id is None
    slurm = rank_info({"SLURM_PROCID": "5", "SLURM_NTASKS": "8", "SLURM_LOCALID": "1", "SLURM_JOB_ID": "77"})
    assert slurm == RankInfo(5, 8, 1, "slurm", "77")
    assert rank_info({"SLURM_PROCID": "0", "SLURM_NTASKS": "1"}) is None
    assert rank_info({"RANK": "x", "WORLD_SIZE": "4"}) is None
    assert check_mode(None) == "rank0" and check_mode(False) == "none" and check_mode("all") == "all"
    with pytest.raises(ValueError, match="rank0"):
        check_mode("every")


def test_other_ranks_get_a_run_that_records_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("WORLD_SIZE", "4")
    run = nbm.init(project="d", name="job", dir=tmp_path, config={"lr": 0.1})
    assert run.disabled and nbm.config.lr == 0.1
    nbm.log({"loss": 1.0})
    nbm.finish()
    assert not (tmp_path / "nbmonitor.db").exists() or nbm.runs(dir=tmp_path).empty
    monkeypatch.setenv("RANK", "0")
    run = nbm.init(project="d", name="job", dir=tmp_path, group="g1")
    nbm.log({"loss": 1.0})
    nbm.finish(quiet=True)
    assert not getattr(run, "disabled", False)
    rec = nbm.runs(dir=tmp_path)
    assert rec["name"].tolist() == ["job"] and rec["group"].tolist() == ["g1"]


def test_every_rank_records_its_own_run_in_the_group(monkeypatch, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        nbm.init(project="d", name="job", dir=tmp_path, distributed="all", group="exp1")
        nbm.log({"loss": float(rank)})
        nbm.finish(quiet=True)
    frame = nbm.runs(dir=tmp_path)
    assert frame["name"].tolist() == ["job/rank0", "job/rank1"] and set(frame["group"]) == {"exp1"}
    assert nbm.get_run("job/rank1", dir=tmp_path).config["distributed"]["rank"] == 1
    monkeypatch.delenv("TORCHELASTIC_RUN_ID", raising=False)
    with pytest.raises(ValueError, match="group"):
        nbm.init(project="d", dir=tmp_path, distributed="all")


def test_step_clock_times_each_new_step():
    clock, got = StepClock(), []
    for step, t in [(0, 10.0), (0, 10.5), (1, 11.0), (1, 11.2), (2, 13.0), (5, 16.0)]:
        vals: dict[str, float] = {}
        clock.tick(step, t, vals)
        got.append(vals.get(STEP_TIME_KEY))
    # nothing at the first step, nor at a second log() of a step; 3 s over 3 steps -> 1 s a step
    assert got == [None, None, 1.0, None, 2.0, 1.0]


def test_each_rank_logs_its_step_time(monkeypatch, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    run = nbm.init(project="d", name="job", dir=tmp_path, distributed="all", group="exp1", system_metrics=False)
    for i in range(4):
        nbm.log({"loss": 1.0 / (i + 1)})
        nbm.log({"acc": 0.5})  # each call is a step of its own: 8 steps
    nbm.finish(quiet=True)
    h = nbm.get_run(run.id, dir=tmp_path).history()
    st = h.set_index("_step")[STEP_TIME_KEY]
    assert st.index.tolist() == list(range(8)) and st.iloc[0] != st.iloc[0]  # NaN at the first step
    assert (st.iloc[1:] >= 0).all()
    monkeypatch.delenv("WORLD_SIZE")
    monkeypatch.delenv("RANK")
    nbm.init(project="d", name="alone", dir=tmp_path, system_metrics=False)
    nbm.log({"loss": 1.0})
    nbm.log({"loss": 0.5})
    nbm.finish(quiet=True)
    assert STEP_TIME_KEY not in nbm.get_run("alone", dir=tmp_path).history()  # only ranks of "all" time steps


DDP = """
    import sys, torch, torch.distributed as dist, nbmonitor as nbm
    mode, url = sys.argv[1], sys.argv[2]
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    kw = {"distributed": "all", "group": "ddp-all"} if mode == "all" else {}
    nbm.init(project="ddp-" + mode, name="tiny", dir=url, config={"lr": 0.05}, display=False, **kw)
    g = torch.Generator().manual_seed(rank)
    for step in range(20):
        x = torch.randn(16, 8, generator=g)
        loss = torch.nn.functional.mse_loss(model(x), x.sum(1, keepdim=True))
        opt.zero_grad()
        loss.backward()
        opt.step()
        nbm.log({"loss": loss.item(), "rank": float(rank)})
    nbm.finish(quiet=True)
    dist.destroy_process_group()
"""


@pytest.mark.parametrize("mode", ["rank0", "all"])
def test_torchrun_ddp_four_ranks_into_postgres(mode, tmp_path, postgres_url):
    pytest.importorskip("torch")
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(DDP))
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "NBMONITOR_DISPLAY": "0"}
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=4",
                        str(script), mode, postgres_url], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    frame = nbm.runs(f"ddp-{mode}", dir=postgres_url)
    if mode == "rank0":
        assert frame["name"].tolist() == ["tiny"] and frame["state"].tolist() == ["finished"]
        h = nbm.get_run("tiny", dir=postgres_url).history()
        assert h["_step"].tolist() == list(range(20)) and set(h["rank"]) == {0.0}
    else:
        assert sorted(frame["name"]) == [f"tiny/rank{k}" for k in range(4)]
        assert set(frame["group"]) == {"ddp-all"} and set(frame["state"]) == {"finished"}
        for k in range(4):
            h = nbm.get_run(f"tiny/rank{k}", dir=postgres_url).history()
            assert h["_step"].tolist() == list(range(20)) and set(h["rank"]) == {float(k)}
            assert h[STEP_TIME_KEY].iloc[1:].gt(0).all()  # each rank timed its steps 1..19


def test_a_sqlite_root_made_before_groups_gets_the_column(tmp_path):
    import sqlite3

    con = sqlite3.connect(tmp_path / "nbmonitor.db")  # the runs table as it was before "group"
    con.executescript("""CREATE TABLE runs (id TEXT PRIMARY KEY, project TEXT NOT NULL, name TEXT NOT NULL,
        state TEXT NOT NULL, created REAL, updated REAL, heartbeat REAL, host TEXT, pid INTEGER, config TEXT,
        summary TEXT, notes TEXT, tags TEXT, total_steps INTEGER);
        INSERT INTO runs VALUES ('old1', 'p', 'old', 'finished', 1, 1, 1, 'h', 1, '{}', '{}', NULL, '[]', NULL);""")
    con.close()
    nbm.init(project="p", name="new", dir=tmp_path, group="g")
    nbm.finish(quiet=True)
    frame = nbm.runs(dir=tmp_path)
    assert frame["name"].tolist() == ["old", "new"] and frame["group"].tolist()[1] == "g"
    assert nbm.get_run("old", dir=tmp_path).history().empty
