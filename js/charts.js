// The panel's chart controls, acting in the browser: smoothing, log scale, runs shown, reset zoom, the
// y axis fitted to a zoomed x range, and the hover read-out (value, step and run of the nearest point).
//
// The kernel is busy while a training cell runs, so these never wait for it: this module holds
// the bqplot models of every chart (by model id, resolved with the widget manager) and changes
// them here. The kernel sends raw series only; what is drawn is derived here from the raw y:
// smoothed (a second, opaque line over the faded raw one) and/or log-safe (non-positive -> gap).
// The control state is also saved to the kernel, which hears it when it is free (for the static
// fallback and `panel.smoothing` & co).
//
// State: uid (this panel's), smoothing (0..0.99), log (bool), hidden (run ids), reset (counter), runs [{id, name,
// color, state}] (oldest first), limit (the newest `limit` runs are drawn, 0: all; "show more runs" raises it),
// total (runs in the project, read or not), charts [{key, x (axis name), system (never smoothed), fig, sx, sy, sylog,
// ay, zoom, nonfinite, lines: {run_id: model_id}}].
import { ema, logSafe, nearest, formatValue, shownRuns, showingText, thinLogTicks, capTicks, visibleExtent, padDomain }
  from './lib/chartmath.js';
import { bandRows } from './lib/band.js';
import { h } from './lib/dom.js';
import { FrameQueue, syncTransitions } from './lib/frames.js';
import { guardAxisClass, guardAxisModel } from './lib/axisguard.js';

const LOCAL = { nbm_local: true }; // marks our own set() calls (not from the kernel)
const STATE = new Map(); // controls uid -> its resolved charts (render and initialize get different proxies)

function state(model) {
  const uid = model.get('uid');
  let st = STATE.get(uid);
  if (!st) {
    st = { charts: [], raw: new WeakMap(), base: new WeakMap(), watched: new WeakSet(), bands: new WeakSet(),
      byFig: new Map(), gen: 0, kern: new WeakMap(), detailed: new WeakSet(), want: new Map(), req: 0, timers: new Map(),
      pending: new Set(), again: new Set(), asked: new Map(), crosses: new WeakMap(), fits: new Set() };
    STATE.set(uid, st);
  }
  return st;
}

function applyLine(model, st, m, run, chart, extra) {
  const raw = st.raw.get(m);
  const base = st.base.get(m);
  if (!raw || !base) return;
  const s = chart && chart.system ? 0 : model.get('smoothing'); // machine metrics are never smoothed
  const lg = model.get('log');
  const attrs = { visible: !model.get('hidden').includes(run)
    && shownRuns(model.get('runs') || [], model.get('limit') || 0).has(run) };
  if (st.bands.has(m)) { // a group's band (rows max/median/min; js/lib/band.js): its own colours and fill
    m.set({ ...attrs, y: bandRows(raw, s, lg) }, LOCAL);
    if (chart) fitLater(model, st, chart);
    return;
  }
  const shown = lg ? logSafe(raw) : raw;
  if (s > 0 && raw.length > 1) {
    const sm = ema(raw, s);
    Object.assign(attrs, { y: [shown, lg ? logSafe(sm) : sm], colors: [base.color, base.color],
      opacities: [0.25, 1], labels: [base.label, `${base.label} (smoothed)`] });
  } else {
    Object.assign(attrs, { y: shown, colors: [base.color], opacities: [1], labels: [base.label] });
  }
  m.set(extra ? { ...attrs, ...extra } : attrs, LOCAL);
  if (chart) fitLater(model, st, chart);
}

// The y axis follows the x zoom (TensorBoard's way): the pan/zoom interaction moves the step axis only,
// and while it is zoomed in, the active y scale's domain is the range of what is drawn in view (every
// visible line's points, raw and smoothed, log-safe on a log axis), padded a little; bqplot's own
// domain (all the data) when it is not. Refitted as the x range, the data or the controls change,
// in the browser (a busy kernel has no say). The NaN/inf crosses move to the fitted range's top and
// bottom (at all the data's, where the kernel puts them, they would be clipped away).
function fitLater(model, st, chart) {
  const fits = st.fits;
  if (!fits.size) {
    queueMicrotask(() => { // once per chart for a burst of changes (bqplot sets a zoom's min, then its max)
      const keys = [...fits];
      fits.clear();
      for (const key of keys) { const c = st.charts.find((ch) => ch.key === key); if (c) fitY(model, st, c); }
    });
  }
  fits.add(chart.key);
}

