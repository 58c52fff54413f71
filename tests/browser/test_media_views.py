"""The media views in a real browser: image prediction grid on real digits, histograms, tables, images.

A small CNN is trained a few steps on scikit-learn's `load_digits` (8x8 real
handwritten digits, no download) with `nbm.watch(log="all")`; a table of test
digits with pred/target/score is logged at two steps, plus a plain table and an
image. Each view's widget is displayed on its own (as the panel would show it)
and checked from the DOM: thumbnails decoded from the binary blobs, preds and
targets, mistakes highlighted and filtered, the zoom, the histogram bands and
ridges. Screenshots land in test-artifacts/screenshots/media_*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import lab

TRAIN = r'''
import numpy as np, torch, nbmonitor as nbm
from sklearn.datasets import load_digits
torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
Y = torch.tensor(digits.target)
model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                            torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.5)
run = nbm.init(project="media", name="digits <b>cnn</b>", display=False)
nbm.watch(model, log="all", log_freq=5)

def predictions_table(n=64):
    with torch.no_grad():
        probs = torch.softmax(model(X[-n:]), 1)
    table = nbm.Table(columns=["image", "pred", "target", "score"])
    for img, p, y in zip(digits.images[-n:], probs, Y[-n:]):
        table.add_data(nbm.Image(img / 16.0, caption=f"digit #{int(y)}"), int(p.argmax()), int(y), float(p.max()))
    return table

for step in range(40):
    idx = torch.randint(0, len(X) - 64, (64,))
    loss = torch.nn.functional.cross_entropy(model(X[idx]), Y[idx])
    opt.zero_grad(); loss.backward(); opt.step()
    if step == 4:
        nbm.log({"predictions": predictions_table()}, commit=False)
    nbm.log({"loss": loss})
table = predictions_table()
nbm.log({"predictions": table}, commit=False)
nbm.log({"config_table": nbm.Table(columns=["name", "value", "note"],
                                   data=[["lr", 0.5, "x" * 200], ["<script>alert(1)</script>", 3, "short"]])},
        commit=False)
nbm.log({"first_digit": nbm.Image(digits.images[0] / 16.0, caption="a zero")})
nbm.finish(quiet=True)
df = table.get_dataframe()
print("MISTAKES=%d ROWS=%d" % (int((df.pred != df.target).sum()), len(df)))
'''

SHOW = r'''
from nbmonitor.sources import open_source
from nbmonitor.ui.views.imagegrid import ImageGridView
from nbmonitor.ui.views.histograms import HistogramView
from nbmonitor.ui.views.tables import TableView
from nbmonitor.ui.views.images import ImagesView
source = open_source()
record = source.find_runs(run.id)[0]
events = source.read_events(run.id)
views = {}
for cls in (ImageGridView, HistogramView, TableView, ImagesView):
    v = cls()
    v.add(record, events)
    views[cls.__name__] = v
'''

CELLS = [TRAIN, SHOW, "views['ImageGridView'].widget", "views['HistogramView'].widget",
         "views['TableView'].widget", "views['ImagesView'].widget"]


def _slide(page, slider: str, value: int) -> None:
    """Move a range input to `value` as a user's drag does (an input event)."""
    page.evaluate("""([sel, v]) => { const s = document.querySelector(sel);
                     s.value = String(v); s.dispatchEvent(new Event('input')); }""", [slider, value])


