"""`run.should_stop`: a flag a training loop checks, set from outside the loop.

The panel's "stop after this step" control (`ui/stopcontrol.py`) calls `request_stop()` from
another thread (a kernel subshell's) while the loop runs; a loop checks `if run.should_stop: break`.
A bool assignment is atomic in CPython, so no lock is needed.
"""

from __future__ import annotations

__all__ = ["StopFlag"]


class StopFlag:
    """Mixed into `Run`: `should_stop` is False until `request_stop()`."""

    should_stop: bool = False

    def request_stop(self) -> None:
        """Ask the training loop to stop after its current step (`if run.should_stop: break`); any thread may call it."""
        self.should_stop = True