function fitY(model, st, chart) {
  const lg = model.get('log');
  const target = lg ? chart.sylog : chart.sy, other = lg ? chart.sy : chart.sylog;
  if (!target || !chart.sx) return;
  const x0 = chart.sx.get('min'), x1 = chart.sx.get('max');
  let extent = null;
  if (x0 !== null && x0 !== undefined && x1 !== null && x1 !== undefined) {
    const shown = chart.lines.filter(({ m }) => m.get('visible') !== false).map(({ m }) => ({ x: m.get('x'), y: m.get('y') }));
    extent = visibleExtent(shown, Number(x0), Number(x1), lg);
  }
  const [lo, hi] = extent ? padDomain(extent, lg) : [null, null];
  if (target.get('min') !== lo || target.get('max') !== hi) target.set({ min: lo, max: hi }, LOCAL);
  if (other && (other.get('min') != null || other.get('max') != null)) other.set({ min: null, max: null }, LOCAL);
  placeCrosses(model, st, chart, extent);
}

function placeCrosses(model, st, chart, extent) {
  const m = chart.nonfinite;
  if (!m) return;
  if (!st.crosses.has(m)) {
    st.crosses.set(m, m.get('y'));
    m.on('change:y', (_m, v, opts) => { if (!(opts && opts.nbm_local)) { st.crosses.set(m, v); fitLater(model, st, chart); } });
  }
  const kern = st.crosses.get(m);
  if (!kern) return;
  let y = kern;
  if (extent) { // the kernel's y: all the data's lowest value for -inf, its highest for NaN/+inf
    let a = Infinity, b = -Infinity;
    for (const v of kern) { if (v < a) a = v; if (v > b) b = v; }
    y = Float32Array.from(kern, (v) => (a < b && v === a ? extent[0] : extent[1]));
  }
  if (m.get('y') !== y) m.set('y', y, LOCAL);
}

// Zoomed in: the raw points of the visible x range, asked of the kernel (nbmonitor/ui/zoomquery.py);
// the kernel's min/max envelope again when the zoom is reset. The requests go to a widget of their own
// (model id `zoom`), which the kernel hears on a subshell of the panel's while a cell runs (`zoom_live`);
// without one, a busy kernel answers when its cell ends.
const ZOOM_WAIT_MS = 300;

function zoomChanged(model, st, was) {
  const chart = st.charts.find((c) => c.key === was.key) || was; // the current list's (resolveCharts makes new ones)
  clearTimeout(st.timers.get(chart.key));
  st.timers.set(chart.key, setTimeout(() => {
    const lo = chart.sx.get('min'), hi = chart.sx.get('max');
    if (lo === null || lo === undefined || hi === null || hi === undefined) { unzoom(model, st, chart); return; }
    // one request a chart in flight: a busy kernel queues them (answered when its cell ends), so a live
    // run's updates while zoomed in must not pile them up; the newest range is asked once it answers
    if (st.pending.has(chart.key)) { st.again.add(chart.key); return; }
    const req = ++st.req;
    st.want.set(chart.key, req);
    st.pending.add(chart.key);
    const runs = chart.lines.filter((l) => !st.bands.has(l.m)).map((l) => l.run);
    st.asked.set(chart.key, performance.now());
    (st.zq || model).send({ type: 'range', req, key: chart.key, x0: Number(lo), x1: Number(hi), runs });
  }, ZOOM_WAIT_MS));
}

