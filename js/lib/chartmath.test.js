import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ema, logSafe, lowerBound, nearest, formatValue, thinLogTicks, capTicks } from './chartmath.js';

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

test('shownRuns keeps the newest `limit` runs; showingText says how many of how many', async () => {
  const { shownRuns, showingText } = await import('./chartmath.js');
  const runs = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}` }));
  const shown = shownRuns(runs, 10);
  assert.equal(shown.size, 10);
  assert.ok(shown.has('r29') && shown.has('r20') && !shown.has('r19'));
  assert.equal(shownRuns(runs, 0).size, 30);
  assert.equal(shownRuns(runs.slice(0, 3), 10).size, 3);
  assert.equal(showingText(10, 30, 30), 'showing 10 of 30 runs');
  assert.equal(showingText(30, 30, 30), '');
  assert.equal(showingText(20, 20, 45), 'showing 20 of 45 runs (the newest 20 read; max_runs / --max-runs reads more)');
});

test('shownRuns always keeps a group\'s band and does not count it against the limit', async () => {
  const { shownRuns } = await import('./chartmath.js');
  const runs = [...Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, state: 'running' })),
    { id: 'group:g', state: 'group' }];
  const shown = shownRuns(runs, 10);
  assert.equal(shown.size, 11);
  assert.ok(shown.has('group:g') && shown.has('r2') && !shown.has('r1'));
});

test('thinLogTicks keeps few, readable log ticks', () => {
  const decade = (e) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => m * 10 ** e);
  // 0.07 .. 2: d3 gives 17 ticks; 1-2-5 leaves 0.1, 0.2, 0.5, 1, 2
  const within = [0.07, 0.08, 0.09, ...decade(-1), 1, 2];
  assert.deepEqual(thinLogTicks(within).map((v) => +v.toPrecision(3)), [0.1, 0.2, 0.5, 1, 2]);
  // few ticks stay as they are
  assert.deepEqual(thinLogTicks([0.1, 0.15, 0.2]), [0.1, 0.15, 0.2]);
  // many decades: powers of ten only, at most 6
  const wide = [...decade(-6), ...decade(-5), ...decade(-4), ...decade(-3), ...decade(-2), ...decade(-1), 1];
  const t = thinLogTicks(wide);
  assert.ok(t.length <= 6 && t.length >= 2, String(t));
  for (const v of t) assert.ok(Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9, String(v));
  // within one decade: every other tick, not just the ends
  const narrow = [0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18];
  assert.deepEqual(thinLogTicks(narrow), [0.09, 0.11, 0.13, 0.15, 0.17]);
  // never more than max, never empty
  for (let n = 2; n < 40; n++) {
    const ticks = Array.from({ length: n }, (_, i) => 10 ** (i / 3));
    const out = thinLogTicks(ticks);
    assert.ok(out.length >= 2 && out.length <= 6, `${n}: ${out}`);
  }
});

test('capTicks keeps at most max ticks, evenly', () => {
  const t = [29800, 29825, 29850, 29875, 29900, 29925, 29950, 29975, 30000];
  assert.deepEqual(capTicks(t, 4), [29800, 29875, 29950]);
  assert.deepEqual(capTicks(t, 5), [29800, 29850, 29900, 29950, 30000]);
  assert.deepEqual(capTicks([1, 2], 5), [1, 2]);
  for (let n = 1; n < 30; n++) for (let max = 2; max < 8; max++) {
    const out = capTicks(Array.from({ length: n }, (_, i) => i), max);
    assert.ok(out.length >= 1 && out.length <= max, `${n} ${max}`);
  }
});
