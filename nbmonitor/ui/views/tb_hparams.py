"""Hyperparameters of `add_hparams` (kind "hparams"): a sortable table, one row per run,
and a parallel-coordinates plot (js/tbhparams.js); the static fallback is the table."""

from __future__ import annotations

import threading

import traitlets

from ..._js import js_module, js_path
from ...store import Event, RunRecord
from . import register_view
from ._common import STYLE, MediaWidget, esc, format_cell, json_cell, run_label

HTML_MAX_ROWS = 200


def _cell(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return json_cell(v)
    return str(v)


class HParamsWidget(MediaWidget):
    _esm = js_module("tbhparams.js")
    _css = js_path("tb.css")
    hparams = traitlets.List().tag(sync=True)  # column names
    metrics = traitlets.List().tag(sync=True)  # column names
    rows = traitlets.List().tag(sync=True)  # [{run, run_id, values: [cell per column]}]


class HParamsView:
    """TensorBoard's HPARAMS dashboard."""

    title = "Hyperparameters"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._runs: dict[str, dict] = {}  # run id -> {run, hparams, metrics}
        self.widget = HParamsWidget(fallback=self.html, plain=self.text)

    def add(self, run: RunRecord, events: list[Event]) -> None:
        with self._lock:
            changed = False
            for ev in events:
                if ev.kind != "hparams":
                    continue
                p = ev.payload
                self._runs[run.id] = {"run": run_label(run), "hparams": dict(p.get("hparams") or {}),
                                      "metrics": dict(p.get("metrics") or {})}
                changed = True
            if changed:
                self._send()

    def _columns(self) -> tuple[list[str], list[str]]:
        hp, mt = {}, {}
        for r in self._runs.values():
            hp.update(dict.fromkeys(r["hparams"]))
            mt.update(dict.fromkeys(r["metrics"]))
        return list(hp), list(mt)

    def _send(self) -> None:
        hp, mt = self._columns()
        rows = [{"run": r["run"], "run_id": rid,
                 "values": [_cell(r["hparams"].get(c)) for c in hp] + [_cell(r["metrics"].get(c)) for c in mt]}
                for rid, r in self._runs.items()]
        with self.widget.hold_sync():
            self.widget.hparams, self.widget.metrics, self.widget.rows = hp, mt, rows
        self.widget.show()

    def text(self) -> str:
        with self._lock:
            hp, mt = self._columns()
            n = len(self._runs)
        if not n:
            return "Hyperparameters: none logged"
        return f"Hyperparameters: {n} runs; hparams {', '.join(hp)}; metrics {', '.join(mt)}"

    def html(self) -> str:
        with self._lock:
            hp, mt = self._columns()
            runs = list(self._runs.values())[:HTML_MAX_ROWS]
        head = "".join(f"<th>{esc(c)}</th>" for c in ["run", *hp, *mt])
        body = []
        for r in runs:
            cells = [r["hparams"].get(c) for c in hp] + [r["metrics"].get(c) for c in mt]
            tds = "".join(f'<td class="{"num" if isinstance(v, (int, float)) else ""}">{esc(format_cell(v))}</td>'
                          for v in cells)
            body.append(f"<tr><td>{esc(r['run'])}</td>{tds}</tr>")
        return (f'{STYLE}<div class="nbm-static nbm-static-hparams"><table><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table></div>")


register_view(("hparams",), HParamsView)
