"""nbmonitor.SummaryWriter in a real browser: the live panel it shows, and its views.

The seed's flow on scikit-learn's digits, written with `from nbmonitor import
SummaryWriter`: the panel appears in the cell while it trains (scalars as
bqplot lines; `add_scalars` as one chart with a line per key), then the views:
PR curves with a step selector, hparams table and parallel coordinates, text
rendered as safe markdown, the embedding's PCA scatter with a sprite thumbnail
on hover, the collapsible module tree. Then `%monitor --logdir` on folders
written by torch's own SummaryWriter shows the PR-curve, hparams and text
views from the files. Hostile strings (tags, labels, text) must stay text.
Screenshots: test-artifacts/screenshots/writer_*.png.
"""

from __future__ import annotations

from tests.browser import lab

XSS = "<img src=x onerror=window.__nbm_xss=1>"

TRAIN = r'''
import numpy as np, torch, time
from sklearn.datasets import load_digits
from nbmonitor import SummaryWriter
torch.manual_seed(0)
d = load_digits()
X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
Y = torch.tensor(d.target)
net = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                          torch.nn.Flatten(), torch.nn.Linear(96, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9)
writer = SummaryWriter("runs/digits")
writer.add_graph(net, X[:4])
writer.add_embedding(X[:60].reshape(60, -1), metadata=[f"{int(y)} XSS" for y in Y[:60]], label_img=X[:60])
for step in range(60):
    idx = torch.randint(0, 1500, (64,))
    loss = torch.nn.functional.cross_entropy(net(X[idx]), Y[idx])
    opt.zero_grad(); loss.backward(); opt.step()
    writer.add_scalar("train/loss", loss.item(), step)
    writer.add_scalars("acc", {"train": 1 - loss.item() / 3, "val": 1 - loss.item() / 2.5}, step)
    if step % 20 == 19:
        with torch.no_grad():
            probs = torch.softmax(net(X[1500:]), 1)
        for k in range(3):
            writer.add_pr_curve(f"class {k}", Y[1500:] == k, probs[:, k], step)
    time.sleep(0.08)
writer.add_text("notes XSS", "# Results\n\n**bold** and `code`\n\nXSS\n\n<script>window.__nbm_xss=2</script>", 59)
for lr in (0.05, 0.2):
    writer.add_hparams({"lr": lr, "opt": "sgd XSS"}, {"hparam/loss": loss.item() * lr}, run_name=f"lr{lr}")
writer.close()
'''.replace("XSS", XSS)

TORCH = r'''
from torch.utils.tensorboard import SummaryWriter as TorchWriter
tw = TorchWriter("torchruns/exp")
for i in range(30):
    tw.add_scalar("loss", 1 / (i + 1), i)
tw.add_pr_curve("torch pr", np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.9, 0.7, 0.4, 0.6]), 3)
tw.add_text("torch text", "*emphasis* from torch", 3)
tw.add_hparams({"lr": 0.1}, {"hparam/acc": 0.5}, run_name="hp")
tw.close()
%load_ext nbmonitor
%monitor --logdir torchruns
'''


