import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toFloat32, sparkPaths, formatDuration, formatRate } from './spark.js';

test('toFloat32 reads a DataView at any offset', () => {
  const src = new Float32Array([1.5, -2, NaN]);
  const buf = new Uint8Array(3 + src.byteLength);
  buf.set(new Uint8Array(src.buffer), 3);
  const out = toFloat32(new DataView(buf.buffer, 3, src.byteLength));
  assert.deepEqual(Array.from(out.slice(0, 2)), [1.5, -2]);
  assert.ok(Number.isNaN(out[2]));
  assert.equal(toFloat32(null).length, 0);
  assert.equal(toFloat32(src.buffer).length, 3);
});

test('sparkPaths scales into the box and breaks at NaN/inf', () => {
  const { lines, marks } = sparkPaths([0, 1, NaN, 1, Infinity, 0], 104, 24, 2);
  assert.equal(lines.length, 3);
  assert.equal(marks.length, 2);
  assert.equal(lines[0], '2.0,22.0 22.0,2.0');
  assert.equal(lines[1], '62.0,2.0 62.0,2.0');
});

test('sparkPaths draws a constant or single point as a flat line', () => {
  assert.deepEqual(sparkPaths([3], 10, 10, 0).lines, ['0.0,5.0 0.0,5.0']);
  assert.deepEqual(sparkPaths([], 10, 10).lines, []);
});

test('formatDuration and formatRate', () => {
  assert.equal(formatDuration(5.4), '5 s');
  assert.equal(formatDuration(185), '3 min 05 s');
  assert.equal(formatDuration(7620), '2 h 07 min');
  assert.equal(formatDuration(NaN), '–');
  assert.equal(formatRate(12345), '12.3k');
  assert.equal(formatRate(4.2), '4.20');
  assert.equal(formatRate(null), '–');
});

test('sparkPaths marks flagged points without breaking the line', () => {
  const { lines, marks } = sparkPaths([0, 1, 2], 10, 10, 0, [1, 7]);
  assert.equal(lines.length, 1);
  assert.deepEqual(marks, [5]);
});
