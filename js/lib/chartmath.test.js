import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ema, logSafe, lowerBound, nearest, formatValue } from './chartmath.js';

test('ema matches the Python ema (debiased, NaN passes through, constant stays)', () => {
  // values from nbmonitor.panel.downsample.ema([1, 2, nan, 4], 0.5) (see tests/unit/test_panel_controls.py)
  const out = ema([1, 2, NaN, 4], 0.5);
  assert.ok(Math.abs(out[0] - 1) < 1e-6);
  assert.ok(Math.abs(out[1] - 1.6666666) < 1e-5);
  assert.ok(Number.isNaN(out[2]));
  assert.ok(Math.abs(out[3] - 3.0) < 1e-5);
  assert.deepEqual(Array.from(ema([3, 3, 3], 0.9)), [3, 3, 3]);
  assert.deepEqual(Array.from(ema([1, 2], 0)), [1, 2]);
});

test('logSafe turns non-positive values into gaps', () => {
  const out = logSafe([1, 0, -2, 0.5]);
  assert.equal(out[0], 1);
  assert.ok(Number.isNaN(out[1]) && Number.isNaN(out[2]));
  assert.equal(out[3], 0.5);
});

test('lowerBound and nearest find the closest point in pixels', () => {
  const x = [0, 10, 20, 30, 40];
  const y = [0, 1, 4, 9, 16];
  assert.equal(lowerBound(x, 15), 2);
  assert.equal(lowerBound(x, 99), 5);
  const id = (v) => v;
  const got = nearest(x, y, id, id, id, 21, 5, 15);
  assert.equal(got.index, 2);
  assert.equal(nearest(x, y, id, id, id, 500, 0, 5), null);
});

test('formatValue keeps integer steps whole', () => {
  assert.equal(formatValue(500), '500');
  assert.equal(formatValue(1234567), '1234567');
  assert.equal(formatValue(0.000123456789), '0.000123457');
  assert.equal(formatValue(NaN), 'NaN');
});
