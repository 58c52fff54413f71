// The panel's sparkline table: one row per key with its sparkline, last, min and max.
// State: rows [{key, last, last_exact, min, max, n, nonfinite, marks, offset, length}], spark (float32
// bytes: each row's sparkline at [offset, offset + length)), run, color, title.
import { toFloat32, sparkPaths } from './lib/spark.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 140, H = 22;

function sparkSvg(values, color, flagged) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.classList.add('nbm-spark');
  const { lines, marks } = sparkPaths(values, W, H, 2, flagged || []);
  for (const pts of lines) {
    const pl = document.createElementNS(SVG, 'polyline');
    pl.setAttribute('points', pts);
    pl.setAttribute('fill', 'none');
    pl.setAttribute('stroke', color);
    pl.setAttribute('stroke-width', '1.5');
    svg.appendChild(pl);
  }
  for (const x of marks) {
    const c = document.createElementNS(SVG, 'circle');
    c.setAttribute('cx', x.toFixed(1));
    c.setAttribute('cy', '3');
    c.setAttribute('r', '2');
    c.classList.add('nbm-nonfinite');
    svg.appendChild(c);
  }
  return svg;
}

function cell(tag, text, cls) {
  const td = document.createElement(tag);
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function render({ model, el }) {
  el.classList.add('nbm-sparktable');
  const caption = document.createElement('div');
  caption.className = 'nbm-sparktable-title';
  const table = document.createElement('table');
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  for (const h of ['key', 'history', 'last', 'min', 'max']) hr.appendChild(cell('th', h));
  thead.appendChild(hr);
  const tbody = document.createElement('tbody');
  table.append(thead, tbody);
  el.append(caption, table);

  const update = () => {
    const rows = model.get('rows') || [];
    const spark = toFloat32(model.get('spark'));
    const color = model.get('color') || '#1f77b4';
    caption.textContent = model.get('title') || '';
    const body = [];
    for (const r of rows) {
      const tr = document.createElement('tr');
      tr.dataset.key = r.key;
      const k = cell('td', r.key, 'nbm-key');
      k.title = r.key;
      const s = document.createElement('td');
      s.className = 'nbm-history';
      s.appendChild(sparkSvg(spark.subarray(r.offset, r.offset + r.length), color, r.marks));
      if (r.nonfinite) {
        s.title = `${r.nonfinite} NaN/inf of ${r.n} points`;
      }
      const last = cell('td', r.last, 'nbm-last');
      last.title = r.last_exact;
      last.dataset.value = r.last_exact;
      tr.append(k, s, last, cell('td', r.min, 'nbm-min'), cell('td', r.max, 'nbm-max'));
      body.push(tr);
    }
    tbody.replaceChildren(...body);
    el.dataset.rows = String(rows.length);
  };
  update();
  model.on('change:rows', update);
  model.on('change:spark', update);
  model.on('change:title', update);
  return () => {
    model.off('change:rows', update);
    model.off('change:spark', update);
    model.off('change:title', update);
  };
}

export default { render };
