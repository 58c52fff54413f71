from __future__ import annotations

import pytest

import nbmonitor as wandb


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test runs in its own folder (artifacts download to ./artifacts), with its own root, no display."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "root"))
    monkeypatch.setenv("NBMONITOR_DISPLAY", "0")
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_PROJECT", raising=False)
    yield
    if wandb.run is not None:
        wandb.finish(quiet=True)
