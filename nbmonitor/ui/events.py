"""The panel's event views (histograms, images, tables, TensorBoard's text, PR curves, ...) and alerts.

`EventViews.add(batches)` hands each batch of events to the view registered for its
kind (made the first time, as a section of `box`, an accordion) and keeps the newest
alerts for the header; `html()` is each view's static HTML.
"""

from __future__ import annotations

import logging
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
        self._factories: list | None = None

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
                        box = self.box
                        box.children = (*box.children, view.widget)
                        box.set_title(len(box.children) - 1, str(view.title))
                        if box.selected_index is None:
                            box.selected_index = 0
                        box.layout.display = None
                    view.add(record, mine)
                except Exception as e:
                    log.warning("nbmonitor: event view for %s failed: %s", kinds, e, exc_info=True)
        return alerted

    def html(self) -> list[str]:
        out = []
        for view in self.views.values():
            try:
                out.append(view.html())
            except Exception as ex:
                log.warning("nbmonitor: event view html failed: %s", ex)
        return out