def _mistakes(page) -> tuple[int, int]:
    out = page.locator(".jp-OutputArea-output", has_text="MISTAKES=").first.inner_text()
    m = re.search(r"MISTAKES=(\d+) ROWS=(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def test_media_views_in_lab(lab_page, jupyter_server):
    page = lab_page
    lab.open_and_run(page, jupyter_server, CELLS, ui="lab", name="media-views.ipynb", timeout_s=150)
    mistakes, rows = _mistakes(page)
    assert rows == 64

    # -- image grid: 64 real digit thumbnails decoded from the binary blob ---------
    grid = ".nbm-imagegrid"
    page.wait_for_selector(f"{grid} .nbm-card img.nbm-thumb[src^='blob:']")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{grid} img.nbm-thumb')].filter(i => i.complete && i.naturalWidth === 8).length === 64"
    )
    assert page.locator(f"{grid} .nbm-card").count() == 64
    assert page.locator(f"{grid} .nbm-pred").count() == 64
    assert page.locator(f"{grid} .nbm-target").count() == 64
    first = page.locator(f"{grid} .nbm-card").first
    assert re.fullmatch(r"pred \d", first.locator(".nbm-pred").inner_text().strip())
    assert re.fullmatch(r"target \d", first.locator(".nbm-target").inner_text().strip())
    assert first.locator(".nbm-caption").inner_text().startswith("digit #")
    assert page.locator(f"{grid} .nbm-card.nbm-mistake").count() == mistakes
    assert 0 < mistakes < 64, "the briefly trained CNN should get some digits wrong"
    # the mistakes are exactly the cards whose pred and target differ
    pairs = page.evaluate(
        f"""() => [...document.querySelectorAll('{grid} .nbm-card')].map(c => [
              c.querySelector('.nbm-pred .nbm-v').textContent, c.querySelector('.nbm-target .nbm-v').textContent,
              c.classList.contains('nbm-mistake')])"""
    )
    assert all((p != t) == wrong for p, t, wrong in pairs)
    # two steps logged: a step slider over both, at the newest
    assert page.get_attribute(f"{grid} input.nbm-grid-slider", "max") == "1"
    assert page.locator(f"{grid} .nbm-grid-step").inner_text().startswith("step 40")
    assert page.get_attribute(grid, "data-step") == "40" and page.get_attribute(grid, "data-shown") == "40"
    lab.screenshot(page, "media_grid", selector=grid)

    # sort by score, descending: the scores shown are in order
    page.select_option(f"{grid} select.nbm-grid-sort", label="sort by score")
    scores = [float(t.split()[-1]) for t in page.locator(f"{grid} .nbm-score").all_inner_texts()]
    assert len(scores) == 64 and scores == sorted(scores, reverse=True)
    # only mistakes
    page.check(f"{grid} .nbm-grid-mistakes input")
    assert page.locator(f"{grid} .nbm-card").count() == mistakes
    assert page.locator(f"{grid} .nbm-card:not(.nbm-mistake)").count() == 0
    lab.screenshot(page, "media_grid_mistakes", selector=grid)
    # larger view on click, closed by Escape
    page.locator(f"{grid} .nbm-card").first.click()
    page.wait_for_selector(".nbm-grid-zoom img.nbm-grid-zoomimg[src^='blob:']")
    assert page.locator(".nbm-grid-zoom dd").count() == 3
    # the zoom asks the kernel for the full-size PNG (the grid holds previews)
    page.wait_for_function("() => document.querySelector('.nbm-grid-zoomimg').title === 'full size'")
    lab.screenshot(page, "media_grid_zoom")
    page.keyboard.press("Escape")
    assert page.locator(".nbm-grid-zoom").count() == 0
    # the earlier step
    _slide(page, f"{grid} input.nbm-grid-slider", 0)
    page.wait_for_function(f"() => document.querySelector('{grid}').dataset.shown === '4'")

    # -- histograms: bands, ridges, the step slider ---------------------------------
    hist = ".nbm-histograms"
    page.wait_for_selector(f"{hist} path.nbm-hist-band")
    assert page.locator(f"{hist} path.nbm-hist-band").count() == 4
    assert page.locator(f"{hist} path.nbm-hist-median").count() == 1
    assert page.locator(f"{hist} rect.nbm-hist-barrect").count() == 64
    keys = page.locator(f"{hist} select.nbm-hist-key option").all_inner_texts()
    assert "gradients/0.weight" in keys and "parameters/4.bias" in keys, keys
    assert page.get_attribute(hist, "data-steps") == "8"  # 40 steps / log_freq 5
    lab.screenshot(page, "media_histograms_bands", selector=hist)
    page.click(f"{hist} button[data-mode=ridge]")
    page.wait_for_selector(f"{hist} path.nbm-hist-ridge")
    assert page.locator(f"{hist} path.nbm-hist-ridge").count() == 8
    page.select_option(f"{hist} select.nbm-hist-key", label="gradients/0.weight")
    page.wait_for_function(f"() => document.querySelector('{hist}').dataset.key === 'gradients/0.weight'")
    page.locator(f"{hist} input.nbm-hist-slider").fill("2")
    page.wait_for_function(f"() => document.querySelector('{hist} .nbm-hist-step').textContent.startsWith('step 14')")
    assert page.locator(f"{hist} path.nbm-hist-ridge.nbm-hist-selected").count() == 1
    lab.screenshot(page, "media_histograms_ridges", selector=hist)

    # -- plain table and images ---------------------------------------------------------
    table = ".nbm-tableview"
    page.wait_for_selector(f"{table} table.nbm-table td")
    cells = page.locator(f"{table} td").all_inner_texts()
    assert "<script>alert(1)</script>" in cells  # data shown as text
    assert page.locator(f"{table} td.nbm-num").count() == 2
    long = page.locator(f"{table} td[title]").first
    assert long.get_attribute("title") == "x" * 200 and long.inner_text().endswith("…")
    page.click(f"{table} th:has-text('value')")
    page.click(f"{table} th:has-text('value')")
    assert page.locator(f"{table} tbody tr").first.locator("td").nth(1).inner_text() == "3"
    page.wait_for_selector(".nbm-images img.nbm-image[src^='blob:']")
    assert page.locator(".nbm-images .nbm-image-caption").first.inner_text() == "a zero"
    # a click asks the kernel for the full-size PNG (the strip first shows a preview)
    img = page.locator(".nbm-images img.nbm-image").first
    assert "full size" in img.get_attribute("title") and "kernel" in img.get_attribute("title")
    preview = img.get_attribute("src")
    img.click()
    page.wait_for_function("(p) => { const i = document.querySelector('.nbm-images img.nbm-image');"
                           " return i.title === 'full size' && i.src !== p && i.naturalWidth === 8; }", arg=preview)
    lab.screenshot(page, "media_table_images", selector=".nbm-tableview")
    lab.screenshot(page, "media_page")
    assert page.evaluate("() => window.__nbm_xss === undefined")
    lab.assert_no_widget_errors(page)


