"""Bounded min-max decimation of one series, however long the run.

A `Decimator` keeps at most `capacity` buckets. Every bucket but the last
holds exactly `b` consecutive points (`b` a power of two); when the next
points would need more buckets, `b` doubles and neighbouring buckets merge.
Each bucket keeps its finite minimum and maximum (with their step and point
index), its finite sum and count (for means) and its first non-finite point
(NaN, +inf or -inf), so the screen view built from it keeps the extrema of
every stretch of the run, the exact first and last points, and a mark for
each stretch that held a non-finite value. Memory: ~100 bytes per bucket.

`add` is cheap for a few points (what a panel tick brings each series): they wait,
as arrays, until a reader needs the buckets or `FOLD_AT` points have gathered, and are
then folded in at once. So a tick costs O(new points), not a copy of every bucket array
per series; the buckets are the same as when every point is folded at once (they depend
only on the points and their order). A lock makes a fold safe from another thread.
"""

from __future__ import annotations

import threading

import numpy as np

DEFAULT_CAPACITY = 1000  # buckets: at most ~2,000 points per line on screen
_SLICE = 1 << 16  # raw points turned into unit buckets at a time (bounds temporary memory)
FOLD_AT = 2048  # points that wait before they are folded into the buckets (~32 kB a series)

_I = np.int64
_F = np.float64
# Per-bucket fields: count, (step, value, index) of the finite min and max,
# finite sum and count, first non-finite (step, value, index; -1 if none).
_FIELDS = ("cnt", "mins", "minv", "mini", "maxs", "maxv", "maxi", "fsum", "fcnt", "nfs", "nfv", "nfi")


def _empty() -> dict[str, np.ndarray]:
    return {f: np.empty(0, _F if f in ("minv", "maxv", "fsum", "nfv") else _I) for f in _FIELDS}


