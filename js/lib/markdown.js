// A small markdown subset for add_text, rendered safely: the parser returns plain
// objects, the renderer builds DOM with createElement/createTextNode only. Raw
// HTML is never interpreted (it shows as the text it is); links are kept only for
// http(s) and mailto URLs.
//
// Blocks: # headings, paragraphs, ``` fenced code ```, indented code, > quotes,
// - / * / + and 1. lists, --- rules, | pipe | tables |.
// Inline: `code`, **strong** / __strong__, *em* / _em_, [text](url), \-escapes.

/**
 * @typedef {{t: "text"|"code", v: string} | {t: "strong"|"em", c: Inline[]} | {t: "link", href: string|null, c: Inline[]}} Inline
 * @typedef {{t: "h", level: number, c: Inline[]} | {t: "p", c: Inline[]} | {t: "pre", v: string}
 *   | {t: "quote", c: Block[]} | {t: "list", ordered: boolean, items: Inline[][]} | {t: "hr"}
 *   | {t: "table", head: Inline[][], rows: Inline[][][]}} Block
 */

const INLINE = [
  ["code", /`([^`]+)`/],
  ["strong", /\*\*(.+?)\*\*/],
  ["strong", /__(.+?)__/],
  ["em", /\*([^*\s](?:[^*]*[^*\s])?)\*/],
  ["em", /(?<![A-Za-z0-9])_([^_\s](?:[^_]*[^_\s])?)_(?![A-Za-z0-9])/],
  ["link", /\[([^\]]+)\]\(([^()\s]+)\)/],
];

/** A URL safe to put in href, or null. @param {string} url */
export function safeHref(url) {
  const u = String(url).trim();
  return /^(https?:\/\/|mailto:)/i.test(u) && !/[\u0000-\u001f"<>\\]/.test(u) ? u : null;
}

/** Inline markdown to nodes. @param {string} s @returns {Inline[]} */
export function parseInline(s) {
  /** @type {Inline[]} */
  const out = [];
  let rest = String(s);
  const text = (v) => {
    v = v.replace(/\\([\\`*_[\]()#>+\-.!|])/g, "$1");
    if (!v) return;
    const last = out[out.length - 1];
    if (last && last.t === "text") last.v += v;
    else out.push({ t: "text", v });
  };
  while (rest) {
    let best = null;
    for (const [kind, re] of INLINE) {
      const m = re.exec(rest);
      if (m && (best === null || m.index < best.m.index)) best = { kind, m };
    }
    // a backslash-escaped marker before the match: treat it as text
    const esc = rest.search(/\\[\\`*_[\]()]/);
    if (esc >= 0 && (best === null || esc < best.m.index)) {
      text(rest.slice(0, esc + 2));
      rest = rest.slice(esc + 2);
      continue;
    }
    if (best === null) {
      text(rest);
      break;
    }
    const { kind, m } = best;
    text(rest.slice(0, m.index));
    if (kind === "code") out.push({ t: "code", v: m[1] });
    else if (kind === "link") out.push({ t: "link", href: safeHref(m[2]), c: parseInline(m[1]) });
    else out.push({ t: kind, c: parseInline(m[1]) });
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

const isRule = (l) => /^ {0,3}([-*_])( *\1){2,} *$/.test(l);
const isFence = (l) => /^ {0,3}```/.test(l);
const listItem = (l) => /^ {0,3}([-*+]|\d{1,9}[.)]) +(.*)$/.exec(l);
const isTableSep = (l) => /^ *\|? *:?-{1,}:? *(\| *:?-{1,}:? *)*\|? *$/.test(l) && l.includes("-");
const cells = (l) => l.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => parseInline(c.trim()));

/** Markdown text to blocks. @param {string} src @returns {Block[]} */
export function parseMarkdown(src) {
  const lines = String(src ?? "").replace(/\r\n?/g, "\n").split("\n");
  /** @type {Block[]} */
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    if (isFence(line)) {
      const body = [];
      i++;
      while (i < lines.length && !isFence(lines[i])) body.push(lines[i++]);
      i++;
      out.push({ t: "pre", v: body.join("\n") });
      continue;
    }
    if (/^( {4}|\t)/.test(line)) {
      const body = [];
      while (i < lines.length && (/^( {4}|\t)/.test(lines[i]) || !lines[i].trim())) body.push(lines[i++].replace(/^( {4}|\t)/, ""));
      out.push({ t: "pre", v: body.join("\n").replace(/\n+$/, "") });
      continue;
    }
    const h = /^ {0,3}(#{1,6}) +(.*?)(?: +#+)? *$/.exec(line);
    if (h) { out.push({ t: "h", level: h[1].length, c: parseInline(h[2]) }); i++; continue; }
    if (isRule(line)) { out.push({ t: "hr" }); i++; continue; }
    if (/^ {0,3}>/.test(line)) {
      const body = [];
      while (i < lines.length && /^ {0,3}>/.test(lines[i])) body.push(lines[i++].replace(/^ {0,3}> ?/, ""));
      out.push({ t: "quote", c: parseMarkdown(body.join("\n")) });
      continue;
    }
    const li = listItem(line);
    if (li) {
      const ordered = /\d/.test(li[1]);
      const items = [];
      while (i < lines.length) {
        const m = listItem(lines[i]);
        if (m && /\d/.test(m[1]) === ordered) { items.push(m[2]); i++; }
        else if (items.length && lines[i].trim() && /^\s+/.test(lines[i]) && !listItem(lines[i])) items[items.length - 1] += " " + lines[i++].trim();
        else break;
      }
      out.push({ t: "list", ordered, items: items.map(parseInline) });
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && isTableSep(lines[i + 1])) {
      const head = cells(line);
      i += 2;
      const rows = [];
      while (i < lines.length && lines[i].includes("|") && lines[i].trim()) rows.push(cells(lines[i++]));
      out.push({ t: "table", head, rows });
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !isFence(lines[i]) && !isRule(lines[i]) && !/^ {0,3}(#{1,6} |>)/.test(lines[i])
           && !(para.length && listItem(lines[i]))) para.push(lines[i++].trim());
    out.push({ t: "p", c: parseInline(para.join(" ")) });
  }
  return out;
}

/**
 * Blocks to DOM, built only with createElement / createTextNode.
 * @param {Block[]} blocks
 * @param {Document} doc
 * @returns {DocumentFragment}
 */
export function renderMarkdown(blocks, doc = globalThis.document) {
  const frag = doc.createDocumentFragment();
  const el = (tag, kids) => {
    const e = doc.createElement(tag);
    if (kids) e.appendChild(kids);
    return e;
  };
  const inline = (nodes) => {
    const f = doc.createDocumentFragment();
    for (const n of nodes) {
      if (n.t === "text") f.appendChild(doc.createTextNode(n.v));
      else if (n.t === "code") { const c = el("code"); c.textContent = n.v; f.appendChild(c); }
      else if (n.t === "link") {
        if (n.href === null) { f.appendChild(inline(n.c)); continue; }
        const a = el("a", inline(n.c));
        a.setAttribute("href", n.href);
        a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
        f.appendChild(a);
      } else f.appendChild(el(n.t === "strong" ? "strong" : "em", inline(n.c)));
    }
    return f;
  };
  for (const b of blocks) {
    if (b.t === "h") frag.appendChild(el(`h${Math.min(Math.max(b.level, 1), 6)}`, inline(b.c)));
    else if (b.t === "p") frag.appendChild(el("p", inline(b.c)));
    else if (b.t === "pre") { const c = el("code"); c.textContent = b.v; frag.appendChild(el("pre", c)); }
    else if (b.t === "quote") frag.appendChild(el("blockquote", renderMarkdown(b.c, doc)));
    else if (b.t === "hr") frag.appendChild(el("hr"));
    else if (b.t === "list") {
      const l = el(b.ordered ? "ol" : "ul");
      for (const it of b.items) l.appendChild(el("li", inline(it)));
      frag.appendChild(l);
    } else if (b.t === "table") {
      const t = el("table"), head = el("tr");
      for (const c of b.head) head.appendChild(el("th", inline(c)));
      t.appendChild(el("thead", head));
      const body = el("tbody");
      for (const r of b.rows) {
        const tr = el("tr");
        for (const c of r) tr.appendChild(el("td", inline(c)));
        body.appendChild(tr);
      }
      t.appendChild(body);
      frag.appendChild(t);
    }
  }
  return frag;
}