BIG = r'''
import json, time, numpy as np, nbmonitor as nbm
from sklearn.datasets import load_digits
from nbmonitor.sources import open_source
from nbmonitor.ui.views.imagegrid import ImageGridView
digits = load_digits()
run = nbm.init(project="media-big", display=False)
table = nbm.Table(columns=["image", "guess", "truth", "confidence"])
rng = np.random.default_rng(0)
for img, y in zip(digits.images[:500], digits.target[:500]):
    guess = int(y) if rng.random() > 0.1 else int((y + 1) % 10)
    table.add_data(nbm.Image(img / 16.0), guess, int(y), float(rng.random()))
nbm.log({"val_predictions": table})
nbm.finish(quiet=True)
source = open_source()
grid = ImageGridView()
grid.add(source.find_runs(run.id)[0], source.read_events(run.id))
state = json.dumps(grid.widget.tables)
print("STATE_BYTES=%d BLOB_BYTES=%d" % (len(state), len(grid.widget.blobs[0].data)))
'''


def test_grid_with_500_rows(lab_page, jupyter_server):
    page = lab_page
    lab.open_and_run(page, jupyter_server, [BIG, "grid.widget"], ui="lab", name="media-500.ipynb")
    out = page.locator(".jp-OutputArea-output", has_text="STATE_BYTES=").first.inner_text()
    state, blob = map(int, re.findall(r"=(\d+)", out))
    assert state < 60_000, "rows JSON should hold references, not image data"  # ~100 bytes a row
    assert blob > 500 * 60  # the 500 PNGs travel in one binary buffer
    grid = ".nbm-imagegrid"
    t0 = page.evaluate("() => performance.now()")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{grid} img.nbm-thumb')].filter(i => i.complete && i.naturalWidth === 8).length === 500",
        timeout=20_000,
    )
    assert page.locator(f"{grid} .nbm-card").count() == 500
    mistakes = int(page.get_attribute(grid, "data-mistakes"))
    assert 20 < mistakes < 90
    # filtering and sorting 500 cards stays interactive
    t1 = page.evaluate("() => performance.now()")
    page.check(f"{grid} .nbm-grid-mistakes input")
    assert page.locator(f"{grid} .nbm-card").count() == mistakes
    page.select_option(f"{grid} select.nbm-grid-sort", label="sort by confidence")
    page.uncheck(f"{grid} .nbm-grid-mistakes input")
    assert page.locator(f"{grid} .nbm-card").count() == 500
    took = page.evaluate("() => performance.now()") - t1
    print(f"500-row grid: thumbnails decoded {t1 - t0:.0f} ms after the cell finished; filter+sort+unfilter {took:.0f} ms")
    assert took < 30_000  # a page that hangs, not a speed figure (bench/bench_panel.py measures; ~1 s here)
    lab.screenshot(page, "media_grid_500", selector=grid)
    lab.assert_no_widget_errors(page)


