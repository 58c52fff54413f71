// Plain logged tables: sortable columns, numbers right-aligned, long text cut with a tooltip.
// Cells reach the DOM through textContent and the title attribute only.
import { formatCell, truncate, groupTables } from "./lib/tablecols.js";
import { h } from "./lib/dom.js";
import { sortedIndices } from "./lib/sorting.js";

const MAX_TEXT = 80;
const PAGE = 500;

function render({ model, el }) {
  el.classList.add("nbm-tableview");
  const state = { group: 0, stepIdx: -1, sort: -1, desc: false, limit: PAGE };
  const bar = h("div", "nbm-table-bar");
  const keySel = h("select", "nbm-table-key");
  const stepSel = h("select", "nbm-table-step");
  const stepLabel = h("label", undefined, "step ");
  stepLabel.appendChild(stepSel);
  const count = h("span", "nbm-table-count");
  bar.append(keySel, stepLabel, count);
  const wrap = h("div", "nbm-table-wrap");
  const more = h("button", "nbm-table-more");
  el.append(bar, wrap, more);

  function draw() {
    const tables = model.get("tables") || [];
    const groups = groupTables(tables);
    wrap.replaceChildren();
    if (!groups.length) { count.textContent = "no tables logged yet"; more.style.display = "none"; return; }
    const g = groups[Math.min(state.group, groups.length - 1)];
    const idx = state.stepIdx < 0 || state.stepIdx >= g.items.length ? g.items.length - 1 : state.stepIdx;
    const t = tables[g.items[idx]];
    keySel.replaceChildren(...groups.map((gr, i) => { const o = h("option", undefined, gr.label); o.value = String(i); return o; }));
    keySel.value = String(groups.indexOf(g));
    keySel.style.display = groups.length > 1 ? "" : "none";
    stepSel.replaceChildren(...g.items.map((ti, i) => { const o = h("option", undefined, String(tables[ti].step)); o.value = String(i); return o; }));
    stepSel.value = String(idx);
    stepLabel.style.display = g.items.length > 1 ? "" : "none";
    count.textContent = `${t.rows.length} rows × ${t.columns.length} columns`;

    const numeric = t.columns.map((_, c) => t.rows.length > 0 && t.rows.every((r) => r[c] === null || typeof r[c] === "number"));
    const table = h("table", "nbm-table");
    const head = h("tr");
    t.columns.forEach((name, c) => {
      const th = h("th", numeric[c] ? "nbm-num" : undefined, name);
      if (c === state.sort) th.appendChild(h("span", "nbm-sortmark", state.desc ? " ▼" : " ▲"));
      th.title = "sort";
      th.onclick = () => {
        if (state.sort === c) state.desc = !state.desc; else { state.sort = c; state.desc = false; }
        draw();
      };
      head.appendChild(th);
    });
    const thead = h("thead");
    thead.appendChild(head);
    const tbody = h("tbody");
    const order = sortedIndices(t.rows, state.sort, state.desc);
    for (const i of order.slice(0, state.limit)) {
      const tr = h("tr");
      t.rows[i].forEach((v, c) => {
        const { text, cut } = truncate(formatCell(v), MAX_TEXT);
        const td = h("td", numeric[c] ? "nbm-num" : undefined, text);
        if (cut) td.title = formatCell(v);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
    table.append(thead, tbody);
    wrap.appendChild(table);
    const rest = order.length - Math.min(order.length, state.limit);
    more.style.display = rest > 0 ? "" : "none";
    more.textContent = `show ${Math.min(rest, PAGE)} more of ${rest}`;
  }

  keySel.onchange = () => { state.group = Number(keySel.value); state.stepIdx = -1; state.sort = -1; draw(); };
  stepSel.onchange = () => { state.stepIdx = Number(stepSel.value); draw(); };
  more.onclick = () => { state.limit += PAGE; draw(); };
  model.on("change:tables", draw);
  draw();
  return () => model.off("change:tables", draw);
}

export default { render };
