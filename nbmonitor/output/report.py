"""The end-of-run block: run history as sparklines and the run summary.

Shown by `finish()` (displayed in a notebook, printed in a terminal) with a
deterministic `text/plain` and an HTML table holding PNG sparklines (kept by JupyterLab's sanitizer), so a
saved notebook shows it on GitHub/nbviewer and nbval can compare it.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from ..store import is_system_key
from .format import format_value
from .sparkline import img_sparkline, text_sparkline

MAX_HISTORY_KEYS = 30  # past this, the block says how many it shows and where the rest are
SPARK_WIDTH = 40


class RunReport:
    def __init__(self, project: str, name: str, state: str, steps: int,
                 history: dict[str, np.ndarray], summary: dict[str, Any], keys: int | None = None):
        self.keys = len(history) if keys is None else keys  # keys the run logged (history holds the first few)
        self.project = project
        self.name = name
        self.state = state
        self.steps = steps
        self.history = history
        self.summary = summary

    @classmethod
    def from_series(cls, record, series: dict, summary: dict | None = None) -> RunReport:
        keys = [k for k in sorted(series) if not k.startswith("_") and not is_system_key(k)]
        shown = keys[:MAX_HISTORY_KEYS]
        steps = max((int(series[k].steps.max()) + 1 for k in keys if len(series[k])), default=0)
        summary = record.summary if summary is None else summary
        return cls(record.project, record.name, record.state, steps,
                   {k: series[k].values for k in shown}, summary, keys=len(keys))

    def _scalar_summary(self) -> dict[str, Any]:
        """Summary values worth a line: numbers and text, not media ({"_type": ...}) or private keys."""
        return {k: v for k, v in self.summary.items()
                if not k.startswith("_") and not (isinstance(v, dict) and "_type" in v)}

    def _history_title(self) -> str:
        if self.keys <= len(self.history):
            return "Run history"
        return (f"Run history ({len(self.history)} of {self.keys} keys; all of them: run.history(), "
                f"or nbmonitor.get_run({self.name!r}).history())")

    def _title(self) -> str:
        return f"nbmonitor run {self.name!s} in project {self.project!s}: {self.state}, {self.steps} steps"

    def __str__(self) -> str:
        lines = [self._title()]
        if self.history:
            lines.append(f"{self._history_title()}:")
            w = max(len(k) for k in self.history)
            lines += [f"  {k:>{w}} {text_sparkline(v, SPARK_WIDTH)}" for k, v in self.history.items()]
        summary = self._scalar_summary()
        if summary:
            lines.append("Run summary:")
            w = max(len(k) for k in summary)
            lines += [f"  {k:>{w}} {format_value(v)}" for k, v in summary.items()]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        e = html.escape
        parts = [
            '<div class="nbm-report" style="font-family:sans-serif;font-size:13px">',
            f'<div class="nbm-report-title"><b>{e(self.name)}</b> '
            f'<span style="color:#666">({e(self.project)}) · {e(self.state)} · {self.steps} steps</span></div>',
            '<div style="display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap">',
        ]
        if self.history:
            rows = "".join(
                f'<tr><td style="text-align:right;padding-right:8px">{e(k)}</td>'
                f"<td>{img_sparkline(v)}</td></tr>"
                for k, v in self.history.items()
            )
            title = e(self._history_title())
            parts.append(f'<table class="nbm-history"><caption style="text-align:left"><b>{title}</b></caption>{rows}</table>')
        summary = self._scalar_summary()
        if summary:
            rows = "".join(
                f'<tr><td style="text-align:right;padding-right:8px">{e(k)}</td>'
                f'<td style="text-align:left">{e(format_value(v))}</td></tr>'
                for k, v in summary.items()
            )
            parts.append(f'<table class="nbm-summary"><caption style="text-align:left"><b>Run summary</b></caption>{rows}</table>')
        parts.append("</div></div>")
        return "".join(parts)


def report_for(run) -> RunReport:
    """The report of a Run (after its data is written) or of a RunView."""
    store = run.store
    record = store.get_run(run.id)
    return RunReport.from_series(record, store.read_series(run.id), run.summary.as_dict())


def show_report(run) -> None:
    from .._env import in_notebook

    report = report_for(run)
    if in_notebook():
        from IPython.display import display

        display(report)
    else:
        print(report)
