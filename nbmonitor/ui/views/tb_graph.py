"""The model graph of `add_graph` (kind "graph"): the module tree with parameter counts.

Collapsible in the browser (js/tbgraph.js) and in the static fallback too (it is
made of <details> elements, which need no script).
"""

from __future__ import annotations

import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, run_label

MAX_NODES = 2000  # of one tree sent to the browser


def _count(n) -> str:
    if n is None:
        return ""
    for d, s in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= d:
            return f"{n / d:.3g}{s}"
    return str(int(n))


def _prune(tree: dict, budget: list[int]) -> dict:
    budget[0] -= 1
    kids = []
    for c in tree.get("children") or []:
        if budget[0] <= 0:
            break
        kids.append(_prune(c, budget))
    return {"name": str(tree.get("name", "")), "type": str(tree.get("type", "")),
            "params": tree.get("params"), "children": kids}


def _size(tree: dict) -> int:
    return 1 + sum(_size(c) for c in tree.get("children") or [])


class GraphWidget(MediaWidget):
    _esm = js_module("tbgraph.js")
    _css = js_path("tb.css")
    graphs = traitlets.List().tag(sync=True)  # [{run, run_id, key, tree}]


class GraphView:
    """TensorBoard's graph dashboard, as a module tree."""

    title = "Graph"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.widget = GraphWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            graphs = [g for g in self.widget.graphs]
            changed = False
            for ev in events:
                tree = ev.payload.get("tree") if ev.kind == "graph" else None
                if not isinstance(tree, dict):
                    continue
                graphs = [g for g in graphs if not (g["run_id"] == run.id and g["key"] == ev.key)]
                graphs.append({"run": run_label(run), "run_id": run.id, "key": ev.key,
                               "tree": _prune(tree, [MAX_NODES])})
                changed = True
            if changed:
                self.widget.graphs = graphs
                self.widget.show()

    def text(self) -> str:
        graphs = list(self.widget.graphs)
        if not graphs:
            return "Graph: none logged"
        return "Graph: " + "; ".join(
            f"{g['tree']['type'] or g['tree']['name']} ({_size(g['tree']) - 1} modules"
            + (f", {_count(g['tree']['params'])} parameters)" if g["tree"]["params"] is not None else ")")
            for g in graphs)

    def html(self) -> str:
        out = [STYLE, '<div class="nbm-static nbm-static-graph">']
        for g in list(self.widget.graphs)[:4]:
            out.append(f"<div><b>{esc(g['run'])}</b></div>")
            out.append(_node_html(g["tree"], 0))
        out.append("</div>")
        return "".join(out)


def _node_html(node: dict, depth: int) -> str:
    label = (f"<b>{esc(node['name'])}</b> <span>{esc(node['type'])}</span> "
             f"<small>{esc(_count(node['params']))}</small>")
    kids = node.get("children") or []
    if not kids:
        return f'<div style="margin-left:{14 if depth else 0}px">{label}</div>'
    inner = "".join(_node_html(c, depth + 1) for c in kids)
    return (f'<details {"open" if depth < 2 else ""} style="margin-left:{14 if depth else 0}px">'
            f"<summary>{label}</summary>{inner}</details>")


register_view(("graph",), GraphView)
