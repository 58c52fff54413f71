// Pure helpers for the chart controls (js/charts.js): smoothing, log-safe values, nearest point.

/**
 * TensorBoard's smoothing: exponential moving average with debiasing; NaN/inf pass through;
 * a constant series stays itself. Same cases as nbmonitor/ui/downsample.py `ema`.
 * @param {ArrayLike<number>} v
 * @param {number} weight 0 <= weight < 1
 * @returns {Float32Array}
 */
export function ema(v, weight) {
  const n = v.length;
  const out = new Float32Array(n);
  if (!(weight > 0) || !n) { out.set(v); return out; }
  let first = NaN, constant = true;
  for (let j = 0; j < n; j++) {
    const x = v[j];
    if (!Number.isFinite(x)) continue;
    if (Number.isNaN(first)) first = x; else if (x !== first) { constant = false; break; }
  }
  if (constant) { out.set(v); return out; }
  let last = 0, k = 0;
  for (let j = 0; j < n; j++) {
    const x = v[j];
    if (!Number.isFinite(x)) { out[j] = x; continue; }
    last = last * weight + (1 - weight) * x;
    k += 1;
    out[j] = last / (1 - Math.pow(weight, k));
  }
  return out;
}

/**
 * Values for a log axis: non-positive ones become NaN (a gap), so they neither break the
 * scale's domain nor draw at -infinity.
 * @param {ArrayLike<number>} v
 * @returns {Float32Array}
 */
export function logSafe(v) {
  const out = new Float32Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] > 0 ? v[j] : NaN;
  return out;
}

/**
 * At most `max` of an axis' ticks, keeping every k-th (d3's ticks(5) can give up to ~10: on a
 * zoomed-in step axis "29,800" labels ran together).
 * @param {number[]} ticks
 * @param {number} max
 * @returns {number[]}
 */
export function capTicks(ticks, max) {
  if (ticks.length <= max) return ticks;
  const every = Math.ceil(ticks.length / Math.max(1, max));
  return ticks.filter((_, i) => i % every === 0);
}

/**
 * Ticks for a log axis that do not overlap: d3 gives every 1..9 multiple of each decade when the
 * domain spans few decades (0.07, 0.08, 0.09, 0.1, 0.2 ... crowd one decade's labels together).
 * Keep 1-2-5 multiples, then 1-3, then powers of ten, then every k-th power (or, within one decade,
 * every k-th tick), until at most `max` remain.
 * @param {number[]} ticks ascending, positive
 * @param {number} [max]
 * @returns {number[]}
 */
export function thinLogTicks(ticks, max = 6) {
  if (ticks.length <= max) return ticks;
  const mantissa = (v) => {
    const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return Math.round(m * 1e6) / 1e6;
  };
  const positive = ticks.filter((v) => v > 0);
  for (const keep of [[1, 2, 5], [1, 3], [1]]) {
    const t = positive.filter((v) => keep.includes(mantissa(v)));
    if (t.length >= 2 && t.length <= max) return t;
  }
  const ones = positive.filter((v) => mantissa(v) === 1);
  const pool = ones.length >= 2 ? ones : positive; // within one decade (0.09 .. 0.18): every k-th tick
  const every = Math.ceil(pool.length / max);
  return pool.filter((_, i) => i % every === 0);
}

/**
 * Index of the first x >= target in an ascending array (x.length if none).
 * @param {ArrayLike<number>} x
 * @param {number} target
 */
