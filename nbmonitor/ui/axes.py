"""W&B's `define_metric` as the panel sees it: the x-axis of a key's chart and the keys kept out.

`run.define_metric("val/*", step_metric="epoch", hidden=...)` is recorded by the run as a
"wandb" event whose payload holds the definitions (tracking/wandb_run.py). The publisher
hands each such payload to the run's `MetricAxes`; the panel then asks it:

  step_metric(key) -> "epoch" | None   the key is drawn against that metric's values
  hidden(key) -> bool                  no chart and no table row for the key

Names follow W&B's rule: an exact definition first, else the last glob ("val/*") that
matches. `map_x` turns a series' steps into the step metric's values: the value the step
metric had at that step (its last value logged at or before it, as W&B fills in the step
metric of a row that lacks it); points before the step metric's first value are dropped.
"""

from __future__ import annotations

import fnmatch

import numpy as np

__all__ = ["MetricAxes", "map_x", "series_means", "xmapper"]


class MetricAxes:
    """One run's metric definitions (a list of {"name", "step_metric", "hidden", ...} dicts)."""

    def __init__(self) -> None:
        self.defs: list[dict] = []
        self._cache: dict[str, dict | None] = {}

    def __bool__(self) -> bool:
        return bool(self.defs)

    def update(self, defs: list) -> bool:
        """Take the run's definitions; True when they changed."""
        defs = [d for d in defs or () if isinstance(d, dict) and isinstance(d.get("name"), str)]
        if defs == self.defs:
            return False
        self.defs = defs
        self._cache = {}
        return True

    def lookup(self, key: str) -> dict | None:
        if key in self._cache:
            return self._cache[key]
        found = None
        for d in self.defs:
            name = d["name"]
            if name == key:
                found = d
                break
            if any(c in name for c in "*?[") and fnmatch.fnmatchcase(key, name):
                found = d
        self._cache[key] = found
        return found

    def step_metric(self, key: str) -> str | None:
        d = self.lookup(key)
        m = d.get("step_metric") if d else None
        return m if isinstance(m, str) and m and m != key else None

    def hidden(self, key: str) -> bool:
        d = self.lookup(key)
        return bool(d and d.get("hidden"))


def map_x(steps: np.ndarray, values: np.ndarray, ref_steps: np.ndarray,
          ref_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, values, kept) of the points at `steps`, x the step metric's value there (see the module doc).

    `ref_steps`/`ref_values`: the step metric's points in step order (NaN gaps ignored); `kept`
    is the mask of the points that have an x.
    """
    steps = np.asarray(steps)
    ok_ref = np.isfinite(ref_values)
    rs, rv = np.asarray(ref_steps)[ok_ref], np.asarray(ref_values, np.float64)[ok_ref]
    if not len(rs):
        kept = np.zeros(len(steps), bool)
        return np.zeros(0), np.asarray(values)[kept], kept
    i = np.searchsorted(rs, steps, side="right") - 1
    kept = i >= 0
    x = rv[np.clip(i, 0, None)]
    return x[kept], np.asarray(values)[kept], kept


def xmapper(tr, key: str):
    """For the tracked run `tr`'s series `key`: (label, fn) where fn(steps, values) -> (x, values)
    draws it against its step metric, or ("step", None) when it is drawn against steps."""
    m = tr.axes.step_metric(key)
    if m is None:
        return "step", None
    ref = tr.series.get(m)
    if ref is None:  # the step metric has no value yet: no point has an x
        rs, rv = np.zeros(0, np.int64), np.zeros(0)
    else:
        rs, rv = ref.decimator.points()

    def fn(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, v, _ = map_x(steps, values, rs, rv)
        return x, v

    return m, fn


def series_means(tr, key: str, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The sparkline of the tracked run's `key` (what `Decimator.means(width)` gives: means and a
    NaN/inf mask); for a key with a step metric, the means over equal stretches of the step metric's
    values, so the sparkline is drawn against it as the key's chart is."""
    dec = tr.series[key].decimator
    label, fn = xmapper(tr, key)
    if fn is None:
        return dec.means(width)
    x, v = fn(*dec.points())
    ok = np.isfinite(x) & np.isfinite(v)
    x, v = x[ok], v[ok]
    if len(x) < 2 or x.min() == x.max():
        return v[-width:].astype(np.float64), np.zeros(min(len(v), width), bool)
    n = min(width, len(x))
    edges = np.linspace(x.min(), x.max(), n + 1)
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, n - 1)
    cnt = np.bincount(idx, minlength=n)
    sums = np.bincount(idx, v, minlength=n)
    good = cnt > 0
    means = np.interp(np.arange(n), np.flatnonzero(good), sums[good] / cnt[good])  # empty stretches: between
    return means, np.zeros(n, bool)
