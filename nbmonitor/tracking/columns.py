"""Sealing: a run's buffered rows turned into one (steps, values, times) array triple per key.

Moved out of `run.py` as is; `Run._seal` is the one caller.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np

from .values import resolve


def columns(rows: list) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(step, time, {key: value}) rows as (steps, values, times) arrays per key, in row order.

    Rows are taken in groups with the same set of keys (the training loop's
    rows, the system sampler's rows): each group's columns are read with C-level
    iteration and no object is made per row, so sealing costs far less than
    logging did. Past a few groups the rest goes through a plain loop.
    """
    n = len(rows)
    if not n:
        return {}
    steps = np.fromiter(map(_ROW_STEP, rows), np.int64, n)
    times = np.fromiter(map(_ROW_TIME, rows), np.float64, n)
    dicts = list(map(_ROW_VALS, rows))
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    rest = np.arange(n)
    sub = dicts
    for _ in range(8):
        keys0 = sub[0].keys()
        same = np.fromiter(map(keys0.__eq__, map(dict.keys, sub)), bool, len(sub))
        if not same.all():
            group = [sub[i] for i in np.flatnonzero(same)]
            take, rest = rest[same], rest[~same]
            sub = [sub[i] for i in np.flatnonzero(~same)]
        else:
            group, take, rest, sub = sub, rest, rest[:0], []
        for k in keys0:
            parts.setdefault(k, []).append((take, _column(map(itemgetter(k), group), len(group))))
        if not sub:
            break
    else:  # many different sets of keys: one row at a time
        cols: dict[str, tuple[list, list]] = {}
        for i, d in zip(rest.tolist(), sub):
            for k, v in d.items():
                c = cols.get(k)
                if c is None:
                    c = cols[k] = ([], [])
                c[0].append(i)
                c[1].append(v)
        for k, (ii, vs) in cols.items():
            parts.setdefault(k, []).append((np.array(ii, np.intp), _column(vs, len(vs))))
    out = {}
    for k, ps in parts.items():
        if len(ps) == 1 and len(ps[0][0]) == n:
            out[k] = (steps, ps[0][1], times)
            continue
        ia = np.concatenate([p[0] for p in ps]) if len(ps) > 1 else ps[0][0]
        v = np.concatenate([p[1] for p in ps]) if len(ps) > 1 else ps[0][1]
        if len(ps) > 1:
            order = np.argsort(ia, kind="stable")
            ia, v = ia[order], v[order]
        out[k] = (steps[ia], v, times[ia])
    return out


def _column(values, n: int) -> np.ndarray:
    """A float64 array of `n` values; GPU values (`Deferred`) converted in one batch."""
    values = list(values)
    try:
        return np.fromiter(values, np.float64, n)
    except TypeError:  # a Deferred (a tensor on a GPU) among them: it has no __float__ on purpose
        return np.array(resolve(values), np.float64)


_ROW_STEP, _ROW_TIME, _ROW_VALS = itemgetter(0), itemgetter(1), itemgetter(2)
