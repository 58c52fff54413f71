import { test } from "node:test";
import assert from "node:assert/strict";
import { unpackRecords, percentiles, bandPaths, ridgePaths, thin, tick, scale } from "./histo.js";

test("unpackRecords reads packed records and stops at a truncated one", () => {
  const rec = (k, step, edges, counts) => [k, step, counts.length, edges[0], edges.at(-1), 4, 2, ...edges, ...counts];
  const buf = new Float32Array([...rec(0, 10, [0, 1, 2], [1, 3]), ...rec(1, 20, [-1, 1], [4]), 2, 30, 5]);
  const r = unpackRecords(buf);
  assert.equal(r.length, 2);
  assert.equal(r[0].step, 10);
  assert.deepEqual([...r[0].edges], [0, 1, 2]);
  assert.deepEqual([...r[0].counts], [1, 3]);
  assert.equal(r[1].k, 1);
  assert.deepEqual([...r[1].counts], [4]);
});

test("percentiles interpolate within bins", () => {
  const q = percentiles([0, 1, 2], [1, 1], [0, 2500, 5000, 10000]);
  assert.deepEqual(q, [0, 0.5, 1, 2]);
  assert.ok(percentiles([0, 1], [0]).every(Number.isNaN));
  const q2 = percentiles([0, 10], [100]);
  assert.ok(Math.abs(q2[4] - 5) < 1e-9);
});

test("bandPaths: four nested bands and a median line inside the box", () => {
  const series = [0, 1, 2].map((s) => ({ step: s * 10, q: [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2].map((v) => v * (s + 1)) }));
  const { bands, median, x, y } = bandPaths(series, 200, 100);
  assert.equal(bands.length, 4);
  assert.deepEqual(x, [0, 20]);
  assert.deepEqual(y, [-6, 6]);
  for (const b of bands) assert.match(b.d, /^M[\d.,L]+Z$/);
  const ys = median.slice(1).split("L").map((p) => Number(p.split(",")[1]));
  assert.ok(ys.every((v) => v === 50));
  assert.equal(bandPaths([{ step: 1, q: [NaN] }], 10, 10).bands.length, 0);
  assert.equal(bandPaths(series.slice(0, 1), 200, 100).bands.length, 4);
});

test("ridgePaths: one line per histogram, later ones lower", () => {
  const hists = [0, 1, 2].map((s) => ({ step: s, edges: [0, 1, 2, 3], counts: [1, 5, 1] }));
  const { lines, x } = ridgePaths(hists, 300, 150);
  assert.equal(lines.length, 3);
  assert.deepEqual(x, [0, 3]);
  assert.ok(lines[0].base < lines[1].base && lines[1].base < lines[2].base);
  assert.ok(lines.every((l) => l.base <= 146));
});

test("thin, tick, scale", () => {
  assert.deepEqual(thin([1, 2, 3], 5), [1, 2, 3]);
  const t = thin([...Array(100).keys()], 5);
  assert.equal(t.length, 5);
  assert.equal(t[0], 0);
  assert.equal(t[4], 99);
  assert.equal(tick(0.000012), "1.2e-5");
  assert.equal(tick(0.12345), "0.123");
  assert.equal(scale(0, 0, 0, 10)(5), 5);
  assert.equal(scale(0, 10, 0, 100)(5), 50);
});
