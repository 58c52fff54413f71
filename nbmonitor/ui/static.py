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
from typing import TYPE_CHECKING

import numpy as np

from ..output.sparkline import img_sparkline, text_sparkline

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


def spark_html(dec) -> str:
    """A series' PNG sparkline; stretches that held NaN/inf are red dots."""
    m, nf = dec.means(SPARK_POINTS)
    return img_sparkline(np.where(nf & ~np.isfinite(m), np.nan, m), points=SPARK_POINTS)


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
    return f"nbmonitor panel: {r.project}/{r.name} · {r.state} · {steps}{total} {unit}{more}", tr


def panel_text(panel: Panel) -> str:
    """The focus run's keys with unicode sparklines and last/min/max."""
    line, tr = summary_line(panel)
    lines = [line]
    if tr is not None:
        keys = [k for k in sorted(tr.series) if panel.publisher.key_wanted(k)]
        wk = max((len(k) for k in keys), default=0)
        for k in keys:
            dec = tr.series[k].decimator
            last = dec.last[1] if dec.last else float("nan")
            m, _ = dec.means(20)
            lines.append(f"  {k:>{wk}} {text_sparkline(m, 20)} last {format_number(last)}"
                         f"  min {format_number(dec.min)}  max {format_number(dec.max)}")
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
    runs = panel.publisher.runs
    if len(runs) > 1:
        parts.append("<div>" + " ".join(
            f'<span style="color:{e(t.color)}">●</span> {e(t.record.name)} <span style="color:#777">'
            f"({e(t.record.state)}, {t.step + 1} steps)</span>" for t in runs.values()) + "</div>")
    if rows and tr is not None:
        body = []
        for row in rows:
            dec = tr.series[row["key"]].decimator
            body.append(
                f'<tr><td style="text-align:left;padding-right:8px">{e(row["key"])}</td>'
                f"<td>{spark_html(dec)}</td>"
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
