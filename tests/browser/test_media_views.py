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
    # two steps logged: a step selector with both
    steps = page.locator(f"{grid} select.nbm-grid-step option").all_inner_texts()
    assert steps == ["4", "40"], steps
    assert page.get_attribute(grid, "data-step") == "40"
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
    lab.screenshot(page, "media_grid_zoom")
    page.keyboard.press("Escape")
    assert page.locator(".nbm-grid-zoom").count() == 0
    # the earlier step
    page.select_option(f"{grid} select.nbm-grid-step", label="4")
    page.wait_for_function(f"() => document.querySelector('{grid}').dataset.step === '4'")

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
    assert took < 5000
    lab.screenshot(page, "media_grid_500", selector=grid)
    lab.assert_no_widget_errors(page)
