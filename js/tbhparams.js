// Hyperparameters: a parallel-coordinates plot (an axis per hparam and metric, a
// line per run coloured by the chosen metric) above a table sortable by any column.
import { sortedIndices } from "./lib/sorting.js";
import { axis, ramp, show } from "./lib/plot.js";
import { h, s } from "./lib/dom.js";


function render({ model, el }) {
  el.classList.add("nbm-tb", "nbm-tbhparams");
  let sortCol = null, desc = false, colorCol = -1, hover = -1;
  const plot = h("div", "nbm-hp-plot");
  const table = h("table", "nbm-hp-table");
  el.append(plot, table);

  function columns() {
    const hp = model.get("hparams") || [], mt = model.get("metrics") || [];
    return { names: [...hp, ...mt], nh: hp.length };
  }

  function drawPlot() {
    const { names, nh } = columns();
    const rows = model.get("rows") || [];
    plot.replaceChildren();
    if (!names.length || !rows.length) return;
    const W = Math.max(360, 130 * names.length + 60), H = 220, top = 28, bottom = 24, left = 50, right = 130;
    const svg = s("svg", { width: W, height: H, class: "nbm-hp-svg" });
    const axes = names.map((_, j) => axis(rows.map((r) => r.values[j])));
    const x = (j) => left + (names.length > 1 ? ((W - left - right) * j) / (names.length - 1) : (W - left - right) / 2);
    const y = (p) => H - bottom - p * (H - top - bottom);
    if (colorCol < 0 || colorCol >= names.length) colorCol = nh < names.length ? nh : 0;
    const cAxis = axes[colorCol];
    rows.forEach((r, i) => {
      const pts = [];
      names.forEach((_, j) => { const p = axes[j].pos(r.values[j]); if (p !== null) pts.push(`${x(j).toFixed(1)},${y(p).toFixed(1)}`); });
      const c = cAxis.pos(r.values[colorCol]);
      const line = s("polyline", { points: pts.join(" "), fill: "none", stroke: ramp(c === null ? NaN : c),
        "stroke-width": hover === i ? 3.5 : 1.6, opacity: hover < 0 || hover === i ? 0.9 : 0.25, class: "nbm-hp-line" });
      line.addEventListener("mouseenter", () => { hover = i; drawPlot(); markRow(); });
      line.addEventListener("mouseleave", () => { hover = -1; drawPlot(); markRow(); });
      const title = s("title");
      title.textContent = r.run;
      line.appendChild(title);
      svg.appendChild(line);
    });
    names.forEach((name, j) => {
      svg.appendChild(s("line", { x1: x(j), x2: x(j), y1: top, y2: H - bottom, stroke: "#888" }));
      const t = s("text", { x: x(j), y: top - 12, "text-anchor": "middle", class: j >= nh ? "nbm-hp-metric" : "nbm-hp-name" });
      t.textContent = name;
      t.addEventListener("click", () => { colorCol = j; drawPlot(); });
      svg.appendChild(t);
      const ticks = axes[j].kind === "num" ? axes[j].ticks : axes[j].ticks.slice(0, 12);
      for (const v of ticks) {
        const p = axes[j].pos(v);
        if (p === null) continue;
        const tt = s("text", { x: x(j) + 4, y: y(p) + 4, class: "nbm-hp-tick" });
        tt.textContent = show(v);
        svg.appendChild(tt);
      }
    });
    plot.appendChild(svg);
    plot.appendChild(h("div", "nbm-hp-note", `colour: ${names[colorCol]} (click an axis name to change)`));
  }

  function markRow() {
    table.querySelectorAll("tbody tr").forEach((tr) => tr.classList.toggle("nbm-hp-hover", Number(tr.dataset.i) === hover));
  }

  function drawTable() {
    const { names, nh } = columns();
    const rows = model.get("rows") || [];
    table.replaceChildren();
    const head = h("tr");
    ["run", ...names].forEach((name, c) => {
      const th = h("th", c > nh ? "nbm-hp-metric" : "", name + (sortCol === c ? (desc ? " ▼" : " ▲") : ""));
      th.onclick = () => { if (sortCol === c) desc = !desc; else { sortCol = c; desc = false; } drawTable(); };
      head.appendChild(th);
    });
    const thead = h("thead");
    thead.appendChild(head);
    const body = h("tbody");
    const cells = rows.map((r) => [r.run, ...r.values]);
    const order = sortCol === null || sortCol > names.length ? cells.map((_, i) => i) : sortedIndices(cells, sortCol, desc);
    for (const i of order) {
      const tr = h("tr");
      tr.dataset.i = String(i);
      cells[i].forEach((v) => tr.appendChild(h("td", typeof v === "number" ? "num" : "", show(v))));
      tr.onmouseenter = () => { hover = i; drawPlot(); markRow(); };
      tr.onmouseleave = () => { hover = -1; drawPlot(); markRow(); };
      body.appendChild(tr);
    }
    table.append(thead, body);
  }

  const draw = () => { drawPlot(); drawTable(); };
  model.on("change:rows", draw);
  draw();
  return () => model.off("change:rows", draw);
}

export default { render };
