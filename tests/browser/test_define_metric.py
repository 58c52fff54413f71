"""`define_metric` in a real browser (JupyterLab): a key with `step_metric="epoch"` is drawn against
epoch (its chart's x axis is named epoch, its line has one point per epoch), a `hidden=True` key
has no chart and no table row. The run stays open, so the live panel (not the static view) is checked."""

from __future__ import annotations

from tests.browser import lab

CELL = """
import nbmonitor as wandb
run = wandb.init(project="browser-define-metric", name="epochs")
wandb.define_metric("epoch")
wandb.define_metric("val/*", step_metric="epoch")
wandb.define_metric("noise", hidden=True)
for step in range(30):
    wandb.log({"train/loss": 1.0 / (step + 1), "noise": float(step)})
    if step % 10 == 9:
        wandb.log({"epoch": step // 10 + 1, "val/acc": 0.5 + step / 100})
run.flush()
"""

JS = """() => {
  const figs = Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'));
  const byTitle = Object.fromEntries(figs.map(f => {
    const t = f.querySelector('.mainheading');
    const labels = Array.from(f.querySelectorAll('.axislabel')).map(a => a.textContent);
    const path = f.querySelector('path.line');
    return [t ? t.textContent : '', {labels, d: path ? path.getAttribute('d') : ''}];
  }));
  const rows = Array.from(document.querySelectorAll('.nbm-panel .nbm-sparktable tbody tr')).map(r => r.dataset.key);
  return {byTitle, rows};
}"""


def test_step_metric_axis_and_hidden_key(lab_page, jupyter_server):
    page = lab_page
    lab.open_and_run(page, jupyter_server, [CELL], ui="lab", name="define-metric.ipynb")
    # waited for, not read once the line exists: the line may first come from a tick mid-loop, and the
    # table's rows can arrive a tick after the charts
    done = ("v && ((v.d || '').match(/L/g) || []).length >= 2 && s.rows.length >= 3"  # all three epochs drawn
            " && !!s.byTitle['train/loss']")
    page.wait_for_function(f"() => {{ const s = ({JS})(); const v = s.byTitle['val/acc']; return {done}; }}",
                           timeout=lab.LOAD_TIMEOUT_MS)
    got = page.evaluate(JS)
    assert "epoch" in got["byTitle"]["val/acc"]["labels"], got
    assert "step" in got["byTitle"]["train/loss"]["labels"], got
    assert got["byTitle"]["val/acc"]["d"].count("L") == 2, got  # 3 points: epochs 1, 2, 3
    assert "noise" not in got["byTitle"] and "noise" not in got["rows"], got
    assert set(got["rows"]) == {"train/loss", "val/acc", "epoch"}, got
    # the hover read-out names the x axis: "epoch 2", not "step 2"
    rect = page.evaluate("""() => { const f = Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))
        .find(f => (f.querySelector('.mainheading') || {}).textContent === 'val/acc');
        const r = f.querySelector('path.line').getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }""")
    tip = None
    for fx in (0.0, 0.5, 1.0):  # the line's three points: its ends and its middle
        for fy in (1.0 - fx, 0.5, 0.0, 1.0):
            page.mouse.move(rect["x"] + rect["w"] * fx, rect["y"] + rect["h"] * fy)
            tip = page.evaluate("() => { const t = document.querySelector('.nbm-hover'); "
                                "return t && t.style.display === 'block' ? t.textContent : null; }")
            if tip:
                break
        if tip:
            break
    assert tip and "epoch" in tip and "step" not in tip, tip
    lab.screenshot(page, "define_metric")
    lab.assert_no_widget_errors(page)