export function lowerBound(x, target) {
  let lo = 0, hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * The point nearest to pixel (px, py), among points whose x lies within `reach` pixels.
 * @param {ArrayLike<number>} x data x, ascending
 * @param {ArrayLike<number>} y data y
 * @param {(v: number) => number} sx data -> pixel
 * @param {(v: number) => number} sy data -> pixel
 * @param {(p: number) => number} invx pixel -> data
 * @param {number} px
 * @param {number} py
 * @param {number} [reach]
 * @returns {{index: number, dist: number} | null}
 */
export function nearest(x, y, sx, sy, invx, px, py, reach = 24) {
  const a = invx(px - reach), b = invx(px + reach);
  let i = lowerBound(x, Math.min(a, b));
  const end = lowerBound(x, Math.max(a, b));
  let best = null;
  // a window of many points (zoomed out): look at a bounded, evenly spread subset plus its ends
  const stride = Math.max(1, Math.floor((end - i) / 400));
  for (; i <= Math.min(end, x.length - 1); i += stride) {
    const yy = sy(y[i]);
    if (!Number.isFinite(yy)) continue;
    const dx = sx(x[i]) - px, dy = yy - py;
    const d = Math.sqrt(dx * dx + dy * dy);
    if (!best || d < best.dist) best = { index: i, dist: d };
  }
  return best;
}

/**
 * Short axis/tooltip number: integers in full with thousands separators, others to 6 digits.
 * @param {number} v
 */
export function formatValue(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const s = String(Number(v.toPrecision(6)));
  return s;
}

/**
 * The runs drawn when at most `limit` are shown: the newest (the legend lists runs oldest first);
 * limit 0 shows all.
 * @param {{id: string}[]} runs
 * @param {number} limit
 * @returns {Set<string>}
 */
export function shownRuns(runs, limit) {
  const real = runs.filter((r) => r.state !== 'group'); // a group's band (ui/groups.py) is drawn always, uncounted
  const keep = limit > 0 && real.length > limit ? real.slice(real.length - limit) : real;
  return new Set([...keep, ...runs.filter((r) => r.state === 'group')].map((r) => r.id));
}

/**
 * "showing 10 of 30 runs" (and how many were read, when the project has more than that); '' when all show.
 * @param {number} shown @param {number} read @param {number} total
 */
export function showingText(shown, read, total) {
  if (shown >= read && read >= total) return '';
  let s = `showing ${shown} of ${Math.max(total, read)} runs`;
  if (total > read) s += ` (the newest ${read} read; max_runs / --max-runs reads more)`;
  return s;
}

/**
 * The y range every given line needs between x0 and x1 (the y axis follows an x zoom, as in TensorBoard):
 * the lowest and highest y of the points with x0 <= x <= x1, and where a segment crosses x0 or x1, its
 * y there (a line zoomed in between two points is still in view). NaN/inf are gaps (no segment to or
 * from them); on a log axis so are values <= 0, and a crossing is interpolated in log space (a log axis
 * draws the segment straight in log y). x need not be sorted (a chart against another metric).
 * @param {{x: ArrayLike<number> | ArrayLike<number>[], y: ArrayLike<number> | ArrayLike<number>[]}[]} series
 *   each a Lines mark's data: x one row (shared) or one per y row; y one row or several (raw + smoothed)
 * @param {number} x0
 * @param {number} x1
 * @param {boolean} [log]
 * @returns {[number, number] | null} [lo, hi] unpadded; null when no point or segment is in the range
 */
export function visibleExtent(series, x0, x1, log = false) {
  if (x1 < x0) [x0, x1] = [x1, x0];
  const rows = (v) => (v && v.length && typeof v[0] === 'object' && v[0] !== null ? v : [v]);
  const ok = log ? (v) => Number.isFinite(v) && v > 0 : Number.isFinite;
  let lo = Infinity, hi = -Infinity;
  const take = (v) => { if (v < lo) lo = v; if (v > hi) hi = v; };
  const at = (xa, ya, xb, yb, xc) => { // y of the segment a-b at x = xc
    const t = (xc - xa) / (xb - xa);
    return log ? Math.exp(Math.log(ya) + t * (Math.log(yb) - Math.log(ya))) : ya + t * (yb - ya);
  };
  for (const s of series || []) {
    if (!s || !s.x || !s.y) continue;
    const xs = rows(s.x), ys = rows(s.y);
    ys.forEach((y, r) => {
      const x = xs[Math.min(r, xs.length - 1)];
      if (!x || !y) return;
      const n = Math.min(x.length, y.length);
      let px = NaN, py = NaN; // the previous point, NaN after a gap
      for (let i = 0; i < n; i++) {
        const xi = x[i], yi = y[i];
        if (!ok(yi) || !Number.isFinite(xi)) { px = NaN; continue; }
        if (xi >= x0 && xi <= x1) take(yi);
        if (!Number.isNaN(px) && px !== xi) {
          for (const edge of [x0, x1]) if ((px - edge) * (xi - edge) < 0) take(at(px, py, xi, yi, edge));
        }
        px = xi; py = yi;
      }
    });
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * A y domain around [lo, hi] with `pad` of its span either side (of its decades on a log axis), so
 * the highest and lowest points are not drawn on the frame. A single value (span 0) gets 10% of
 * itself either side (1 when it is 0), a tenth of a decade on a log axis.
 * @param {[number, number]} extent
 * @param {boolean} [log]
 * @param {number} [pad]
 * @returns {[number, number]}
 */
export function padDomain([lo, hi], log = false, pad = 0.05) {
  if (log) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const d = b > a ? pad * (b - a) : 0.1;
    return [10 ** (a - d), 10 ** (b + d)];
  }
  const d = hi > lo ? pad * (hi - lo) : Math.abs(hi) * 0.1 || 1;
  return [lo - d, hi + d];
}
