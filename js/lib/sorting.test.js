import { test } from "node:test";
import assert from "node:assert/strict";
import { compareCells, sortedIndices } from "./sorting.js";

test("numbers sort numerically, text naturally", () => {
  assert.ok(compareCells(2, 10) < 0);
  assert.ok(compareCells("run-2", "run-10") < 0);
  assert.ok(compareCells(1, "a") < 0);
});

test("blanks sort last in both directions", () => {
  const rows = [[3], [null], [1], [NaN], [2]];
  assert.deepEqual(sortedIndices(rows, 0), [2, 4, 0, 1, 3]);
  assert.deepEqual(sortedIndices(rows, 0, true), [0, 4, 2, 1, 3]);
});

test("ties keep the original order", () => {
  assert.deepEqual(sortedIndices([["b"], ["a"], ["b"]], 0), [1, 0, 2]);
});

test("sortedIndices: numeric, stable, empty cells last both ways", () => {
  const rows = [[3], [null], [10], [2], [3]];
  assert.deepEqual(sortedIndices(rows, 0), [3, 0, 4, 2, 1]);
  assert.deepEqual(sortedIndices(rows, 0, true), [2, 0, 4, 3, 1]);
  assert.deepEqual(sortedIndices([["b"], ["a10"], ["a9"]], 0), [2, 1, 0]);
  assert.deepEqual(sortedIndices(rows, -1), [0, 1, 2, 3, 4]);
});
