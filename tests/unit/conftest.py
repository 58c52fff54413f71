from __future__ import annotations

import pytest

import nbmonitor as nbm


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test writes under its own root and starts with no current run."""
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "root"))
    monkeypatch.setenv("NBMONITOR_DISPLAY", "0")
    # no system/* keys appearing at times of the machine's choosing; tests of them turn them on
    monkeypatch.setenv("NBMONITOR_SYSTEM_METRICS", "0")
    yield
    if nbm.run is not None:
        nbm.finish(quiet=True)
