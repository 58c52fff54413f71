// DOM building with text only ever set through textContent (never innerHTML).

export const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * An HTML element with an optional class and text.
 * @param {string} tag
 * @param {string} [cls]
 * @param {unknown} [text]
 * @returns {HTMLElement}
 */
export function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * An SVG element with attributes and optional text.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {unknown} [text]
 * @returns {SVGElement}
 */
export function s(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
