// Image prediction grid: a logged table with an image column.
// Thumbnails come once, as binary PNG bytes in Blob widgets (model "blobs");
// rows are JSON with image cells {_img: [blob, offset, length], w, h, caption}.
// All data reaches the DOM through textContent / attributes, never innerHTML.
import { roleColumns, imageColumn, scoreColumns, isMistake, formatCell, groupTables } from "./lib/tablecols.js";
import { BlobCache, modelGetter } from "./lib/blobs.js";
import { h } from "./lib/dom.js";
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
  const state = { group: 0, stepIdx: -1, onlyMistakes: false, sort: -1, desc: true, limit: PAGE };

  const bar = h("div", "nbm-grid-bar");
  const keySel = h("select", "nbm-grid-key");
  const stepSel = h("select", "nbm-grid-step");
  const stepLabel = h("label", "nbm-grid-steplabel", "step ");
  stepLabel.appendChild(stepSel);
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
  const closeZoom = () => { if (zoom) { zoom.remove(); zoom = null; } };
  const onKey = (e) => { if (e.key === "Escape") closeZoom(); };
  document.addEventListener("keydown", onKey);

  async function imageUrl(cell) {
    const [b, off, len] = cell._img;
    const id = `${b}:${off}`;
    if (!urls.has(id)) {
      const refs = model.get("blobs") || [];
      if (b >= refs.length) return "";
      const bytes = await blobs.get(refs[b]);
      urls.set(id, URL.createObjectURL(new Blob([bytes.subarray(off, off + len)], { type: "image/png" })));
    }
    return urls.get(id);
  }

  function current() {
    const tables = model.get("tables") || [];
    const groups = groupTables(tables);
    if (!groups.length) return null;
    const g = groups[Math.min(state.group, groups.length - 1)];
    const idx = state.stepIdx < 0 || state.stepIdx >= g.items.length ? g.items.length - 1 : state.stepIdx;
    return { tables, groups, g, idx, table: tables[g.items[idx]] };
  }

  function showZoom(table, row, imgCol, src) {
    closeZoom();
    zoom = h("div", "nbm-grid-zoom");
    const box = h("div", "nbm-grid-zoombox");
    const img = h("img", "nbm-grid-zoomimg");
    img.src = src;
    img.alt = "";
    const cell = row[imgCol];
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
    const { groups, g, idx, table } = cur;
    // controls
    keySel.replaceChildren();
    groups.forEach((gr, i) => option(keySel, i, gr.label));
    keySel.value = String(groups.indexOf(g));
    keySel.style.display = groups.length > 1 ? "" : "none";
    stepSel.replaceChildren();
    g.items.forEach((ti, i) => option(stepSel, i, String(cur.tables[ti].step)));
    stepSel.value = String(idx);
    stepLabel.style.display = g.items.length > 1 ? "" : "none";
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
    el.dataset.step = String(table.step);

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
        imageUrl(cell).then((src) => {
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

  keySel.onchange = () => { state.group = Number(keySel.value); state.stepIdx = -1; state.limit = PAGE; draw(); };
  stepSel.onchange = () => {
    const cur = current();
    const i = Number(stepSel.value);
    state.stepIdx = cur && i === cur.g.items.length - 1 ? -1 : i; // the last step follows new ones
    draw();
  };
  mistakesBox.onchange = () => { state.onlyMistakes = mistakesBox.checked; state.limit = PAGE; draw(); };
  sortSel.onchange = () => { state.sort = Number(sortSel.value); draw(); };
  sortDir.onclick = () => { state.desc = !state.desc; draw(); };
  more.onclick = () => { state.limit += PAGE; draw(); };

  model.on("change:tables", draw);
  model.on("change:blobs", draw);
  draw();
  return () => {
    model.off("change:tables", draw);
    model.off("change:blobs", draw);
    document.removeEventListener("keydown", onKey);
    for (const u of urls.values()) URL.revokeObjectURL(u);
    urls.clear();
  };
}

export default { render };
