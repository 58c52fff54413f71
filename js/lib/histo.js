// Pure helpers for histograms over time: unpacking records, percentile bands, ridge lines.
// Record layout (float32), as nbmonitor/views/histograms.py packs it:
//   [key index, step, n, min, max, num, sum, edges (n + 1), counts (n)]

/** TensorBoard's compressed-histogram basis points (per 10000). */
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];

/**
 * @param {Float32Array} buf
 * @returns {{k: number, step: number, min: number, max: number, num: number, sum: number,
 *            edges: Float32Array, counts: Float32Array}[]}
 */
export function unpackRecords(buf) {
  const out = [];
  let i = 0;
  while (i + 7 <= buf.length) {
    const n = buf[i + 2];
    if (!(n > 0) || i + 7 + 2 * n + 1 > buf.length) break;
    const e0 = i + 7, c0 = e0 + n + 1;
    out.push({
      k: buf[i], step: buf[i + 1], min: buf[i + 3], max: buf[i + 4], num: buf[i + 5], sum: buf[i + 6],
      edges: buf.subarray(e0, c0), counts: buf.subarray(c0, c0 + n),
    });
    i = c0 + n;
  }
  return out;
}

/** Values at the basis points (per 10000) of a binned distribution, linear within a bin. */
export function percentiles(edges, counts, bps = BASIS_POINTS) {
  let total = 0;
  const cum = [0];
  for (const c of counts) { total += Math.max(0, c); cum.push(total); }
  if (!(total > 0)) return bps.map(() => NaN);
  return bps.map((bp) => {
    const target = (total * bp) / 10000;
    let i = 0;
    while (i < cum.length && cum[i] < target) i++;
    if (i <= 0) return edges[0];
    if (i >= cum.length) return edges[edges.length - 1];
    const lo = cum[i - 1], hi = cum[i];
    const f = hi === lo ? 0 : (target - lo) / (hi - lo);
    return edges[i - 1] + f * (edges[i] - edges[i - 1]);
  });
}

/** A linear map from [d0, d1] to [r0, r1] (the middle of the range when d0 == d1). */
export function scale(d0, d1, r0, r1) {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

const fmt = (v) => (Math.round(v * 10) / 10).toString();

/**
 * SVG path data for TensorBoard's distribution view of one key.
 * @param {{step: number, q: number[]}[]} series percentiles per step, sorted by step
 * @returns {{bands: {d: string, opacity: number}[], median: string, x: [number, number], y: [number, number]}}
 */
export function bandPaths(series, width, height, pad = 4) {
  const pts = series.filter((p) => p.q.every(Number.isFinite));
  if (!pts.length) return { bands: [], median: "", x: [0, 0], y: [0, 0] };
  let y0 = Infinity, y1 = -Infinity;
  for (const p of pts) { y0 = Math.min(y0, p.q[0]); y1 = Math.max(y1, p.q[p.q.length - 1]); }
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const x0 = pts[0].step, x1 = pts[pts.length - 1].step;
  const sx = scale(x0, x1, pad, width - pad), sy = scale(y0, y1, height - pad, pad);
  const pairs = [[0, 8, 0.15], [1, 7, 0.25], [2, 6, 0.35], [3, 5, 0.5]];
  const bands = pairs.map(([lo, hi, opacity]) => {
    const top = pts.map((p) => `${fmt(sx(p.step))},${fmt(sy(p.q[hi]))}`);
    const bottom = pts.slice().reverse().map((p) => `${fmt(sx(p.step))},${fmt(sy(p.q[lo]))}`);
    if (pts.length === 1) {  // one step: a thin vertical band
      const x = sx(pts[0].step);
      return { d: `M${fmt(x - 2)},${fmt(sy(pts[0].q[hi]))}H${fmt(x + 2)}V${fmt(sy(pts[0].q[lo]))}H${fmt(x - 2)}Z`, opacity };
    }
    return { d: `M${top.join("L")}L${bottom.join("L")}Z`, opacity };
  });
  const median = "M" + pts.map((p) => `${fmt(sx(p.step))},${fmt(sy(p.q[4]))}`).join("L");
  return { bands, median, x: [x0, x1], y: [y0, y1] };
}

/**
 * SVG path data for TensorBoard's offset (ridge) view: one density line per histogram,
 * the oldest at the top, each shifted down by `offset` pixels.
 * @param {{step: number, edges: ArrayLike<number>, counts: ArrayLike<number>}[]} hists sorted by step
 * @returns {{lines: {step: number, d: string, base: number}[], x: [number, number]}}
 */
export function ridgePaths(hists, width, height, pad = 4) {
  if (!hists.length) return { lines: [], x: [0, 0] };
  let x0 = Infinity, x1 = -Infinity, cmax = 0;
  for (const h of hists) {
    x0 = Math.min(x0, h.edges[0]); x1 = Math.max(x1, h.edges[h.edges.length - 1]);
    for (let i = 0; i < h.counts.length; i++) {
      const w = h.edges[i + 1] - h.edges[i];
      cmax = Math.max(cmax, w > 0 ? h.counts[i] / w : 0);
    }
  }
  const n = hists.length;
  const ridge = Math.max(12, (height - 2 * pad) * 0.35);  // height of one ridge
  const offset = n > 1 ? (height - 2 * pad - ridge) / (n - 1) : 0;
  const sx = scale(x0, x1, pad, width - pad);
  const lines = hists.map((h, j) => {
    const base = pad + ridge + j * offset;
    const pts = [`${fmt(sx(h.edges[0]))},${fmt(base)}`];
    for (let i = 0; i < h.counts.length; i++) {
      const w = h.edges[i + 1] - h.edges[i];
      const dens = w > 0 ? h.counts[i] / w : 0;
      const y = base - (cmax > 0 ? (dens / cmax) * ridge : 0);
      pts.push(`${fmt(sx((h.edges[i] + h.edges[i + 1]) / 2))},${fmt(y)}`);
    }
    pts.push(`${fmt(sx(h.edges[h.edges.length - 1]))},${fmt(base)}`);
    return { step: h.step, d: "M" + pts.join("L"), base };
  });
  return { lines, x: [x0, x1] };
}

/** At most `max` items, evenly spaced, always keeping the last. */
export function thin(items, max) {
  if (items.length <= max) return items;
  const out = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]);
  return out;
}

/** Short number text for axis labels. */
export function tick(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
