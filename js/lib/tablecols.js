// Pure helpers for logged tables: column roles, mistakes, sorting, cell text.
// The role rule matches nbmonitor/views/_common.py (role_columns).

const PRED = new Set(["pred", "preds", "prediction", "predictions", "predicted", "guess", "yhat"]);
const TARGET = new Set(["target", "targets", "truth", "label", "labels", "gt", "true", "actual", "answer"]);

/** @param {string} name @returns {Set<string>} the words of a column name, and the name itself */
export function tokens(name) {
  const lower = String(name).toLowerCase();
  const out = new Set(lower.split(/[^a-z0-9]+/).filter(Boolean));
  out.add(lower);
  return out;
}

const hasAny = (set, words) => [...set].some((t) => words.has(t));

/**
 * Indexes of the prediction and target columns (-1 when absent), found by name.
 * @param {string[]} columns
 * @returns {{pred: number, target: number}}
 */
export function roleColumns(columns) {
  const pred = columns.findIndex((c) => hasAny(tokens(c), PRED));
  const target = columns.findIndex(
    (c, i) => i !== pred && hasAny(tokens(c), TARGET) && !hasAny(tokens(c), PRED),
  );
  return { pred, target };
}

/** @returns {boolean} a cell is an image reference */
export const isImage = (cell) => cell !== null && typeof cell === "object" && Array.isArray(cell._img);

/** Index of the first column holding images in the first rows, or -1. */
export function imageColumn(rows) {
  for (const row of rows.slice(0, 20)) {
    const i = row.findIndex(isImage);
    if (i >= 0) return i;
  }
  return -1;
}

/** Numeric columns other than pred/target: what "sort by score" offers. */
export function scoreColumns(columns, rows) {
  const { pred, target } = roleColumns(columns);
  return columns
    .map((c, i) => i)
    .filter((i) => i !== pred && i !== target && rows.length > 0 &&
      rows.some((r) => typeof r[i] === "number") && rows.every((r) => r[i] === null || typeof r[i] !== "object"));
}

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A number, or a string that reads as one ("1.0", " 2 "); null for anything else (booleans too). */
function asNumber(v) {
  if (typeof v === "number") return v;
  if (typeof v === "string" && NUMBER_TEXT.test(v)) return Number(v);
  return null;
}

/** Text as Python's str() writes it, for the kinds of cell a table holds. */
function pyText(v) {
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v).trim();
}

/**
 * Prediction equals target: numbers (or number texts) by value, anything else by its text.
 * The rule of nbmonitor/ui/views/_common.py `same` (cases both must pass: parity-cases.json).
 */
export function same(a, b) {
  const x = asNumber(a), y = asNumber(b);
  if (x !== null && y !== null) return x === y;
  return pyText(a) === pyText(b);
}

export function isMistake(row, pred, target) {
  if (pred < 0 || target < 0) return false;
  const a = row[pred], b = row[target];
  return a !== null && a !== undefined && b !== null && b !== undefined && !same(a, b);
}

/** Python's format(v, ".4g") for a finite, non-zero number (ties at the 4th digit may round apart). */
function g4(v) {
  const [mant, ex] = v.toExponential(3).split("e");
  const x = Number(ex);
  if (x < -4 || x >= 4) {
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    return `${m}e${x < 0 ? "-" : "+"}${String(Math.abs(x)).padStart(2, "0")}`;
  }
  const s = v.toFixed(Math.max(0, 3 - x));
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * Text of a cell, the rule of nbmonitor/ui/views/_common.py `format_cell`: whole numbers in full
 * (below 1e15), others with 4 significant digits as %.4g, nan/inf/-inf, True/False, images as [image].
 */
export function formatCell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    return g4(v);
  }
  if (typeof v === "boolean") return v ? "True" : "False";
  if (isImage(v)) return "[image]";
  return String(v);
}

/** `{text, cut}`: text cut to `max` characters with an ellipsis. */
export function truncate(text, max = 80) {
  const s = String(text);
  return s.length <= max ? { text: s, cut: false } : { text: s.slice(0, max - 1) + "…", cut: true };
}

/**
 * Group logged tables by (run, key) with their steps in order.
 * @param {{run_id: string, run: string, key: string, step: number}[]} tables
 * @returns {{id: string, label: string, items: number[]}[]} items are indexes into tables
 */
export function groupTables(tables) {
  const groups = new Map();
  tables.forEach((t, i) => {
    const id = `${t.run_id}\u0000${t.key}`;
    if (!groups.has(id)) groups.set(id, { id, label: t.key, run: t.run, items: [] });
    groups.get(id).items.push(i);
  });
  const out = [...groups.values()];
  const runs = new Set(out.map((g) => g.run));
  if (runs.size > 1) out.forEach((g) => (g.label = `${g.label} (${g.run})`));
  out.forEach((g) => g.items.sort((a, b) => tables[a].step - tables[b].step || a - b));
  return out;
}
