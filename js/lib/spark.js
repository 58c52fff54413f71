// Pure helpers for the panel's browser views: binary arrays, sparklines, durations.

/**
 * A Float32Array over a binary widget value (DataView, ArrayBuffer or typed array).
 * @param {DataView|ArrayBuffer|ArrayBufferView|null|undefined} buf
 * @returns {Float32Array}
 */
export function toFloat32(buf) {
  if (!buf) return new Float32Array(0);
  if (buf instanceof Float32Array) return buf;
  if (buf instanceof ArrayBuffer) return new Float32Array(buf.slice(0));
  if (ArrayBuffer.isView(buf)) {
    // copy: the view's offset may not be 4-aligned
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength - (buf.byteLength % 4));
    return new Float32Array(bytes.slice().buffer);
  }
  return new Float32Array(0);
}

/**
 * Polylines for a sparkline in a width x height box; NaN/inf break the line and become marks.
 * @param {ArrayLike<number>} values
 * @param {number} width
 * @param {number} height
 * @param {number} [pad]
 * @param {number[]} [flagged] indices of points to mark too (a stretch that held a NaN/inf)
 * @returns {{lines: string[], marks: number[]}} SVG `points` strings and x positions of non-finite marks
 */
export function sparkPaths(values, width, height, pad = 2, flagged = []) {
  const n = values.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const lines = [], marks = [];
  if (!n) return { lines, marks };
  const span = hi > lo ? hi - lo : 0;
  const steps = Math.max(n - 1, 1);
  let cur = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const x = pad + ((width - 2 * pad) * i) / steps;
    if (!Number.isFinite(v)) {
      if (cur.length) lines.push(cur.join(' '));
      cur = [];
      marks.push(x);
      continue;
    }
    const f = span ? (v - lo) / span : 0.5;
    const y = height - pad - (height - 2 * pad) * f;
    cur.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  if (cur.length) lines.push(cur.join(' '));
  for (const i of flagged) {
    const v = values[i];
    if (i >= 0 && i < n && Number.isFinite(v)) marks.push(pad + ((width - 2 * pad) * i) / steps);
  }
  // a single point draws nothing: widen it to a short flat segment
  return { lines: lines.map((l) => (l.includes(' ') ? l : `${l} ${l}`)), marks };
}

/**
 * "45 s", "3 min 05 s", "2 h 07 min".
 * @param {number} s seconds
 * @returns {string}
 */
export function formatDuration(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * Steps per second, short: "12.3k", "950", "4.20", "–".
 * @param {number|null|undefined} r
 * @returns {string}
 */
export function formatRate(r) {
  if (r === null || r === undefined || !Number.isFinite(r) || r < 0) return '–';
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e4) return `${(r / 1e3).toFixed(1)}k`;
  if (r >= 100) return r.toFixed(0);
  return r.toFixed(2);
}
