// The panel's chart controls, acting in the browser: smoothing, log scale, runs shown, reset zoom,
// and the hover read-out (value, step and run of the nearest point).
//
// The kernel is busy while a training cell runs, so these never wait for it: this module holds
// the bqplot models of every chart (by model id, resolved with the widget manager) and changes
// them here. The kernel sends raw series only; what is drawn is derived here from the raw y:
// smoothed (a second, opaque line over the faded raw one) and/or log-safe (non-positive -> gap).
// The control state is also saved to the kernel, which hears it when it is free (for the static
// fallback and `panel.smoothing` & co).
//
// State: uid (this panel's), smoothing (0..0.99), log (bool), hidden (run ids), reset (counter), runs [{id, name,
// color, state}], charts [{key, fig, sx, sy, sylog, ay, zoom, nonfinite, lines: {run_id: model_id}}].
import { ema, logSafe, nearest, formatValue } from './lib/chartmath.js';

const LOCAL = { nbm_local: true }; // marks our own set() calls (not from the kernel)
const STATE = new Map(); // controls uid -> its resolved charts (render and initialize get different proxies)

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function state(model) {
  const uid = model.get('uid');
  let st = STATE.get(uid);
  if (!st) {
    st = { charts: [], raw: new WeakMap(), base: new WeakMap(), watched: new WeakSet(), byFig: new Map(), gen: 0 };
    STATE.set(uid, st);
  }
  return st;
}

function applyLine(model, st, m, run) {
  const raw = st.raw.get(m);
  const base = st.base.get(m);
  if (!raw || !base) return;
  const s = model.get('smoothing');
  const lg = model.get('log');
  const shown = lg ? logSafe(raw) : raw;
  const attrs = { visible: !model.get('hidden').includes(run) };
  if (s > 0 && raw.length > 1) {
    const sm = ema(raw, s);
    Object.assign(attrs, { y: [shown, lg ? logSafe(sm) : sm], colors: [base.color, base.color],
      opacities: [0.25, 1], labels: [base.label, `${base.label} (smoothed)`] });
  } else {
    Object.assign(attrs, { y: shown, colors: [base.color], opacities: [1], labels: [base.label] });
  }
  m.set(attrs, LOCAL);
}

function applyScales(model, chart) {
  const target = model.get('log') ? chart.sylog : chart.sy;
  if (!target) return;
  if (chart.ay && chart.ay.get('scale') !== target) {
    // bqplot places ticks when num_ticks changes, not when the scale is swapped; with num_ticks
    // unset it picks log ticks itself (decades, or 1-2-5 steps). Linear ticks must never meet the
    // log scale (a tick at 0 or below sits at NaN): unset them before, set them after.
    if (target === chart.sylog) {
      chart.ay.set('num_ticks', null, LOCAL);
      chart.ay.set('scale', target, LOCAL);
    } else {
      chart.ay.set('scale', target, LOCAL);
      chart.ay.set('num_ticks', 5, LOCAL);
    }
  }
  for (const m of [...chart.lines.map((l) => l.m), chart.nonfinite]) {
    if (m && m.get('scales').y !== target) m.set('scales', { ...m.get('scales'), y: target }, LOCAL);
  }
  if (chart.zoom) {
    const zs = chart.zoom.get('scales') || {};
    if (!zs.y || zs.y[0] !== target) chart.zoom.set('scales', { ...zs, y: [target] }, LOCAL);
  }
}

function applyAll(model, st) {
  // to log: log-safe data first, then the log scale; back: the linear scale first, then the data
  // (a log scale never sees a non-positive value, which would put its ticks at NaN)
  const lg = model.get('log');
  for (const chart of st.charts) {
    if (!lg) applyScales(model, chart);
    for (const { m, run } of chart.lines) applyLine(model, st, m, run);
    if (lg) applyScales(model, chart);
  }
}

function resetZoom(st) {
  for (const chart of st.charts) {
    for (const sc of [chart.sx, chart.sy, chart.sylog]) if (sc) sc.set({ min: null, max: null }, LOCAL);
  }
}