// what a zoomed chart shows, on its figure elements (for tests and a curious reader): points drawn of the
// range, whether they are all of them ("exact") or a finer min/max envelope, and the ms from the request
// to its answer; removed on reset
function markFigures(chart, points, exact, ms) {
  for (const p of Object.values((chart.fig && chart.fig.views) || {})) {
    Promise.resolve(p).then((fv) => {
      if (!fv || !fv.el) return;
      if (points === null) {
        delete fv.el.dataset.nbmZoomPoints; delete fv.el.dataset.nbmZoomExact; delete fv.el.dataset.nbmZoomMs; return;
      }
      fv.el.dataset.nbmZoomMs = String(Math.round(ms));
      fv.el.dataset.nbmZoomPoints = String(points);
      fv.el.dataset.nbmZoomExact = exact ? 'true' : 'false';
    });
  }
}

function unzoom(model, st, was) {
  const chart = st.charts.find((c) => c.key === was.key) || was;
  st.want.delete(chart.key);
  st.pending.delete(chart.key); // a lost answer (kernel restarted) never blocks the next zoom
  st.again.delete(chart.key);
  markFigures(chart, null);
  for (const { m, run } of chart.lines) {
    const k = st.kern.get(m);
    if (!st.detailed.has(m) || !k) continue;
    st.detailed.delete(m);
    st.raw.set(m, k.y);
    applyLine(model, st, m, run, chart, { x: k.x });
  }
}

// the zoom requests' own widget (answered on the panel's kernel subshell); until it is found, or if it
// is not, the requests go on the controls' comm (the main shell answers)
function zoomWidget(model, st) {
  const zid = model.get('zoom');
  if (!zid || !model.widget_manager) return;
  Promise.resolve().then(() => model.widget_manager.get_model(zid)).then((zm) => {
    if (!zm || st.zq === zm || model.get('zoom') !== zid) return;
    st.zq = zm;
    zm.on('msg:custom', (msg, buffers) => onRange(model, st, msg, buffers || []));
  }).catch(() => {});
}