def first_in_groups(mask: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """Per group (given by start offsets), the position of the first True of `mask`, or -1."""
    pos = np.flatnonzero(mask)
    out = np.full(len(starts), -1, _I)
    if len(pos):
        g = np.searchsorted(starts, pos, side="right") - 1  # group of each position (sorted)
        first = np.flatnonzero(np.diff(g, prepend=-1))
        out[g[first]] = pos[first]
    return out


def _merge(b: dict[str, np.ndarray], starts: np.ndarray) -> dict[str, np.ndarray]:
    """Merge consecutive buckets into groups beginning at `starts`."""
    n = len(b["cnt"])
    minv = np.where(b["fcnt"] > 0, b["minv"], np.inf)
    maxv = np.where(b["fcnt"] > 0, b["maxv"], -np.inf)
    gmin = np.minimum.reduceat(minv, starts)
    gmax = np.maximum.reduceat(maxv, starts)
    sizes = np.diff(np.append(starts, n))
    imin = first_in_groups(minv == np.repeat(gmin, sizes), starts, n)
    imax = first_in_groups(maxv == np.repeat(gmax, sizes), starts, n)
    inf = first_in_groups(b["nfs"] >= 0, starts, n)
    fcnt = np.add.reduceat(b["fcnt"], starts)
    has_nf = inf >= 0
    inf_safe = np.where(has_nf, inf, 0)
    return {
        "cnt": np.add.reduceat(b["cnt"], starts),
        "mins": b["mins"][imin], "minv": np.where(fcnt > 0, gmin, np.nan), "mini": b["mini"][imin],
        "maxs": b["maxs"][imax], "maxv": np.where(fcnt > 0, gmax, np.nan), "maxi": b["maxi"][imax],
        "fsum": np.add.reduceat(b["fsum"], starts),
        "fcnt": fcnt,
        "nfs": np.where(has_nf, b["nfs"][inf_safe], -1),
        "nfv": np.where(has_nf, b["nfv"][inf_safe], np.nan),
        "nfi": np.where(has_nf, b["nfi"][inf_safe], -1),
    }


def _concat(a: dict, b: dict) -> dict:
    return {f: np.concatenate([a[f], b[f]]) for f in _FIELDS}


def _take(b: dict, sl: slice) -> dict:
    return {f: b[f][sl] for f in _FIELDS}


class Decimator:
    """The screen view of one series: bounded min-max buckets plus exact first/last/min/max."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity
        self.per_bucket = 1
        self.count = 0  # points seen
        self.nonfinite = 0  # NaN/inf points seen
        self.first: tuple[int, float] | None = None
        self.last: tuple[int, float] | None = None
        self._b = _empty()
        self._folded = 0  # points in the buckets; the rest wait in _wait
        self._wait: list[tuple[np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()
        self._mm: tuple[int, float, float] = (-1, np.inf, -np.inf)  # (folded, min, max) of the buckets
        self._wmm: tuple[int, int, float, float] = (-1, 0, np.inf, -np.inf)  # (folded, parts, min, max) of waiting parts read

    # -- adding ---------------------------------------------------------------
    def add(self, steps: np.ndarray, values: np.ndarray, nonfinite: int | None = None) -> None:
        """Append points (in order) to the series; `nonfinite`: how many of the values are NaN/inf,
        when the caller knows (the publisher counts them for a run's keys at once)."""
        steps = np.asarray(steps, _I)
        values = np.asarray(values, _F)
        n = len(steps)
        if not n:
            return
        nf = n - int(np.count_nonzero(np.isfinite(values))) if nonfinite is None else nonfinite
        with self._lock:
            if self.first is None:
                self.first = (steps.item(0), values.item(0))
            self.last = (steps.item(-1), values.item(-1))
            self.nonfinite += nf
            self.count += n
            self._wait.append((steps, values))
            if self.count - self._folded >= FOLD_AT:
                self._fold()

    def _fold(self) -> None:
        """Fold the waiting points into the buckets (the caller holds the lock)."""
        if not self._wait:
            return
        parts, self._wait = self._wait, []
        steps = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        values = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        for lo in range(0, len(steps), _SLICE):
            self._add(steps[lo:lo + _SLICE], values[lo:lo + _SLICE])

    def _buckets(self) -> dict[str, np.ndarray]:
        """The buckets with every point folded in."""
        return self._state()[0]

    def _state(self) -> tuple[dict[str, np.ndarray], tuple[int, float] | None, tuple[int, float] | None, int]:
        """(buckets, first, last, points in them), every point folded in, read together."""
        with self._lock:
            self._fold()
            return self._b, self.first, self.last, self._folded

    def _add(self, s: np.ndarray, v: np.ndarray) -> None:
        n = len(s)
        fin = np.isfinite(v)
        nf = int(n - np.count_nonzero(fin))
        idx = np.arange(self._folded, self._folded + n, dtype=_I)
        self._folded += n
        while -(-self._folded // self.per_bucket) > self.capacity:
            self._coarsen()
        b = self.per_bucket
        head = 0
        parts = []
        keep = len(self._b["cnt"])
        if keep and self._b["cnt"][-1] < b:  # the partial last bucket takes new points first
            keep -= 1
            head = min(n, b - int(self._b["cnt"][-1]))
            units = _concat(_take(self._b, slice(keep, None)), self._units(s[:head], v[:head], idx[:head], fin[:head]))
            parts.append(self._group(units, b))
        k = (n - head) // b
        if k:  # whole buckets straight from the points: reshape, no grouping
            sl = slice(head, head + k * b)
            parts.append(self._full(s[sl], v[sl], idx[sl], fin[sl], k, b, nf))
        tail = head + k * b
        if tail < n:
            parts.append(self._group(self._units(s[tail:], v[tail:], idx[tail:], fin[tail:]), b))
        old = self._b  # one copy of each field, whatever the number of parts
        self._b = {f: np.concatenate([old[f][:keep], *(p[f] for p in parts)]) for f in _FIELDS}

    @staticmethod
    def _units(s, v, idx, fin) -> dict:
        vf = np.where(fin, v, np.nan)
        return {
            "cnt": np.ones(len(s), _I), "mins": s, "minv": vf, "mini": idx, "maxs": s, "maxv": vf, "maxi": idx,
            "fsum": np.where(fin, v, 0.0), "fcnt": fin.astype(_I),
            "nfs": np.where(fin, -1, s), "nfv": np.where(fin, np.nan, v), "nfi": np.where(fin, -1, idx),
        }

    @staticmethod
    def _full(s, v, idx, fin, k: int, b: int, nf: int) -> dict:
        S, I = s.reshape(k, b), idx.reshape(k, b)  # noqa: E741 - the index matrix beside S, V, F
        if nf:
            V, F = v.reshape(k, b), fin.reshape(k, b)
            lo = np.where(F, V, np.inf).argmin(1)
            hi = np.where(F, V, -np.inf).argmax(1)
            fcnt = F.sum(1)
            fsum = np.where(F, V, 0.0).sum(1)
            bad = ~F
            has = bad.any(1)
            at = bad.argmax(1)
        else:
            V = v.reshape(k, b)
            lo, hi = V.argmin(1), V.argmax(1)
            fcnt = np.full(k, b, _I)
            fsum = V.sum(1)
            has = np.zeros(k, bool)
            at = np.zeros(k, _I)
        r = np.arange(k)
        ok = fcnt > 0
        return {
            "cnt": np.full(k, b, _I),
            "mins": S[r, lo], "minv": np.where(ok, V[r, lo], np.nan), "mini": I[r, lo],
            "maxs": S[r, hi], "maxv": np.where(ok, V[r, hi], np.nan), "maxi": I[r, hi],
            "fsum": fsum, "fcnt": fcnt.astype(_I),
            "nfs": np.where(has, S[r, at], -1), "nfv": np.where(has, V[r, at], np.nan), "nfi": np.where(has, I[r, at], -1),
        }

    def _group(self, b: dict, size: int) -> dict:
        before = np.cumsum(b["cnt"]) - b["cnt"]
        gid = before // size
        starts = np.flatnonzero(np.diff(gid, prepend=-1))
        return _merge(b, starts)

    def _coarsen(self) -> None:
        self.per_bucket *= 2
        if len(self._b["cnt"]):
            self._b = self._group(self._b, self.per_bucket)

    # -- reading ----------------------------------------------------------------
    @property
    def buckets(self) -> int:
        return len(self._buckets()["cnt"])

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) to draw: each bucket's min and max in order, plus the exact first and last.

        Non-finite values appear as NaN (a gap in the line); see `nonfinite_marks()`.
        """
        b, first, last, count = self._state()
        ok = b["fcnt"] > 0
        i = np.concatenate([b["mini"][ok], b["maxi"][ok]])
        s = np.concatenate([b["mins"][ok], b["maxs"][ok]])
        v = np.concatenate([b["minv"][ok], b["maxv"][ok]])
        nf = b["nfs"] >= 0  # a gap where a stretch held NaN/inf
        if nf.any():
            i = np.concatenate([i, b["nfi"][nf]])
            s = np.concatenate([s, b["nfs"][nf]])
            v = np.concatenate([v, np.full(int(nf.sum()), np.nan)])
        if first is not None and last is not None:
            i = np.concatenate([[0], i, [count - 1]])
            s = np.concatenate([[first[0]], s, [last[0]]])
            v = np.concatenate([[first[1]], v, [last[1]]])
        order = np.lexsort((np.isnan(v), i))
        i, s, v = i[order], s[order], v[order]
        keep = np.ones(len(i), bool)
        keep[1:] = (i[1:] != i[:-1]) | (np.isnan(v[1:]) != np.isnan(v[:-1]))
        v = np.where(np.isfinite(v), v, np.nan)
        return s[keep], v[keep]

    def nonfinite_marks(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of the first NaN/inf of each stretch that held one (values NaN, inf or -inf)."""
        b, _, last, _ = self._state()
        nf = b["nfs"] >= 0
        s, v = b["nfs"][nf], b["nfv"][nf]
        if last is not None and not np.isfinite(last[1]) and (not len(s) or s[-1] != last[0]):
            s = np.append(s, last[0])
            v = np.append(v, last[1])
        return s, v

    def means(self, width: int = 60) -> tuple[np.ndarray, np.ndarray]:
        """At most `width` stretches: the mean of each one's finite values (NaN if none), and
        a mask of the stretches that held a NaN/inf."""
        b = self._buckets()
        n = len(b["cnt"])
        if not n:
            return np.empty(0), np.zeros(0, bool)
        edges = np.linspace(0, n, min(width, n) + 1).astype(_I)
        starts = edges[:-1]
        fsum = np.add.reduceat(b["fsum"], starts)
        fcnt = np.add.reduceat(b["fcnt"], starts)
        nf = np.add.reduceat((b["nfs"] >= 0).astype(_I), starts) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            m = fsum / fcnt
        return np.where(fcnt == 0, np.nan, m), nf

    def _range(self) -> tuple[float, float]:
        """(min, max) of the finite values, NaN if none: the buckets' (kept per fold) and the waiting
        points' (kept as they arrive: only the parts added since the last read are looked at), so
        reading them folds nothing and costs no more than the points new since."""
        wm = self._wmm
        with self._lock:
            b, folded = self._b, self._folded
            seen = wm[1] if wm[0] == folded else 0
            new = self._wait[seen:]
        mm = self._mm
        if mm[0] != folded:
            ok = b["fcnt"] > 0
            mm = self._mm = (folded, *((b["minv"][ok].min(), b["maxv"][ok].max()) if ok.any() else (np.inf, -np.inf)))
        wlo, whi = (wm[2], wm[3]) if seen else (np.inf, -np.inf)
        if new:
            v = np.concatenate([w[1] for w in new]) if len(new) > 1 else new[0][1]
            v = v[np.isfinite(v)]
            if len(v):
                wlo, whi = min(wlo, v.min()), max(whi, v.max())
            self._wmm = (folded, seen + len(new), wlo, whi)
        lo, hi = min(mm[1], wlo), max(mm[2], whi)
        return (float(lo), float(hi)) if lo <= hi else (float("nan"), float("nan"))

    def min_max(self) -> tuple[float, float]:
        """(min, max) of the finite values, NaN if none (one read for both)."""
        return self._range()

    @property
    def min(self) -> float:
        return self._range()[0]

    @property
    def max(self) -> float:
        return self._range()[1]

    def nbytes(self) -> int:
        waiting = list(self._wait)
        return sum(a.nbytes for a in self._b.values()) + sum(s.nbytes + v.nbytes for s, v in waiting)


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: exponential moving average with debiasing; NaN/inf pass through."""
    v = np.asarray(values, _F)
    if weight <= 0 or not len(v):
        return v.copy()
    fin = np.isfinite(v)
    if fin.any() and np.all(v[fin] == v[fin][0]):  # a constant series stays itself
        return v.copy()
    out = np.empty_like(v)
    last = 0.0
    k = 0
    for j in range(len(v)):  # len(v) is a screen's worth of points
        x = v[j]
        if not fin[j]:
            out[j] = x
            continue
        last = last * weight + (1 - weight) * x
        k += 1
        out[j] = last / (1 - weight ** k) if weight < 1 else last
    return out
