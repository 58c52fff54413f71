"""Where runs are stored: the one function that resolves a root, and the process's open stores.

`dir=` wins, else $NBMONITOR_DIR, else ./nbmonitor-runs; either may be a
`postgresql://` URL (the PostgreSQL store). Every caller that takes a root
(init, runs, get_run, %monitor, the sources) asks here.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .types import Store, is_database_url

if TYPE_CHECKING:
    from pathlib import Path

    from .postgres import PostgresStore
    from .sqlite import SQLiteStore

ENV_DIR = "NBMONITOR_DIR"
DEFAULT_DIRNAME = "nbmonitor-runs"


def resolve_root(dir: str | os.PathLike | None = None) -> Path | str:
    """Where the runs are: `dir`, else $NBMONITOR_DIR, else ./nbmonitor-runs.

    A folder comes back as an absolute Path; a `postgresql://` URL as the string itself.
    """
    from pathlib import Path  # lazy: pathlib loads urllib.parse and ipaddress (~5 ms of `import nbmonitor`)

    where = dir if dir is not None else (os.environ.get(ENV_DIR) or None)
    if where is None:
        return (Path.cwd() / DEFAULT_DIRNAME).resolve()
    if is_database_url(where):
        return str(where)
    return Path(where).expanduser().resolve()


_stores: dict[Path | str, SQLiteStore | PostgresStore] = {}


def open_store(dir: str | os.PathLike | None = None) -> Store:
    """The store of a root folder (or `postgresql://` URL), shared by everything in this process."""
    root = resolve_root(dir)
    store = _stores.get(root)
    if store is None or not store.is_current():  # the folder was deleted (e.g. rmtree) and maybe made again
        if isinstance(root, str):
            from .postgres import PostgresStore

            store = PostgresStore(root)
        else:
            from .sqlite import SQLiteStore

            store = SQLiteStore(root)
        _stores[root] = store
    return store


def is_store_root(folder: Path, names: list[str] | None = None) -> bool:
    """Whether `folder` holds an nbmonitor store (`names`: its file names, when already listed)."""
    from .sqlite import DB_NAME

    return DB_NAME in names if names is not None else (folder / DB_NAME).is_file()
