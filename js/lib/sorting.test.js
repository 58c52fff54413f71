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