function watchLine(model, st, m, run) {
  if (st.watched.has(m)) return;
  st.watched.add(m);
  const y = m.get('y');
  if (y && !Array.isArray(y)) st.raw.set(m, y); // a 1-D array is the kernel's raw series
  st.base.set(m, { color: (m.get('colors') || ['#1f77b4'])[0], label: (m.get('labels') || [''])[0] });
  m.on('change:y', (_m, v, opts) => {
    if (opts && opts.nbm_local) return;
    st.raw.set(m, v);
    // after the kernel's set() has run its course (bqplot redraws on the 'change' that follows);
    // a set() nested in this handler would fold into it and the new data would not be drawn
    queueMicrotask(() => applyLine(model, st, m, run));
  });
}

async function resolveCharts(model, st) {
  const gen = ++st.gen;
  const wm = model.widget_manager;
  const get = (id) => (id ? wm.get_model(id).catch(() => null) : Promise.resolve(null));
  const charts = await Promise.all((model.get('charts') || []).map(async (c) => {
    const [fig, sx, sy, sylog, ay, zoom, nonfinite] = await Promise.all(
      [c.fig, c.sx, c.sy, c.sylog, c.ay, c.zoom, c.nonfinite].map(get));
    const lines = (await Promise.all(Object.entries(c.lines || {}).map(async ([run, id]) => ({ run, m: await get(id) }))))
      .filter((l) => l.m);
    return { key: c.key, fig, sx, sy, sylog, ay, zoom, nonfinite, lines };
  }));
  if (gen !== st.gen) return; // a newer list arrived meanwhile
  st.charts = charts;
  for (const chart of charts) for (const { m, run } of chart.lines) watchLine(model, st, m, run);
  applyAll(model, st);
  st.byFig = new Map();
}

// Which chart (and which of its line views) a figure element belongs to.
async function indexViews(st) {
  const byFig = new Map();
  for (const chart of st.charts) {
    if (!chart.fig) continue;
    for (const p of Object.values(chart.fig.views || {})) {
      const fv = await p;
      const lines = [];
      for (const { m, run } of chart.lines) {
        for (const lp of Object.values(m.views || {})) {
          const lv = await lp;
          if (lv && lv.el && fv.el.contains(lv.el)) lines.push({ m, run, view: lv });
        }
      }
      byFig.set(fv.el, { chart, lines });
    }
  }
  st.byFig = byFig;
}

function hoverRead(model, st, figEl, ev) {
  const entry = st.byFig.get(figEl);
  if (!entry) return null;
  const runs = Object.fromEntries((model.get('runs') || []).map((r) => [r.id, r]));
  let best = null;
  for (const { m, run, view } of entry.lines) {
    if (!m.get('visible') || !view.scales || !view.scales.x || !view.scales.y) continue;
    const x = m.get('x');
    const raw = st.raw.get(m);
    if (!x || !raw || !x.length) continue;
    const sx = view.scales.x.scale, sy = view.scales.y.scale;
    const ctm = view.el.getScreenCTM();
    if (!ctm) continue;
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const got = nearest(x, raw, (v) => sx(v), (v) => sy(v), (v) => sx.invert(v), p.x, p.y);
    if (got && (!best || got.dist < best.dist)) {
      const s = model.get('smoothing');
      best = { dist: got.dist, run, name: runs[run] ? runs[run].name : (st.base.get(m) || {}).label,
        color: (st.base.get(m) || {}).color, step: x[got.index], value: raw[got.index],
        smoothed: s > 0 ? ema(raw, s)[got.index] : null };
    }
  }
  return best && best.dist <= 40 ? best : null;
}

function initialize({ model }) {
  const st = state(model);
  const again = () => resolveCharts(model, st);
  model.on('change:charts', again);
  model.on('change:smoothing', () => applyAll(model, st));
  model.on('change:log', () => applyAll(model, st));
  model.on('change:hidden', () => applyAll(model, st));
  model.on('change:reset', () => resetZoom(st));
  again();
}

