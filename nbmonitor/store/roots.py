"""Where runs are stored: the one function that resolves a root, and the process's open stores.

`dir=` wins, else $NBMONITOR_DIR, else ./nbmonitor-runs. Every caller that
takes a root (init, runs, get_run, %monitor, the sources) asks here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .types import Store

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

ENV_DIR = "NBMONITOR_DIR"
DEFAULT_DIRNAME = "nbmonitor-runs"

def resolve_root(dir: str | os.PathLike | None = None) -> Path:
    """The store's root folder: `dir`, else $NBMONITOR_DIR, else ./nbmonitor-runs."""
    if dir is not None:
        return Path(dir).expanduser().resolve()
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return (Path.cwd() / DEFAULT_DIRNAME).resolve()


_stores: dict[Path, SQLiteStore] = {}


def open_store(dir: str | os.PathLike | None = None) -> Store:
    """The store of a root folder, shared by everything in this process."""
    from .sqlite import SQLiteStore

    root = resolve_root(dir)
    store = _stores.get(root)
    if store is None or not store.is_current():  # the folder was deleted (e.g. rmtree) and maybe made again
        store = SQLiteStore(root)
        _stores[root] = store
    return store




def is_store_root(folder: Path, names: list[str] | None = None) -> bool:
    """Whether `folder` holds an nbmonitor store (`names`: its file names, when already listed)."""
    from .sqlite import DB_NAME

    return DB_NAME in names if names is not None else (folder / DB_NAME).is_file()
