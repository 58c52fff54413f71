"""A group of runs as one line: the min/median/max band across its runs, and its stragglers.

Pure numpy, no widgets (the panel's side is `groups.py`). A group is the runs of the
panel sharing a `RunRecord.group` (two or more): `init(group="exp1", distributed="all")`
under torchrun makes one, its runs named `<name>/rank<k>`.

  find_groups(runs) -> {group: [run ids by rank]}
  band([(x, y), ...]) -> Band(x, lo, median, hi, n)     per key, across the group's runs
  straggling({run: step times}) -> Stragglers            ranks whose median step time
                                                         is >= STRAGGLER_RATIO x the group's

The band is drawn on the union of the runs' x values (at most `BAND_POINTS`): each
run's line is interpolated there inside its own x range (outside it, it is not counted),
so ranks that log at the same steps give the exact min/median/max at every step.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BAND_POINTS", "STRAGGLER_RATIO", "Band", "Stragglers", "band", "find_groups", "rank_label",
           "rank_of", "straggling"]

BAND_POINTS = 2000
STRAGGLER_RATIO = 1.2
_RANK = re.compile(r"/rank(\d+)$")


def rank_of(name: str) -> int | None:
    """`job/rank3` -> 3; None for a name that is not a rank's."""
    m = _RANK.search(name)
    return int(m.group(1)) if m else None


def rank_label(name: str) -> str:
    """What a group's member is called beside its group: `job/rank3` -> `rank3`, else the run's name."""
    k = rank_of(name)
    return f"rank{k}" if k is not None else name


def find_groups(records: Mapping[str, Any]) -> dict[str, list[str]]:
    """{group: [run id, ...]} for every group two or more of `records` share (run id -> RunRecord, or
    anything with `.record`), members by rank then name; groups by name."""
    members: dict[str, list[tuple[int, str, str]]] = {}
    for run_id, r in records.items():
        rec = getattr(r, "record", r)
        g = getattr(rec, "group", None)
        if isinstance(g, str) and g:
            k = rank_of(rec.name)
            members.setdefault(g, []).append((k if k is not None else 1 << 30, rec.name, run_id))
    return {g: [m[2] for m in sorted(ms)] for g, ms in sorted(members.items()) if len(ms) >= 2}


@dataclass
class Band:
    """Across a group's runs, at each x: the least, median and greatest value and how many runs had one."""

    x: np.ndarray
    lo: np.ndarray
    median: np.ndarray
    hi: np.ndarray
    n: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


def _grid(xs: list[np.ndarray], points: int) -> np.ndarray:
    grid = np.unique(np.concatenate(xs)) if xs else np.zeros(0)
    if len(grid) > points:
        grid = np.unique(grid[np.linspace(0, len(grid) - 1, points).round().astype(np.int64)])
    return grid


def band(series: Sequence[tuple[np.ndarray, np.ndarray]], points: int = BAND_POINTS) -> Band:
    """The min/median/max band of `series` ((x, y) per run, x non-decreasing); NaN/inf values are left out."""
    clean = []
    for x, y in series:
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        ok = np.isfinite(y) & np.isfinite(x)
        if ok.any():
            clean.append((x[ok], y[ok]))
    grid = _grid([x for x, _ in clean], points)
    if not clean or not len(grid):
        e = np.zeros(0)
        return Band(e, e, e, e, np.zeros(0, np.int64))
    rows = np.full((len(clean), len(grid)), np.nan)
    for i, (x, y) in enumerate(clean):
        inside = (grid >= x[0]) & (grid <= x[-1])
        rows[i, inside] = np.interp(grid[inside], x, y)
    n = np.isfinite(rows).sum(axis=0)
    with warnings.catch_warnings():  # a column no run reaches is NaN, as it should be
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, med, hi = np.nanmin(rows, axis=0), np.nanmedian(rows, axis=0), np.nanmax(rows, axis=0)
    return Band(grid, lo, med, hi, n)


@dataclass
class Stragglers:
    """Median step time per run, the group's median of those, and the runs at >= ratio x it (slowest first)."""

    medians: dict[str, float] = field(default_factory=dict)
    group_median: float = float("nan")
    slow: list[str] = field(default_factory=list)
    ratio: float = STRAGGLER_RATIO

    def factor(self, run_id: str) -> float:
        """How many times the group's median step time this run's median is (NaN when unknown)."""
        m = self.medians.get(run_id)
        g = self.group_median
        return m / g if m is not None and g > 0 else float("nan")


def straggling(step_times: Mapping[str, np.ndarray], ratio: float = STRAGGLER_RATIO) -> Stragglers:
    """Stragglers of a group from each run's step times (seconds; non-finite ones left out). The group's
    median is the median of the runs' medians; at least two runs with step times are needed to call one slow."""
    medians = {}
    for run_id, v in step_times.items():
        v = np.asarray(v, np.float64)
        v = v[np.isfinite(v)]
        if len(v):
            medians[run_id] = float(np.median(v))
    out = Stragglers(medians, ratio=ratio)
    if len(medians) < 2:
        return out
    out.group_median = float(np.median(list(medians.values())))
    if out.group_median > 0:
        out.slow = sorted((r for r, m in medians.items() if m >= ratio * out.group_median),
                          key=lambda r: -medians[r])
    return out