def test_writer_panel_and_views(lab_page, jupyter_server):
    page = lab_page
    lab.open_and_run(page, jupyter_server, [TRAIN], ui="lab", name="writer-panel.ipynb", wait=False)
    # the panel appears while the cell still runs, with live bqplot lines
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", timeout=60_000)
    lab.screenshot(page, "writer_panel_live")
    lab.wait_run_finished(page, timeout_s=150)

    # add_scalars: one "acc" chart with a line per key (two runs), like TensorBoard
    page.wait_for_function(
        """() => [...document.querySelectorAll('.nbm-panel .bqplot.figure')].some(f =>
             (f.querySelector('.mainheading') || {}).textContent === 'acc' &&
             f.querySelectorAll('path.line').length >= 2)""", timeout=20_000)

    # every view is in the panel's accordion; open each section in turn and check it
    lab.wait_section_titles(page, ("PR curves", "Hyperparameters", "Text", "Embeddings", "Graph"))
    titles = page.locator(lab.SECTION_TITLES)

    def open_section(title: str) -> None:
        header = titles.filter(has_text=title).first
        header.scroll_into_view_if_needed()
        cls = header.get_attribute("class") or ""
        if "mod-expanded" not in cls and "jupyter-widget-Collapse-open" not in cls:
            header.click()

    open_section("PR curves")
    pr = ".nbm-panel .nbm-tbpr"
    page.wait_for_selector(f"{pr} .nbm-pr-card polyline.nbm-pr-line")
    assert page.locator(f"{pr} .nbm-pr-card").count() == 3
    card = page.locator(f"{pr} .nbm-pr-card").first
    assert card.get_attribute("data-step") == "59"
    card.locator("input.nbm-tb-slider").fill("0")
    page.wait_for_function(f"() => document.querySelector('{pr} .nbm-pr-card').dataset.step === '19'")
    box = card.locator("svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
    page.wait_for_function(f"() => document.querySelector('{pr} .nbm-pr-info').textContent.includes('threshold')")
    lab.screenshot(page, "writer_pr_curves", selector=pr)

    open_section("Hyperparameters")
    hp = ".nbm-panel .nbm-tbhparams"
    page.wait_for_selector(f"{hp} table tbody tr")
    assert page.locator(f"{hp} table tbody tr").count() == 2
    heads = page.locator(f"{hp} th").all_inner_texts()
    assert [h.strip() for h in heads] == ["run", "lr", "opt", "hparam/loss"]
    assert page.locator(f"{hp} polyline.nbm-hp-line").count() == 2
    page.click(f"{hp} th:has-text('lr')")
    page.click(f"{hp} th:has-text('lr')")
    assert page.locator(f"{hp} tbody tr").first.locator("td").nth(1).inner_text() == "0.2"
    assert XSS.replace("<", "") not in page.locator(f"{hp} tbody").inner_html()
    assert "sgd " + XSS in page.locator(f"{hp} tbody").inner_text()
    lab.screenshot(page, "writer_hparams", selector=hp)

    open_section("Text")
    tx = ".nbm-panel .nbm-tbtext"
    page.wait_for_selector(f"{tx} .nbm-tb-md h1")
    md = page.locator(f"{tx} .nbm-tb-md").first
    assert md.locator("h1").inner_text() == "Results"
    assert md.locator("strong").inner_text() == "bold" and md.locator("code").inner_text() == "code"
    assert md.locator("script, img").count() == 0
    assert XSS in md.inner_text() and "<script>" in md.inner_text()
    lab.screenshot(page, "writer_text", selector=tx)

    open_section("Embeddings")
    em = ".nbm-panel .nbm-tbembed"
    page.wait_for_selector(f"{em} circle.nbm-embed-point")
    assert page.locator(f"{em} circle.nbm-embed-point").count() == 60
    point = page.locator(f"{em} circle.nbm-embed-point").nth(7)
    point.hover()
    page.wait_for_function(f"() => document.querySelector('{em} .nbm-embed-tip').style.display !== 'none'")
    tip = page.locator(f"{em} .nbm-embed-label").inner_text()
    assert tip.endswith(XSS), tip
    assert "blob:" in (page.locator(f"{em} .nbm-embed-thumb").get_attribute("style") or "")
    lab.screenshot(page, "writer_embedding", selector=em)

    open_section("Graph")
    gr = ".nbm-panel .nbm-tbgraph"
    page.wait_for_selector(f"{gr} details.nbm-graph-node")
    names = page.locator(f"{gr} .nbm-graph-name").all_inner_texts()
    assert names[0] == "Sequential" and "0" in names and "4" in names, names
    assert page.locator(f"{gr} .nbm-graph-params").first.inner_text() == "3.49k"  # 60 + 3104 + 330 = 3494
    page.click(f"{gr} button:has-text('collapse all')")
    assert page.locator(f"{gr} details[open]").count() == 0
    lab.screenshot(page, "writer_graph", selector=gr)

    assert page.evaluate("() => window.__nbm_xss === undefined")
    lab.assert_no_widget_errors(page)


def test_monitor_logdir_on_torchs_files_shows_the_views(lab_page, jupyter_server):
    page = lab_page
    lab.open_and_run(page, jupyter_server, ["import numpy as np\n" + TORCH], ui="lab", name="torch-views.ipynb",
                     timeout_s=120)
    page.wait_for_selector(".nbm-panel .bqplot.figure svg path.line", timeout=lab.LOAD_TIMEOUT_MS)
    lab.wait_section_titles(page, ("PR curves", "Hyperparameters", "Text"))
    page.wait_for_selector(".nbm-panel .nbm-tbpr .nbm-pr-card[data-tag='torch pr']", state="attached")
    page.wait_for_selector(".nbm-panel .nbm-tbhparams tbody tr", state="attached")
    assert page.locator(".nbm-panel .nbm-tbhparams tbody tr").count() == 1
    page.wait_for_selector(".nbm-panel .nbm-tbtext .nbm-tb-md em", state="attached")
    assert page.locator(".nbm-panel .nbm-tbtext .nbm-tb-md em").first.inner_text() == "emphasis"
    lab.screenshot(page, "writer_torch_files")
    lab.assert_no_widget_errors(page)
