"""Fault injection: real child processes, signals, damaged stores, read-only and full file systems."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

import nbmonitor as nbm

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test writes under its own root and starts with no current run."""
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "root"))
    monkeypatch.setenv("NBMONITOR_DISPLAY", "0")
    yield
    if nbm.run is not None:
        nbm.finish(quiet=True)


# A script started from a terminal has Ctrl-C and hang-up at their defaults. A suite launched in the
# background (`nohup ... &`, a non-interactive shell) passes SIGINT and SIGHUP on *ignored*, and Python
# then never raises KeyboardInterrupt: the signal tests would test the launcher, not nbmonitor.
TERMINAL_SIGNALS = """
import signal
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGHUP, signal.SIG_DFL)
"""


def child(code: str, root: Path, **env) -> subprocess.Popen:
    """A Python child running `code` (dedented) with NBMONITOR_DIR=root, with the signal dispositions of a
    script started from a terminal; stdout/stderr piped as text."""
    return subprocess.Popen(
        [sys.executable, "-c", TERMINAL_SIGNALS + textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": str(REPO), "NBMONITOR_DIR": str(root), "NBMONITOR_DISPLAY": "0", **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_line(p: subprocess.Popen, prefix: str) -> str:
    """Read the child's stdout until a line starting with `prefix` (fails if it exits first)."""
    while True:
        line = p.stdout.readline()
        if not line:
            p.wait(timeout=30)
            raise AssertionError(f"child exited ({p.returncode}) before {prefix!r}: {p.stderr.read()[-3000:]}")
        if line.startswith(prefix):
            return line


@contextmanager
def mounted(kind: str, target: Path, *options: str):
    """`mount` a tmpfs or a read-only bind over `target`; skips the test where mounting is not permitted."""
    target.mkdir(parents=True, exist_ok=True)
    if kind == "tmpfs":
        cmd = ["mount", "-t", "tmpfs", "-o", ",".join(options) or "size=1m", "tmpfs", str(target)]
    else:  # a read-only view of `options[0]` at target
        cmd = ["mount", "--bind", "-o", "ro", options[0], str(target)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no mount command here")
    if r.returncode != 0:
        pytest.skip(f"mounting is not permitted here (needs root and CAP_SYS_ADMIN): {r.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
