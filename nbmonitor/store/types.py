"""The store's vocabulary: the `Store` protocol, `RunRecord`, `Chunk`, `Event`.

This module imports nothing of nbmonitor's, so anything may import it.

The embedded default is `SQLiteStore` (one database per root folder, media
files beside it); `MemoryStore` is the test double behind the same protocol.
A series is stored as chunks: one row per key per flush holding the new
points as packed arrays, each chunk knowing the index of its first point, so
a reader asks for "points of key k from index n on" and never skips or
repeats one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

SYSTEM_PREFIX = "system/"


def is_system_key(key: str) -> bool:
    """Keys under `system/` are the system stream (machine metrics): their steps are seconds since the
    run started, not the run's training steps, so step counts, summaries and `history()` leave them out."""
    return key.startswith(SYSTEM_PREFIX)


DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(where: object) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL: the PostgreSQL store, not a folder."""
    return isinstance(where, str) and where.startswith(DATABASE_SCHEMES)


def check_run_id(run_id: str) -> str:
    """Run ids name media folders, so they must be plain: letters, digits, _ and -."""
    if not isinstance(run_id, str) or not _ID_RE.match(run_id):
        raise ValueError(
            f"run id {run_id!r} is not allowed: use 1-64 letters, digits, '_' or '-'"
        )
    return run_id


@dataclasses.dataclass
class RunRecord:
    """What the store knows of a run besides its series."""

    id: str
    project: str
    name: str
    state: str = "running"  # running | finished | failed | killed | crashed
    created: float = 0.0
    updated: float = 0.0
    heartbeat: float = 0.0
    host: str = ""
    pid: int = 0
    config: dict = dataclasses.field(default_factory=dict)
    summary: dict = dataclasses.field(default_factory=dict)
    notes: str | None = None
    tags: list = dataclasses.field(default_factory=list)
    total_steps: int | None = None
    group: str | None = None  # the runs of one distributed job (or any set the user groups)

    def copy(self) -> RunRecord:
        """A copy whose config, summary and tags can be changed without touching this one."""
        return dataclasses.replace(self, config=dict(self.config), summary=dict(self.summary), tags=list(self.tags))


@dataclasses.dataclass
class Chunk:
    """New points of one key: `start` is the index of the first point in the key's series."""

    key: str
    start: int
    steps: np.ndarray
    values: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return len(self.steps)


@dataclasses.dataclass
class Event:
    """A non-scalar record: image, table, histogram, alert... (`seq` is its index in the run)."""

    seq: int
    key: str
    step: int
    time: float
    kind: str
    payload: dict
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)


class Store(Protocol):
    """What the run API, the sources and the panel need from persistence."""

    @property
    def root(self) -> Path | None:
        """The root folder (None for a store that has none, like the in-memory one)."""

    def create_run(self, record: RunRecord) -> None: ...

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set some of RunRecord's fields (state, summary, config, heartbeat, updated...)."""

    def write(self, run_id: str, chunks: Iterable[Chunk], events: Iterable[Event], **fields: Any) -> list[str] | None:
        """Append chunks and events and update run fields, all in one transaction.

        Stored points are never overwritten. Returns problems that cost part of the data
        and not the rest (a media file that could not be written), for the caller to report.
        """

    def list_runs(self, project: str | None = None) -> list[RunRecord]: ...

    def get_run(self, run_id: str) -> RunRecord | None: ...

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]: ...

    def keys(self, run_id: str) -> dict[str, int]:
        """Each scalar key of the run with its number of stored points."""

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        """Points of each key from index `since[key]` (default 0) on, as one Chunk per key."""

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        """Events with seq >= since; `files` hold the files' bytes."""

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        """The events of `key` logged at a step in [step, last_step] (default: at `step`), by seq, with
        their files; no other event is read (a media view's older step: not every later event)."""

    def close(self) -> None: ...


def merge_chunks(key: str, parts: list[Chunk]) -> Chunk:
    """One chunk from consecutive parts of one key's series."""
    if not parts:
        e = np.empty(0)
        return Chunk(key, 0, e.astype(np.int64), e, e)
    if len(parts) == 1:
        return parts[0]
    return Chunk(
        key,
        parts[0].start,
        np.concatenate([p.steps for p in parts]),
        np.concatenate([p.values for p in parts]),
        np.concatenate([p.times for p in parts]),
    )


def json_default(o: Any) -> Any:
    """What the store writes for a value JSON has no type for: numpy/torch scalars and arrays, else str()."""
    item = getattr(o, "item", None)
    if callable(item):
        try:
            return item()
        except (ValueError, RuntimeError):
            pass
    tolist = getattr(o, "tolist", None)
    if callable(tolist):
        return tolist()
    return str(o)
