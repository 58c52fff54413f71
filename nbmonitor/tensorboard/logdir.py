"""`LogdirReader`: the runs of a TensorBoard logdir, found as they appear and polled for new data.

A run is a folder that directly holds event files (TensorBoard's rule: a file whose
name contains "tfevents"); each file is read by an `events.EventFileReader`, which
returns only what was appended since it last read.
"""

from __future__ import annotations

import os
import re
import time

from .events import EventFileReader, RunData

__all__ = ["ACTIVE_S", "DISCOVER_INTERVAL_S", "LogdirReader", "is_event_file"]

DISCOVER_INTERVAL_S = 1.0  # a logdir's tree is walked for new runs at most this often (by default)
ACTIVE_S = 30.0  # a run whose files changed this recently has them checked every poll; others less often

_TIMESTAMP = re.compile(r"tfevents\.(\d+)")


def is_event_file(name: str) -> bool:
    """TensorBoard's own rule: any file whose name contains 'tfevents'."""
    return "tfevents" in os.path.basename(name)


def _file_order(path: str) -> tuple[int, str]:
    match = _TIMESTAMP.search(os.path.basename(path))
    return (int(match.group(1)) if match else 0, os.path.basename(path))


class LogdirReader:
    """Polls a TensorBoard logdir: finds runs and files as they appear, returns new data.

    A run is a folder that directly holds event files, named by its path relative to
    the logdir ("." for the logdir itself), e.g. "run1" and "run1/Loss_train" (the
    folder `add_scalars` writes to).
    """

    def __init__(self, logdir: str | os.PathLike[str], *, verify_data_crc: bool = True,
                 discover_interval: float = DISCOVER_INTERVAL_S) -> None:
        self.logdir = os.fspath(logdir)
        self.verify_data_crc = verify_data_crc
        self.discover_interval = discover_interval
        self._runs: dict[str, list[EventFileReader]] = {}
        self._discovered_at = -float("inf")
        self._changed: dict[str, float] = {}  # run -> wall time its files last changed (as far as seen)
        self._polled_at = time.monotonic()
        self._idle_credit = 0.0  # idle runs owed a look
        self._idle_next = 0  # where the round of idle runs goes on
        self._folders: dict[str, tuple[int, list[str]]] = {}  # folder -> (mtime listed at, sub-folders)
        self.relisted: list[str] = []  # folders (as run names) listed by the last walk: new or changed

    def runs(self) -> list[str]:
        """Names of the runs found so far."""
        return sorted(self._runs)

    @property
    def discovered_at(self) -> float:
        """`time.monotonic()` of the last walk of the tree."""
        return self._discovered_at

    @property
    def bytes_read(self) -> int:
        return sum(r.bytes_read for readers in self._runs.values() for r in readers)

    def poll(self, discover: bool | None = None) -> dict[str, RunData]:
        """New data per run since the last poll; runs with nothing new are left out.

        The tree is walked for new runs and files when `discover` is true, or, by
        default, at most every `discover_interval` seconds. The files of runs that
        changed in the last `ACTIVE_S` seconds are checked every poll (a `stat` each);
        the other runs' in turns, each at least every `discover_interval` seconds, so
        a poll of a big logdir where little is written costs little. With `discover`
        true, every file is checked.
        """
        now = time.monotonic()
        if discover or (discover is None and now - self._discovered_at >= self.discover_interval):
            self._discovered_at = now
            self._discover()
        runs = self._runs if discover or self.discover_interval <= 0 else self._due(now)
        self._polled_at = now
        new: dict[str, RunData] = {}
        for run, readers in runs.items():
            fresh = [r for r in readers if r.has_new()]  # a stat per file; nothing made when nothing grew
            if not fresh:
                continue
            data = RunData()
            for reader in fresh:
                data.merge(reader.read_new())
            self._changed[run] = max(r.mtime for r in readers)
            if data:
                new[run] = data
        return new

    def _due(self, now: float) -> dict[str, list[EventFileReader]]:
        """The runs to look at in this poll: the active ones, and idle ones in turn."""
        recent = time.time() - ACTIVE_S
        changed = self._changed
        due: dict[str, list[EventFileReader]] = {}
        idle: list[str] = []
        for run, readers in self._runs.items():
            if changed.get(run, 0.0) >= recent:
                due[run] = readers
            else:
                idle.append(run)
        if idle:
            self._idle_credit += len(idle) * (now - self._polled_at) / self.discover_interval
            k = min(len(idle), int(self._idle_credit))
            self._idle_credit = 0.0 if k == len(idle) else self._idle_credit - k
            first = self._idle_next % len(idle)
            for run in (idle[first:] + idle[:first])[:k]:
                due[run] = self._runs[run]
            self._idle_next = first + k
        return due

    def _discover(self) -> None:
        """Walk the tree for new runs and files. A folder whose mtime is what it was at its
        last listing holds no new entries: it costs a `stat`, not a listing."""
        seen: set[str] = set()
        relisted: list[str] = []
        stack = [self.logdir]
        now = time.time()
        while stack:
            folder = stack.pop()
            try:
                st = os.stat(folder)
            except OSError:
                continue
            seen.add(folder)
            cached = self._folders.get(folder)
            if cached is not None and cached[0] == st.st_mtime_ns:
                stack.extend(cached[1])
                continue
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError:
                continue
            relisted.append(os.path.relpath(folder, self.logdir).replace(os.sep, "/"))
            subdirs, events = [], []
            for e in entries:
                try:
                    is_dir = e.is_dir()
                except OSError:
                    continue
                if is_dir:
                    if not e.is_symlink():  # as os.walk: links to folders are not followed
                        subdirs.append(e.path)
                elif is_event_file(e.name):
                    events.append(e.path)
            # a listing is kept only once the folder's mtime is old enough to trust (coarse clocks)
            self._folders[folder] = (st.st_mtime_ns if now - st.st_mtime > 2.0 else -1, subdirs)
            stack.extend(subdirs)
            if events:
                self._add_files(folder, events)
        for gone in self._folders.keys() - seen:
            del self._folders[gone]
        self.relisted = relisted

    def _add_files(self, folder: str, events: list[str]) -> None:
        run = os.path.relpath(folder, self.logdir).replace(os.sep, "/")
        readers = self._runs.setdefault(run, [])
        known = {r.path for r in readers}
        added = [p for p in events if p not in known]
        if added:
            readers.extend(EventFileReader(p, verify_data_crc=self.verify_data_crc) for p in added)
            self._changed[run] = time.time()  # new files are read at once
            readers.sort(key=lambda r: _file_order(r.path))
