"""Test hooks: widgets whose comms record what they would send to the browser.

    with recording_comms() as rec:
        panel = Panel(source)          # widgets made here get recording comms
        ...
    rec.messages, rec.bytes, rec.count(method="update")

Used by the unit tests and `bench/bench_panel.py` to count widget messages and
bytes with no kernel and no browser (ipywidgets' own test comm, with sizes).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator


class Recorder:
    def __init__(self):
        self.messages: list[tuple[float, str, int]] = []  # (time, method, bytes)
        self._lock = threading.Lock()

    def record(self, data, buffers) -> None:
        size = len(json.dumps(data, default=str)) + sum(memoryview(b).nbytes for b in (buffers or []))
        method = data.get("method", "?") if isinstance(data, dict) else "?"
        with self._lock:
            self.messages.append((time.monotonic(), method, size))

    def count(self, method: str | None = None, since: float = 0.0) -> int:
        return sum(1 for t, m, _ in list(self.messages) if t >= since and (method is None or m == method))

    @property
    def bytes(self) -> int:
        return sum(b for _, _, b in list(self.messages))

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


class RecordingComm:
    """Stands in for a kernel comm: `open` and `send` are recorded, nothing leaves the process."""

    kernel = "recording"

    def __init__(self, recorder: Recorder, **kwargs):
        import uuid

        self.comm_id = kwargs.get("comm_id") or uuid.uuid4().hex
        self._rec = recorder
        self._rec.record({"method": "open", "state": kwargs.get("data", {}).get("state")},
                         kwargs.get("buffers"))

    def open(self, *args, **kwargs) -> None:
        pass

    def on_msg(self, *args, **kwargs) -> None:
        pass

    def on_close(self, *args, **kwargs) -> None:
        pass

    def send(self, data=None, metadata=None, buffers=None) -> None:
        self._rec.record(data, buffers)

    def close(self, *args, **kwargs) -> None:
        pass


@contextlib.contextmanager
def recording_comms() -> Iterator[Recorder]:
    """Widgets created inside get a RecordingComm (patches `comm.create_comm`, restored after)."""
    import comm

    rec = Recorder()
    orig = comm.create_comm
    comm.create_comm = lambda **kw: RecordingComm(rec, **kw)  # type: ignore[assignment]
    try:
        yield rec
    finally:
        comm.create_comm = orig
