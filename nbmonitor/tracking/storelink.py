"""A run's link to its store, kept writable through what a notebook does to it.

`StoreLink.write` is the run's one way to write. It notices a store whose
database file was deleted or replaced under the run (a notebook re-run from the
top that rmtree's its folder), makes the store again, writes the run's record
into it and goes on, with one warning saying that the points already written to
the deleted file are gone; a write the deletion overtook is written again. A
config or summary changed in place into something JSON cannot hold costs the
config and summary of that write, not its points.
"""

from __future__ import annotations

from collections.abc import Callable

from ..store import Chunk, Event, RunRecord, Store, open_store
from . import flusher


class StoreLink:
    def __init__(self, store: Store, run_name: str):
        self.store = store
        self._run_name = run_name
        self._warned = False

    def write(self, run_id: str, chunks: list[Chunk], events: list[Event], fields: dict,
              record: Callable[[], RunRecord]) -> list[str] | None:
        """Write, or raise with nothing written; `record()` is the run as it is now, for a recreated store."""
        if not _is_current(self.store):
            self._recreate(record())
        problems = self._write(run_id, chunks, events, fields)
        if not _is_current(self.store):  # deleted while we wrote: those rows went with it
            self._recreate(record())
            problems = self._write(run_id, chunks, events, fields)
        return problems

    def _write(self, run_id: str, chunks: list[Chunk], events: list[Event], fields: dict) -> list[str] | None:
        try:
            return self.store.write(run_id, chunks, events, **fields)
        except (TypeError, ValueError, RecursionError) as e:
            if "config" not in fields and "summary" not in fields:
                raise
            # a value put into config/summary after it was checked (a dict changed in place)
            flusher.warn(f"nbmonitor: run {self._run_name!r}: config/summary could not be stored ({e}); "
                         "the points were written, config and summary were not")
            rest = {k: v for k, v in fields.items() if k not in ("config", "summary")}
            return self.store.write(run_id, chunks, events, **rest)

    def _recreate(self, record: RunRecord) -> None:
        old = self.store
        self.store = store = open_store(old.root)  # the process's store of that root, made again
        store.create_run(record)
        if not self._warned:
            self._warned = True
            flusher.warn(
                f"nbmonitor: the store {old.root} of run {self._run_name!r} was deleted or replaced while the "
                "run was writing; made it again and kept writing there. Points already written to the deleted "
                "file are gone; those still in memory and all later ones are kept."
            )


def _is_current(store: Store) -> bool:
    is_current = getattr(store, "is_current", None)
    return is_current is None or is_current()
