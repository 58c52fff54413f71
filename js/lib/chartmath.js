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
