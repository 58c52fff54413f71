"""The panel's event views (histograms, images, tables, TensorBoard's text, PR curves, ...) and alerts.

`EventViews.add(batches)` hands each batch of events to the view registered for its
kind (made the first time; a section of `box`, an accordion, once it is not `empty`) and keeps the newest
alerts for the header; `html()` is each view's static HTML. A view whose widget the browser asks
things of (`asks_kernel`: a full-size image) is routed by `route(fn)` (the panel's kernel subshell).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("nbmonitor.ui.events")

MAX_ALERTS = 20


class EventViews:
    def __init__(self) -> None:
        import ipywidgets as w

        self.box = w.Accordion()
        self.box.layout.display = "none"
        self.alerts: list[dict] = []
        self.views: dict[int, Any] = {}  # factory index -> view
        self._shown: set[int] = set()  # the views with a section (not empty)
        self._factories: list | None = None
        self._route: Callable[[Any], bool] | None = None
        # reads a run's event of one key at one step with its files, (run id, key, step, kind) -> Event | None:
        # for a view that shows what it no longer holds (older image steps, older grid tables); set by the panel
        self.reader: Callable[[str, str, int, str], Any] | None = None

    def route(self, fn: Callable[[Any], bool] | None) -> None:
        """Route the widgets of the views that answer the browser with `fn(widget)` (True: routed, their
        `live` trait says so); None: they are not (any more)."""
        self._route = fn
        for view in self.views.values():
            self._routed(view)

    def _routed(self, view: Any) -> None:
        if getattr(view, "asks_kernel", False):
            view.widget.live = bool(self._route(view.widget)) if self._route is not None else False

    def _load(self) -> list:
        if self._factories is None:
            try:
                from .views import load_views

                self._factories = load_views()
            except Exception as e:  # a broken view module must not take the panel down
                log.warning("nbmonitor: could not load the panel's event views: %s", e)
                self._factories = []
        return self._factories

    def add(self, batches) -> bool:
        """Route events to their views; True when an alert arrived."""
        alerted = False
        factories = self._load()
        for record, events in batches:
            for e in events:
                if e.kind == "alert":
                    p = e.payload or {}
                    self.alerts.append({"id": f"{record.id}:{e.seq}", "run": record.name,
                                        "title": str(p.get("title", "")), "text": str(p.get("text", "")),
                                        "level": str(p.get("level", "INFO")), "time": e.time})
                    del self.alerts[:-MAX_ALERTS]
                    alerted = True
            for i, (kinds, factory) in enumerate(factories):
                mine = [e for e in events if e.kind in kinds]
                if not mine:
                    continue
                view = self.views.get(i)
                try:
                    if view is None:
                        view = self.views[i] = factory()
                        self._routed(view)
                        if hasattr(view, "reader"):
                            view.reader = self.reader
                    view.add(record, mine)
                    # a section once the view holds something (a table with images is the grid's, not "Tables")
                    if i not in self._shown and not getattr(view, "empty", False):
                        self._shown.add(i)
                        box = self.box
                        box.children = (*box.children, view.widget)
                        box.set_title(len(box.children) - 1, str(view.title))
                        if box.selected_index is None:
                            box.selected_index = 0
                        box.layout.display = None
                except Exception as e:
                    log.warning("nbmonitor: event view for %s failed: %s", kinds, e, exc_info=True)
        return alerted

    def html(self) -> list[str]:
        out = []
        for i, view in self.views.items():
            if i not in self._shown:
                continue
            try:
                out.append(view.html())
            except Exception as ex:
                log.warning("nbmonitor: event view html failed: %s", ex)
        return out
