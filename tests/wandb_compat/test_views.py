"""The panel view of W&B's extra media and wandb.plot charts: escaped, sandboxed, static HTML."""

from __future__ import annotations

import numpy as np
import pytest

import nbmonitor as wandb

pytest.importorskip("ipywidgets")


def _view_with(**logged):
    from nbmonitor.ui.views.wandb_media import WandbMediaView

    run = wandb.init(project="p", name="<run>")
    wandb.log(logged)
    wandb.finish()
    view = WandbMediaView()
    view.add(run.store.get_run(run.id), run.store.read_events(run.id))
    return view


def test_html_is_shown_in_a_sandboxed_iframe():
    view = _view_with(page=wandb.Html("<script>parent.alert(1)</script><b>hi</b>"))
    html = view.html()
    assert '<iframe sandbox=""' in html and "<script>" not in html and "&lt;run&gt;" in html


def test_audio_and_gif_video_are_inlined():
    view = _view_with(a=wandb.Audio(np.zeros(100), sample_rate=100),
                      v=wandb.Video(np.zeros((2, 3, 4, 4), np.uint8)))
    html = view.html()
    assert 'src="data:audio/wav;base64,' in html and 'src="data:image/gif;base64,' in html


@pytest.mark.parametrize("make", [
    lambda t: wandb.plot.line(t, "x", "y", title="t"),
    lambda t: wandb.plot.scatter(t, "x", "y"),
    lambda t: wandb.plot.bar(t, "x", "y"),
    lambda t: wandb.plot.histogram(t, "y"),
    lambda t: wandb.plot.confusion_matrix(y_true=[0, 1], preds=[1, 1]),
    lambda t: wandb.plot.roc_curve([0, 1, 1], [[0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]),
])
def test_charts_are_drawn_as_svg_images(make):
    table = wandb.Table(columns=["x", "y"], data=[[i, i * i] for i in range(5)])
    view = _view_with(chart=make(table))
    html = view.html()
    assert 'src="data:image/svg+xml;base64,' in html and "<svg" not in html  # kept by the notebook sanitizer


def test_plain_tables_are_left_to_the_table_view():
    view = _view_with(t=wandb.Table(columns=["a"], data=[[1]]))
    assert view.text() == "Media and charts: none"


def test_object3d_point_cloud_and_mesh_are_drawn_from_above():
    pts = np.random.default_rng(0).uniform(size=(50, 3))
    box = {"corners": [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
           "label": "<Box>", "color": [123, 321, 111]}
    from pathlib import Path

    Path("m.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    view = _view_with(scene=wandb.Object3D({"type": "lidar/beta", "points": pts, "boxes": np.array([box])}),
                      mesh=wandb.Object3D("m.obj"))
    html = view.html()
    assert html.count('alt="3D object" src="data:image/svg+xml;base64,') == 2 and "<svg" not in html
    from nbmonitor.ui.views.wandb_media import object3d_svg

    svg = object3d_svg("scene", "pts.json", wandb.Object3D({"type": "lidar/beta", "points": pts,
                                                            "boxes": [box]}).data)
    assert svg.count("<circle") == 50 and "rgb(123,255,111)" in svg and "&lt;Box&gt;" in svg


def test_plotly_traces_and_molecules_are_shown():
    from pathlib import Path

    Path("m.pdb").write_text("ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\n" * 3)
    fig = {"data": [{"x": [1, 2, 3], "y": [3, 1, 2], "mode": "lines+markers", "name": "<t>"}],
           "layout": {"title": {"text": "my plot"}}}
    view = _view_with(chart=wandb.Plotly(fig), protein=wandb.Molecule("m.pdb"))
    html = view.html()
    assert 'alt="plotly figure" src="data:image/svg+xml;base64,' in html
    assert "molecule (pdb, 3 atoms)" in html
    from nbmonitor.ui.views.wandb_media import plotly_svg

    svg = plotly_svg("chart", fig)
    assert "my plot" in svg and "&lt;t&gt;" in svg and svg.count("<circle") == 3