function typed(T, b) {
  const v = b instanceof DataView ? b : new DataView(b.buffer || b);
  return new T(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

function onRange(model, st, msg, buffers) {
  if (!msg || msg.type !== 'range') return;
  st.pending.delete(msg.key);
  const chart = st.charts.find((c) => c.key === msg.key);
  if (chart && st.again.delete(msg.key)) { zoomChanged(model, st, chart); return; } // the range moved since
  if (!chart || st.want.get(msg.key) !== msg.req) return; // reset meanwhile
  let points = 0, all = true;
  (msg.runs || []).forEach(([run, exact], i) => {
    const line = chart.lines.find((l) => l.run === run && !st.bands.has(l.m));
    if (!line || !buffers[2 * i + 1]) return;
    const x = typed(Float64Array, buffers[2 * i]), y = typed(Float32Array, buffers[2 * i + 1]);
    st.detailed.add(line.m);
    st.raw.set(line.m, y);
    applyLine(model, st, line.m, run, chart, { x });
    points += y.length;
    all = all && !!exact;
  });
  markFigures(chart, points, all, performance.now() - (st.asked.get(msg.key) || 0));
}

function applyScales(model, chart) {
  const target = model.get('log') ? chart.sylog : chart.sy;
  if (!target) return;
  if (chart.ay && chart.ay.get('scale') !== target) {
    // num_ticks stays unset (bqplot asks the d3 log scale, whose ticks niceTicks thins); bqplot does not
    // place ticks again when the scale is swapped, so niceTicks does once the axis has its new scale
    chart.ay.set('scale', target, LOCAL);
    for (const t of [30, 150, 600]) setTimeout(() => niceTicks(chart), t);
  }
  for (const m of [...chart.lines.map((l) => l.m), chart.nonfinite]) {
    if (m && m.get('scales').y !== target) m.set('scales', { ...m.get('scales'), y: target }, LOCAL);
  }
}

const SLICE_MS = 40; // applyAll yields to the page after this long: many charts never freeze it in one task

function applyAll(model, st) {
  // to log: log-safe data first, then the log scale; back: the linear scale first, then the data
  // (a log scale never sees a non-positive value, which would put its ticks at NaN).
  // Chart by chart in slices of SLICE_MS (bqplot redraws a figure as its models change): 20 charts
  // are 20 short tasks, not one long one; a newer call (another click) supersedes the rest.
  const gen = (st.applyGen = (st.applyGen || 0) + 1);
  const charts = st.charts.slice();
  let i = 0;
  const slice = () => {
    if (gen !== st.applyGen) return;
    const lg = model.get('log');
    const t0 = performance.now();
    while (i < charts.length && (i === 0 || performance.now() - t0 < SLICE_MS)) {
      const chart = charts[i++];
      if (!lg) applyScales(model, chart);
      for (const { m, run } of chart.lines) applyLine(model, st, m, run, chart);
      if (lg) applyScales(model, chart);
      if (performance.now() - t0 >= SLICE_MS) break;
    }
    if (i < charts.length) setTimeout(slice, 0);
  };
  slice();
}

function resetZoom(st) {
  for (const chart of st.charts) {
    for (const sc of [chart.sx, chart.sy, chart.sylog]) if (sc) sc.set({ min: null, max: null }, LOCAL);
  }
}

// Axis ticks: with num_ticks set, bqplot spreads that many ticks evenly over the domain (88.5, 265.5
// on a step axis; -0.0278 under a padded y domain); unset, it asks the axis' d3 scale for ~10. Each
// linear axis view's d3 scale is given a default of 5 "nice" ticks instead (d3's 1-2-5 steps, only
// values inside the domain: none below 0 for non-negative data), integers only on a step axis.
// Log scales: bqplot keeps every 1..9 multiple when the domain spans under two decades (labels
// overlap), so their ticks are thinned to at most 6; linear ones are capped by the axis' length.
function ownTicks(av, chart) {
  const sc = av.axis_scale && av.axis_scale.scale;
  if (!sc || sc.nbmTicks) return;
  const own = sc.ticks.bind(sc);
  if (typeof sc.base === 'function') { // log (a d3 log scale has .base): at most 6 (1-2-5, decades)
    sc.ticks = (n) => thinLogTicks(own(n));
  } else {
    const bottom = av.model.get('side') === 'bottom';
    const integer = bottom && chart.x === 'step';
    sc.ticks = (n) => {
      const t = own(n === undefined ? 5 : n);
      // labels need ~70 px each across, ~28 px each up
      const room = bottom ? (av.width || 300) / 70 : (av.height || 200) / 28;
      return capTicks(integer ? t.filter(Number.isInteger) : t, Math.max(2, Math.min(6, Math.floor(room))));
    };
  }
  sc.nbmTicks = true;
}

async function niceTicks(chart) {
  if (!chart.fig) return;
  for (const p of Object.values(chart.fig.views || {})) {
    const fv = await p;
    if (!fv || !fv.axis_views) continue;
    for (const ap of fv.axis_views.views) {
      const av = await ap;
      if (!av || typeof av.set_tick_values !== 'function') continue;
      const sc = av.axis_scale && av.axis_scale.scale;
      if (av.nbmTicks && (!sc || sc.nbmTicks)) continue;
      if (!av.nbmTicks) {
        // bqplot can give the axis view a new d3 scale (a zoom, a scale swap): each placing of the
        // ticks (its rescale_axis and redraw_axisline call this method) wraps the current one first
        const place = av.set_tick_values.bind(av);
        av.set_tick_values = (...a) => { ownTicks(av, chart); return place(...a); };
        av.nbmTicks = true;
      }
      av.set_tick_values();
    }
  }
}

// Redraws at scale. bqplot redraws a chart on each model change (a line's new data, then its scales' new
// x and y domains: three full redraws per update) and draws every chart, on screen or not. The line, axis
// and figure views of the panel's charts hand those redraws to one FrameQueue (js/lib/frames.js): the
// newest call per view and method runs in the next animation frame, at most FRAME_MS of them a frame,
// and a chart more than half a screen away from the visible area keeps its calls until it scrolls near
// (then it is drawn once, in its newest state). They draw without d3 transitions (syncTransitions).
// Models (data, scales, zoom) are untouched: only when the views draw them changes.
const FRAME_MS = 24;
const NEAR = '50% 0px'; // "near the viewport": half a screen above and below it (of the notebook's scroller)
// One queue for the page: anywidget loads this module once per widget (a panel shown twice, or another
// cell's panel, is another instance), and the view classes are wrapped once, so all instances share it.
const SHARED = (() => {
  const key = Symbol.for('nbmonitor.charts.frames');
  if (!globalThis[key]) {
    const seen = new WeakMap(); // figure element -> near the viewport (as the observer last said)
    globalThis[key] = { seen, observers: new Map(), frames: new FrameQueue({ raf: (cb) => requestAnimationFrame(cb),
      now: () => performance.now(), visible: (el) => seen.get(el) !== false && el.isConnected, budgetMs: FRAME_MS }) };
  }
  return globalThis[key];
})();
const FRAMES = SHARED.frames;
const WRAPPED = Symbol.for('nbmonitor.charts.lazy'); // on a view prototype whose methods are wrapped

// The notebook scrolls inside an element of its own (JupyterLab, Notebook 7), and an observer's margin
// widens its root only: each figure is watched by an observer rooted at its nearest scrolling ancestor.
function scrollRoot(el) {
  const nb = el.closest('.jp-WindowedPanel-outer'); // JupyterLab's and Notebook 7's notebook scroller
  if (nb) return nb;
  for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
    // an output's overflow-x makes its overflow-y auto too, but it does not scroll: it must overflow
    const o = getComputedStyle(p).overflowY;
    if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight + 1) return p;
  }
  return null;
}

