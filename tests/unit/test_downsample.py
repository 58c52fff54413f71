"""The panel's decimator: bounded, keeps first/last and extrema, marks NaN/inf; TensorBoard's EMA."""

from __future__ import annotations

import numpy as np
import pytest

from nbmonitor.ui.downsample import Decimator, ema


def _feed(dec: Decimator, values: np.ndarray, chunk: int) -> None:
    steps = np.arange(len(values))
    for lo in range(0, len(values), chunk):
        dec.add(steps[lo:lo + chunk], values[lo:lo + chunk])


@pytest.mark.parametrize("chunk", [1, 7, 1000, 10**6])
def test_keeps_first_last_and_extrema(chunk):
    rng = np.random.default_rng(1)
    v = np.cumsum(rng.normal(size=200_003)) if chunk != 1 else rng.normal(size=5003)
    dec = Decimator(capacity=100)
    _feed(dec, v, chunk)
    x, y = dec.points()
    assert dec.count == len(v)
    assert dec.buckets <= 100
    assert len(x) <= 2 * 100 + 2
    assert (x[0], y[0]) == (0, v[0])
    assert (x[-1], y[-1]) == (len(v) - 1, v[-1])
    assert np.all(np.diff(x) >= 0)
    # the global extrema, at their steps
    assert y.max() == v.max() and x[np.argmax(y)] == np.argmax(v)
    assert y.min() == v.min() and x[np.argmin(y)] == np.argmin(v)
    assert (dec.min, dec.max) == (v.min(), v.max())
    # every bucket's extrema: each stretch of `per_bucket` points keeps its min and max
    b = dec.per_bucket
    for lo in range(0, len(v) - b, b * 13):
        seg = v[lo:lo + b]
        assert seg.max() in y and seg.min() in y


def test_memory_bounded_however_long():
    dec = Decimator(capacity=500)
    steps = np.arange(1_000_000)
    vals = np.sin(steps / 1000.0)
    for rep in range(5):
        dec.add(steps + rep * 1_000_000, vals)
    assert dec.count == 5_000_000
    assert 250 <= dec.buckets <= 500
    assert dec.nbytes() < 500 * 12 * 8
    x, _ = dec.points()
    assert len(x) <= 1002


def test_nonfinite_values_are_marked_not_dropped():
    v = np.linspace(0, 1, 10_000)
    v[10], v[5000], v[9999] = np.nan, np.inf, -np.inf
    dec = Decimator(capacity=50)
    _feed(dec, v, 333)
    assert dec.nonfinite == 3
    s, kinds = dec.nonfinite_marks()
    assert list(s) == [10, 5000, 9999]
    assert np.isnan(kinds[0]) and kinds[1] == np.inf and kinds[2] == -np.inf
    x, y = dec.points()
    assert np.isnan(y).any()  # a gap in the line where the NaN/inf were
    finite = np.isfinite(v)
    assert dec.max == v[finite].max() and dec.min == v[finite].min()
    means, nf = dec.means(10)
    assert len(means) == 10 and nf.sum() == 3 and np.isfinite(means).all()


def test_all_nan_and_empty():
    dec = Decimator()
    assert dec.points()[0].size == 0
    assert np.isnan(dec.min)
    dec.add([0, 1], [np.nan, np.nan])
    x, y = dec.points()
    assert np.isnan(y).all()
    assert np.isnan(dec.min) and dec.nonfinite == 2


def _tb_smooth(values, weight):
    """TensorBoard's own algorithm (tf_backend smoothing), for comparison."""
    out, last, num = [], 0.0, 0
    finite = [v for v in values if np.isfinite(v)]
    if finite and all(v == finite[0] for v in finite):
        return list(values)
    for v in values:
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        num += 1
        out.append(last / (1 - weight ** num))
    return out


def test_ema_matches_tensorboard():
    rng = np.random.default_rng(3)
    v = rng.normal(size=300)
    v[50] = np.nan
    for w in (0.0, 0.6, 0.99):
        np.testing.assert_allclose(ema(v, w), _tb_smooth(v, w) if w else v, equal_nan=True)
    assert ema(np.full(5, 2.0), 0.9).tolist() == [2.0] * 5
    assert ema(np.array([3.0, 5.0]), 0.5)[0] == 3.0  # debiased: the first point is itself


def test_min_max_exact_when_read_between_adds_and_folds():
    """The table reads min/max on every refresh while points keep arriving: each read equals the
    finite min/max of every point so far (NaN when there is none), whatever was folded in between."""
    rng = np.random.default_rng(0)
    for _ in range(100):
        dec, seen, i = Decimator(8), [], 0
        for _ in range(int(rng.integers(1, 60))):
            n = int(rng.integers(1, 5))
            v = rng.normal(size=n)
            v[rng.random(n) < 0.2] = np.nan
            v[rng.random(n) < 0.1] = np.inf
            dec.add(np.arange(i, i + n), v)
            i += n
            seen.append(v)
            if rng.random() < 0.2:
                dec.points()  # folds the waiting points in
            a = np.concatenate(seen)
            a = a[np.isfinite(a)]
            got = dec.min_max()
            if len(a):
                assert got == (a.min(), a.max()) and (dec.min, dec.max) == got
            else:
                assert np.isnan(got[0]) and np.isnan(got[1])
