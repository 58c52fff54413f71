"""`define_metric(name, step_metric=, summary=, goal=, hidden=)`: W&B's per-metric summary and x-axis.

`name` may be a glob ("val/*"). `summary` is a comma list of "min", "max",
"mean", "last", "best", "first", "copy" or "none": with any of the aggregates
the summary entry becomes a dict as W&B's (`summary["loss"] == {"min": 0.1}`,
shown as `loss.min`); "none" keeps the key out of the summary. "best" needs
`goal="minimize"` or `"maximize"` (W&B's `objective`).

The aggregates are updated from the sealed columns, on the writer thread
(`update`), never inside `log()`; the summary reads them through `apply`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import math
import threading
from typing import Any

import numpy as np

SUMMARY_OPS = ("min", "max", "mean", "last", "best", "first", "copy", "none")
GOALS = {"minimize": "minimize", "min": "minimize", "maximize": "maximize", "max": "maximize"}


@dataclasses.dataclass
class MetricDef:
    name: str
    step_metric: str | None = None
    summary: tuple[str, ...] = ()
    goal: str | None = None
    hidden: bool = False
    step_sync: bool | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "step_metric": self.step_metric, "summary": list(self.summary),
                "goal": self.goal, "hidden": self.hidden}


def make_def(name: str, step_metric: Any = None, step_sync: bool | None = None, hidden: bool | None = None,
             summary: str | None = None, goal: str | None = None, overwrite: bool | None = None,
             **unknown: Any) -> MetricDef:
    if unknown:
        raise TypeError(f"define_metric() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"define_metric: name must be a non-empty string, got {name!r}")
    if step_metric is not None and not isinstance(step_metric, str):
        step_metric = getattr(step_metric, "name", None)
        if not isinstance(step_metric, str):
            raise TypeError("define_metric: step_metric must be a metric name (a string)")
    ops: tuple[str, ...] = ()
    if summary is not None:
        ops = tuple(s.strip().lower() for s in str(summary).split(",") if s.strip())
        bad = [s for s in ops if s not in SUMMARY_OPS]
        if bad:
            raise ValueError(f"define_metric: summary must be among {', '.join(SUMMARY_OPS)}; got {', '.join(bad)}")
    if goal is not None:
        if str(goal).lower() not in GOALS:
            raise ValueError(f"define_metric: goal must be 'minimize' or 'maximize', got {goal!r}")
        goal = GOALS[str(goal).lower()]
    if "best" in ops and goal is None:
        raise ValueError("define_metric: summary='best' needs goal='minimize' or goal='maximize'")
    return MetricDef(name, step_metric, ops, goal, bool(hidden), step_sync)


class MetricDefs:
    """The run's metric definitions and the running aggregates their summaries need."""

    def __init__(self) -> None:
        self._defs: list[MetricDef] = []
        self._agg: dict[str, dict[str, float]] = {}  # key -> {"min", "max", "sum", "n", "first"}
        self._lock = threading.Lock()
        self._cache: dict[str, MetricDef | None] = {}

    def __bool__(self) -> bool:
        return bool(self._defs)

    def add(self, d: MetricDef) -> None:
        with self._lock:
            self._defs = [x for x in self._defs if x.name != d.name] + [d]
            self._cache = {}

    def lookup(self, key: str) -> MetricDef | None:
        """The definition for `key`: an exact name first, else the last matching glob."""
        cache = self._cache
        if key in cache:
            return cache[key]
        found = None
        for d in self._defs:
            if d.name == key:
                found = d
                break
            if any(c in d.name for c in "*?[") and fnmatch.fnmatchcase(key, d.name):
                found = d
        cache[key] = found
        return found

    def definitions(self) -> list[dict]:
        return [d.as_dict() for d in self._defs]

    def step_metric(self, key: str) -> str | None:
        d = self.lookup(key)
        return d.step_metric if d else None

    def update(self, key: str, values: np.ndarray) -> None:
        """Fold new values of `key` into its aggregates (writer thread; only keys with a summary op)."""
        d = self.lookup(key)
        if d is None or not d.summary or not len(values):
            return
        v = np.asarray(values, dtype=np.float64)
        finite = v[np.isfinite(v)]
        with self._lock:
            a = self._agg.setdefault(key, {"min": math.inf, "max": -math.inf, "sum": 0.0, "n": 0, "first": float(v[0])})
            if finite.size:
                a["min"] = min(a["min"], float(finite.min()))
                a["max"] = max(a["max"], float(finite.max()))
                a["sum"] += float(finite.sum())
                a["n"] += int(finite.size)

    def apply(self, summary: dict) -> dict:
        """The summary as W&B shows it: aggregated keys become {"min": ..} dicts, "none" keys are dropped."""
        if not self._defs:
            return summary
        out = dict(summary)
        for key in list(summary):
            d = self.lookup(key)
            if d is None or not d.summary:
                continue
            ops = d.summary
            if "none" in ops:
                out.pop(key, None)
                continue
            if ops == ("copy",) or ops == ("last",):
                continue
            last = summary[key]
            a = self._agg.get(key)
            entry: dict[str, Any] = {}
            for op in ops:
                if op == "last" or op == "copy":
                    entry["last"] = last
                elif a is None or not a["n"]:
                    continue
                elif op == "min":
                    entry["min"] = a["min"]
                elif op == "max":
                    entry["max"] = a["max"]
                elif op == "mean":
                    entry["mean"] = a["sum"] / a["n"]
                elif op == "first":
                    entry["first"] = a["first"]
                elif op == "best":
                    entry["best"] = a["min"] if d.goal == "minimize" else a["max"]
            out[key] = entry
        return out
