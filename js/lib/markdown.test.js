import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInline, parseMarkdown, renderMarkdown, safeHref } from "./markdown.js";

// A tiny DOM: enough to check what renderMarkdown builds (no innerHTML exists here at all).
class Node_ {
  constructor(tag, text) { this.tag = tag; this.children = []; this.attrs = {}; this.text = text ?? ""; }
  appendChild(c) { if (c.tag === "#frag") this.children.push(...c.children); else this.children.push(c); return c; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  set textContent(v) { this.children = [new Node_("#text", String(v))]; }
  get html() {
    if (this.tag === "#text") return this.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const inner = this.children.map((c) => c.html).join("");
    if (this.tag === "#frag") return inner;
    const attrs = Object.entries(this.attrs).map(([k, v]) => ` ${k}="${v}"`).join("");
    return `<${this.tag}${attrs}>${inner}</${this.tag}>`;
  }
}
const doc = {
  createElement: (t) => new Node_(t),
  createTextNode: (t) => new Node_("#text", t),
  createDocumentFragment: () => new Node_("#frag"),
};
const html = (md) => renderMarkdown(parseMarkdown(md), doc).html;

test("headings, paragraphs, emphasis, code", () => {
  assert.equal(html("# Title\n\nsome **bold** and *it* and `x<y`"),
    "<h1>Title</h1><p>some <strong>bold</strong> and <em>it</em> and <code>x&lt;y</code></p>");
  assert.equal(html("line one\nline two"), "<p>line one line two</p>");
  assert.equal(html("snake_case_name stays"), "<p>snake_case_name stays</p>");
});

test("raw HTML and scripts stay text", () => {
  assert.equal(html("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  assert.equal(html('<img src=x onerror="alert(1)">'), '<p>&lt;img src=x onerror="alert(1)"&gt;</p>');
  const blocks = parseMarkdown("**<b>x</b>**");
  assert.deepEqual(blocks, [{ t: "p", c: [{ t: "strong", c: [{ t: "text", v: "<b>x</b>" }] }] }]);
});

test("links only for http(s) and mailto", () => {
  assert.equal(html("[ok](https://example.org/a?b=1)"),
    '<p><a href="https://example.org/a?b=1" target="_blank" rel="noopener noreferrer">ok</a></p>');
  assert.equal(html("[bad](javascript:alert(1))"), "<p>[bad](javascript:alert(1))</p>");
  assert.equal(html("[bad](javascript:alert)"), "<p>bad</p>");
  assert.equal(safeHref("JAVASCRIPT:x"), null);
  assert.equal(safeHref("data:text/html,x"), null);
  assert.equal(safeHref('https://a"onmouseover=x'), null);
  assert.equal(safeHref("mailto:a@b.c"), "mailto:a@b.c");
});

test("lists, quotes, rules, fenced and indented code", () => {
  assert.equal(html("- a\n- **b**\n\n1. x\n2. y"), "<ul><li>a</li><li><strong>b</strong></li></ul><ol><li>x</li><li>y</li></ol>");
  assert.equal(html("> quoted *text*"), "<blockquote><p>quoted <em>text</em></p></blockquote>");
  assert.equal(html("a\n\n---\n\nb"), "<p>a</p><hr></hr><p>b</p>");
  assert.equal(html("```\n<b>x</b>\n  y\n```"), "<pre><code>&lt;b&gt;x&lt;/b&gt;\n  y</code></pre>");
  assert.equal(html("    code *not em*"), "<pre><code>code *not em*</code></pre>");
});

test("pipe tables", () => {
  assert.equal(html("| lr | acc |\n|---|---:|\n| 0.1 | **0.9** |"),
    "<table><thead><tr><th>lr</th><th>acc</th></tr></thead><tbody><tr><td>0.1</td><td><strong>0.9</strong></td></tr></tbody></table>");
});

test("backslash escapes and unclosed markers", () => {
  assert.deepEqual(parseInline("\\*not em\\*"), [{ t: "text", v: "*not em*" }]);
  assert.deepEqual(parseInline("2 * 3 * 4"), [{ t: "text", v: "2 * 3 * 4" }]);
  assert.deepEqual(parseInline("a `b"), [{ t: "text", v: "a `b" }]);
  assert.deepEqual(parseMarkdown(""), []);
  assert.deepEqual(parseMarkdown(null), []);
});
