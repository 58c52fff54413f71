// Image prediction grid: a logged table with an image column.
// Previews come once, as binary JPEG/PNG bytes in Blob widgets (model "blobs"), the newest steps' only;
// rows are JSON with image cells {_img: [blob, offset, length], m: MIME, w, h, caption}.
// `older` ([{run_id, key, steps}]) lists each key's steps before those: the step slider reaches them, and
// the kernel sends the table of the one chosen, its cells pointing into the one buffer of its previews
// (nbmonitor/ui/views/imagegrid.py, lib/older.js), also while a cell runs where `live`.
// All data reaches the DOM through textContent / attributes, never innerHTML.
import { roleColumns, imageColumn, scoreColumns, isMistake, formatCell, groupTables } from "./lib/tablecols.js";
import { BlobCache, asBytes, modelGetter } from "./lib/blobs.js";
import { h } from "./lib/dom.js";
import { Answers, SliderSteps, stepSliderRow } from "./lib/older.js";
import { sortedIndices } from "./lib/sorting.js";

const PAGE = 600; // cards drawn before a "show more" button

function option(select, value, text) {
  const o = h("option", undefined, text);
  o.value = String(value);
  select.appendChild(o);
  return o;
}

function render({ model, el, host }) {
  el.classList.add("nbm-imagegrid");
  const blobs = new BlobCache(modelGetter(model, host));
  const urls = new Map(); // "blob:offset" -> object URL
  const state = { group: 0, onlyMistakes: false, sort: -1, desc: true, limit: PAGE };
  const chosen = new Map(); // group id -> chosen step (absent: follow the newest)
  // "run_id\0key\0step" -> {table, bytes, urls} of an older step, from the kernel; the newest 8 asked for
  const older = new Answers(8, (v) => { for (const u of (v.urls || new Map()).values()) URL.revokeObjectURL(u); });

  const bar = h("div", "nbm-grid-bar");
  const keySel = h("select", "nbm-grid-key");
  const { wrap: stepLabel, slider: stepSlider, label: stepText } =
    stepSliderRow("label", ["nbm-grid-steplabel", "nbm-grid-slider", "nbm-grid-step"]);
  const mistakes = h("label", "nbm-grid-mistakes");
  const mistakesBox = h("input");
  mistakesBox.type = "checkbox";
  mistakes.append(mistakesBox, document.createTextNode(" only mistakes"));
  const sortSel = h("select", "nbm-grid-sort");
  const sortDir = h("button", "nbm-grid-dir", "↓");
  sortDir.title = "sort direction";
  const count = h("span", "nbm-grid-count");
  bar.append(keySel, stepLabel, mistakes, sortSel, sortDir, count);
  const grid = h("div", "nbm-grid");
  const more = h("button", "nbm-grid-more");
  el.append(bar, grid, more);

  let zoom = null;
  let zoomWant = "";
  const fullUrls = [];
  function onMsg(msg, buffers) {
    if (msg && msg.type === "table") {
      const id = `${msg.run_id}\u0000${msg.key}\u0000${msg.step}`;
      if (msg.ok && msg.table && buffers && buffers.length) {
        older.put(id, { table: msg.table, bytes: asBytes(buffers[0]), urls: new Map() });
      } else {
        older.put(id, { missing: true });
      }
      draw();
      return;
    }
    if (!msg || msg.type !== "full" || !zoom) return;
    const img = zoom.querySelector(".nbm-grid-zoomimg");
    if (`${msg.run_id}|${msg.key}|${msg.step}|${msg.f}` !== zoomWant || !img) return;
    if (!msg.ok || !buffers || !buffers.length) { img.title = "preview (full size: not available here)"; return; }
    const b = buffers[0];
    const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    const u = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
    fullUrls.push(u);
    img.src = u;
    img.title = "full size";
  }
  const closeZoom = () => {
    if (zoom) { zoom.remove(); zoom = null; }
    zoomWant = "";
    for (const u of fullUrls.splice(0)) URL.revokeObjectURL(u);
  };
  const onKey = (e) => { if (e.key === "Escape") closeZoom(); };
  document.addEventListener("keydown", onKey);

  async function imageUrl(cell, got) {
    const [b, off, len] = cell._img;
    if (got) { // an older step's table: its cells point into the kernel's answer
      if (!got.urls.has(off)) {
        got.urls.set(off, URL.createObjectURL(new Blob([got.bytes.subarray(off, off + len)], { type: cell.m || "image/png" })));
      }
      return got.urls.get(off);
    }
    const refs = model.get("blobs") || [];
    if (b >= refs.length) return "";
    const id = `${refs[b]}:${off}`;
    if (!urls.has(id)) {
      const bytes = await blobs.get(refs[b]);
      urls.set(id, URL.createObjectURL(new Blob([bytes.subarray(off, off + len)], { type: cell.m || "image/png" })));
    }
    return urls.get(id);
  }

  function onBlobs() { // the kernel keeps the newest steps only: forget the previews of dropped blobs
    const live = new Set(model.get("blobs") || []);
    for (const [id, u] of urls) {
      if (!live.has(id.slice(0, id.lastIndexOf(":")))) { URL.revokeObjectURL(u); urls.delete(id); }
    }
    for (const ref of [...blobs.cache.keys()]) if (!live.has(ref)) blobs.cache.delete(ref);
    draw();
  }

  // the chosen key's steps (older, then those held here) and the chosen one's table: null while the kernel
  // is asked for an older one (`got`: its answer, once here)
  function current() {
    const tables = model.get("tables") || [];
    const groups = groupTables(tables);
    if (!groups.length) return null;
    const g = groups[Math.min(state.group, groups.length - 1)];
    const first = tables[g.items[0]];
    const listed = (model.get("older") || []).find((o) => o.run_id === first.run_id && o.key === first.key);
    const steps = new SliderSteps(listed ? listed.steps : [], g.items.map((ti) => tables[ti].step));
    const want = chosen.has(g.id) ? steps.indexOf(chosen.get(g.id)) : -1;
    const idx = want >= 0 ? want : steps.length - 1;
    const at = steps.at(idx);
    const cur = { tables, groups, g, steps, idx, step: at.step, old: at.kept < 0, table: null, got: null,
                  ask: { type: "table", run_id: first.run_id, key: first.key, step: at.step } };
    if (at.kept >= 0) {
      cur.table = tables[g.items[at.kept]];
    } else {
      cur.got = older.get(`${first.run_id}\u0000${first.key}\u0000${at.step}`) || null;
      cur.table = cur.got && cur.got.table ? cur.got.table : null;
    }
    return cur;
  }

  function showZoom(table, row, imgCol, src) {
    closeZoom();
    zoom = h("div", "nbm-grid-zoom");
    const box = h("div", "nbm-grid-zoombox");
    const img = h("img", "nbm-grid-zoomimg");
    img.src = src;
    img.alt = "";
    const cell = row[imgCol];
    if (cell.f) { // the full-size PNG, from the kernel (the newest step's it keeps; older ones from the store)
      zoomWant = `${table.run_id}|${table.key}|${table.step}|${cell.f}`;
      img.title = model.get("live") ? "full size asked for" : "full size asked for: it comes when the kernel is idle";
      model.send({ type: "full", run_id: table.run_id, key: table.key, step: table.step, f: cell.f });
    }
    const scaleUp = Math.max(1, Math.floor(320 / Math.max(cell.w || 1, cell.h || 1)));
    img.style.width = `${(cell.w || 64) * scaleUp}px`;
    box.appendChild(img);
    if (cell.caption) box.appendChild(h("div", "nbm-grid-zoomcap", cell.caption));
    const dl = h("dl", "nbm-grid-fields");
    table.columns.forEach((c, i) => {
      if (i === imgCol) return;
      dl.append(h("dt", undefined, c), h("dd", undefined, formatCell(row[i])));
    });
    box.appendChild(dl);
    const close = h("button", "nbm-grid-close", "×");
    close.title = "close (Esc)";
    box.appendChild(close);
    zoom.appendChild(box);
    zoom.addEventListener("click", (e) => { if (e.target === zoom || e.target === close) closeZoom(); });
    el.appendChild(zoom);
  }

  let drawToken = 0;
  function draw() {
    const token = ++drawToken;
    const cur = current();
    grid.replaceChildren();
    if (!cur) { count.textContent = "no image tables logged yet"; more.style.display = "none"; return; }
    const { groups, g, idx, steps, table } = cur;
    // controls
    keySel.replaceChildren();
    groups.forEach((gr, i) => option(keySel, i, gr.label));
    keySel.value = String(groups.indexOf(g));
    keySel.style.display = groups.length > 1 ? "" : "none";
    stepSlider.max = String(steps.length - 1);
    stepSlider.value = String(idx);
    stepText.textContent = `step ${cur.step}` + (steps.length > 1 ? `  (${idx + 1}/${steps.length})` : "");
    stepText.title = cur.old ? "an older step: its table is asked of the kernel (from the run's store" +
      (model.get("live") ? ")" : "; while a cell runs it comes when the cell ends)") : "";
    stepLabel.style.display = steps.length > 1 ? "" : "none";
    el.dataset.step = String(cur.step);
    el.dataset.old = cur.old ? "true" : "false";
    if (!table) { // an older step: asked of the kernel once, drawn when its answer comes
      const id = `${cur.ask.run_id}\u0000${cur.ask.key}\u0000${cur.step}`;
      older.want(id, () => model.send(cur.ask));
      el.dataset.shown = "";
      count.textContent = cur.got ? "this step is not in the run's store" : "asking the kernel for this step…";
      for (const c of [mistakes, sortSel, sortDir, more]) c.style.display = "none";
      return;
    }
    const { pred, target } = roleColumns(table.columns);
    mistakes.style.display = pred >= 0 && target >= 0 ? "" : "none";
    const scores = scoreColumns(table.columns, table.rows);
    sortSel.replaceChildren();
    option(sortSel, -1, "logged order");
    scores.forEach((i) => option(sortSel, i, `sort by ${table.columns[i]}`));
    if (!scores.includes(state.sort)) state.sort = -1;
    sortSel.value = String(state.sort);
    sortSel.style.display = scores.length ? "" : "none";
    sortDir.style.display = state.sort >= 0 ? "" : "none";
    sortDir.textContent = state.desc ? "↓" : "↑";

    const imgCol = imageColumn(table.rows);
    let order = sortedIndices(table.rows, state.sort, state.desc);
    const wrong = table.rows.map((r) => isMistake(r, pred, target));
    const nWrong = wrong.filter(Boolean).length;
    if (state.onlyMistakes && mistakes.style.display === "") order = order.filter((i) => wrong[i]);
    count.textContent = `${table.rows.length} rows` + (pred >= 0 && target >= 0 ? ` · ${nWrong} mistakes` : "") +
      (state.onlyMistakes && order.length !== table.rows.length ? ` · showing ${order.length}` : "");
    el.dataset.rows = String(table.rows.length);
    el.dataset.mistakes = String(nWrong);
    el.dataset.shown = String(table.step);

    const shown = order.slice(0, state.limit);
    const frag = document.createDocumentFragment();
    for (const i of shown) {
      const row = table.rows[i];
      const card = h("div", "nbm-card" + (wrong[i] ? " nbm-mistake" : ""));
      card.dataset.row = String(i);
      const img = h("img", "nbm-thumb");
      img.alt = "";
      img.decoding = "async";
      const cell = imgCol >= 0 ? row[imgCol] : null;
      card.appendChild(img);
      if (cell && cell.caption) card.appendChild(h("div", "nbm-caption", cell.caption));
      if (pred >= 0) {
        const p = h("div", "nbm-pred");
        p.append(h("span", "nbm-k", table.columns[pred] + " "), h("b", "nbm-v", formatCell(row[pred])));
        card.appendChild(p);
      }
      if (target >= 0) {
        const t = h("div", "nbm-target");
        t.append(h("span", "nbm-k", table.columns[target] + " "), h("b", "nbm-v", formatCell(row[target])));
        card.appendChild(t);
      }
      if (state.sort >= 0) card.appendChild(h("div", "nbm-score", `${table.columns[state.sort]} ${formatCell(row[state.sort])}`));
      if (cell && cell._img) {
        imageUrl(cell, cur.got).then((src) => {
          if (token !== drawToken || !src) return;
          img.src = src;
          card.onclick = () => showZoom(table, row, imgCol, src);
        }).catch((e) => console.warn("nbmonitor: image not loaded", e));
      }
      frag.appendChild(card);
    }
    grid.appendChild(frag);
    const rest = order.length - shown.length;
    more.style.display = rest > 0 ? "" : "none";
    more.textContent = `show ${Math.min(rest, PAGE)} more of ${rest}`;
  }

  keySel.onchange = () => { state.group = Number(keySel.value); state.limit = PAGE; draw(); };
  stepSlider.oninput = () => {
    const cur = current();
    if (!cur) return;
    const i = Number(stepSlider.value);
    if (i === cur.steps.length - 1) chosen.delete(cur.g.id); // the last step follows new ones
    else chosen.set(cur.g.id, cur.steps.at(i).step);
    draw();
  };
  mistakesBox.onchange = () => { state.onlyMistakes = mistakesBox.checked; state.limit = PAGE; draw(); };
  sortSel.onchange = () => { state.sort = Number(sortSel.value); draw(); };
  sortDir.onclick = () => { state.desc = !state.desc; draw(); };
  more.onclick = () => { state.limit += PAGE; draw(); };

  model.on("change:tables", draw);
  model.on("change:older", draw);
  model.on("change:live", draw);
  model.on("change:blobs", onBlobs);
  model.on("msg:custom", onMsg);
  draw();
  return () => {
    model.off("change:tables", draw);
    model.off("change:older", draw);
    model.off("change:live", draw);
    model.off("change:blobs", onBlobs);
    model.off("msg:custom", onMsg);
    older.clear();
    for (const u of fullUrls) URL.revokeObjectURL(u);
    document.removeEventListener("keydown", onKey);
    for (const u of urls.values()) URL.revokeObjectURL(u);
    urls.clear();
  };
}

export default { render };