function watchFigure(el) {
  const seen = SHARED.seen;
  if (seen.has(el) || el.nbmWatch) return;
  if (typeof IntersectionObserver !== 'function') { seen.set(el, true); return; }
  el.nbmWatch = true;
  if (!el.isConnected) { // a figure's first draws come before it is put in the page
    requestAnimationFrame(() => { el.nbmWatch = false; watchFigure(el); });
    return;
  }
  // one ancestor walk per panel (getComputedStyle), not per figure, from the panel up (a section's own
  // box may scroll too: rooted there, the other sections' figures would never count as intersecting)
  const panel = el.closest('.nbm-panel') || el;
  const roots = SHARED.roots || (SHARED.roots = new WeakMap());
  if (!roots.has(panel)) roots.set(panel, scrollRoot(panel));
  const root = roots.get(panel);
  const observers = SHARED.observers; // root (null: the viewport) -> observer
  let io = observers.get(root);
  if (!io) {
    io = new IntersectionObserver((entries) => {
      for (const e of entries) seen.set(e.target, e.isIntersecting);
      FRAMES.show();
    }, { root, rootMargin: NEAR });
    observers.set(root, io);
  }
  io.observe(el); // until its first report (the next frame) it counts as near: first draws are not held
}

function selectionProto(view) { // bqplot's d3 selection prototype, from the view's own selection
  const sel = view.d3el || view.svg;
  return sel && typeof sel.transition === 'function' ? Object.getPrototypeOf(sel) : null;
}

// The methods bqplot redraws with, on the Axis and Lines view classes. A figure's first draws happen in
// its render, before this module can reach the new views, and bqplot's own listeners hold the methods
// they were registered with (the axis' domain_changed -> redraw_axisline): so the methods these call
// through `this.` are wrapped once on the class (found from the first view seen), and act as before for
// every view that is not in one of this panel's charts (a figure without the nbm-chart class).
const LAZY_LINE = ['draw', 'update_line_xy'];
const LAZY_AXIS = ['rescale_axis', 'set_tick_values', 'tickformat_changed', 'update_grid_lines'];

function ourFigure(view) {
  const fig = view && view.parent && view.parent.el;
  return fig && fig.classList && fig.classList.contains('nbm-chart') ? fig : null;
}

