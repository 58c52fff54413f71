import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandRows, foldRuns, isExpanded } from './band.js';

test('bandRows passes the rows through, smooths each, and gaps a column with a non-positive value on log', () => {
  const rows = [[3, 4, 5], [2, 3, 4], [1, 0, 3]];
  assert.deepEqual(bandRows(rows, 0, false).map((r) => Array.from(r)), rows);
  const sm = bandRows(rows, 0.5, false);
  assert.equal(sm.length, 3);
  assert.equal(sm[0][0], 3); // debiased EMA starts at the first value
  assert.ok(sm[0][2] < 5 && sm[0][2] > 4);
  const lg = bandRows(rows, 0, true).map((r) => Array.from(r));
  assert.deepEqual(lg.map((r) => Number.isNaN(r[1])), [true, true, true]);
  assert.deepEqual(lg.map((r) => r[0]), [3, 2, 1]);
});

test('foldRuns hides or shows a group\'s runs and leaves the others', () => {
  assert.deepEqual(foldRuns(['x'], ['a', 'b'], false).sort(), ['a', 'b', 'x']);
  assert.deepEqual(foldRuns(['a', 'b', 'x'], ['a', 'b'], true), ['x']);
  assert.equal(isExpanded(['a', 'b'], ['a', 'b']), false);
  assert.equal(isExpanded(['a'], ['a', 'b']), true);
});
