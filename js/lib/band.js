// Pure helpers for a group's band (js/charts.js draws it, js/group.js controls it; the kernel's side is
// nbmonitor/ui/groups.py): the band mark's y is three rows, max / median / min across the group's runs.

import { ema, logSafe } from './chartmath.js';

/**
 * The rows to draw: each smoothed (EMA, as the runs' lines) and, for a log axis, a column whose
 * least value is not positive becomes a gap in all three rows (a fill between a number and NaN
 * would draw a broken path).
 * @param {ArrayLike<number>[]} rows [max, median, min], the kernel's raw band
 * @param {number} smoothing 0 <= s < 1
 * @param {boolean} log
 * @returns {Float32Array[]}
 */
export function bandRows(rows, smoothing, log) {
  const out = rows.map((r) => (smoothing > 0 && r.length > 1 ? ema(r, smoothing) : Float32Array.from(r)));
  if (!log) return out;
  const safe = out.map(logSafe);
  const n = out.length ? out[0].length : 0;
  for (let j = 0; j < n; j++) {
    if (safe.some((r) => Number.isNaN(r[j]))) for (const r of safe) r[j] = NaN;
  }
  return safe;
}

/**
 * Run ids to hide or show so that a group's runs are folded into its band or spread out.
 * @param {string[]} hidden the controls' hidden run ids
 * @param {string[]} members the group's run ids
 * @param {boolean} expand
 * @returns {string[]}
 */
export function foldRuns(hidden, members, expand) {
  const h = new Set(hidden);
  for (const r of members) if (expand) h.delete(r); else h.add(r);
  return Array.from(h);
}

/**
 * Whether a group shows its runs: any of them drawn.
 * @param {string[]} hidden
 * @param {string[]} members
 */
export function isExpanded(hidden, members) {
  const h = new Set(hidden);
  return members.some((r) => !h.has(r));
}
