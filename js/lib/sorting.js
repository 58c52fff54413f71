// Sorting table rows by one column: numbers numerically, text naturally, blanks last.

/** @param {unknown} v */
function isBlank(v) {
  return v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
}

/** @param {unknown} v */
const isNumeric = (v) => typeof v === "number" || typeof v === "boolean";

/**
 * Compare two cell values for an ascending sort (blank cells always sort last).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {number}
 */
export function compareCells(a, b) {
  const ba = isBlank(a), bb = isBlank(b);
  if (ba || bb) return ba === bb ? 0 : ba ? 1 : -1;
  const na = isNumeric(a), nb = isNumeric(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * Indices of `rows` ordered by column `col` (stable; blanks last in both directions; col < 0: as they are).
 * @param {unknown[][]} rows
 * @param {number} col
 * @param {boolean} descending
 * @returns {number[]}
 */
export function sortedIndices(rows, col, descending = false) {
  const idx = rows.map((_, i) => i);
  if (col < 0) return idx;
  idx.sort((i, j) => {
    const a = rows[i][col], b = rows[j][col];
    if (isBlank(a) || isBlank(b)) return compareCells(a, b) || i - j;
    const c = compareCells(a, b);
    return (descending ? -c : c) || i - j;
  });
  return idx;
}
