"""The end-of-run block: deterministic text, escaped HTML with SVG sparklines."""

from __future__ import annotations

import re

import numpy as np

import nbmonitor as nbm
from nbmonitor.output.report import RunReport
from nbmonitor.output.sparkline import text_sparkline


def _report(**summary):
    return RunReport("proj", "<b>run</b>", "finished", 100,
                     {"loss": np.linspace(1, 0, 100), "a&b": np.array([1.0, np.nan, 2.0])}, summary)


def test_text_sparkline_shape():
    assert text_sparkline(np.arange(8.0)) == "▁▂▃▄▅▆▇█"
    assert len(text_sparkline(np.arange(1000.0))) == 40
    assert text_sparkline(np.array([1.0, np.nan, 2.0])) == "▁×█"
    assert text_sparkline(np.array([3.0, 3.0])) == "▄▄"


def test_text_is_deterministic_and_has_no_addresses():
    a, b = str(_report(acc=0.5)), str(_report(acc=0.5))
    assert a == b
    assert "0x" not in a
    assert "Run history:" in a and "Run summary:" in a
    assert "loss █" in a and "acc 0.5" in a


def test_html_escapes_names_and_values_and_has_png_sparklines():
    h = _report(**{"<script>": "<img src=x onerror=alert(1)>"})._repr_html_()
    assert "<script>" not in h and "<img src=x" not in h
    assert "&lt;script&gt;" in h and "&lt;img src=x onerror=alert(1)&gt;" in h
    assert "&lt;b&gt;run&lt;/b&gt;" in h and "a&amp;b" in h
    assert len(re.findall(r"<img class=\"nbm-spark\" src=\"data:image/png;base64,", h)) == 2 and "<svg" not in h


def test_finish_prints_block_in_terminal(capsys, tmp_path):
    nbm.init(project="p", name="r", dir=tmp_path)
    for i in range(50):
        nbm.log({"loss": 1 / (i + 1), "nan": float("nan") if i == 3 else float(i)})
    nbm.summary["best"] = float("inf")
    nbm.finish()
    out = capsys.readouterr().out
    assert out.startswith("nbmonitor run r in project p: finished, 50 steps")
    assert "best inf" in out and "×" in out


def test_media_values_stay_out_of_the_summary_block():
    text = str(_report(acc=0.5, predictions={"_type": "table"}, _private=1))
    assert "acc 0.5" in text and "predictions" not in text and "_private" not in text
