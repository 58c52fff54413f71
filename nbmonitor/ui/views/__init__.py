"""Panel views for non-scalar events, and the registry the panel finds them in.

Owns: one module per view (images, image grid, tables, histograms, TensorBoard's
text, PR curves, hparams, graphs, embeddings) and `register_view`. May import:
store (types), `_js`, and its own `_common` and `_older` (the older steps of the
media views); nothing else of the panel.

Each module in this package defines a view and registers it at import time:

    register_view(("image", "table"), ImageTableView)

The panel imports every module here when it starts, makes one instance of each
registered factory, and hands it the new events of its kinds as they arrive.

A view (`EventView`) has:
    title: str                        section title in the panel ("Histograms")
    widget: ipywidgets.Widget         what the panel shows for it
    add(run: RunRecord, events: list[Event]) -> None
                                      new events of its kinds, in seq order, per run
                                      (called from the panel's publisher thread)
    html() -> str                     static, escaped HTML of its current state
                                      (the saved-notebook fallback)

Event payloads (store.Event.payload, JSON-able; binary data in Event.files):
    image      {"caption", "width", "height", "format"}; files {"image.png": bytes}
    table      {"columns": [str], "rows": [[cell, ...]]}; a cell is a number, str, bool,
               None, or {"_type": "image", "file": name, "caption", "width", "height"}
               with files[name] = PNG bytes
    histogram  {"edges": [n+1 floats], "counts": [n floats], "min", "max", "num", "sum"}
    alert      {"title", "text", "level": "INFO" | "WARN" | "ERROR"}
    text       {"text": markdown}
    pr_curve   {"precision": [...], "recall": [...], "thresholds": [...],
                "tp": [...], "fp": [...], "tn": [...], "fn": [...]}
    hparams    {"hparams": {name: value}, "metrics": {name: value}}
    embedding  {"points": [[x, y], ...], "labels": [...] | None, "header": [...] | None};
               optional files {"sprite.png": bytes} with payload "thumb": [w, h]
    graph      {"tree": {"name", "type", "params", "children": [...]}}
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, Protocol

from ...store import Event, RunRecord


class EventView(Protocol):
    title: str
    widget: object

    def add(self, run: RunRecord, events: list[Event]) -> None: ...

    def html(self) -> str: ...


_factories: list[tuple[tuple[str, ...], Callable[[], Any]]] = []


def register_view(kinds: tuple[str, ...], factory: Callable[[], Any]) -> None:
    """Make the panel show events of these kinds with views made by `factory()`."""
    _factories.append((tuple(kinds), factory))


def load_views() -> list[tuple[tuple[str, ...], Callable[[], EventView]]]:
    """Import every view module of this package; return the registered (kinds, factory) pairs."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return list(_factories)
