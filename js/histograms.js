// Histograms over time per key: TensorBoard's distribution bands and offset (ridge) view,
// a layer selector and a step slider. Histograms arrive once, packed as float32 records
// in Blob widgets (see lib/histo.js); `names` names them.
import { unpackRecords, percentiles, bandPaths, ridgePaths, thin, tick, scale } from "./lib/histo.js";
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { h, s } from "./lib/dom.js";

const W = 560, H = 220, BARS_H = 90, MAX_RIDGES = 40;

function render({ model, el, host }) {
  el.classList.add("nbm-histograms");
  const blobs = new BlobCache(modelGetter(model, host));
  const parsed = new Map(); // blob ref -> records
  const state = { key: -1, mode: "bands", pos: -1 };

  const bar = h("div", "nbm-hist-bar");
  const keySel = h("select", "nbm-hist-key");
  const modes = h("span", "nbm-hist-modes");
  const bBands = h("button", "nbm-hist-mode", "distribution");
  const bRidge = h("button", "nbm-hist-mode", "ridges");
  bBands.dataset.mode = "bands";
  bRidge.dataset.mode = "ridge";
  modes.append(bBands, bRidge);
  const slider = h("input", "nbm-hist-slider");
  slider.type = "range";
  slider.min = "0";
  const stepLabel = h("span", "nbm-hist-step");
  bar.append(keySel, modes, slider, stepLabel);
  const main = s("svg", { class: "nbm-hist-main", width: W, height: H, viewBox: `0 0 ${W} ${H}` });
  const bars = s("svg", { class: "nbm-hist-bars", width: W, height: BARS_H, viewBox: `0 0 ${W} ${BARS_H}` });
  const empty = h("div", "nbm-hist-empty", "no histograms logged yet");
  el.append(bar, main, bars, empty);

  async function records() {
    const refs = model.get("blobs") || [];
    const all = await Promise.all(refs.map(async (ref) => {
      if (!parsed.has(ref)) {
        const bytes = await blobs.get(ref);
        const copy = bytes.byteOffset % 4 ? bytes.slice() : bytes; // Float32Array needs 4-byte alignment
        parsed.set(ref, unpackRecords(new Float32Array(copy.buffer, copy.byteOffset, Math.floor(copy.byteLength / 4))));
      }
      return parsed.get(ref);
    }));
    const byKey = new Map();
    for (const list of all) for (const r of list) {
      if (!byKey.has(r.k)) byKey.set(r.k, []);
      byKey.get(r.k).push(r);
    }
    for (const list of byKey.values()) list.sort((a, b) => a.step - b.step);
    return byKey;
  }

  function axisLabels(svg, yLo, yHi, xLo, xHi, xTitle) {
    svg.appendChild(s("text", { x: 4, y: 12, class: "nbm-hist-tick" }, tick(yHi)));
    svg.appendChild(s("text", { x: 4, y: H - 16, class: "nbm-hist-tick" }, tick(yLo)));
    svg.appendChild(s("text", { x: 40, y: H - 2, class: "nbm-hist-tick" }, tick(xLo)));
    svg.appendChild(s("text", { x: W - 4, y: H - 2, class: "nbm-hist-tick", "text-anchor": "end" }, `${tick(xHi)} ${xTitle}`));
  }

  function drawBands(list, sel) {
    const series = list.map((r) => {
      if (!r.q) r.q = percentiles(r.edges, r.counts);
      return { step: r.step, q: r.q };
    });
    const left = 40, bottom = 18;
    const g = s("g", { transform: `translate(${left},0)` });
    const w = W - left - 4, hh = H - bottom;
    const { bands, median, x, y } = bandPaths(series, w, hh);
    for (const b of bands) g.appendChild(s("path", { d: b.d, class: "nbm-hist-band", "fill-opacity": b.opacity }));
    if (series.length > 1) g.appendChild(s("path", { d: median, class: "nbm-hist-median" }));
    const sx = scale(x[0], x[1], 4, w - 4);
    const mx = sx(sel.step);
    g.appendChild(s("line", { x1: mx, x2: mx, y1: 0, y2: hh, class: "nbm-hist-marker" }));
    main.appendChild(g);
    axisLabels(main, y[0], y[1], x[0], x[1], "step");
  }

  function drawRidges(list, sel) {
    let shown = thin(list, MAX_RIDGES);
    if (!shown.includes(sel)) shown = [...shown, sel].sort((a, b) => a.step - b.step);
    const left = 40, bottom = 18;
    const g = s("g", { transform: `translate(${left},0)` });
    const { lines, x } = ridgePaths(shown, W - left - 4, H - bottom);
    lines.forEach((l, j) => {
      const cls = shown[j] === sel ? "nbm-hist-ridge nbm-hist-selected" : "nbm-hist-ridge";
      g.appendChild(s("path", { d: l.d, class: cls }));
    });
    main.appendChild(g);
    main.appendChild(s("text", { x: 4, y: 12, class: "nbm-hist-tick" }, `step ${tick(shown[0].step)}`));
    main.appendChild(s("text", { x: 4, y: H - 20, class: "nbm-hist-tick" }, `step ${tick(shown[shown.length - 1].step)}`));
    main.appendChild(s("text", { x: 40, y: H - 2, class: "nbm-hist-tick" }, tick(x[0])));
    main.appendChild(s("text", { x: W - 4, y: H - 2, class: "nbm-hist-tick", "text-anchor": "end" }, tick(x[1])));
  }

  function drawBars(r) {
    const n = r.counts.length;
    const x0 = r.edges[0], x1 = r.edges[n];
    let cmax = 0;
    for (const c of r.counts) cmax = Math.max(cmax, c);
    const sx = scale(x0, x1, 40, W - 4), sy = scale(0, cmax || 1, BARS_H - 16, 4);
    for (let i = 0; i < n; i++) {
      const xa = sx(r.edges[i]), xb = sx(r.edges[i + 1]);
      const y = sy(r.counts[i]);
      const rect = s("rect", { x: xa, y, width: Math.max(0.5, xb - xa - 0.5), height: BARS_H - 16 - y, class: "nbm-hist-barrect" });
      rect.appendChild(s("title", {}, `[${tick(r.edges[i])}, ${tick(r.edges[i + 1])}): ${r.counts[i]}`));
      bars.appendChild(rect);
    }
    bars.appendChild(s("text", { x: 40, y: BARS_H - 2, class: "nbm-hist-tick" }, tick(x0)));
    bars.appendChild(s("text", { x: W - 4, y: BARS_H - 2, class: "nbm-hist-tick", "text-anchor": "end" }, tick(x1)));
    bars.appendChild(s("text", { x: 4, y: 12, class: "nbm-hist-tick" },
      `step ${r.step}: n=${tick(r.num)}, min ${tick(r.min)}, max ${tick(r.max)}, mean ${tick(r.num ? r.sum / r.num : NaN)}`));
  }

  let token = 0;
  async function draw() {
    const t = ++token;
    const byKey = await records();
    if (t !== token) return;
    const keys = model.get("names") || [];
    const available = [...byKey.keys()].filter((k) => keys[k]).sort((a, b) => a - b);
    main.replaceChildren();
    bars.replaceChildren();
    empty.style.display = available.length ? "none" : "";
    if (!available.length) return;
    if (!available.includes(state.key)) state.key = available[0];
    const runs = new Set(available.map((k) => keys[k].run_id));
    keySel.replaceChildren(...available.map((k) => {
      const o = h("option", undefined, keys[k].key + (runs.size > 1 ? ` (${keys[k].run})` : ""));
      o.value = String(k);
      return o;
    }));
    keySel.value = String(state.key);
    const list = byKey.get(state.key);
    const pos = state.pos < 0 || state.pos >= list.length ? list.length - 1 : state.pos;
    slider.max = String(list.length - 1);
    slider.value = String(pos);
    slider.disabled = list.length < 2;
    const sel = list[pos];
    stepLabel.textContent = `step ${sel.step}  (${list.length} logged)`;
    bBands.classList.toggle("nbm-active", state.mode === "bands");
    bRidge.classList.toggle("nbm-active", state.mode === "ridge");
    el.dataset.mode = state.mode;
    el.dataset.key = keys[state.key].key;
    el.dataset.steps = String(list.length);
    if (state.mode === "bands") drawBands(list, sel); else drawRidges(list, sel);
    drawBars(sel);
  }

  const redraw = () => { draw().catch((e) => console.warn("nbmonitor histograms:", e)); };
  keySel.onchange = () => { state.key = Number(keySel.value); state.pos = -1; redraw(); };
  bBands.onclick = () => { state.mode = "bands"; redraw(); };
  bRidge.onclick = () => { state.mode = "ridge"; redraw(); };
  slider.oninput = () => {
    const n = Number(slider.max) + 1;
    const v = Number(slider.value);
    state.pos = v === n - 1 ? -1 : v; // at the end: follow new steps
    redraw();
  };
  model.on("change:blobs", redraw);
  model.on("change:names", redraw);
  redraw();
  return () => {
    model.off("change:blobs", redraw);
    model.off("change:names", redraw);
  };
}

export default { render };
