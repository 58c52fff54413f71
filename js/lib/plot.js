// Small pure helpers for the TensorBoard-style views: scales, polylines, nearest
// points, axes of a parallel-coordinates plot, colours, sprite cells, counts.

/** A linear map from [lo, hi] onto [a, b] (the middle of [a, b] when lo == hi). */
export function scale(lo, hi, a, b) {
  const span = hi - lo;
  return (v) => (span > 0 && Number.isFinite(span) ? a + ((v - lo) / span) * (b - a) : (a + b) / 2);
}

/** SVG polyline points for y(x) in a w x h box with `pad` (x and y in [0, 1]; others skipped). */
export function polyline(xs, ys, w, h, pad = 0) {
  const sx = scale(0, 1, pad, w - pad), sy = scale(0, 1, h - pad, pad);
  const out = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) out.push(`${sx(xs[i]).toFixed(1)},${sy(ys[i]).toFixed(1)}`);
  }
  return out.join(" ");
}

/** Index of the point nearest (x, y) (squared distance; NaN points skipped), or -1. */
export function nearest(xs, ys, x, y) {
  let best = -1, bd = Infinity;
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const d = (xs[i] - x) ** 2 + (ys[i] - y) ** 2;
    if (d < bd) { bd = d; best = i; }
  }
  return best;
}

/**
 * One axis of a parallel-coordinates plot over `values`: numbers on a linear
 * axis, anything else (text, booleans) as evenly spaced categories, sorted.
 * `pos(v)` is in [0, 1] (0 at the bottom), or null for a blank value.
 */
export function axis(values) {
  const present = values.filter((v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v)));
  if (present.length && present.every((v) => typeof v === "number")) {
    const lo = Math.min(...present), hi = Math.max(...present);
    const f = scale(lo, hi, 0, 1);
    return { kind: "num", lo, hi, ticks: [lo, hi], pos: (v) => (typeof v === "number" && !Number.isNaN(v) ? f(v) : null) };
  }
  const cats = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const f = scale(0, cats.length - 1, 0, 1);
  return {
    kind: "cat", cats, ticks: cats,
    pos: (v) => (v === null || v === undefined ? null : cats.indexOf(String(v)) < 0 ? null : f(cats.indexOf(String(v)))),
  };
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** A stable colour for a label (the same label always gets the same colour). */
export function colorOf(label, i) {
  if (label === null || label === undefined) return PALETTE[(i ?? 0) % PALETTE.length];
  let hsh = 0;
  for (const ch of String(label)) hsh = (hsh * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[hsh % PALETTE.length];
}

/** A colour from blue (t = 0) to red (t = 1), for a metric. */
export function ramp(t) {
  const u = Math.min(Math.max(Number.isFinite(t) ? t : 0.5, 0), 1);
  return `hsl(${Math.round(220 - 220 * u)}, 70%, 45%)`;
}

/** Where image `i` of `n` lies in a TensorBoard sprite (a square grid of w x h cells). */
export function spriteCell(i, n, w, h) {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  return { x: (i % cols) * w, y: Math.floor(i / cols) * h, size: cols * w };
}

/** 1234567 -> "1.23M", 999 -> "999" (parameter counts). */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "";
  const a = Math.abs(n);
  for (const [d, s] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]]) {
    if (a >= d) return `${(n / d).toPrecision(3).replace(/\.?0+$/, "")}${s}`;
  }
  return String(n);
}

/** Short text of a table value (numbers to 5 significant digits). */
export function show(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(5).replace(/\.?0+$/, "").replace(/\.?0+e/, "e");
  return String(v);
}
