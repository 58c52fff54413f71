// The panel's groups (runs sharing a group, e.g. torchrun ranks of `init(distributed="all")`): one row
// each with a control that folds the group's runs into its band or spreads them out, the median step
// time of each run, and the stragglers. Acting in the browser, also while a training cell runs: the
// runs shown are the chart controls' `hidden` list (js/charts.js), which this module edits on that
// model (resolved by id) - the charts redraw at once, and the kernel hears it when it is free.
//
// State: controls (the ChartControls model id), groups [{id, name, color, runs: [{id, label,
// step_time (s, or null), factor (x the group's median, or null), slow}], step_time (the group's
// median, or null), ratio}]. The kernel's side: nbmonitor/ui/groups.py.
import { foldRuns, isExpanded } from './lib/band.js';
import { formatValue } from './lib/chartmath.js';
import { h } from './lib/dom.js';

function seconds(v) {
  return v === null || v === undefined ? '–' : `${formatValue(v)} s`;
}

function render({ model, el: root }) {
  root.classList.add('nbm-groups');
  let ctl = null;
  let gone = false;
  const hidden = () => (ctl ? ctl.get('hidden') || [] : []);

  function draw() {
    const groups = model.get('groups') || [];
    root.style.display = groups.length ? '' : 'none';
    root.replaceChildren(...groups.map((g) => {
      const ids = g.runs.map((r) => r.id);
      const open = isExpanded(hidden(), ids);
      const row = h('div', 'nbm-group');
      row.dataset.group = g.name;
      row.dataset.expanded = open ? 'true' : 'false';
      const toggle = h('button', 'nbm-group-toggle', open ? `▾ hide the ${ids.length} runs` : `▸ show the ${ids.length} runs`);
      toggle.title = open ? 'fold the runs into the group\'s band (min/median/max)' : 'draw each run of the group beside its band';
      toggle.disabled = !ctl;
      toggle.addEventListener('click', () => {
        if (!ctl) return;
        ctl.set('hidden', foldRuns(hidden(), ids, !isExpanded(hidden(), ids)));
        ctl.save_changes();
      });
      const dot = h('span', 'nbm-group-dot');
      dot.style.background = g.color || '#999';
      const name = h('span', 'nbm-group-name', g.name);
      const what = h('span', 'nbm-group-what', `group · band: min / median / max of ${ids.length} runs · median step ${seconds(g.step_time)}`);
      const ranks = h('span', 'nbm-group-runs');
      ranks.append(...g.runs.map((r) => {
        const chip = h('span', r.slow ? 'nbm-group-run nbm-group-slow' : 'nbm-group-run',
          `${r.label} ${seconds(r.step_time)}` + (r.slow && r.factor ? ` (${r.factor.toFixed(2)}×)` : ''));
        chip.dataset.run = r.id;
        chip.title = r.slow ? `straggler: median step time ≥ ${g.ratio}× the group's` : 'median step time';
        return chip;
      }));
      row.append(toggle, dot, name, what, ranks);
      return row;
    }));
  }

  const onHidden = () => draw();
  const id = model.get('controls');
  if (id) {
    model.widget_manager.get_model(id).then((m) => {
      if (gone) return;
      ctl = m;
      ctl.on('change:hidden', onHidden);
      draw();
    }).catch(() => {});
  }
  model.on('change:groups', draw);
  draw();
  return () => {
    gone = true;
    model.off('change:groups', draw);
    if (ctl) ctl.off('change:hidden', onHidden);
  };
}

export default { render };
