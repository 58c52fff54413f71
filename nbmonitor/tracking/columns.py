"""Sealing: a run's buffered rows turned into one (steps, values, times) array triple per key.

Moved out of `run.py` as is; `Run._seal` is the one caller.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np

from .values import resolve, to_float


def columns(rows: list) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(step, time, {key: value}) rows as (steps, values, times) arrays per key, in row order.

    Rows are taken in groups with the same set of keys (the training loop's
    rows, the system sampler's rows): each group's columns are read with C-level
    iteration and no object is made per row, so sealing costs far less than
    logging did. Rows that all have the same keys (checked by their sizes and a
    lookup of each key, not by comparing key sets) are one group at once. Past a
    few groups the rest goes through a plain loop.
    """
    n = len(rows)
    if not n:
        return {}
    steps = np.fromiter(map(_ROW_STEP, rows), np.int64, n)
    times = np.fromiter(map(_ROW_TIME, rows), np.float64, n)
    dicts = list(map(_ROW_VALS, rows))
    if len(set(map(len, dicts))) == 1:  # the usual case, every row with the same keys: same size, and each has
        try:  # every key of the first row (a KeyError otherwise)
            return {k: (steps, _column(map(itemgetter(k), dicts), n), times) for k in dicts[0]}
        except KeyError:
            pass
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
    """A float64 array of `n` values as `log()` kept them (floats, ints, numpy scalars: `values.RAW`).

    GPU values (`Deferred`) are converted in one batch; an int too large for a float becomes +-inf.
    """
    values = list(values)
    try:
        if type(values[0]) in _DIRECT:
            return np.fromiter(values, np.float64, n)
        return np.fromiter(map(float, values), np.float64, n)  # numpy scalars: float() is ~3x numpy's own cast
    except (TypeError, OverflowError):  # a Deferred (no __float__ on purpose) or a huge int among them
        return np.fromiter(map(to_float, resolve(values)), np.float64, n)


_ROW_STEP, _ROW_TIME, _ROW_VALS = itemgetter(0), itemgetter(1), itemgetter(2)
_DIRECT = frozenset((float, int, bool))  # types numpy's fromiter converts fastest itself