LIVE_IMAGE = r'''
import numpy as np, nbmonitor as nbm
run = nbm.init(project="media-live-{ui}", name="busy", system_metrics=False)
for s in range(20):  # 20 steps: the panel keeps the newest 16, steps 0-3 are older (read from the store)
    run.log({{"sample": nbm.Image(np.full((8, 8, 3), 10 * s, np.uint8), caption=f"eight px, step {{s}}")}}, step=s)
'''


def _live_cell(head: str, ui: str, release: str, start: int) -> str:
    """`head` for `ui`, then a training loop logging "loss" from step `start` until `release`, then finish()."""
    each = 'run.log({"loss": 1.0 / i}, step=i)'
    return head.format(ui=ui) + lab.busy_loop(release, each, start) + "nbm.finish(quiet=True)\n"


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_the_full_size_image_comes_while_the_cell_runs(lab_page, jupyter_server, ui):
    """In a live panel the images view's widget is routed to the panel's kernel subshell: a click on
    an image gets the full-size PNG while the training cell still runs (its tooltip says it does), and
    the slider reaches a step older than the 16 the panel keeps: the kernel reads it from the store."""
    page = lab_page
    cell = _live_cell(LIVE_IMAGE, ui, f"release-media-live-{ui}", 20)
    opened = lab.open_and_run(page, jupyter_server, [cell], ui=ui, name=f"media-live-{ui}.ipynb",
                              wait=False)
    sel = ".nbm-panel .nbm-images img.nbm-image[src^='blob:']"
    page.wait_for_selector(sel, timeout=lab.LOAD_TIMEOUT_MS)
    page.wait_for_function(f"() => document.querySelector(\"{sel}\").dataset.live === 'true'",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    # all 20 logged steps have reached the page (the strip shows the newest) before an image is clicked
    strip = ".nbm-panel .nbm-images .nbm-image-strip"
    page.wait_for_function(f"() => {{ const s = document.querySelector('{strip} input.nbm-image-slider');"
                           " return s && s.max === '19'; }", timeout=lab.SELECTOR_TIMEOUT_MS)
    img = page.locator(sel).first
    assert "also while a cell runs" in img.get_attribute("title")
    preview = img.get_attribute("src")
    assert lab.run_state(page, opened.path).get("state") == "running"
    img.click()
    page.wait_for_function("(p) => { const i = document.querySelector('.nbm-panel .nbm-images img.nbm-image');"
                           " return i.title === 'full size' && i.src !== p && i.naturalWidth === 8; }", arg=preview,
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert lab.run_state(page, opened.path).get("state") == "running"  # answered mid-cell
    lab.screenshot(page, f"media_{ui}_live_full_size")
    # the oldest step, which the page never had: the slider asks the kernel, mid-cell
    assert page.evaluate(f"() => document.querySelector('{strip} input.nbm-image-slider').max") == "19"
    page.evaluate(f"""() => {{ const s = document.querySelector('{strip} input.nbm-image-slider');
                     s.value = '0'; s.dispatchEvent(new Event('input')); }}""")
    page.wait_for_function(f"() => document.querySelector('{strip}').dataset.shown === '0'",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert page.locator(f"{strip} .nbm-image-caption").inner_text() == "eight px, step 0"
    assert lab.run_state(page, opened.path).get("state") == "running"
    page.locator(f"{strip} img.nbm-image").click()  # its full size, from the store too
    page.wait_for_function(f"() => document.querySelector('{strip} img.nbm-image').title === 'full size'",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert lab.run_state(page, opened.path).get("state") == "running"
    lab.screenshot(page, f"media_{ui}_live_older_step")
    (jupyter_server.root_dir / f"release-media-live-{ui}").write_text("")
    lab.wait_run_finished(page, opened.path)
    lab.assert_no_widget_errors(page)


LIVE_GRID = r'''
import numpy as np, nbmonitor as nbm
run = nbm.init(project="grid-live-{ui}", name="busy", system_metrics=False)
for s in range(30):  # 30 steps of 8 predictions: the browser holds the newest 4, steps 0-25 come from the store
    t = nbm.Table(columns=["image", "pred", "target"])
    for j in range(8):
        t.add_data(nbm.Image(np.full((8, 8, 3), 8 * s + j, np.uint8), caption=f"step {{s}} #{{j}}"), j % 3, (j + s) % 3)
    run.log({{"predictions": t, "loss": 1.0 / (s + 1)}}, step=s)
'''


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_the_grid_slider_reaches_an_old_step_while_the_cell_runs(lab_page, jupyter_server, ui):
    """The live panel's image grid: 30 logged steps, the slider reaches all of them; step 3, long out of the
    browser's window, is read from the store by the panel's kernel subshell while the training cell runs,
    its images and captions those logged at step 3; a click shows one at full size, also mid-cell."""
    page = lab_page
    cell = _live_cell(LIVE_GRID, ui, f"release-grid-live-{ui}", 30)
    opened = lab.open_and_run(page, jupyter_server, [cell], ui=ui, name=f"grid-live-{ui}.ipynb",
                              wait=False)
    grid = ".nbm-panel .nbm-imagegrid"
    page.wait_for_function(f"() => {{ const g = document.querySelector('{grid}');"
                           " return g && g.dataset.shown === '29'; }", timeout=lab.LOAD_TIMEOUT_MS)
    slider = f"{grid} input.nbm-grid-slider"
    assert page.get_attribute(slider, "max") == "29"  # every logged step, not only the 4 held here
    assert page.locator(f"{grid} .nbm-grid-step").inner_text().startswith("step 29")
    assert lab.run_state(page, opened.path).get("state") == "running"
    _slide(page, slider, 3)
    page.wait_for_function(f"() => document.querySelector('{grid}').dataset.shown === '3'",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    page.wait_for_function(f"() => [...document.querySelectorAll('{grid} img.nbm-thumb')]"
                           ".filter(i => i.complete && i.naturalWidth === 8).length === 8", timeout=lab.SELECTOR_TIMEOUT_MS)
    assert page.get_attribute(grid, "data-old") == "true"
    assert page.locator(f"{grid} .nbm-caption").all_inner_texts() == [f"step 3 #{j}" for j in range(8)]
    assert page.locator(f"{grid} .nbm-target .nbm-v").all_inner_texts() == [str((j + 3) % 3) for j in range(8)]
    # the pixels are step 3's: grey 8 * 3 + j
    greys = page.evaluate(f"""() => [...document.querySelectorAll('{grid} img.nbm-thumb')].map(img => {{
        const c = document.createElement('canvas'); c.width = 8; c.height = 8;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(4, 4, 1, 1).data[0]; }})""")
    assert all(abs(g - (24 + j)) <= 2 for j, g in enumerate(greys)), greys  # JPEG previews: near, not exact
    assert page.locator(f"{grid} .nbm-grid-step").inner_text().startswith("step 3")
    assert lab.run_state(page, opened.path).get("state") == "running"  # answered mid-cell
    lab.screenshot(page, f"grid_{ui}_live_old_step", selector=grid)
    page.locator(f"{grid} .nbm-card").nth(5).click()  # its full size, from the store too
    page.wait_for_function("() => { const i = document.querySelector('.nbm-grid-zoomimg');"
                           " return i && i.title === 'full size' && i.naturalWidth === 8; }",
                           timeout=lab.SELECTOR_TIMEOUT_MS)
    assert page.locator(".nbm-grid-zoom .nbm-grid-zoomcap").inner_text() == "step 3 #5"
    assert lab.run_state(page, opened.path).get("state") == "running"
    lab.screenshot(page, f"grid_{ui}_live_old_step_zoom")
    page.keyboard.press("Escape")
    _slide(page, slider, 29)  # back to the newest: it is held here
    page.wait_for_function(f"() => document.querySelector('{grid}').dataset.shown === '29'")
    assert page.get_attribute(grid, "data-old") == "false"
    (jupyter_server.root_dir / f"release-grid-live-{ui}").write_text("")
    lab.wait_run_finished(page, opened.path)
    lab.assert_no_widget_errors(page)