function lazyClass(view, names) {
  const proto = view && Object.getPrototypeOf(view);
  if (!proto || Object.prototype.hasOwnProperty.call(proto, WRAPPED)) return;
  proto[WRAPPED] = true;
  for (const name of names) {
    const own = proto[name];
    if (typeof own !== 'function') continue;
    proto[name] = function nbmLazy(...a) {
      const fig = ourFigure(this);
      if (!fig || FRAMES.running) return own.apply(this, a); // not ours; or a queued call's own calls
      // run later through the view's own method (js's niceTicks wraps set_tick_values on the view),
      // without d3 transitions (they would wait for another frame and interpolate: frames.js)
      FRAMES.defer(this, fig, name, (...b) => syncTransitions(selectionProto(this), () => this[name](...b)), a);
      if (!fig.dataset.nbmLazy) fig.dataset.nbmLazy = 'true'; // seen by tests
      watchFigure(fig);
      return undefined;
    };
  }
  const remove = proto.remove;
  if (typeof remove === 'function') {
    proto.remove = function nbmRemove(...a) { FRAMES.forget(this); return remove.apply(this, a); };
  }
}

async function lazyViews(chart) {
  if (!chart.fig) return;
  for (const p of Object.values(chart.fig.views || {})) {
    const fv = await p;
    if (!fv || !fv.el) continue;
    for (const ap of (fv.axis_views && fv.axis_views.views) || []) {
      const av = await ap;
      guardAxisClass(av && Object.getPrototypeOf(av)); // where the manager could not load the class early
      lazyClass(av, LAZY_AXIS);
    }
    for (const { m } of chart.lines) {
      for (const lp of Object.values(m.views || {})) lazyClass(await lp, LAZY_LINE);
    }
  }
}

// bqplot's Figure view listens for change:marks only once its first marks are drawn (an await in its
// render): a mark added meanwhile (a run's first points just after the panel is shown again) never gets
// a view. Each figure view's marks are checked against the model's and brought up to date, as bqplot's
// own change:marks handler does.
async function syncMarks(chart) {
  if (!chart.fig) return;
  const want = chart.fig.get('marks') || [];
  for (const p of Object.values(chart.fig.views || {})) {
    const fv = await p;
    const vl = fv && fv.mark_views;
    if (!vl || !Array.isArray(vl._models) || fv.nbmSyncing) continue;
    const have = vl._models;
    if (have.length === want.length && have.every((m, i) => m === want[i])) continue;
    fv.nbmSyncing = true;
    try {
      const views = await vl.update(want);
      fv.replace_dummy_nodes(views);
      fv.update_marks(views);
      fv.update_legend();
      fv.el.dataset.nbmMarksSynced = String(Number(fv.el.dataset.nbmMarksSynced || 0) + 1); // seen by tests
    } catch (e) {
      console.debug('nbmonitor: could not add marks to a figure view', e);
    } finally {
      fv.nbmSyncing = false;
    }
  }
}

