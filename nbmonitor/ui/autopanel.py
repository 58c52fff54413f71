"""The automatic panel of `nbmonitor.init()`: `show_live_panel(run)` shows (or, for the runs of one
cell, reuses) the panel of a run's project; the previous cell's panel ends as its static view."""

from __future__ import annotations

from typing import Any

from .panel import Panel

_live: dict[tuple[int, str], tuple[Panel, Any]] = {}  # (id(store), project) -> (panel, cell)


def _cell_id() -> Any:
    try:
        from IPython import get_ipython

        ip = get_ipython()
        return getattr(ip, "execution_count", None)
    except Exception:
        return None


def show_live_panel(run, new: bool = False, **options: Any) -> Panel | None:
    """Show (or, for the runs of one cell, reuse) the panel of `run`'s project; None outside a notebook.

    Several runs started in one cell (a sweep in a loop) share one panel, overlaid, and it shows
    only them (not the project's runs of other cells; `run.panel()` / `nbm.panel()` show the
    project's); a new cell gets a new panel and the previous one stops with its last state.
    """
    from .._env import in_notebook
    from ..sources import LiveSource

    if not in_notebook():
        return None
    key = (id(run.store), run.project)
    cell = _cell_id()
    panel, panel_cell = _live.get(key, (None, None))
    if panel is not None and not new and panel_cell == cell and not options:
        panel.publisher.add_run(run.id)
        panel.publisher.follow(run.id)
        panel.attach(run).resume()
    else:
        if panel is not None and not new:
            panel.end()  # the previous cell's panel keeps its last state, as a static view
        if not new and "runs" not in options:  # a cell's panel: that cell's runs (run.panel(): the project's)
            options["runs"] = [run.id]
        panel = Panel(LiveSource(run.store), project=run.project, follow=run.id, **options)
        if not new:
            _live[key] = (panel, cell)
        panel.attach(run).show()
    run.on_finish(panel.run_finished)
    return panel
