"""The panel's widgets: header and sparkline table (anywidget, js/); the charts are in `charts.py`.

Imported only when a panel is built (anywidget, bqplot and ipywidgets are heavy).
Every name and key reaches the DOM as text: the JS modules use textContent,
bqplot draws titles and labels with d3's `.text()`.
"""

from __future__ import annotations

import anywidget
import traitlets

from .._js import js_module, js_path


class HeaderWidget(anywidget.AnyWidget):
    _esm = js_module("header.js")  # lib imports inlined (blob: URLs cannot import)
    _css = js_path("header.css")
    project = traitlets.Unicode("").tag(sync=True)
    run = traitlets.Unicode("").tag(sync=True)
    color = traitlets.Unicode("#999").tag(sync=True)
    state = traitlets.Unicode("").tag(sync=True)
    step = traitlets.Int(-1).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    elapsed = traitlets.Float(0.0).tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    rate = traitlets.Float(-1.0).tag(sync=True)
    runs = traitlets.Int(0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    alerts: traitlets.List = traitlets.List([]).tag(sync=True)
    flags: traitlets.List = traitlets.List([]).tag(sync=True)  # [{text, title}]: badges (groups.py)


class SparkTableWidget(anywidget.AnyWidget):
    _esm = js_module("sparktable.js")
    _css = js_path("sparktable.css")
    title = traitlets.Unicode("").tag(sync=True)
    color = traitlets.Unicode("#1f77b4").tag(sync=True)
    rows: traitlets.List = traitlets.List([]).tag(sync=True)
    spark = traitlets.Bytes(b"").tag(sync=True)  # float32, see js/sparktable.js