function watchLine(model, st, m, run, band, chart) {
  if (st.watched.has(m)) return;
  st.watched.add(m);
  if (band) st.bands.add(m);
  const y = m.get('y');
  if (y && (band || !Array.isArray(y))) st.raw.set(m, y); // a 1-D array (a band's 3 rows) is the kernel's raw series
  if (y && !band && !Array.isArray(y)) st.kern.set(m, { x: m.get('x'), y });
  st.base.set(m, { color: (m.get('colors') || ['#1f77b4'])[0], label: (m.get('labels') || [''])[0] });
  m.on('change:x', (_m, v, opts) => { // the kernel's x (a zoomed-in line's own x is set LOCAL)
    if (opts && opts.nbm_local) return;
    const k = st.kern.get(m);
    if (k) k.x = v;
  });
  m.on('change:y', (_m, v, opts) => {
    if (opts && opts.nbm_local) return;
    st.raw.set(m, v);
    const k = st.kern.get(m);
    if (k) k.y = v; else st.kern.set(m, { x: m.get('x'), y: v });
    const was = st.detailed.delete(m); // new data: the envelope again (with the kernel's x), and ask again
    if (was && chart && chart.sx && chart.sx.get('min') != null) zoomChanged(model, st, chart);
    // after the kernel's set() has run its course (bqplot redraws on the 'change' that follows);
    // a set() nested in this handler would fold into it and the new data would not be drawn
    queueMicrotask(() => applyLine(model, st, m, run, chart, was ? { x: st.kern.get(m).x } : undefined));
    niceTicks(chart); // a figure view made since (the panel shown again) gets its ticks
    syncMarks(chart);
    lazyViews(chart);
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
    const bands = (await Promise.all(Object.entries(c.bands || {}).map(async ([run, id]) => ({ run, m: await get(id), band: true }))))
      .filter((l) => l.m); // groups' bands (nbmonitor/ui/groups.py): drawn as lines, under them
    lines.unshift(...bands);
    return { key: c.key, x: c.x || 'step', system: !!c.system, fig, sx, sy, sylog, ay, zoom, nonfinite, lines };
  }));
  if (gen !== st.gen) return; // a newer list arrived meanwhile
  st.charts = charts;
  for (const chart of charts) for (const a of (chart.fig && chart.fig.get('axes')) || []) guardAxisModel(a);
  for (const chart of charts) for (const { m, run, band } of chart.lines) watchLine(model, st, m, run, band, chart);
  for (const chart of charts) { niceTicks(chart); syncMarks(chart); lazyViews(chart); }
  for (const chart of charts) {
    if (chart.sx && !st.watched.has(chart.sx)) {
      st.watched.add(chart.sx);
      chart.sx.on('change:min change:max', () => {
        fitLater(model, st, chart);
        const now = st.charts.find((c) => c.key === chart.key) || chart;
        if (now.x === 'step') zoomChanged(model, st, now); // drawn against another metric: not re-queried
      });
    }
  }
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
    const raw = st.bands.has(m) ? (st.raw.get(m) || [])[1] : st.raw.get(m); // a band: its median
    if (!x || !raw || !x.length) continue;
    const sx = view.scales.x.scale, sy = view.scales.y.scale;
    const ctm = view.el.getScreenCTM();
    if (!ctm) continue;
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const got = nearest(x, raw, (v) => sx(v), (v) => sy(v), (v) => sx.invert(v), p.x, p.y);
    if (got && (!best || got.dist < best.dist)) {
      const s = model.get('smoothing');
      best = { dist: got.dist, run, name: runs[run] ? runs[run].name : (st.base.get(m) || {}).label,
        color: (st.base.get(m) || {}).color, xname: entry.chart.x || 'step', step: x[got.index], value: raw[got.index],
        smoothed: s > 0 && !entry.chart.system ? ema(raw, s)[got.index] : null };
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
  model.on('change:limit', () => applyAll(model, st));
  model.on('change:runs', () => { if (model.get('limit')) applyAll(model, st); }); // a new run shifts the window
  model.on('change:reset', () => resetZoom(st));
  model.on('msg:custom', (msg, buffers) => onRange(model, st, msg, buffers || []));
  model.on('change:zoom', () => zoomWidget(model, st));
  zoomWidget(model, st);
  again();
}

