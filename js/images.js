// Images logged directly (kind "image"): one strip per key, a step slider each.
// PNG bytes arrive once in Blob widgets; `items` are {k, s, b, o, l, w, h, c}.
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { h } from "./lib/dom.js";

function render({ model, el, host }) {
  el.classList.add("nbm-images");
  const blobs = new BlobCache(modelGetter(model, host));
  const urls = new Map();
  const chosen = new Map(); // key index -> chosen position (absent: follow the newest)
  const strips = new Map(); // key index -> {root, img, cap, slider, label}

  async function url(it) {
    const id = `${it.b}:${it.o}`;
    if (!urls.has(id)) {
      const refs = model.get("blobs") || [];
      if (it.b >= refs.length) return "";
      const bytes = await blobs.get(refs[it.b]);
      urls.set(id, URL.createObjectURL(new Blob([bytes.subarray(it.o, it.o + it.l)], { type: "image/png" })));
    }
    return urls.get(id);
  }

  function strip(k, key) {
    if (!strips.has(k)) {
      const root = h("div", "nbm-image-strip");
      const title = h("div", "nbm-image-key", key.key + (key.run ? `  (${key.run})` : ""));
      const img = h("img", "nbm-image");
      img.alt = "";
      const cap = h("div", "nbm-image-caption");
      const slider = h("input", "nbm-image-slider");
      slider.type = "range";
      slider.min = "0";
      const label = h("span", "nbm-image-step");
      const row = h("div", "nbm-image-controls");
      row.append(slider, label);
      root.append(title, img, cap, row);
      el.appendChild(root);
      const s = { root, img, cap, slider, label };
      slider.oninput = () => { chosen.set(k, Number(slider.value)); draw(); };
      strips.set(k, s);
    }
    return strips.get(k);
  }

  let token = 0;
  function draw() {
    const t = ++token;
    const keys = model.get("names") || [];
    const items = model.get("items") || [];
    const byKey = new Map();
    for (const it of items) { if (!byKey.has(it.k)) byKey.set(it.k, []); byKey.get(it.k).push(it); }
    for (const [k, list] of byKey) {
      if (!keys[k]) continue;
      list.sort((a, b) => a.s - b.s);
      const s = strip(k, keys[k]);
      const pos = Math.min(chosen.has(k) ? chosen.get(k) : list.length - 1, list.length - 1);
      const it = list[pos];
      s.slider.max = String(list.length - 1);
      s.slider.value = String(pos);
      s.slider.style.display = list.length > 1 ? "" : "none";
      s.label.textContent = `step ${it.s}` + (list.length > 1 ? `  (${pos + 1}/${list.length})` : "");
      s.cap.textContent = it.c || "";
      const up = Math.max(1, Math.min(8, Math.floor(160 / Math.max(it.w || 1, it.h || 1))));
      s.img.style.width = `${Math.min((it.w || 160) * up, 480)}px`;
      s.root.dataset.step = String(it.s);
      url(it).then((src) => { if (t === token && src) s.img.src = src; }).catch((e) => console.warn("nbmonitor:", e));
    }
  }

  model.on("change:items", draw);
  model.on("change:names", draw);
  model.on("change:blobs", draw);
  draw();
  return () => {
    model.off("change:items", draw);
    model.off("change:names", draw);
    model.off("change:blobs", draw);
    for (const u of urls.values()) URL.revokeObjectURL(u);
  };
}

export default { render };
