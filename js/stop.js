// "Stop this run after the current step": a button that asks the kernel to set run.should_stop.
// The kernel hears it while the training cell runs where the panel routed this widget to a kernel
// subshell (`live`); elsewhere when the cell ends (the tooltip, `tip`, says which).
// State: run (name; "" hides it), live, tip, requested (set here), heard (the kernel's answer).

function render({ model, el }) {
  el.classList.add('nbm-stop');
  const btn = document.createElement('button');
  btn.className = 'nbm-stop-button';
  const note = document.createElement('span');
  note.className = 'nbm-stop-note';
  el.append(btn, note);
  btn.addEventListener('click', () => {
    if (model.get('requested')) return;
    model.set('requested', true);
    model.save_changes();
  });
  function draw() {
    const run = model.get('run');
    const asked = model.get('requested');
    const heard = model.get('heard');
    el.classList.toggle('nbm-stop-hidden', !run);  // not el.style: ipywidgets' layout rewrites it
    btn.textContent = asked ? 'stop requested' : 'stop after this step';
    btn.disabled = asked;
    btn.title = model.get('tip');
    btn.dataset.live = model.get('live') ? 'true' : 'false';
    note.textContent = heard || (asked ? (model.get('live') ? 'sending…' : 'acts when the running cell ends') : '');
    note.title = heard ? 'the loop stops when it next checks run.should_stop' : '';
  }
  const events = ['change:run', 'change:live', 'change:tip', 'change:requested', 'change:heard'];
  for (const e of events) model.on(e, draw);
  draw();
  return () => { for (const e of events) model.off(e, draw); };
}

export default { render };
