// Images logged directly (kind "image"): one strip per key, a step slider each.
// Preview bytes (small JPEG/PNG) arrive once in Blob widgets; `items` are {k, s, b, o, l, w, h, c, m}, the
// newest steps of each key only (nbmonitor/ui/views/images.py). A click asks the kernel for the full-size PNG.
// `older` ({k: runs of steps}) are the steps before those: the slider reaches them, and the kernel sends the
// preview of the one chosen (read from the run's store), also while a cell runs where `live` (lib/older.js).
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { h } from "./lib/dom.js";
import { Answers, SliderSteps, stepSliderRow } from "./lib/older.js";

function render({ model, el, host }) {
  el.classList.add("nbm-images");
  const blobs = new BlobCache(modelGetter(model, host));
  const urls = new Map();
  const chosen = new Map(); // key index -> chosen step (absent: follow the newest)
  // "k:s" -> {url, w, h, c} of an older step's preview from the kernel, the newest 64 asked for
  const older = new Answers(64, (v) => { if (v.url) URL.revokeObjectURL(v.url); });
  const strips = new Map(); // key index -> {root, img, cap, slider, label}

  const full = new Map(); // "k:s" -> object URL of the full-size PNG
  // live: the panel routed this widget to its kernel subshell, which answers while a cell runs
  const tip = () => (model.get("live") ? "click: full size (asked of the kernel, also while a cell runs)"
    : "click: full size (it comes when the kernel is idle, so it waits while a cell runs)");

  async function url(it) {
    if (full.has(`${it.k}:${it.s}`)) return full.get(`${it.k}:${it.s}`);
    const refs = model.get("blobs") || [];
    if (it.b >= refs.length) return "";
    const id = `${refs[it.b]}:${it.o}`;
    if (!urls.has(id)) {
      const bytes = await blobs.get(refs[it.b]);
      urls.set(id, URL.createObjectURL(new Blob([bytes.subarray(it.o, it.o + it.l)], { type: it.m || "image/png" })));
    }
    return urls.get(id);
  }

  function prune() { // previews of blobs the kernel dropped
    const live = new Set(model.get("blobs") || []);
    for (const [id, u] of urls) {
      if (!live.has(id.slice(0, id.lastIndexOf(":")))) { URL.revokeObjectURL(u); urls.delete(id); }
    }
    for (const ref of [...blobs.cache.keys()]) if (!live.has(ref)) blobs.cache.delete(ref);
    const kept = new Set([...(model.get("items") || []).map((it) => `${it.k}:${it.s}`), ...older.got.keys()]);
    for (const [id, u] of full) if (!kept.has(id)) { URL.revokeObjectURL(u); full.delete(id); }
  }

  function onMsg(msg, buffers) {
    if (!msg || (msg.type !== "full" && msg.type !== "step")) return;
    const id = `${msg.k}:${msg.s}`;
    if (!msg.ok || !buffers || !buffers.length) {
      if (msg.type === "step") older.put(id, { url: "", missing: true });
      draw();
      return;
    }
    const b = buffers[0];
    const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    const u = URL.createObjectURL(new Blob([bytes], { type: msg.m || "image/png" }));
    if (msg.type === "step") {
      older.put(id, { url: u, w: msg.w, h: msg.h, c: msg.c });
    } else {
      if (full.has(id)) URL.revokeObjectURL(full.get(id));
      full.set(id, u);
    }
    draw();
  }

  function strip(k, key) {
    if (!strips.has(k)) {
      const root = h("div", "nbm-image-strip");
      const title = h("div", "nbm-image-key", key.key + (key.run ? `  (${key.run})` : ""));
      const img = h("img", "nbm-image");
      img.alt = "";
      img.title = tip();
      const cap = h("div", "nbm-image-caption");
      const { wrap: row, slider, label } =
        stepSliderRow("div", ["nbm-image-controls", "nbm-image-slider", "nbm-image-step"]);
      root.append(title, img, cap, row);
      el.appendChild(root);
      const s = { root, img, cap, slider, label };
      slider.oninput = () => { // the last position follows new steps
        const i = Number(slider.value);
        if (i === s.steps.length - 1) chosen.delete(k); else chosen.set(k, s.steps.at(i).step);
        draw();
      };
      img.onclick = () => {
        const step = root.dataset.step;
        if (step === undefined || full.has(`${k}:${step}`)) return;
        img.title = model.get("live") ? "full size asked for" : "full size asked for: it comes when the kernel is idle";
        model.send({ type: "full", k, s: Number(step) });
      };
      strips.set(k, s);
    }
    return strips.get(k);
  }

  let token = 0;
  function draw() {
    const t = ++token;
    const keys = model.get("names") || [];
    const items = model.get("items") || [];
    const olderSteps = model.get("older") || {};
    const live = model.get("live");
    const byKey = new Map();
    for (const it of items) { if (!byKey.has(it.k)) byKey.set(it.k, []); byKey.get(it.k).push(it); }
    for (const [k, kept] of byKey) {
      if (!keys[k]) continue;
      kept.sort((a, b) => a.s - b.s);
      // the older steps first (placeholders until the kernel sends their preview), then the kept ones
      const s = strip(k, keys[k]);
      s.steps = new SliderSteps(olderSteps[String(k)], kept.map((it) => it.s));
      const n = s.steps.length;
      const want = chosen.has(k) ? s.steps.indexOf(chosen.get(k)) : -1;
      const pos = want >= 0 ? want : n - 1;
      const at = s.steps.at(pos);
      let it = at.kept >= 0 ? kept[at.kept] : { k, s: at.step, old: true };
      s.slider.max = String(n - 1);
      s.slider.value = String(pos);
      s.slider.style.display = n > 1 ? "" : "none";
      s.label.textContent = `step ${it.s}` + (n > 1 ? `  (${pos + 1}/${n})` : "");
      s.label.title = it.old ? `an older step: its preview is asked of the kernel (from the run's store${
        live ? "" : "; while a cell runs it comes when the cell ends"})` : "";
      s.root.dataset.old = it.old ? "true" : "false";
      if (it.old) {
        const id = `${k}:${it.s}`;
        const got = older.get(id);
        older.want(id, () => model.send({ type: "step", k, s: it.s }));
        if (!got || !got.url) {
          s.label.textContent += got ? "  (not in the store)" : "  (asking the kernel…)";
          s.root.dataset.step = String(it.s);
          s.root.dataset.shown = "";
          continue;
        }
        it = { ...it, w: got.w, h: got.h, c: got.c, url: got.url };
      }
      s.cap.textContent = it.c || "";
      const up = Math.max(1, Math.min(8, Math.floor(160 / Math.max(it.w || 1, it.h || 1))));
      s.img.style.width = `${Math.min((it.w || 160) * up, 480)}px`;
      s.root.dataset.step = String(it.s);
      s.img.title = full.has(`${k}:${it.s}`) ? "full size" : tip();
      s.img.dataset.live = model.get("live") ? "true" : "false";
      (it.url && !full.has(`${k}:${it.s}`) ? Promise.resolve(it.url) : url(it)).then((src) => {
        if (t === token && src) { s.img.src = src; s.root.dataset.shown = String(it.s); }
      }).catch((e) => console.warn("nbmonitor:", e));
    }
  }

  const onBlobs = () => { prune(); draw(); };
  model.on("change:items", draw);
  model.on("change:names", draw);
  model.on("change:live", draw);
  model.on("change:older", draw);
  model.on("change:blobs", onBlobs);
  model.on("msg:custom", onMsg);
  draw();
  return () => {
    model.off("change:items", draw);
    model.off("change:names", draw);
    model.off("change:live", draw);
    model.off("change:older", draw);
    model.off("change:blobs", onBlobs);
    model.off("msg:custom", onMsg);
    for (const u of urls.values()) URL.revokeObjectURL(u);
    for (const u of full.values()) URL.revokeObjectURL(u);
    older.clear();
  };
}

export default { render };
