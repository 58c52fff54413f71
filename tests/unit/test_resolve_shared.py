"""One TensorBoard view per logdir per process, shared by runs(), get_run() and %monitor."""

from __future__ import annotations

import pytest

import nbmonitor as nbm
from nbmonitor.sources import resolve


def test_runs_and_get_run_share_one_parsed_view_of_a_logdir(tmp_path):
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(tmp_path / "exp"))
    for i in range(5):
        w.add_scalar("loss", 1.0 / (i + 1), i)
    w.close()
    resolve.forget_tensorboard_sources()
    a = resolve.open_folder(tmp_path)
    b = resolve.open_folder(str(tmp_path / "." ))
    assert a is b
    assert len(nbm.runs(dir=tmp_path)) == 1
    assert nbm.get_run("exp", dir=tmp_path).history()["loss"].tolist()[-1] == pytest.approx(0.2)
    assert resolve.open_folder(tmp_path) is a
    resolve.forget_tensorboard_sources()
    assert resolve.open_folder(tmp_path) is not a
