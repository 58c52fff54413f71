"""The panel as static text and HTML: what a saved notebook, nbconvert, GitHub and front ends
without widget JavaScript show.

`panel_text(panel)`: deterministic text (unicode sparklines, last/min/max; no addresses).
`panel_html(panel)`: escaped HTML that JupyterLab's sanitizer keeps in an untrusted notebook:
a table with PNG sparklines (`<img src="data:image/png;base64,...">`; inline `<svg>` is
stripped), plain inline styles, and each event view's own HTML.
"""

from __future__ import annotations

import html
import math
import time
from typing import TYPE_CHECKING

import numpy as np

from ..output.sparkline import img_sparkline, text_sparkline
from .axes import series_means

if TYPE_CHECKING:
    from .panel import Panel
    from .publisher import TrackedRun

SPARK_POINTS = 60


def format_number(v: float) -> str:
    """Short and exact when that fits: repr up to 10 characters, else 6 significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    r = repr(float(v))
    if r.endswith(".0") and abs(v) < 1e15:
        r = r[:-2]
    return r if len(r) <= 10 else format(v, ".6g")


def state_label(r) -> str:
    """The run's state as a person reads it: a logdir's idle run says since when (its files' mtime)."""
    if r.state == "idle" and r.heartbeat:
        t = time.localtime(r.heartbeat)
        fmt = "%H:%M:%S" if time.strftime("%Y-%m-%d", t) == time.strftime("%Y-%m-%d") else "%Y-%m-%d %H:%M"
        return f"idle since {time.strftime(fmt, t)}"
    return r.state


def spark_html(dec, color: str | None = None, means: tuple[np.ndarray, np.ndarray] | None = None) -> str:
    """A series' PNG sparkline in the run's colour (its legend dot's); stretches that held NaN/inf are red dots.
    `means`: the (means, NaN/inf mask) to draw instead of `dec.means()` (axes.series_means: against a step metric)."""
    m, nf = means if means is not None else dec.means(SPARK_POINTS)
    return img_sparkline(np.where(nf & ~np.isfinite(m), np.nan, m), points=SPARK_POINTS, color=color)


def summary_line(panel: Panel) -> tuple[str, TrackedRun | None]:
    pub = panel.publisher
    tr = pub.focus_run()
    if tr is None:
        where = f"project {panel.project}" if panel.project else "all projects"
        return f"nbmonitor panel: no runs yet in {where}", None
    r = tr.record
    steps = tr.step + 1
    total = f"/{r.total_steps}" if r.total_steps else ""
    others = len(pub.runs) - 1
    more = f" (+{others} more run{'s' if others > 1 else ''})" if others > 0 else ""
    unit = "step" if steps == 1 and not total else "steps"
    return f"nbmonitor panel: {r.project}/{tr.label} · {state_label(r)} · {steps}{total} {unit}{more}", tr


def shown_runs(panel: Panel) -> tuple[list[TrackedRun], str]:
    """The runs the panel draws (the newest `controls.limit`) and "showing 10 of 30 runs" ('' if all)."""
    runs = list(panel.publisher.runs.values())
    limit = panel.controls.limit
    shown = runs[-limit:] if 0 < limit < len(runs) else runs
    total = max(panel.publisher.total_runs, len(runs))
    if len(shown) >= total:
        return shown, ""
    text = f"showing {len(shown)} of {total} runs"
    if total > len(runs):
        text += f" (the newest {len(runs)} read; max_runs / --max-runs reads more)"
    return shown, text


def panel_text(panel: Panel) -> str:
    """The focus run's keys with unicode sparklines and last/min/max."""
    line, tr = summary_line(panel)
    lines = [line]
    if tr is not None:
        keys = [k for k in sorted(tr.series) if panel.publisher.key_wanted(k) and not tr.axes.hidden(k)]
        wk = max((len(k) for k in keys), default=0)
        for k in keys:
            dec = tr.series[k].decimator
            last = dec.last[1] if dec.last else float("nan")
            m, _ = series_means(tr, k, 20)
            x = tr.axes.step_metric(k)  # define_metric(step_metric=): its charts' x-axis
            lines.append(f"  {k:>{wk}} {text_sparkline(m, 20)} last {format_number(last)}"
                         f"  min {format_number(dec.min)}  max {format_number(dec.max)}" + (f"  vs {x}" if x else ""))
    return "\n".join(lines)


def panel_html(panel: Panel, rows: list[dict], views_html: list[str], live: bool = False) -> str:
    """Header line, runs, the focus run's sparkline table (`rows` from the panel), alerts, views."""
    e = html.escape
    line, tr = summary_line(panel)
    cls = "nbm-panel-static nbm-live-fallback" if live else "nbm-panel-static"
    parts = [f'<div class="{cls}" style="font-family:sans-serif;font-size:13px">',
             f"<div><b>{e(line)}</b></div>"]
    if live:
        parts.append('<div style="color:#777;font-size:12px">(a static copy of the live panel, '
                     'refreshed every few seconds while the run goes on)</div>')
    runs, showing = shown_runs(panel)
    if len(runs) > 1 or showing:
        parts.append("<div>" + " ".join(
            f'<span style="color:{e(t.color)}">●</span> {e(t.label)} <span style="color:#777">'
            f"({e(t.record.state)}, {t.step + 1} steps)</span>" for t in runs) + "</div>")
    if showing:
        parts.append(f'<div class="nbm-showing" style="color:#777">{e(showing)}</div>')
    if rows and tr is not None:
        body = []
        for row in rows:
            dec = tr.series[row["key"]].decimator
            x = tr.axes.step_metric(row["key"])
            vs = f' <span style="color:#777">vs {e(x)}</span>' if x else ""
            body.append(
                f'<tr><td style="text-align:left;padding-right:8px">{e(row["key"])}{vs}</td>'
                f"<td>{spark_html(dec, tr.color, series_means(tr, row['key'], SPARK_POINTS))}</td>"
                + "".join(f'<td style="text-align:right;padding-left:8px;font-family:monospace">'
                          f"{e(row[c])}</td>" for c in ("last", "min", "max"))
                + "</tr>")
        parts.append('<table class="nbm-sparktable-static"><tr><th style="text-align:left">key</th>'
                     "<th>history</th><th>last</th><th>min</th><th>max</th></tr>"
                     + "".join(body) + "</table>")
    for a in panel.alerts():
        parts.append(f'<div style="border-left:4px solid #d62728;padding-left:6px;margin-top:4px">'
                     f'<b>{e(a["level"])} · {e(a["title"])}</b> ({e(a["run"])}) {e(a["text"])}</div>')
    parts += views_html
    parts.append("</div>")
    return "".join(parts)
