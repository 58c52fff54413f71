"""A media key's steps older than what the browser holds: its step slider reaches them, read on demand.

The images and image-grid views keep each key's newest steps in the browser (`StepWindows`: a window a
key). The steps that left the window are only listed (`StepRuns`: runs of evenly spaced steps, so a key
logged every N steps costs three numbers however long the run); the one the user picks is read from the
run's source through the panel's reader (`read_step`: that key at that step, not every later event) and
sent alone. The JS side is js/lib/older.js.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

Slot = TypeVar("Slot", bound=Hashable)  # a key index (images) or a (run id, key) pair (image grid)

MAX_RUNS = 1000  # runs of evenly spaced steps listed a key: past it (irregular steps) the oldest are forgotten


class StepRuns:
    """Steps in the order they were added, as [first, stride, count] runs (the newest MAX_RUNS runs)."""

    __slots__ = ("runs",)

    def __init__(self) -> None:
        self.runs: deque[list[int]] = deque()

    def append(self, step: int) -> None:
        step = int(step)
        if self.runs:
            last = self.runs[-1]
            first, stride, count = last
            if count == 1:  # a lone step takes the next one's distance as its stride
                last[1], last[2] = step - first, 2
                return
            if step == first + stride * count:
                last[2] += 1
                return
        self.runs.append([step, 0, 1])
        if len(self.runs) > MAX_RUNS:
            self.runs.popleft()

    def __contains__(self, step: object) -> bool:
        if not isinstance(step, int) or isinstance(step, bool):
            return False
        for first, stride, count in self.runs:
            if stride == 0:
                if step == first:
                    return True
                continue
            q, r = divmod(step - first, stride)
            if r == 0 and 0 <= q < count:
                return True
        return False

    def __len__(self) -> int:
        return sum(c for _, _, c in self.runs)

    def to_json(self) -> list[int]:
        """[first, stride, count, first, stride, count, ...]: what js/lib/older.js `StepRuns` reads."""
        return [x for run in self.runs for x in run]


class StepWindows(Generic[Slot]):
    """Each key's newest `keep` entries, kept in the browser, and the steps of those that left (`older`)."""

    def __init__(self, keep: int):
        self.keep = keep
        self.windows: dict[Slot, deque[tuple[int, Any]]] = {}  # slot -> (step, entry), newest last
        self.older: dict[Slot, StepRuns] = {}

    def add(self, slot: Slot, step: int, entry: Any) -> None:
        win = self.windows.setdefault(slot, deque())
        win.append((step, entry))
        if len(win) > self.keep:
            gone, _ = win.popleft()
            self.older.setdefault(slot, StepRuns()).append(gone)

    def entries(self, slot: Slot) -> Iterator[Any]:
        return (entry for _, entry in self.windows.get(slot, ()))

    def has(self, slot: Slot, step: object) -> bool:
        """True when `step` was logged under `slot` (in the window or older): a request the view may read."""
        return any(s == step for s, _ in self.windows.get(slot, ())) or step in self.older.get(slot, ())

    def older_json(self) -> dict[Slot, list[int]]:
        """Each slot's older steps (`StepRuns.to_json`), for the slots that have some."""
        return {slot: runs.to_json() for slot, runs in self.older.items() if runs.runs}


def read_step(reader: Callable[..., Any] | None, run_id: str, key: str, step: object, kind: str) -> Any:
    """The run's event of `kind` of `key` at `step` through the panel's reader (None: no reader, none, or
    it failed). Never called under a view's lock: the reader takes the panel's (the publisher thread's order)."""
    if reader is None:
        return None
    try:
        return reader(run_id, key, step, kind)
    except Exception:
        return None
