// The y axis that follows an x zoom: visibleExtent and padDomain (js/lib/chartmath.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleExtent, padDomain } from './chartmath.js';

const close = (got, want, eps = 1e-9) => {
  assert.ok(got, `got ${got}, want ${want}`);
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < eps, `got ${got}, want ${want}`));
};

test('the extent of the points inside the x range, of every line', () => {
  const x = Float32Array.from([0, 1, 2, 3, 4, 5]);
  const a = { x, y: Float32Array.from([100, 50, 3, 4, 2, 90]) };
  const b = { x, y: Float32Array.from([0, 0, 1, 7, 5, 0]) };
  close(visibleExtent([a], 2, 4), [2, 4]);
  close(visibleExtent([a, b], 2, 4), [1, 7]);
  close(visibleExtent([a, b], 4, 2), [1, 7]); // reversed range
  close(visibleExtent([a], -10, 10), [2, 100]);
});

test('a segment crossing the range edge counts with its y at the edge', () => {
  const s = { x: [0, 10, 20], y: [0, 10, 100] };
  close(visibleExtent([s], 5, 15), [5, 55]); // edges 5 -> 5, 15 -> 55; the point at 10 inside
  close(visibleExtent([s], 12, 14), [28, 46]); // no point inside: the line still crosses the range
  assert.equal(visibleExtent([s], 30, 40), null); // nothing there
  assert.equal(visibleExtent([], 0, 1), null);
});

test('NaN and inf are gaps: neither a value nor a segment end', () => {
  const s = { x: [0, 1, 2, 3, 4], y: [1, NaN, 1000, Infinity, -Infinity] };
  close(visibleExtent([s], 0, 4), [1, 1000]);
  assert.equal(visibleExtent([s], 0.5, 1.5), null); // 0 -> NaN -> 1000: no segment crosses 0.5 or 1.5
  assert.equal(visibleExtent([{ x: [0, 1], y: [NaN, Infinity] }], 0, 1), null);
  const xgap = { x: [0, NaN, 2], y: [1, 500, 3] };
  close(visibleExtent([xgap], 0, 2), [1, 3]);
});

test('several y rows over one x (raw and smoothed), and one x per row', () => {
  const s = { x: [0, 1, 2], y: [Float32Array.from([10, -5, 10]), Float32Array.from([8, 7, 6])] };
  close(visibleExtent([s], 0.9, 2), [-5, 10]);
  close(visibleExtent([s], 1.9, 2), [6, 10]);
  const perRow = { x: [[0, 1], [10, 11]], y: [[1, 2], [30, 40]] };
  close(visibleExtent([perRow], 0, 1), [1, 2]);
  close(visibleExtent([perRow], 10, 11), [30, 40]);
});

test('log: values <= 0 are gaps, and an edge is interpolated in log space', () => {
  const s = { x: [0, 1, 2, 3], y: [0, -1, 1, 100] };
  close(visibleExtent([s], 0, 3, true), [1, 100]);
  close(visibleExtent([s], 0, 3, false), [-1, 100]);
  close(visibleExtent([{ x: [0, 2], y: [1, 100] }], 1, 5, true), [10, 100], 1e-9); // halfway in log: 10
  close(visibleExtent([{ x: [0, 2], y: [1, 100] }], 1, 5, false), [50.5, 100]);
});

test('x need not be sorted (a chart against another metric)', () => {
  const s = { x: [5, 1, 3, 0], y: [50, 10, 30, 0] };
  close(visibleExtent([s], 0.5, 3), [5, 30]); // the point at 1 and 3; segments crossing 3 and 0.5
});

test('padDomain pads the span, in decades on a log axis; a single value gets room', () => {
  close(padDomain([0, 10]), [-0.5, 10.5]);
  close(padDomain([2, 2]), [1.8, 2.2]);
  close(padDomain([0, 0]), [-1, 1]);
  close(padDomain([-4, -4]), [-4.4, -3.6]);
  close(padDomain([1, 100], true), [10 ** -0.1, 10 ** 2.1]);
  const one = padDomain([5, 5], true);
  assert.ok(one[0] > 0 && one[0] < 5 && one[1] > 5, String(one));
  const tiny = padDomain([1e-8, 1e-6], true);
  assert.ok(tiny[0] > 0 && tiny[0] < 1e-8 && tiny[1] > 1e-6, String(tiny)); // stays positive
});
