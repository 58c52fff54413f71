// The panel's header: project / run, state, step, elapsed, steps/s, progress + ETA, alerts.
// State: project, run, color, state, step, total, elapsed (s, at `stamp`), stamp (changes each
// update), rate, runs, error, alerts [{id, run, title, text, level, time}], flags [{text, title}] (badges
// in the header line: a group's straggler, nbmonitor/ui/groups.py).
import { formatDuration, formatRate } from './lib/spark.js';

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  if (text !== undefined) s.textContent = text;
  return s;
}

function render({ model, el }) {
  el.classList.add('nbm-header');
  const line = document.createElement('div');
  line.className = 'nbm-header-line';
  const dot = span('nbm-dot');
  const name = span('nbm-run');
  const project = span('nbm-project');
  const state = span('nbm-state');
  const step = span('nbm-step');
  const elapsed = span('nbm-elapsed');
  const rate = span('nbm-rate');
  const flags = span('nbm-flags');
  line.append(dot, name, project, state, step, elapsed, rate, flags);
  const prog = document.createElement('div');
  prog.className = 'nbm-progress';
  const bar = document.createElement('div');
  bar.className = 'nbm-progress-bar';
  const fill = document.createElement('div');
  fill.className = 'nbm-progress-fill';
  bar.appendChild(fill);
  const eta = span('nbm-eta');
  prog.append(bar, eta);
  const error = document.createElement('div');
  error.className = 'nbm-error';
  const alerts = document.createElement('div');
  alerts.className = 'nbm-alerts';
  el.append(line, prog, error, alerts);

  const dismissed = new Set();
  let received = Date.now();

  const tick = () => {
    const st = model.get('state');
    const live = st === 'running';
    const el0 = model.get('elapsed') || 0;
    const secs = el0 + (live ? (Date.now() - received) / 1000 : 0);
    elapsed.textContent = `elapsed ${formatDuration(secs)}`;
    const total = model.get('total') || 0;
    const r = model.get('rate');
    const s = model.get('step');
    if (total > 0) {
      const n = s + 1; // steps done: the last step logged is s
      const done = Math.min(1, Math.max(0, n / total));
      prog.style.display = '';
      fill.style.width = `${(done * 100).toFixed(1)}%`;
      const left = r > 0 && live ? (total - n) / r : NaN;
      eta.textContent = `${Math.floor(done * 100)}% · ${n}/${total}` +
        (live ? ` · ETA ${formatDuration(left)}` : '');
    } else {
      prog.style.display = 'none';
    }
  };

  const renderAlerts = () => {
    const items = [];
    for (const a of model.get('alerts') || []) {
      if (dismissed.has(a.id)) continue;
      const box = document.createElement('div');
      const level = String(a.level || 'INFO').toUpperCase();
      box.className = `nbm-alert nbm-alert-${level.toLowerCase()}`;
      const title = span('nbm-alert-title', `${level} · ${a.title || ''}`);
      const meta = span('nbm-alert-meta', `${a.run || ''} · ${new Date(a.time * 1000).toLocaleTimeString()}`);
      const text = document.createElement('div');
      text.className = 'nbm-alert-text';
      text.textContent = a.text || '';
      const close = document.createElement('button');
      close.className = 'nbm-alert-close';
      close.textContent = '×';
      close.title = 'dismiss';
      close.addEventListener('click', () => { dismissed.add(a.id); renderAlerts(); });
      box.append(close, title, meta, text);
      items.push(box);
    }
    alerts.replaceChildren(...items);
  };

  const update = () => {
    received = Date.now();
    const st = model.get('state') || '';
    dot.style.background = model.get('color') || '#999';
    name.textContent = model.get('run') || '';
    project.textContent = model.get('project') ? `(${model.get('project')})` : '';
    state.textContent = st;
    state.className = `nbm-state nbm-state-${st.replace(/[^a-z]/g, '')}`;
    el.dataset.state = st;
    const s = model.get('step');
    // steps done, as the static copy, the end-of-run block and the progress bar count them
    step.textContent = s >= 0 ? `${s + 1} step${s === 0 ? '' : 's'}` : 'no steps yet';
    step.title = s >= 0 ? `last step logged: ${s}` : '';
    el.dataset.step = String(s);
    const n = model.get('runs') || 0;
    rate.textContent = `${formatRate(model.get('rate'))} steps/s` + (n > 1 ? ` · ${n} runs` : '');
    flags.replaceChildren(...(model.get('flags') || []).map((f) => {
      const b = span('nbm-flag', f.text || '');
      b.title = f.title || '';
      return b;
    }));
    error.textContent = model.get('error') || '';
    error.style.display = model.get('error') ? '' : 'none';
    tick();
  };
  update();
  renderAlerts();
  const timer = setInterval(tick, 1000);
  const names = ['project', 'run', 'color', 'state', 'step', 'total', 'elapsed', 'stamp', 'rate', 'runs', 'error', 'flags'];
  for (const n of names) model.on(`change:${n}`, update);
  model.on('change:alerts', renderAlerts);
  return () => {
    clearInterval(timer);
    for (const n of names) model.off(`change:${n}`, update);
    model.off('change:alerts', renderAlerts);
  };
}

export default { render };
