"""The panel's groups: runs sharing a group drawn as one band per chart, folded or spread in the browser.

A group is two or more of the panel's runs with the same `RunRecord.group` (the ranks of
`init(group=..., distributed="all")` under torchrun, `<name>/rank<k>`). For each key its runs
log, the chart gets one band mark (`Chart.set_band`: max / median / min across the runs,
`groupband.band`), coloured as the group's first run, under the runs' own lines, and the
legend gets the group (its checkbox hides the band). The runs themselves start folded into
the band: they are put in the chart controls' `hidden` list when the group first appears,
and `GroupControls` (js/group.js) folds or spreads them in the browser by editing that list,
so the control acts while a training cell runs. The header flags a straggler: a run whose
median `perf/step_time` is >= `STRAGGLER_RATIO` x the group's (`groupband.straggling`).

The panel calls: `refresh(runs)` when its run list changed, `touch(run_id, key)` for each
new series, `update_timing(runs)` after those, `send(...)` in its send loop (bands spend the same message budget as lines),
and `flags()`, `legend()`, `html()`, `text()` for the header, legend and static views.
Keys drawn against another metric (`define_metric(step_metric=)`) get no band.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping

import anywidget
import numpy as np
import traitlets

from .._js import js_module, js_path
from ..output.band import img_band
from ..tracking.distributed import STEP_TIME_KEY
from .axes import xmapper
from .groupband import STRAGGLER_RATIO, Stragglers, band, find_groups, rank_label, straggling
from .static import format_number

__all__ = ["GroupControls", "Groups", "group_id"]

BAND_EVERY_S = 0.25  # a group's band for a key is recomputed at most this often (its runs write together)


def group_id(group: str) -> str:
    """The group's id among the chart controls' run ids (legend, hidden list, chart bands)."""
    return f"group:{group}"


class GroupControls(anywidget.AnyWidget):
    """One row per group: fold/spread its runs (in the browser), each run's median step time, stragglers.

    Traits: controls (the ChartControls model id), groups [{id, name, color, runs: [{id, label,
    step_time, factor, slow}], step_time, ratio}] (js/group.js)."""

    _esm = js_module("group.js")
    _css = js_path("group.css")
    controls = traitlets.Unicode("").tag(sync=True)
    groups = traitlets.List([]).tag(sync=True)


def _round(v: float | None) -> float | None:
    """Seconds to 3 significant digits (the browser shows them as given), None when unknown."""
    return None if v is None or not np.isfinite(v) else float(f"{v:.3g}")


def _seconds(v: float | None) -> str:
    return "–" if v is None or not np.isfinite(v) else f"{format_number(float(f'{v:.3g}'))} s"


class Groups:
    """The groups of one panel and their bands."""

    def __init__(self, controls) -> None:
        self.controls = controls  # charts.ChartControls: its `hidden` list folds a group's runs
        self.widget = GroupControls(controls=controls.model_id)
        self.widget.layout.display = "none"  # until a group appears
        self.members: dict[str, list[str]] = {}  # group -> run ids
        self._of: dict[str, str] = {}  # run id -> group
        self._dirty: dict[tuple[str, str], float] = {}  # (key, group) -> since when
        self._sent: dict[tuple[str, str], float] = {}
        self._charted: dict[str, set[str]] = {}  # group -> keys with a band
        self.slow: dict[str, Stragglers] = {}
        self._timing_dirty = False

    # -- following the runs -----------------------------------------------------------------------
    def refresh(self, runs: Mapping, charts: Mapping) -> bool:
        """The panel's runs changed: find the groups again; True when they changed. A group seen for the
        first time (or a run new to a group whose runs are folded) starts folded into its band."""
        found = find_groups(runs)
        if found == self.members:
            return False
        hidden = list(self.controls.hidden)
        fold = []
        for g, ids in found.items():
            old = self.members.get(g, [])
            folded = not old or all(r in hidden for r in old)
            fold += [r for r in ids if r not in old and folded and r not in hidden]
        if fold:
            self.controls.hidden = hidden + fold
        for g in set(self.members) - set(found):  # a group left the panel (or has one run left)
            for key in self._charted.pop(g, ()):
                ch = charts.get(key)
                if ch is not None:
                    ch.remove_band(group_id(g))
            self.slow.pop(g, None)
        self.members = found
        self._of = {r: g for g, ids in found.items() for r in ids}
        now = time.monotonic()
        for g, ids in found.items():
            for key in {k for r in ids if r in runs for k in runs[r].series}:
                self._dirty.setdefault((key, g), now)
        self._timing_dirty = True
        self.widget.layout.display = None if found else "none"
        return True

    def touch(self, run_id: str, key: str, now: float) -> None:
        """New points of `key` in `run_id`."""
        g = self._of.get(run_id)
        if g is not None:
            self._dirty.setdefault((key, g), now)
            if key == STEP_TIME_KEY:
                self._timing_dirty = True

    # -- sending ------------------------------------------------------------------------------------
    def pending(self, runs: Mapping, charted: Callable[[str], bool], final: bool = False) -> dict:
        """The bands to send: {(key, group id): (last sent, dirty since)}, for the panel to order with its
        lines (least recently sent first: bands and lines share the message budget fairly). A band is sent
        at most every BAND_EVERY_S unless `final`; `charted(key)` says whether the panel charts the key."""
        now = time.monotonic()
        out = {}
        for key, g in list(self._dirty):
            ids = self.members.get(g)
            trs = [runs[r] for r in ids or () if r in runs and key in runs[r].series]
            if not trs or not charted(key) or any(xmapper(tr, key)[1] is not None for tr in trs):
                del self._dirty[(key, g)]  # no band: not charted, or drawn against another metric
                continue
            sent = self._sent.get((key, g), -1.0)
            if final or now - sent >= BAND_EVERY_S:
                out[(key, group_id(g))] = (sent, self._dirty[(key, g)])
        return out

    def send_band(self, key: str, gid: str, runs: Mapping, chart: Callable) -> bool:
        """Send one band (one message; `chart(key)` makes or finds the key's chart); True when its mark is new."""
        g = gid[len(group_id("")):]
        self._dirty.pop((key, g), None)
        self._sent[(key, g)] = time.monotonic()
        ids = self.members.get(g, [])
        b = band([runs[r].series[key].decimator.points() for r in ids if r in runs and key in runs[r].series])
        if not len(b):
            return False
        self._charted.setdefault(g, set()).add(key)
        return chart(key).set_band(gid, g, runs[ids[0]].color, b.x, np.vstack([b.hi, b.median, b.lo]))

    def update_timing(self, runs: Mapping) -> bool:
        """The runs' median step times and the stragglers, when new step times came; True when the
        stragglers changed (the header's flags)."""
        if not self._timing_dirty:
            return False
        self._timing_dirty = False
        before = {g: s.slow for g, s in self.slow.items()}
        rows = []
        for g, ids in self.members.items():
            times = {r: runs[r].series[STEP_TIME_KEY].decimator.points()[1]
                     for r in ids if r in runs and STEP_TIME_KEY in runs[r].series}
            s = self.slow[g] = straggling(times)
            rows.append({
                "id": group_id(g), "name": g, "color": runs[ids[0]].color if ids[0] in runs else "#999",
                "step_time": _round(s.group_median), "ratio": STRAGGLER_RATIO,
                "runs": [{"id": r, "label": rank_label(runs[r].record.name) if r in runs else r,
                          "step_time": _round(s.medians.get(r)), "slow": r in s.slow,
                          "factor": s.factor(r) if r in s.slow else None} for r in ids],
            })
        if rows != self.widget.groups:
            self.widget.groups = rows
        return {g: s.slow for g, s in self.slow.items()} != before

    # -- what the panel shows elsewhere ---------------------------------------------------------------
    def stragglers(self, runs: Mapping) -> list[tuple[str, str, float]]:
        """(group, run label, times the group's median step time) of each straggler, slowest first."""
        out = []
        for g, s in self.slow.items():
            for r in s.slow:
                out.append((g, rank_label(runs[r].record.name) if r in runs else r, s.factor(r)))
        return sorted(out, key=lambda t: -t[2])

    def flags(self, runs: Mapping) -> list[dict]:
        """The header's badges: one per straggler."""
        return [{"text": f"straggler: {g} {label} ({f:.2f}× median step time)",
                 "title": f"its median {STEP_TIME_KEY} is >= {STRAGGLER_RATIO}x the median of group {g}'s runs"}
                for g, label, f in self.stragglers(runs)]

    def legend(self, runs: Mapping) -> list[dict]:
        """The groups as legend entries (their checkbox hides the band)."""
        return [{"id": group_id(g), "name": f"{g} (band of {len(ids)} runs)",
                 "color": runs[ids[0]].color if ids[0] in runs else "#999", "state": "group"}
                for g, ids in self.members.items()]

    def _bands(self, runs: Mapping, keys: Callable[[str], bool]):
        for g, ids in self.members.items():
            trs = [runs[r] for r in ids if r in runs]
            names = sorted({k for tr in trs for k in tr.series if keys(k)})
            yield g, trs, [(k, band([tr.series[k].decimator.points() for tr in trs if k in tr.series]))
                           for k in names]

    def text(self, runs: Mapping, keys: Callable[[str], bool]) -> str:
        """Deterministic lines: each group, its stragglers, each key's median last value and range."""
        lines = []
        for g, trs, bands in self._bands(runs, keys):
            s = self.slow.get(g) or Stragglers()
            slow = ", ".join(f"{lb} ({f:.2f}x)" for gg, lb, f in self.stragglers(runs) if gg == g)
            lines.append(f"group {g}: {len(trs)} runs, median step {_seconds(s.group_median)}"
                         + (f"; straggler: {slow}" if slow else ""))
            for k, b in bands:
                if len(b):
                    lines.append(f"  {k}: median last {format_number(float(b.median[-1]))}, "
                                 f"band {format_number(float(np.nanmin(b.lo)))}..{format_number(float(np.nanmax(b.hi)))}")
        return "\n".join(lines)

    def html(self, runs: Mapping, keys: Callable[[str], bool]) -> list[str]:
        """Static, escaped HTML: per group, its stragglers and a table of PNG bands (min..max pale,
        median line) with the median's last value and the band's range."""
        e = html.escape
        out = []
        for g, trs, bands in self._bands(runs, keys):
            color = trs[0].color if trs else "#999"
            s = self.slow.get(g) or Stragglers()
            parts = [f'<div class="nbm-group-static" style="margin-top:6px"><div><span style="color:{e(color)}">'
                     f'●</span> <b>group {e(g)}</b> <span style="color:#777">({len(trs)} runs: '
                     f'{e(", ".join(rank_label(tr.record.name) for tr in trs))}; band = min / median / max; '
                     f'median step {e(_seconds(s.group_median))})</span></div>']
            for gg, label, f in self.stragglers(runs):
                if gg == g:
                    parts.append(f'<div style="color:#a01010;font-weight:600">straggler: {e(label)} '
                                 f'({f:.2f}× the median step time)</div>')
            rows = "".join(
                f'<tr><td style="text-align:left;padding-right:8px">{e(k)}</td>'
                f"<td>{img_band(b.lo, b.median, b.hi, color=color)}</td>"
                f'<td style="text-align:right;padding-left:8px;font-family:monospace">{e(format_number(float(b.median[-1])))}</td>'
                f'<td style="text-align:right;padding-left:8px;font-family:monospace">{e(format_number(float(np.nanmin(b.lo))))}</td>'
                f'<td style="text-align:right;padding-left:8px;font-family:monospace">{e(format_number(float(np.nanmax(b.hi))))}</td></tr>'
                for k, b in bands if len(b))
            if rows:
                parts.append('<table class="nbm-group-bands"><tr><th style="text-align:left">key</th><th>band</th>'
                             "<th>median last</th><th>min</th><th>max</th></tr>" + rows + "</table>")
            parts.append("</div>")
            out.append("".join(parts))
        return out
