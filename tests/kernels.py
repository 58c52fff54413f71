"""A real ipykernel (jupyter_client) for the tests that need one: it imports this checkout's nbmonitor.

    @pytest.fixture
    def kernel(tmp_path):
        with real_kernel(tmp_path / "root", display=False) as (km, kc):
            yield km, kc

Skips the test where jupyter_client or ipykernel is not installed. Starting one takes about 3 s.
`iopub_until(kc, pred)` reads the kernel's IOPub up to the first message `pred` accepts.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def real_kernel(root: Path, display: bool) -> Iterator[tuple[Any, Any]]:
    """A started kernel and its ready client, (KernelManager, client), with NBMONITOR_DIR=root.

    display: False sets NBMONITOR_DISPLAY=0 (no panels); True leaves it unset, so panels show as in a notebook.
    The kernel is shut down at the end unless it is gone already (a test may shut it down or kill it).
    """
    jc = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    env = {**os.environ, "NBMONITOR_DIR": str(root), "PYTHONPATH": str(REPO)}
    env.pop("NBMONITOR_DISPLAY", None)
    if not display:
        env["NBMONITOR_DISPLAY"] = "0"
    km = jc.KernelManager(kernel_name="python3")
    km.start_kernel(env=env, extra_arguments=["--HistoryManager.enabled=False"])
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def iopub_until(kc: Any, pred: Callable[[dict], bool], timeout: float = 60.0) -> list[dict]:
    """The IOPub messages up to the first one `pred` accepts (AssertionError if none within `timeout`)."""
    seen: list[dict] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.05, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(msg)
        if pred(msg):
            return seen
    raise AssertionError(f"not seen in {timeout}s: {[m['msg_type'] for m in seen][-20:]}")


def printed(kc: Any, code: str, timeout: float = 60.0) -> str:
    """Run `code` in the kernel (it must succeed) and return what it printed."""
    out: list[str] = []

    def hook(m: dict) -> None:
        if m["msg_type"] == "stream":
            out.append(m["content"].get("text", ""))

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def busy_cell(log: str, ready_at: int, on_ready: str = "") -> str:
    """A cell that keeps the main shell CPU-bound as a training loop does, running `log` (with `i`, the
    step, from 0) each step until the file named by the kernel's RELEASE exists (60 s at most). At step
    `ready_at` it runs `on_ready` and prints "started"; after the release it stays busy 1 s (the kernel
    status must say busy to the end), then prints "done after N steps"."""
    return f"""
import os, time
t0 = time.time()
i = 0
while not os.path.exists(RELEASE) and time.time() - t0 < 60:
    x = 0
    for _ in range(20000):
        x += 1
    {log}
    i += 1
    if i == {ready_at}:
        {on_ready or "pass"}
        print("started", flush=True)
t1 = time.time()
while time.time() - t1 < 1:
    pass
print(f"done after {{i}} steps", flush=True)
"""
