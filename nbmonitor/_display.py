"""How the layers below the panel show one without importing it.

`tracking` (`Run.panel()`) and `tensorboard` (`SummaryWriter`) sit below
`panel` in the import order. `nbmonitor.api`, which sits above both, registers
the functions that build panels when the package is imported; these two ask
for them here. Nothing registered (the panel's packages missing): no panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_run_panel: Callable[..., Any] | None = None
_source_panel: Callable[..., Any] | None = None


def register(run_panel: Callable[..., Any], source_panel: Callable[..., Any]) -> None:
    """`run_panel(run, **options)` and `source_panel(source, **options)` return a shown panel or None."""
    global _run_panel, _source_panel
    _run_panel, _source_panel = run_panel, source_panel


def show_run_panel(run: Any, **options: Any) -> Any:
    """The live panel of a run's project, shown in the cell (None outside a notebook)."""
    return _run_panel(run, **options) if _run_panel is not None else None


def show_source_panel(source: Any, **options: Any) -> Any:
    """A live panel over any source, shown in the cell (None outside a notebook)."""
    return _source_panel(source, **options) if _source_panel is not None else None
