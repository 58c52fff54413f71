"""pandas DataFrames of a run's history and of a list of runs (pandas imported here only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..store import Chunk, RunRecord, is_system_key


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError('DataFrames need pandas: pip install "nbmonitor[notebook]"') from None
    return pd


def select_stream(series: dict[str, Chunk], stream: str = "default", keys=None) -> dict[str, Chunk]:
    """The series of one stream: "default" (training steps) or "system" (machine metrics, own step axis).

    Keys asked for by name are kept whatever their stream.
    """
    if stream not in ("default", "system"):
        raise ValueError(f"history: stream must be 'default' or 'system', got {stream!r}")
    if keys is not None:
        return series
    system = stream == "system"
    return {k: ch for k, ch in series.items() if is_system_key(k) == system}


def history_frame(series: dict[str, Chunk]):
    """One row per step (`_step`, `_timestamp`, a column per key; a key logged twice at one step keeps the last)."""
    pd = _pandas()
    keys = sorted(series)
    if not keys:
        return pd.DataFrame({"_step": np.empty(0, np.int64), "_timestamp": np.empty(0)})
    steps = np.unique(np.concatenate([series[k].steps for k in keys]))
    stamp = np.full(len(steps), np.nan)
    cols: dict[str, np.ndarray] = {}
    for k in keys:
        ch = series[k]
        idx = np.searchsorted(steps, ch.steps)
        col = np.full(len(steps), np.nan)
        col[idx] = ch.values  # later duplicates overwrite earlier ones
        cols[k] = col
        stamp[idx] = np.fmax(stamp[idx], ch.times)
    return pd.DataFrame({"_step": steps, "_timestamp": stamp, **cols})


def runs_frame(records: Iterable[RunRecord]):
    """name, id, project, state, created, then config columns, then summary columns.

    A config key that is also a run column comes as `config.<key>`, a summary key that
    is also a column as `summary/<key>`: nothing overwrites another column.
    """
    pd = _pandas()
    rows = []
    config_keys: dict[str, None] = {}
    summary_keys: dict[str, None] = {}
    for r in records:
        config_keys.update(dict.fromkeys(r.config))
        summary_keys.update(dict.fromkeys(k for k, v in r.summary.items()  # media ({"_type": ...}) stay out
                                          if not k.startswith("_") and not (isinstance(v, dict) and "_type" in v)))
        rows.append(r)
    table: dict[str, list] = {"name": [], "id": [], "project": [], "state": [], "created": []}
    ccols: dict[str, list] = {k: [] for k in config_keys}
    scols: dict[str, list] = {k: [] for k in summary_keys}
    for r in rows:
        table["name"].append(r.name)
        table["id"].append(r.id)
        table["project"].append(r.project)
        table["state"].append(r.state)
        table["created"].append(r.created)
        for k in config_keys:
            ccols[k].append(r.config.get(k))
        for k in summary_keys:
            v = r.summary.get(k)
            scols[k].append(np.nan if v is None else v)
    columns: dict[str, Any] = {k: table[k] for k in ("name", "id", "project")}
    if any(r.group for r in rows):  # distributed jobs and grouped runs
        columns["group"] = [r.group for r in rows]
    columns["state"] = table["state"]
    columns["created"] = pd.to_datetime(pd.Series(table["created"], dtype="float64"), unit="s")
    for k, v in ccols.items():  # a config key named like a run column ("name", "state"...) keeps its own
        columns[f"config.{k}" if k in columns or k in table or k == "group" else k] = v
    for k, v in scols.items():
        columns[f"summary/{k}" if k in columns else k] = v
    return pd.DataFrame(columns)  # built at once: a Trainer's config has ~100 columns
