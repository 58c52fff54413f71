"""Wheel zoom moves the step axis only; the y axis fits what is in view (TensorBoard's way).

Two finished runs in one panel while the kernel is busy (a loop, as a training cell): "steady", a decaying
loss, and "spiky", flat near 1 with a spike of 60 early on and a NaN late (a red cross at the chart's top).
The test wheel-zooms the loss chart into the late steps: the x axis zooms in, and the y axis fits the lines
drawn in that range (every point of a line in the x range lies inside the plot area, and together they span
most of its height; with bqplot's y zoom the curves ran off the chart), and the NaN's cross is at the top of
the fitted range, inside the plot area. Then the log scale (fitted again, in log), hiding "spiky" (fitted to
"steady" alone), a drag (pans the steps only, fitted again), and "reset zoom" (both axes as before the zoom).
Screenshots: yfit_before.png, yfit_zoomed.png, yfit_zoomed_log.png, yfit_zoomed_hidden.png, yfit_reset.png.
"""

from __future__ import annotations

from tests.browser import lab

CELL = """
import nbmonitor as nbm
for name in ("steady", "spiky"):
    run = nbm.init(project="yfit", name=name, display=False, system_metrics=False)
    for i in range(3000):
        jitter = ((i * 7919) % 13) / 13
        if name == "steady":
            run.log({"loss": 5.0 / (1 + i / 100) + 0.02 * jitter})
        else:
            run.log({"loss": float("nan") if i == 2400 else (60.0 if 300 <= i < 310 else 1.0) + 0.1 * jitter})
    nbm.finish(quiet=True)
p = nbm.panel(project="yfit", static_when_idle=False)
""" + lab.busy_loop("release-yfit")

LOSS = lab.LOSS_FIGURE_JS
# What the loss chart draws, in screen pixels: the plot area, the points of each shown line (every vertex of
# its path) whose x is inside the plot area, how far they reach up and down; and each axis' domain, read from
# its ticks (two labelled ticks' values and positions give the values at the plot area's edges; in log10 on
# a log axis).
JS_DRAWN = f"""() => {{
  const f = {LOSS};
  if (!f) return null;
  const bg = f.querySelector('rect.plotarea_background');
  if (!bg) return null;
  const area = bg.getBoundingClientRect();
  const shown = (p) => (p.getAttribute('d') || '').length > 10 && getComputedStyle(p).visibility !== 'hidden'
      && p.getClientRects().length > 0;
  let top = Infinity, bottom = -Infinity, inRange = 0, outside = 0, beyondX = 0, lines = 0;
  for (const p of Array.from(f.querySelectorAll('path.line')).filter(shown)) {{
    const ctm = p.getScreenCTM();
    const nums = (p.getAttribute('d').match(/-?[0-9.]+(e[-+]?[0-9]+)?/gi) || []).map(Number);
    lines += 1;
    for (let i = 0; i + 1 < nums.length; i += 2) {{
      const q = new DOMPoint(nums[i], nums[i + 1]).matrixTransform(ctm);
      if (q.x < area.left - 0.5 || q.x > area.right + 0.5) {{ beyondX += 1; continue; }}
      inRange += 1;
      top = Math.min(top, q.y); bottom = Math.max(bottom, q.y);
      if (q.y < area.top - 0.5 || q.y > area.bottom + 0.5) outside += 1;
    }}
  }}
  // the NaN/inf crosses (a Scatter) whose step is in the x range: how many, how many outside the plot area
  let crosses = 0, crossesOutside = 0;
  for (const c of f.querySelectorAll('.object_grp .dot')) {{
    const r = c.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    if (!r.width || cx < area.left || cx > area.right) continue;
    crosses += 1;
    if (cy < area.top - 0.5 || cy > area.bottom + 0.5) crossesOutside += 1;
  }}
  const log = !!document.querySelector('.nbm-panel .nbm-controls button.nbm-log.nbm-on');
  const domain = (axis, vertical) => {{
    const ts = Array.from(axis.querySelectorAll('.tick')).map((t) => {{
      const r = t.querySelector('line').getBoundingClientRect();
      const v = Number(t.querySelector('text').textContent.replace(/,/g, '').replace('\u2212', '-'));
      return {{ v: vertical && log ? Math.log10(v) : v, p: vertical ? r.top + r.height / 2 : r.left + r.width / 2 }};
    }}).filter((t) => Number.isFinite(t.v));
    if (ts.length < 2) return null;
    const a = ts[0], b = ts[ts.length - 1];
    const at = (p) => a.v + (p - a.p) * (b.v - a.v) / (b.p - a.p);
    const d = vertical ? [at(area.bottom), at(area.top)] : [at(area.left), at(area.right)];
    return vertical && log ? d.map((v) => 10 ** v) : d;
  }};
  const [ax, ay] = Array.from(f.querySelectorAll('g.axis'));
  return {{lines, inRange, outside, beyondX, crosses, crossesOutside, reach: inRange ? (bottom - top) / area.height : 0, log,
          x: ax ? domain(ax, false) : null, y: ay ? domain(ay, true) : null}};
}}"""
JS_ZOOM_POINTS = f"() => ({LOSS}).dataset.nbmZoomPoints || null"


