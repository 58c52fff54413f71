"""A notebook follows, live, a 4-rank `torchrun` DDP job writing to PostgreSQL, and shows its group band.

A real `python -m torch.distributed.run --standalone --nproc_per_node=4` job (gloo, CPU, a tiny
DDP model, `init(group="live", distributed="all")`) logs each rank's loss and step time into a
throwaway PostgreSQL server (tests/conftest.py), about 5 steps a second. The notebook runs only
`%monitor --logdir postgresql://...`; the cell returns at once and the panel's thread follows the
database. The test checks in JupyterLab that the group is one band per chart (three lines over a
filled area, ranks folded), that the band keeps growing while the job runs, and that the group's
control spreads the four rank lines out. Skipped where PostgreSQL is not installed (CI, which
starts one, fails instead); about a minute on two loaded cores.
Screenshots: test-artifacts/screenshots/group_live_torchrun_{folded,expanded}.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

import nbmonitor as nbm
from tests.browser import lab

pytest.importorskip("torch")

DDP = textwrap.dedent("""
    import sys, time, torch, torch.distributed as dist, nbmonitor as nbm
    url, steps = sys.argv[1], int(sys.argv[2])
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    nbm.init(project="live-ddp", name="tiny", dir=url, group="live", distributed="all", display=False,
             system_metrics=False)
    g = torch.Generator().manual_seed(rank)
    for step in range(steps):
        x = 0.5 * torch.randn(32, 8, generator=g)  # each rank's data has its own offset: a band of losses
        y = x.sum(1, keepdim=True) + 0.5 * rank + 0.2 * torch.randn(32, 1, generator=g)
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        nbm.log({"loss": loss.item()})
        time.sleep(0.2)
    nbm.finish(quiet=True)
    dist.destroy_process_group()
""")



@pytest.fixture
def ddp_job(postgres_url, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(DDP)
    env = {**os.environ, "PYTHONPATH": str(lab.REPO_ROOT), "OMP_NUM_THREADS": "1", "NBMONITOR_DISPLAY": "0"}
    # 3,000 steps (~10 min): live through every wait of the test on a slow machine; killed when it is done
    job = subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=4",
                            str(script), postgres_url, "3000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env=env, start_new_session=True)
    deadline = time.time() + 180
    while len(nbm.runs("live-ddp", dir=postgres_url)) < 4:
        assert job.poll() is None, job.stderr.read().decode()[-3000:]
        assert time.time() < deadline, "the 4 ranks did not start within 180 s"
        time.sleep(0.5)
    yield postgres_url
    if job.poll() is None:
        os.killpg(job.pid, 9)  # the launcher and its 4 workers (their own session)
    job.wait()


@pytest.mark.flaky(reruns=1)  # a loaded machine can starve the job or the page; each check has its own timeout
def test_notebook_follows_a_live_torchrun_group(lab_page, jupyter_server, ddp_job):
    page = lab_page
    url = ddp_job
    cells = ["%load_ext nbmonitor", f"%monitor --logdir {url} --project live-ddp"]
    lab.open_and_run(page, jupyter_server, cells, ui="lab", name="group-live.ipynb")
    page.wait_for_selector('.nbm-panel .nbm-groups .nbm-group[data-group="live"]', timeout=60_000)
    page.wait_for_function(f"() => {{ const s = ({lab.BAND_STATE_JS})(); return s && s.lines === 3 && s.areas >= 1 "
                           "&& s.points >= 5; }", timeout=60_000)
    first = page.evaluate(lab.BAND_STATE_JS)
    header = page.inner_text(".nbm-panel .nbm-header")
    assert "running" in header and "tiny/rank" in header, header
    group = page.inner_text('.nbm-panel .nbm-group[data-group="live"]')
    assert "show the 4 runs" in group and all(f"rank{k}" in group for k in range(4)), group
    # the job goes on, and so does the band (the notebook's cell has long returned)
    page.wait_for_function(f"() => ({lab.BAND_STATE_JS})().points >= {first['points'] + 20}", timeout=60_000)
    lab.screenshot(page, "group_live_torchrun_folded")
    page.click('.nbm-panel .nbm-group[data-group="live"] .nbm-group-toggle')
    page.wait_for_function(f"() => ({lab.BAND_STATE_JS})().lines === 7", timeout=10_000)
    lab.screenshot(page, "group_live_torchrun_expanded")
    assert {r.state for r in nbm.runs("live-ddp", dir=url).itertuples()} == {"running"}  # still live
    lab.assert_no_widget_errors(page)
