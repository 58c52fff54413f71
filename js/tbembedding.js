// Embeddings: a 2-D PCA scatter (computed in Python), coloured by label; hovering a
// point shows its label and its image cut from the sprite. A selector picks the
// key and step. Points arrive as float32 x, y pairs in a Blob; the sprite PNG in another.
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { colorOf, nearest, spriteCell } from "./lib/plot.js";
import { h } from "./lib/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const SIZE = 360;

function render({ model, el, host }) {
  el.classList.add("nbm-tb", "nbm-tbembed");
  const blobs = new BlobCache(modelGetter(model, host));
  const urls = new Map();
  const bar = h("div", "nbm-tb-controls");
  const select = h("select", "nbm-embed-select");
  bar.appendChild(select);
  const wrap = h("div", "nbm-embed-wrap");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(SIZE));
  svg.setAttribute("height", String(SIZE));
  svg.classList.add("nbm-embed-svg");
  const tip = h("div", "nbm-embed-tip");
  const thumb = h("div", "nbm-embed-thumb");
  const tipText = h("div", "nbm-embed-label");
  tip.append(thumb, tipText);
  tip.style.display = "none";
  wrap.append(svg, tip);
  const legend = h("div", "nbm-embed-legend");
  el.append(bar, wrap, legend);
  let current = -1, token = 0;

  function labelOf(it, i) {
    if (!it.labels) return null;
    const l = it.labels[i];
    return Array.isArray(l) ? l[0] : l;
  }

  async function spriteUrl(ref) {
    if (!urls.has(ref)) urls.set(ref, URL.createObjectURL(new Blob([await blobs.get(ref)], { type: "image/png" })));
    return urls.get(ref);
  }

  function fillSelect() {
    const keys = model.get("names") || [];
    const items = model.get("items") || [];
    const follow = current < 0 || current === Number(select.value) && Number(select.value) === select.options.length - 1;
    select.replaceChildren(...items.map((it, i) => {
      const o = h("option", "", `${keys[it.k] ? keys[it.k].key : "?"} — step ${it.s} (${keys[it.k] ? keys[it.k].run : ""})`);
      o.value = String(i);
      return o;
    }));
    if (follow || current >= items.length) current = items.length - 1;
    select.value = String(current);
    select.style.display = items.length > 1 ? "" : "none";
  }

  async function draw() {
    const t = ++token;
    const items = model.get("items") || [];
    const refs = model.get("blobs") || [];
    const it = items[current];
    if (!it || it.b >= refs.length) return;
    const bytes = (await blobs.get(refs[it.b])).slice();
    if (t !== token) return;
    const xy = new Float32Array(bytes.buffer, bytes.byteOffset, 2 * it.n);
    const xs = Array.from({ length: it.n }, (_, i) => xy[2 * i]);
    const ys = Array.from({ length: it.n }, (_, i) => xy[2 * i + 1]);
    const px = (v) => SIZE / 2 + v * (SIZE / 2 - 10), py = (v) => SIZE / 2 - v * (SIZE / 2 - 10);
    svg.replaceChildren();
    const seen = new Map();
    for (let i = 0; i < it.n; i++) {
      const lab = labelOf(it, i);
      const color = colorOf(lab, 0);
      if (lab !== null && seen.size < 20 && !seen.has(String(lab))) seen.set(String(lab), color);
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", px(xs[i]).toFixed(1));
      c.setAttribute("cy", py(ys[i]).toFixed(1));
      c.setAttribute("r", "3");
      c.setAttribute("fill", color);
      c.setAttribute("class", "nbm-embed-point");
      svg.appendChild(c);
    }
    legend.replaceChildren(...[...seen].map(([lab, color]) => {
      const e = h("span", "nbm-embed-key", `● ${lab}`);
      e.style.color = color;
      return e;
    }));
    const sprite = it.sb >= 0 && it.sb < refs.length ? await spriteUrl(refs[it.sb]) : null;
    if (t !== token) return;
    svg.onmousemove = (ev) => {
      const box = svg.getBoundingClientRect();
      const x = (ev.clientX - box.left - SIZE / 2) / (SIZE / 2 - 10), y = -(ev.clientY - box.top - SIZE / 2) / (SIZE / 2 - 10);
      const i = nearest(xs, ys, x, y);
      if (i < 0) return;
      const lab = it.labels ? it.labels[i] : null;
      const text = Array.isArray(lab) ? (it.header || []).map((name, j) => `${name}: ${lab[j]}`).join("\n") : lab === null ? `point ${i}` : String(lab);
      tipText.textContent = text;
      if (sprite) {
        const cell = spriteCell(i, it.n, it.tw, it.th);
        const zoom = Math.max(1, Math.floor(48 / Math.max(it.tw, it.th)));
        thumb.style.display = "";
        thumb.style.width = `${it.tw * zoom}px`;
        thumb.style.height = `${it.th * zoom}px`;
        thumb.style.backgroundImage = `url("${sprite}")`;
        thumb.style.backgroundSize = `${cell.size * zoom}px auto`;
        thumb.style.backgroundPosition = `-${cell.x * zoom}px -${cell.y * zoom}px`;
      } else thumb.style.display = "none";
      tip.style.display = "";
      tip.style.left = `${px(xs[i]) + 8}px`;
      tip.style.top = `${py(ys[i]) + 8}px`;
      tip.dataset.index = String(i);
    };
    svg.onmouseleave = () => { tip.style.display = "none"; };
  }

  const redraw = () => { fillSelect(); draw().catch((e) => console.warn("nbmonitor:", e)); };
  select.onchange = () => { current = Number(select.value); draw().catch((e) => console.warn("nbmonitor:", e)); };
  model.on("change:items", redraw);
  model.on("change:blobs", redraw);
  redraw();
  return () => {
    model.off("change:items", redraw);
    model.off("change:blobs", redraw);
    for (const u of urls.values()) URL.revokeObjectURL(u);
  };
}

export default { render };
