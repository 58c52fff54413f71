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
