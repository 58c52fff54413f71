// PR curves: a chart per tag (precision against recall), a line per run, a step
// slider per tag; hovering shows threshold, precision and recall of the nearest point.
// Curves arrive once as float32 in Blob widgets: precision (n), recall (n), thresholds (n).
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { colorOf, nearest, polyline, show } from "./lib/plot.js";
import { h, s } from "./lib/dom.js";

const W = 240, H = 240, PAD = 28;

function floats(bytes, o, n) {
  const copy = bytes.slice(o, o + 12 * n); // aligned copy
  const f = new Float32Array(copy.buffer, copy.byteOffset, 3 * n);
  return { p: f.subarray(0, n), r: f.subarray(n, 2 * n), t: f.subarray(2 * n, 3 * n) };
}

function render({ model, el, host }) {
  el.classList.add("nbm-tb", "nbm-tbpr");
  const blobs = new BlobCache(modelGetter(model, host));
  const charts = new Map(); // tag -> {root, svg, slider, label, info}
  const chosen = new Map(); // tag -> position in its steps
  let token = 0;

  function chart(tag) {
    if (!charts.has(tag)) {
      const root = h("div", "nbm-tb-card nbm-pr-card");
      root.dataset.tag = tag;
      const title = h("div", "nbm-tb-title", tag);
      const svg = s("svg", { width: W, height: H, class: "nbm-pr-svg" });
      const row = h("div", "nbm-tb-controls");
      const slider = h("input", "nbm-tb-slider");
      slider.type = "range";
      slider.min = "0";
      const label = h("span", "nbm-tb-step");
      row.append(slider, label);
      const info = h("div", "nbm-pr-info", "");
      const legend = h("div", "nbm-pr-legend");
      root.append(title, svg, row, info, legend);
      el.appendChild(root);
      slider.oninput = () => { chosen.set(tag, Number(slider.value)); draw(); };
      charts.set(tag, { root, svg, slider, label, info, legend });
    }
    return charts.get(tag);
  }

  async function draw() {
    const t = ++token;
    const keys = model.get("names") || [];
    const refs = model.get("blobs") || [];
    const byTag = new Map();
    for (const it of model.get("items") || []) {
      const key = keys[it.k];
      if (!key) continue;
      if (!byTag.has(key.key)) byTag.set(key.key, []);
      byTag.get(key.key).push(it);
    }
    for (const [tag, list] of byTag) {
      const steps = [...new Set(list.map((it) => it.s))].sort((a, b) => a - b);
      const c = chart(tag);
      const pos = Math.min(chosen.has(tag) ? chosen.get(tag) : steps.length - 1, steps.length - 1);
      const step = steps[pos];
      c.slider.max = String(steps.length - 1);
      c.slider.value = String(pos);
      c.slider.style.display = steps.length > 1 ? "" : "none";
      c.label.textContent = `step ${step}` + (steps.length > 1 ? `  (${pos + 1}/${steps.length})` : "");
      c.root.dataset.step = String(step);
      const shown = list.filter((it) => it.s === step);
      const curves = [];
      for (const it of shown) {
        if (it.b >= refs.length) continue;
        const bytes = await blobs.get(refs[it.b]);
        if (t !== token) return;
        curves.push({ run: keys[it.k].run, ...floats(bytes, it.o, it.n) });
      }
      c.svg.replaceChildren(s("rect", { x: PAD, y: 4, width: W - PAD - 4, height: H - PAD - 4, fill: "none", stroke: "#ccc" }));
      for (const [txt, x, y, anchor] of [["recall", W / 2, H - 4, "middle"], ["0", PAD, H - PAD + 12, "middle"], ["1", W - 4, H - PAD + 12, "end"],
                                          ["1", PAD - 4, 12, "end"], ["0", PAD - 4, H - PAD, "end"]]) {
        const e = s("text", { x, y, "text-anchor": anchor, class: "nbm-pr-axis" });
        e.textContent = txt;
        c.svg.appendChild(e);
      }
      const ylab = s("text", { x: 10, y: H / 2, transform: `rotate(-90 10 ${H / 2})`, "text-anchor": "middle", class: "nbm-pr-axis" });
      ylab.textContent = "precision";
      c.svg.appendChild(ylab);
      const g = s("g", { transform: `translate(${PAD},4)` });
      const iw = W - PAD - 4, ih = H - PAD - 4;
      curves.forEach((cv, i) => {
        g.appendChild(s("polyline", { points: polyline(cv.r, cv.p, iw, ih), fill: "none", stroke: colorOf(cv.run, i), "stroke-width": 1.8, class: "nbm-pr-line" }));
      });
      const dot = s("circle", { r: 3.5, fill: "none", stroke: "#000", visibility: "hidden" });
      g.appendChild(dot);
      c.svg.appendChild(g);
      c.svg.onmousemove = (ev) => {
        const box = c.svg.getBoundingClientRect();
        const rx = (ev.clientX - box.left - PAD) / iw, py = 1 - (ev.clientY - box.top - 4) / ih;
        let best = null;
        for (const cv of curves) {
          const i = nearest(cv.r, cv.p, rx, py);
          if (i < 0) continue;
          const d = (cv.r[i] - rx) ** 2 + (cv.p[i] - py) ** 2;
          if (!best || d < best.d) best = { d, cv, i };
        }
        if (!best) return;
        const { cv, i } = best;
        dot.setAttribute("cx", (cv.r[i] * iw).toFixed(1));
        dot.setAttribute("cy", ((1 - cv.p[i]) * ih).toFixed(1));
        dot.setAttribute("visibility", "visible");
        c.info.textContent = `${cv.run}: threshold ${show(cv.t[i])}, precision ${show(cv.p[i])}, recall ${show(cv.r[i])}`;
      };
      c.legend.replaceChildren(...curves.map((cv, i) => {
        const e = h("span", "nbm-pr-run", `● ${cv.run}`);
        e.style.color = colorOf(cv.run, i);
        return e;
      }));
    }
  }

  const redraw = () => { draw().catch((e) => console.warn("nbmonitor:", e)); };
  model.on("change:items", redraw);
  model.on("change:blobs", redraw);
  redraw();
  return () => {
    model.off("change:items", redraw);
    model.off("change:blobs", redraw);
  };
}

export default { render };