function render({ model, el: root }) {
  const st = state(model);
  root.classList.add('nbm-controls');
  const smooth = h('label', 'nbm-smooth');
  const range = h('input');
  Object.assign(range, { type: 'range', min: '0', max: '0.99', step: '0.01' });
  const val = h('span', 'nbm-smooth-value');
  smooth.append(h('span', 'nbm-smooth-label', 'smoothing'), range, val);
  const log = h('button', 'nbm-log', 'log scale');
  log.title = 'logarithmic y axis (acts in the browser, also while a cell runs)';
  const reset = h('button', 'nbm-reset', 'reset zoom');
  const legend = h('span', 'nbm-legend');
  const showing = h('span', 'nbm-showing');
  const more = h('button', 'nbm-more-runs', 'show more runs');
  more.title = 'draw 10 more of the runs read (acts in the browser, also while a cell runs)';
  root.append(smooth, log, reset, legend, showing, more);

  const save = (attrs) => { model.set(attrs); model.save_changes(); };
  range.addEventListener('input', () => save({ smoothing: Number(range.value) }));
  log.addEventListener('click', () => save({ log: !model.get('log') }));
  reset.addEventListener('click', () => { resetZoom(st); save({ reset: model.get('reset') + 1 }); });
  more.addEventListener('click', () => {
    const n = (model.get('runs') || []).filter((r) => r.state !== 'group').length, limit = model.get('limit') || 0;
    save({ limit: limit > 0 && limit + 10 < n ? limit + 10 : 0 });
  });

  function draw() {
    reset.title = 'show the whole of every chart. Zoomed in, a chart shows the raw points of its range, asked of the '
      + (model.get('zoom_live') ? 'kernel (also while a cell runs: the panel has a kernel subshell)'
        : 'kernel (while a cell runs, they come when it ends: this kernel has no subshells; meanwhile the min/max envelope)');
    reset.dataset.zoomLive = model.get('zoom_live') ? 'true' : 'false';
    const s = model.get('smoothing');
    range.value = String(s);
    val.textContent = s.toFixed(2);
    log.classList.toggle('nbm-on', !!model.get('log'));
    log.setAttribute('aria-pressed', model.get('log') ? 'true' : 'false');
    const hidden = new Set(model.get('hidden'));
    const all = model.get('runs') || [];
    const limit = model.get('limit') || 0;
    const shown = shownRuns(all, limit);
    const groups = all.filter((r) => r.state === 'group').length; // groups' bands: not runs (ui/groups.py)
    const runs = all.length - groups;
    showing.textContent = showingText(shown.size - groups, runs, Math.max(model.get('total') || 0, runs));
    showing.style.display = showing.textContent ? '' : 'none';
    more.style.display = shown.size < all.length ? '' : 'none';
    legend.replaceChildren(...all.filter((r) => shown.has(r.id)).map((r) => {
      const item = h('label', 'nbm-legend-item');
      item.dataset.run = r.id;
      item.title = `${r.name} (${r.state})`;
      const cb = h('input');
      cb.type = 'checkbox';
      cb.checked = !hidden.has(r.id);
      cb.addEventListener('change', () => {
        const h = new Set(model.get('hidden'));
        if (cb.checked) h.delete(r.id); else h.add(r.id);
        save({ hidden: Array.from(h) });
      });
      const dot = h('span', 'nbm-legend-dot');
      dot.style.background = r.color;
      item.append(cb, dot, h('span', 'nbm-legend-name', r.name));
      return item;
    }));
    legend.style.display = (model.get('runs') || []).length > 1 ? '' : 'none';
  }
  const events = ['change:smoothing', 'change:log', 'change:hidden', 'change:runs', 'change:limit', 'change:total',
    'change:zoom_live'];
  for (const e of events) model.on(e, draw);
  draw();

  // hover: the nearest point of any visible line, over bqplot's pan/zoom layer
  const tip = h('div', 'nbm-hover');
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
    const name = h('div', 'nbm-hover-run', got.name);
    name.style.color = got.color || '';
    const rows = [name, h('div', 'nbm-hover-step', `${got.xname} ${formatValue(got.step)}`),
      h('div', 'nbm-hover-value', `value ${formatValue(got.value)}`)];
    if (got.smoothed !== null) rows.push(h('div', 'nbm-hover-smoothed', `smoothed ${formatValue(got.smoothed)}`));
    tip.replaceChildren(...rows);
    tip.dataset.step = String(got.step);
    tip.dataset.value = String(got.value);
    tip.dataset.run = got.run;
    tip.style.left = `${ev.clientX + 14}px`;
    tip.style.top = `${ev.clientY + 14}px`;
    tip.style.display = 'block';
  };
  document.addEventListener('mousemove', onMove, true);
  // marks a figure view missed while it rendered (syncMarks), also when no new data comes to trigger it
  const sync = setInterval(() => { for (const chart of st.charts) { syncMarks(chart); niceTicks(chart); lazyViews(chart); } }, 2000);
  return () => {
    for (const e of events) model.off(e, draw);
    document.removeEventListener('mousemove', onMove, true);
    clearInterval(sync);
    tip.remove();
  };
}

export default { initialize, render };
