"""Whether a stored run marked `running` still is: its process alive, its heartbeat recent."""

from __future__ import annotations

import os
import socket
import time

from .types import RunRecord

STALE_AFTER_S = 60.0


def effective_state(record: RunRecord, now: float | None = None) -> str:
    """A 'running' run whose process is gone (or silent for a minute) shows as crashed."""
    if record.state != "running":
        return record.state
    now = time.time() if now is None else now
    if record.host == socket.gethostname() and record.pid and record.pid != os.getpid():
        try:
            os.kill(record.pid, 0)
        except ProcessLookupError:
            return "crashed"
        except PermissionError:
            pass
    if now - (record.heartbeat or record.updated or 0) > STALE_AFTER_S:
        return "crashed"
    return "running"

