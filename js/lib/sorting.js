// Sorting table rows by one column: numbers numerically, text naturally, blanks last.

/** @param {unknown} v */
function isBlank(v) {
  return v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
}

/**
 * Compare two cell values for an ascending sort (blank cells always sort last).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {number}
 */
export function compareCells(a, b) {
  const ba = isBlank(a), bb = isBlank(b);
  if (ba || bb) return ba === bb ? 0 : ba ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * Indices of `rows` ordered by column `col`; `descending` keeps blanks last too.
 * @param {unknown[][]} rows
 * @param {number} col
 * @param {boolean} descending
 * @returns {number[]}
 */
export function sortedIndices(rows, col, descending = false) {
  const idx = rows.map((_, i) => i);
  idx.sort((i, j) => {
    const a = rows[i][col], b = rows[j][col];
    if (isBlank(a) || isBlank(b)) return compareCells(a, b);
    const c = compareCells(a, b);
    return (descending ? -c : c) || i - j;
  });
  return idx;
}
