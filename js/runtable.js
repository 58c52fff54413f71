// The runs-comparison table: one row per run, sortable columns, a sparkline per run.
// Every value reaches the DOM through textContent.
import { sortedIndices } from "./lib/sorting.js";

const SVG = "http://www.w3.org/2000/svg";

/** @param {DataView|ArrayBuffer|Uint8Array|undefined} buf */
function bytes(buf) {
  if (!buf) return new Uint8Array(0);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** @param {number[]} values */
function sparkline(values) {
  const w = 120, h = 24, pad = 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  svg.classList.add("nbm-rt-spark");
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return svg;
  const lo = Math.min(...finite), hi = Math.max(...finite), span = hi - lo || 1;
  const n = Math.max(values.length - 1, 1);
  let pts = [];
  const flush = () => {
    if (pts.length) {
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", pts.join(" "));
      svg.appendChild(line);
    }
    pts = [];
  };
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return flush();
    const x = pad + ((w - 2 * pad) * i) / n;
    const y = h - pad - ((h - 2 * pad) * (hi > lo ? (v - lo) / span : 0.5));
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  flush();
  return svg;
}

/** @param {unknown} v */
function show(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(5).replace(/\.?0+$/, "");
  return String(v);
}

export default {
  render({ model, el }) {
    el.classList.add("nbm-runs");
    const bar = document.createElement("div");
    bar.className = "nbm-rt-bar";
    const label = document.createElement("label");
    label.textContent = "sparkline: ";
    const select = document.createElement("select");
    label.appendChild(select);
    bar.appendChild(label);
    const table = document.createElement("table");
    table.className = "nbm-rt";
    el.append(bar, table);
    let sortCol = -1, descending = false;

    function draw() {
      const columns = model.get("columns") || [];
      const rows = model.get("rows") || [];
      const keys = model.get("spark_keys") || [];
      const points = model.get("spark_points");
      const spark = new Float32Array(bytes(model.get("spark")).slice().buffer);
      const lengths = new Int32Array(bytes(model.get("spark_lengths")).slice().buffer);
      if (select.options.length !== keys.length) {
        select.replaceChildren(...keys.map((k, i) => {
          const o = document.createElement("option");
          o.value = String(i);
          o.textContent = k;
          return o;
        }));
      }
      bar.style.display = keys.length ? "" : "none";
      const key = Number(select.value || 0);
      const thead = document.createElement("thead");
      const hr = document.createElement("tr");
      columns.forEach((c, i) => {
        const th = document.createElement("th");
        th.textContent = c.name + (i === sortCol ? (descending ? " ▼" : " ▲") : "");
        th.className = `nbm-rt-${c.group}`;
        th.title = `${c.group}: click to sort`;
        th.addEventListener("click", () => {
          descending = sortCol === i ? !descending : false;
          sortCol = i;
          draw();
        });
        hr.appendChild(th);
      });
      if (keys.length) {
        const th = document.createElement("th");
        th.textContent = `${keys[key] ?? ""} history`;
        hr.appendChild(th);
      }
      thead.appendChild(hr);
      const tbody = document.createElement("tbody");
      const order = sortCol >= 0 ? sortedIndices(rows, sortCol, descending) : rows.map((_, i) => i);
      for (const r of order) {
        const tr = document.createElement("tr");
        rows[r].forEach((v) => {
          const td = document.createElement("td");
          td.textContent = show(v);
          if (typeof v === "number") td.className = "num";
          tr.appendChild(td);
        });
        if (keys.length) {
          const td = document.createElement("td");
          const n = lengths[r * keys.length + key] || 0;
          const off = (r * keys.length + key) * points;
          td.appendChild(sparkline(Array.from(spark.subarray(off, off + n))));
          tr.appendChild(td);
        }
        tbody.appendChild(tr);
      }
      table.replaceChildren(thead, tbody);
    }

    select.addEventListener("change", draw);
    const events = ["change:rows", "change:columns", "change:spark", "change:spark_keys"];
    events.forEach((e) => model.on(e, draw));
    draw();
    return () => events.forEach((e) => model.off(e, draw));
  },
};