function render({ model, el: root }) {
  const st = state(model);
  root.classList.add('nbm-controls');
  const smooth = el('label', 'nbm-smooth');
  const range = el('input');
  Object.assign(range, { type: 'range', min: '0', max: '0.99', step: '0.01' });
  const val = el('span', 'nbm-smooth-value');
  smooth.append(el('span', 'nbm-smooth-label', 'smoothing'), range, val);
  const log = el('button', 'nbm-log', 'log scale');
  log.title = 'logarithmic y axis (acts in the browser, also while a cell runs)';
  const reset = el('button', 'nbm-reset', 'reset zoom');
  reset.title = 'show the whole of every chart';
  const legend = el('span', 'nbm-legend');
  root.append(smooth, log, reset, legend);

  const save = (attrs) => { model.set(attrs); model.save_changes(); };
  range.addEventListener('input', () => save({ smoothing: Number(range.value) }));
  log.addEventListener('click', () => save({ log: !model.get('log') }));
  reset.addEventListener('click', () => { resetZoom(st); save({ reset: model.get('reset') + 1 }); });

  function draw() {
    const s = model.get('smoothing');
    range.value = String(s);
    val.textContent = s.toFixed(2);
    log.classList.toggle('nbm-on', !!model.get('log'));
    log.setAttribute('aria-pressed', model.get('log') ? 'true' : 'false');
    const hidden = new Set(model.get('hidden'));
    legend.replaceChildren(...(model.get('runs') || []).map((r) => {
      const item = el('label', 'nbm-legend-item');
      item.dataset.run = r.id;
      item.title = `${r.name} (${r.state})`;
      const cb = el('input');
      cb.type = 'checkbox';
      cb.checked = !hidden.has(r.id);
      cb.addEventListener('change', () => {
        const h = new Set(model.get('hidden'));
        if (cb.checked) h.delete(r.id); else h.add(r.id);
        save({ hidden: Array.from(h) });
      });
      const dot = el('span', 'nbm-legend-dot');
      dot.style.background = r.color;
      item.append(cb, dot, el('span', 'nbm-legend-name', r.name));
      return item;
    }));
    legend.style.display = (model.get('runs') || []).length > 1 ? '' : 'none';
  }
  const events = ['change:smoothing', 'change:log', 'change:hidden', 'change:runs'];
  for (const e of events) model.on(e, draw);
  draw();

  // hover: the nearest point of any visible line, over bqplot's pan/zoom layer
  const tip = el('div', 'nbm-hover');
  tip.style.display = 'none';
  document.body.appendChild(tip);
  let pending = false;
  const onMove = (ev) => {
    const figEl = ev.target && ev.target.closest ? ev.target.closest('.bqplot.figure') : null;
    if (!figEl) { tip.style.display = 'none'; return; }
    if (!st.byFig.has(figEl)) {
      if (!pending) { pending = true; indexViews(st).finally(() => { pending = false; }); }
      return;
    }
    const got = hoverRead(model, st, figEl, ev);
    if (!got) { tip.style.display = 'none'; return; }
    const name = el('div', 'nbm-hover-run', got.name);
    name.style.color = got.color || '';
    const rows = [name, el('div', 'nbm-hover-step', `step ${formatValue(got.step)}`),
      el('div', 'nbm-hover-value', `value ${formatValue(got.value)}`)];
    if (got.smoothed !== null) rows.push(el('div', 'nbm-hover-smoothed', `smoothed ${formatValue(got.smoothed)}`));
    tip.replaceChildren(...rows);
    tip.dataset.step = String(got.step);
    tip.dataset.value = String(got.value);
    tip.dataset.run = got.run;
    tip.style.left = `${ev.clientX + 14}px`;
    tip.style.top = `${ev.clientY + 14}px`;
    tip.style.display = 'block';
  };
  document.addEventListener('mousemove', onMove, true);
  return () => {
    for (const e of events) model.off(e, draw);
    document.removeEventListener('mousemove', onMove, true);
    tip.remove();
  };
}

export default { initialize, render };
