"""nbm.Image / Table / Histogram: conversions, payloads, bad input, the views' static fallbacks."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image as PILImage

import nbmonitor as nbm
from nbmonitor.output.png import svg_images
from nbmonitor.sources import open_source
from nbmonitor.tracking.media import histogram_from_values, image_to_png


def decode(png: bytes) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(png)))


@pytest.mark.parametrize(
    "shape, out_shape",
    [((6, 4), (6, 4)), ((6, 4, 1), (6, 4)), ((6, 4, 3), (6, 4, 3)), ((6, 4, 4), (6, 4, 4)),
     ((3, 6, 5), (6, 5, 3)), ((1, 6, 5), (6, 5))],
)
def test_image_layouts(shape, out_shape):
    png, w, h = image_to_png(np.zeros(shape, np.uint8))
    assert (h, w) == out_shape[:2]
    assert decode(png).shape == out_shape


def test_image_ambiguous_layout_is_hwc_unless_told():
    assert decode(image_to_png(np.zeros((3, 6, 4), np.uint8))[0]).shape == (3, 6, 4)
    assert decode(image_to_png(np.zeros((3, 6, 4), np.uint8), dataformats="CHW")[0]).shape == (6, 4, 3)


def test_image_ranges_and_dtypes():
    ramp = np.linspace(0, 1, 12).reshape(3, 4)
    assert decode(image_to_png(ramp)[0]).tolist()[0][:2] == [0, 23]  # floats 0-1 scaled by 255
    assert decode(image_to_png(ramp.astype(np.float32))[0]).max() == 255
    assert decode(image_to_png(np.full((2, 2), 7, np.int64))[0]).max() == 7  # ints in 0-255 kept
    normalized = np.array([[-2.0, 0.0], [1.0, 2.0]])  # out of range: stretched min..max
    assert decode(image_to_png(normalized)[0]).tolist() == [[0, 128], [191, 255]]
    assert decode(image_to_png(np.array([[True, False]]))[0]).tolist() == [[255, 0]]
    nan = np.array([[np.nan, 0.5]])
    assert decode(image_to_png(nan)[0]).tolist() == [[0, 128]]
    png, _, _ = image_to_png(np.zeros((2, 2, 3), np.uint8), mode="L")
    assert decode(png).shape == (2, 2)
    png, w, h = image_to_png(np.zeros((4, 6), np.uint8), dataformats="WH")
    assert (w, h) == (4, 6)


def test_image_from_torch_pil_and_path(tmp_path):
    torch = pytest.importorskip("torch")
    t = torch.rand(3, 5, 7)
    img = nbm.Image(t, caption="x")
    assert (img.width, img.height) == (7, 5)
    assert decode(img.png).shape == (5, 7, 3)
    assert t.device.type == "cpu" and t.shape == (3, 5, 7)  # untouched
    assert nbm.Image(torch.rand(5, 7, dtype=torch.bfloat16)).width == 7
    pil = PILImage.new("RGB", (9, 3), (255, 0, 0))
    assert decode(nbm.Image(pil).png)[0, 0].tolist() == [255, 0, 0]
    path = tmp_path / "a.png"
    pil.save(path)
    assert nbm.Image(str(path)).png == path.read_bytes()
    jpg = tmp_path / "a.jpg"
    pil.save(jpg)
    assert nbm.Image(jpg).width == 9
    assert nbm.Image(pil, mode="L").png[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "data, exc, words",
    [
        (np.zeros((2, 3, 4, 5)), ValueError, "(2, 3, 4, 5)"),
        (np.zeros((5, 6, 7)), ValueError, "(5, 6, 7)"),
        (np.zeros(5), ValueError, "(5,)"),
        (np.zeros((0, 4)), ValueError, "empty"),
        (np.array([["a", "b"]]), TypeError, "dtype"),
        (np.zeros((2, 2), complex), TypeError, "complex"),
        ({"a": 1}, TypeError, "dict"),
    ],
)
def test_image_bad_input(data, exc, words):
    with pytest.raises(exc, match=None) as e:
        nbm.Image(data)
    assert words in str(e.value)


def test_image_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such image"):
        nbm.Image(str(tmp_path / "nope.png"))


def test_image_logged_and_stored(tmp_path):
    run = nbm.init(project="m", dir=tmp_path, display=False)
    nbm.log({"loss": 1.0})
    nbm.log({"sample": nbm.Image(np.zeros((4, 4)), caption="c")})
    nbm.finish(quiet=True)
    (ev,) = open_source(tmp_path).read_events(run.id, kinds=["image"])
    assert ev.key == "sample" and ev.step == 1
    assert ev.payload == {"caption": "c", "width": 4, "height": 4, "format": "png"}
    assert decode(ev.files["image.png"]).shape == (4, 4)
    assert list((tmp_path / "media" / run.id).iterdir())


# -- tables ----------------------------------------------------------------------


def test_table_add_data_column_dataframe_roundtrip():
    t = nbm.Table(columns=["image", "pred", "target"])
    img = nbm.Image(np.zeros((2, 2)))
    t.add_data(img, np.int64(3), 5)
    t.add_data(img, 1, 1)
    t.add_column("score", [np.float32(0.5), 0.25])
    df = t.get_dataframe()
    assert list(df.columns) == ["image", "pred", "target", "score"]
    assert df["pred"].tolist() == [3, 1] and df["score"].tolist() == [0.5, 0.25]
    assert df["image"][0] is img
    back = nbm.Table(dataframe=df[["pred", "target", "score"]])
    assert back.columns == ["pred", "target", "score"]
    assert back.data == [[3, 5, 0.5], [1, 1, 0.25]]
    t2 = nbm.Table(data=[[1, "a"], [2, "b"]])
    assert t2.columns == ["col0", "col1"] and len(t2) == 2
    t3 = nbm.Table()
    t3.add_column("x", [1, 2])
    assert t3.data == [[1], [2]]


def test_table_cells_from_tensors():
    torch = pytest.importorskip("torch")
    t = nbm.Table(columns=["a"])
    t.add_data(torch.tensor(2.5))
    assert t.data == [[2.5]]


def test_table_bad_input():
    t = nbm.Table(columns=["a", "b", "c"])
    t.add_data(1, 2, 3)
    with pytest.raises(ValueError, match=r"2 values but the table has 3 columns"):
        t.add_data(1, 2)
    with pytest.raises(ValueError, match=r"has 3 values but the table has 1 rows"):
        t.add_column("d", [1, 2, 3])
    with pytest.raises(ValueError, match="already has a column 'a'"):
        t.add_column("a", [1])
    with pytest.raises(TypeError, match=r"column 'b' got list"):
        t.add_data(1, [1, 2], 3)
    with pytest.raises(ValueError, match="duplicate"):
        nbm.Table(columns=["a", "a"])
    with pytest.raises(TypeError, match="list of strings"):
        nbm.Table(columns="abc")
    assert t.data == [[1, 2, 3]]  # what was added stays


def test_table_logged_with_image_files(tmp_path):
    run = nbm.init(project="m", dir=tmp_path, display=False)
    t = nbm.Table(columns=["image", "pred", "target"])
    for i in range(3):
        t.add_data(nbm.Image(np.full((3, 3), i * 100, np.uint8), caption=f"#{i}"), i, 1)
    nbm.log({"loss": 0.5})
    nbm.log({"preds": t}, commit=False)
    nbm.log({"loss": 0.4})
    nbm.finish(quiet=True)
    (ev,) = open_source(tmp_path).read_events(run.id, kinds=["table"])
    assert ev.step == 1
    assert ev.payload["columns"] == ["image", "pred", "target"]
    cell = ev.payload["rows"][2][0]
    assert cell == {"_type": "image", "file": "2-0.png", "caption": "#2", "width": 3, "height": 3}
    assert decode(ev.files["2-0.png"]).max() == 200
    assert ev.payload["rows"][2][1:] == [2, 1]


# -- histograms ---------------------------------------------------------------------


def test_histogram_from_sequence_and_np_histogram():
    h = histogram_from_values([1, 2, 2, 3, np.nan, np.inf], num_bins=4)
    assert h["counts"] == [1.0, 0.0, 2.0, 1.0] and len(h["edges"]) == 5
    assert (h["min"], h["max"], h["num"], h["sum"]) == (1.0, 3.0, 4.0, 8.0)
    single = histogram_from_values([5.0, 5.0], num_bins=2)
    assert single["edges"] == [4.5, 5.0, 5.5] and single["counts"] == [0.0, 2.0]
    counts, edges = np.histogram(np.arange(10), bins=5)
    h2 = nbm.Histogram(np_histogram=(counts, edges))
    assert h2.histogram == counts.tolist() and h2.bins == edges.tolist()
    kind, payload, files = h2._nbm_event("w")
    assert kind == "histogram" and files == {} and payload["num"] == 10
    assert set(payload) == {"edges", "counts", "min", "max", "num", "sum"}


def test_histogram_of_tensor_matches_numpy():
    torch = pytest.importorskip("torch")
    x = torch.randn(1000)
    a = histogram_from_values(x, 16)
    b = histogram_from_values(x.numpy(), 16)
    assert a["counts"] == b["counts"]
    assert np.allclose(a["edges"], b["edges"]) and abs(a["sum"] - b["sum"]) < 1e-3


@pytest.mark.parametrize(
    "kwargs, words",
    [({"sequence": []}, "empty"), ({"sequence": [np.nan, np.inf]}, "all NaN"),
     ({"sequence": [1], "num_bins": 0}, "num_bins"), ({"sequence": [1], "num_bins": 513}, "num_bins"),
     ({}, "exactly one"), ({"np_histogram": ([1, 2], [0, 1])}, "2 counts and 2 edges"),
     ({"sequence": ["a"]}, "cannot read numbers")],
)
def test_histogram_bad_input(kwargs, words):
    with pytest.raises((ValueError, TypeError)) as e:
        nbm.Histogram(**kwargs)
    assert words in str(e.value)


def test_histograms_over_steps_and_nothing_lost_on_bad_input(tmp_path):
    run = nbm.init(project="m", dir=tmp_path, display=False)
    for i in range(3):
        nbm.log({"w": nbm.Histogram(np.random.randn(50) + i), "loss": float(i)})
    with pytest.raises(ValueError):
        nbm.log({"w": nbm.Histogram([]), "loss": 9.0})
    nbm.finish(quiet=True)
    evs = open_source(tmp_path).read_events(run.id, kinds=["histogram"])
    assert [e.step for e in evs] == [0, 1, 2]
    assert run.history()["loss"].tolist() == [0.0, 1.0, 2.0]


# -- views (static fallbacks; the widgets themselves are tested in tests/browser) ----


def test_views_static_html_escaped(tmp_path):
    pytest.importorskip("anywidget")
    from nbmonitor.ui.views import load_views

    run = nbm.init(project="m", name="<b>run</b>", dir=tmp_path, display=False)
    t = nbm.Table(columns=["image", "pred", "target"])
    t.add_data(nbm.Image(np.zeros((2, 2)), caption="<img src=x onerror=alert(1)>"), 1, 2)
    t.add_data(nbm.Image(np.zeros((2, 2))), 3, 3)
    nbm.log({"preds": t, "plain": nbm.Table(columns=["<th>"], data=[["<script>"]]),
             "h": nbm.Histogram([1, 2, 3]), "img": nbm.Image(np.zeros((2, 2)), caption="<i>")})
    nbm.finish(quiet=True)
    source = open_source(tmp_path)
    record = source.list_runs()[0]
    events = source.read_events(run.id)
    mine = ("imagegrid", "tables", "histograms", "images")
    found = {}
    for kinds, factory in load_views():
        if factory.__module__.rsplit(".", 1)[-1] not in mine:
            continue  # other views have their own tests
        view = factory()
        view.add(record, [e for e in events if e.kind in kinds])
        found[type(view).__name__] = view
    assert {"ImageGridView", "TableView", "HistogramView", "ImagesView"} <= set(found)
    for view in found.values():
        page = view.html()
        for bad in ("<script>", "<img src=x", "<b>run", "<th><", "<i>"):
            assert bad not in page, (type(view).__name__, bad)
        bundle = view.widget._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert data["text/html"] == page and "0x" not in data["text/plain"]
    grid = found["ImageGridView"]
    assert grid.text() == "Image predictions: preds (<b>run</b>, step 0): 2 rows, 1 mistakes"
    assert grid.html().count("<img ") == 2 and grid.html().count('class="miss"') == 1
    assert len(grid.widget.blobs) == 1 and grid.widget.tables[0]["rows"][0][0]["_img"][0] == 0
    hist = found["HistogramView"].html()  # drawn as an <img> of SVG: inline <svg> is stripped by the sanitizer
    assert "<svg" not in hist and "<svg" in "".join(svg_images(hist)) and "<polygon" not in "".join(svg_images(hist))
    assert found["TableView"].widget.tables[0]["rows"] == [["<script>"]]


@pytest.mark.parametrize("name", ["imagegrid.js", "table.js", "histograms.js", "images.js"])
def test_view_modules_are_self_contained(name, tmp_path):
    """anywidget loads _esm from a blob: URL, where `./lib/x.js` cannot resolve: js_module inlines it."""
    import shutil
    import subprocess

    from nbmonitor._js import js_module

    text = js_module(name)
    assert "./lib/" not in text and "export default" in text
    node = shutil.which("node")
    if node:
        path = tmp_path / (name.replace(".js", ".mjs"))
        path.write_text(text)
        out = subprocess.run([node, "-e", f"import({str(path)!r}).then(m => console.log(typeof m.default.render))"],
                             capture_output=True, text=True, timeout=30)
        assert out.stdout.strip() == "function", out.stderr
