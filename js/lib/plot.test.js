import { test } from "node:test";
import assert from "node:assert/strict";
import { axis, colorOf, formatCount, nearest, polyline, ramp, scale, show, spriteCell } from "./plot.js";

test("scale and polyline", () => {
  assert.equal(scale(0, 10, 0, 100)(5), 50);
  assert.equal(scale(3, 3, 0, 100)(3), 50);
  assert.equal(polyline([0, 0.5, 1], [1, NaN, 0], 100, 50, 0), "0.0,0.0 100.0,50.0");
  assert.equal(polyline([0, 1], [0, 1], 110, 60, 5), "5.0,55.0 105.0,5.0");
});

test("nearest point", () => {
  assert.equal(nearest([0, 0.5, 1], [1, 0.5, 0], 0.9, 0.1), 2);
  assert.equal(nearest([], [], 0, 0), -1);
});

test("parallel-coordinates axes: numbers and categories", () => {
  const a = axis([0.1, 0.3, null, 0.2]);
  assert.equal(a.kind, "num");
  assert.equal(a.pos(0.1), 0);
  assert.equal(a.pos(0.3), 1);
  assert.equal(a.pos(null), null);
  const c = axis(["sgd", "adam", "sgd", true]);
  assert.equal(c.kind, "cat");
  assert.deepEqual(c.cats, ["adam", "sgd", "true"]);
  assert.equal(c.pos("adam"), 0);
  assert.equal(c.pos("true"), 1);
  assert.equal(axis([5, 5]).pos(5), 0.5);
});

test("colours are stable per label", () => {
  assert.equal(colorOf("cat"), colorOf("cat"));
  assert.match(colorOf(null, 3), /^#/);
  assert.equal(ramp(0), "hsl(220, 70%, 45%)");
  assert.equal(ramp(1), "hsl(0, 70%, 45%)");
});

test("sprite cells as torch lays them out", () => {
  assert.deepEqual(spriteCell(0, 10, 8, 8), { x: 0, y: 0, size: 32 });
  assert.deepEqual(spriteCell(5, 10, 8, 8), { x: 8, y: 8, size: 32 });
});

test("counts and values", () => {
  assert.equal(formatCount(999), "999");
  assert.equal(formatCount(3494), "3.49k");
  assert.equal(formatCount(1200000), "1.2M");
  assert.equal(formatCount(null), "");
  assert.equal(show(0.123456789), "0.12346");
  assert.equal(show(3), "3");
  assert.equal(show(null), "");
});
