import { test } from "node:test";
import assert from "node:assert/strict";
import {
  roleColumns, imageColumn, scoreColumns, isMistake, formatCell, truncate, groupTables, same,
} from "./tablecols.js";

test("roleColumns finds pred and target by name", () => {
  assert.deepEqual(roleColumns(["image", "pred", "target"]), { pred: 1, target: 2 });
  assert.deepEqual(roleColumns(["img", "Guess", "Truth", "score_0"]), { pred: 1, target: 2 });
  assert.deepEqual(roleColumns(["image", "predicted_label", "true_label"]), { pred: 1, target: 2 });
  assert.deepEqual(roleColumns(["id", "label", "prediction"]), { pred: 2, target: 1 });
  assert.deepEqual(roleColumns(["a", "b"]), { pred: -1, target: -1 });
  assert.deepEqual(roleColumns(["predator", "labelled"]), { pred: -1, target: -1 });
});

test("image column, score columns", () => {
  const img = { _img: [0, 0, 10] };
  const rows = [[img, 3, 5, 0.9, "x"], [img, 1, 1, 0.2, "y"]];
  const cols = ["image", "pred", "target", "score", "note"];
  assert.equal(imageColumn(rows), 0);
  assert.equal(imageColumn([[1, 2]]), -1);
  assert.deepEqual(scoreColumns(cols, rows), [3]);
});

test("mistakes compare numbers by value and text by its trimmed form", () => {
  assert.equal(isMistake([null, 3, 5], 1, 2), true);
  assert.equal(isMistake([null, 3, 3], 1, 2), false);
  assert.equal(isMistake([null, "cat", " cat"], 1, 2), false);
  assert.equal(isMistake([null, "3", 3], 1, 2), false);
  assert.equal(isMistake([null, null, 3], 1, 2), false);
  assert.equal(isMistake([null, 1, 2], -1, 2), false);
  assert.equal(same(1, 1.0), true);
});


test("formatCell and truncate", () => {
  assert.equal(formatCell(3), "3");
  assert.equal(formatCell(0.123456), "0.1235");
  assert.equal(formatCell(1e-7), "1e-07"); // as Python writes it (parity-cases.json)
  assert.equal(formatCell(null), "");
  assert.equal(formatCell(true), "True");
  assert.equal(formatCell({ _img: [0, 0, 1] }), "[image]");
  assert.equal(formatCell("<b>x</b>"), "<b>x</b>");
  assert.deepEqual(truncate("abc", 5), { text: "abc", cut: false });
  assert.deepEqual(truncate("abcdefgh", 5), { text: "abcd…", cut: true });
});

test("groupTables groups by run and key, steps in order", () => {
  const t = [
    { run_id: "r1", run: "a", key: "preds", step: 5 },
    { run_id: "r1", run: "a", key: "preds", step: 1 },
    { run_id: "r1", run: "a", key: "val", step: 2 },
  ];
  const g = groupTables(t);
  assert.equal(g.length, 2);
  assert.deepEqual(g[0].items, [1, 0]);
  assert.equal(g[0].label, "preds");
  t.push({ run_id: "r2", run: "b", key: "preds", step: 0 });
  assert.equal(groupTables(t)[2].label, "preds (b)");
});
