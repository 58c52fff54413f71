"""The one resolver from a folder to a `Source`.

`nbm.runs(dir=X)`, `nbm.get_run(..., dir=X)` and `%monitor --logdir X` all ask
`open_source(X)`, so they see the same runs: every nbmonitor root found in the
folder (at any depth; a root's own sub-folders hold media, not runs) and, when
it holds TensorBoard event files at any depth, its TensorBoard runs — one
source, or a `MultiSource` when there are several.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..store import open_store, resolve_root
from ..store.roots import is_database_url, is_store_root
from .base import Source
from .live import LiveSource
from .multi import MultiSource


class NothingReadable(ValueError):
    """The folder exists but holds neither nbmonitor runs nor TensorBoard event files."""


NOTHING_HINT = "no nbmonitor runs (nbmonitor.db) and no TensorBoard event files (*tfevents*)"


def scan_folder(path: Path) -> tuple[list[Path], bool]:
    """(nbmonitor roots under `path`, whether it holds TensorBoard event files), depth-first, sorted."""
    roots: list[Path] = []
    tensorboard = False
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        if is_store_root(Path(folder), files):
            roots.append(Path(folder))
            dirs[:] = []  # a root's own folders hold media, not runs
        elif not tensorboard and any("tfevents" in f for f in files):
            tensorboard = True
    return roots, tensorboard


_TB_SOURCES: dict[Path, Source] = {}
_TB_LOCK = threading.Lock()


def tensorboard_source(path: Path) -> Source:
    """The process's one `TensorBoardSource` for the logdir `path` (resolved), made on first use.

    `runs()`, `get_run()` and `%monitor` share it, so event files are parsed
    once per process and then only what is appended is read.
    """
    with _TB_LOCK:
        src = _TB_SOURCES.get(path)
        if src is None:
            from ..tensorboard.source import TensorBoardSource

            src = _TB_SOURCES[path] = TensorBoardSource(path)
        return src


def forget_tensorboard_sources() -> None:
    """Drop the shared TensorBoard views (their memory), so the next use parses the files again."""
    with _TB_LOCK:
        _TB_SOURCES.clear()


def open_folder(folder: str | os.PathLike) -> Source:
    """The source for an existing folder (or a `postgresql://` URL). FileNotFoundError, NotADirectoryError or `NothingReadable` otherwise.

    An ImportError is raised when the folder holds only TensorBoard runs and the
    tensorboard package is missing.
    """
    if is_database_url(folder):  # the PostgreSQL store
        return LiveSource(open_store(folder))
    path = Path(folder).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"no such folder: {folder}")
    if not path.is_dir():
        raise NotADirectoryError(f"not a folder: {folder}")
    path = path.resolve()
    roots, tensorboard = scan_folder(path)
    sources: list[Source] = [LiveSource(open_store(r)) for r in roots]
    if tensorboard:
        try:
            sources.append(tensorboard_source(path))
        except ImportError:
            if not sources:
                raise
    if not sources:
        raise NothingReadable(f"nothing readable in {folder}: {NOTHING_HINT}")
    return sources[0] if len(sources) == 1 else MultiSource(sources)


def open_source(dir: str | os.PathLike | None = None) -> Source:
    """The source for `dir` (see the module doc); without `dir`, the default root's store.

    A folder that exists but holds nothing yet reads as an empty store there.
    """
    if dir is None:
        return LiveSource(open_store(resolve_root(None)))
    try:
        return open_folder(dir)
    except NothingReadable:
        return LiveSource(open_store(resolve_root(dir)))
