"""Sources: where the panel, `runs()` and `get_run()` read runs from.

Owns: the `Source` protocol (`base`), `LiveSource` (a store plus this
process's live runs: also the "tail another process" source), `MultiSource`,
the one folder -> source resolver (`resolve`), and `RunView` (a stored run for
reading, what `get_run()` returns). The live in-process runs, a store written
by another process, and a folder of TensorBoard event files are sources behind
one interface; the panel never knows which it has.

May import: store, tracking (the live runs), tensorboard (its reader), output.
"""

from __future__ import annotations

from .base import Source
from .live import LiveSource
from .multi import MultiSource
from .resolve import NothingReadable, open_folder, open_source

__all__ = ["LiveSource", "MultiSource", "NothingReadable", "Source", "open_folder", "open_source"]
