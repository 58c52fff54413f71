// The rules that exist both in Python and here must agree: the same cases, read from one file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { same, formatCell } from "./tablecols.js";

const cases = JSON.parse(readFileSync(new URL("./parity-cases.json", import.meta.url), "utf8"));

test("same() (is this prediction a mistake?) agrees with Python on every case", () => {
  for (const [a, b, want] of cases.same) {
    assert.equal(same(a, b), want, `same(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    assert.equal(same(b, a), want, `same(${JSON.stringify(b)}, ${JSON.stringify(a)})`);
  }
});

test("formatCell() agrees with Python's format_cell on every case", () => {
  for (const [v, want] of cases.format) assert.equal(formatCell(v), want, `formatCell(${JSON.stringify(v)})`);
});