def _settle(page, cond, what: str, timeout_s: float = 20.0) -> dict:
    """The chart's drawn state once `cond(state)` holds, with both axes' domains read (redraws go through
    animation frames); fails with the last state."""
    return lab.settle(page, JS_DRAWN, lambda s: bool(s["x"] and s["y"]) and cond(s), what, timeout_s)


def _fitted(s: dict) -> bool:
    """Every point in the x range is inside the plot area, and they span most of its height (5% padding a side,
    and bqplot's own few pixels for the markers)."""
    return (s["lines"] > 0 and s["inRange"] > 20 and s["outside"] == 0 and s["reach"] > 0.7
            and s["crossesOutside"] == 0)


def _same(a: list, b: list, tol: float = 0.01) -> bool:
    """Two domains alike, within `tol` of their span."""
    span = abs(b[1] - b[0])
    return abs(a[0] - b[0]) <= tol * span and abs(a[1] - b[1]) <= tol * span


def test_wheel_zoom_zooms_x_and_the_y_axis_fits_the_lines_in_view(lab_page, jupyter_server):
    page = lab_page
    opened = lab.open_and_run(page, jupyter_server, [CELL], ui="lab", name="zoom-yfit.ipynb", wait=False)
    page.wait_for_function(f"() => {{ const f = {LOSS}; return f && Array.from(f.querySelectorAll('path.line'))"
                           ".filter(p => (p.getAttribute('d') || '').length > 1000).length >= 2; }",
                           timeout=lab.LOAD_TIMEOUT_MS)
    page.evaluate(f"() => ({LOSS}).scrollIntoView({{block: 'center'}})")
    # the NaN's cross is a mark of its own, drawn once its view renders (after the lines, at times): waited for
    before = _settle(page, lambda s: s["lines"] >= 2 and s["beyondX"] == 0 and s["crosses"] == 1
                     and s["x"][1] > 2900 and s["y"][1] > 55, "the whole chart first, with the NaN's cross")
    assert before["outside"] == 0 and before["crossesOutside"] == 0, before
    assert before["x"][0] < 50 and before["x"][1] > 2900 and before["y"][1] > 55, before
    lab.screenshot(page, "yfit_before", selector=".nbm-panel .bqplot.figure")

    # wheel at 85% of the width, mid-height: three notches, about a sixth of the steps stay in view
    box = page.evaluate(f"() => {{ const r = ({LOSS}).querySelector('rect.plotarea_background').getBoundingClientRect();"
                        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.5)
    for _ in range(3):
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(50)
    # the kernel's raw points of the range come (from its subshell, while the cell runs): fitted to those too
    page.wait_for_function(f"() => !!({JS_ZOOM_POINTS})()", timeout=lab.SELECTOR_TIMEOUT_MS)
    # late on, "steady" is ~0.19-0.24 and "spiky" ~1-1.1: the y axis spans those (with a little padding, and
    # bqplot's own for the markers), not the spike's 60; the lines go on past the zoomed range (drawn, clipped)
    zoomed = _settle(page, lambda s: _fitted(s) and s["crosses"] == 1 and s["beyondX"] > 0
                     and 1500 < s["x"][0] < s["x"][1] < 3000 and 0 < s["y"][0] < 0.18 and 1.1 < s["y"][1] < 1.35,
                     "zoomed in: the y axis fits the lines in view")
    x0, x1 = zoomed["x"]
    assert x1 - x0 < 0.3 * (before["x"][1] - before["x"][0]), zoomed  # x zoomed in
    # spiky's NaN at step 2400 (crosses == 1 above) sits at the top of the fitted range (crossesOutside == 0)
    assert lab.run_state(page, opened.path).get("state") == "running"  # fitted while the kernel is busy
    lab.screenshot(page, "yfit_zoomed", selector=".nbm-panel .bqplot.figure")

    # log scale while zoomed: fitted again, on the log axis
    page.click(".nbm-panel .nbm-controls button.nbm-log")
    logged = _settle(page, lambda s: s["log"] and _fitted(s) and 0.05 < s["y"][0] < 0.18 and 1.1 < s["y"][1] < 1.5,
                     "zoomed in, log scale")
    lab.screenshot(page, "yfit_zoomed_log", selector=".nbm-panel .bqplot.figure")
    page.click(".nbm-panel .nbm-controls button.nbm-log")
    _settle(page, lambda s: not s["log"] and _fitted(s) and _same(s["y"], zoomed["y"]), "zoomed in, linear again")

    # hide "spiky" (values ~1): the y axis fits "steady" alone (~0.18-0.25 there)
    page.click(".nbm-panel .nbm-controls .nbm-legend-item >> text=spiky")
    hidden = _settle(page, lambda s: _fitted(s) and s["lines"] < zoomed["lines"] and s["y"][1] < 0.3,
                     "zoomed in, one run hidden")
    lab.screenshot(page, "yfit_zoomed_hidden", selector=".nbm-panel .bqplot.figure")
    page.click(".nbm-panel .nbm-controls .nbm-legend-item >> text=spiky")
    _settle(page, lambda s: _fitted(s) and _same(s["y"], zoomed["y"]), "zoomed in, both runs again")

    # drag to pan: the step axis moves (earlier steps), y is fitted again
    cx, cy = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(cx + 20 * k, cy + 5 * k)  # a slant down too: only x may move
        page.wait_for_timeout(20)
    page.mouse.up()
    panned = _settle(page, lambda s: _fitted(s) and s["x"][0] < x0 - 100, "panned: earlier steps, y fitted")
    assert abs((panned["x"][1] - panned["x"][0]) - (x1 - x0)) < 0.02 * (x1 - x0), panned  # moved, not zoomed

    # reset zoom: both axes as they were
    page.click(".nbm-panel .nbm-controls button.nbm-reset")
    reset = _settle(page, lambda s: _same(s["x"], before["x"]) and _same(s["y"], before["y"]) and s["beyondX"] == 0,
                    "reset zoom: both axes as before")
    assert reset["outside"] == 0, reset
    lab.screenshot(page, "yfit_reset", selector=".nbm-panel .bqplot.figure")
    print(f"\nbefore {before}\nzoomed {zoomed}\nlog {logged}\nhidden {hidden}\npanned {panned}\nreset {reset}")
    (jupyter_server.root_dir / "release-yfit").write_text("")
    lab.wait_run_finished(page, opened.path)
    lab.assert_no_widget_errors(page)
