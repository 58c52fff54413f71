"""`nbm.compare()`: the runs-comparison table and its static fallbacks."""

from __future__ import annotations

import numpy as np

import nbmonitor as nbm


def _sweep(tmp_path):
    for i, lr in enumerate([0.1, 0.01, 0.001]):
        nbm.init(project="sweep", name=f"<b>run{i}</b>", config={"lr": lr, "dropout": 0.1 * i}, dir=tmp_path)
        for s in range(50):
            nbm.log({"loss": 1.0 / (s + 1) + i, "acc": s / 50})
        nbm.finish(quiet=True)


def test_one_row_per_run_with_config_summary_and_sparklines(tmp_path):
    _sweep(tmp_path)
    t = nbm.compare("sweep", dir=tmp_path)
    assert [c["name"] for c in t.columns] == ["name", "state", "lr", "dropout", "loss", "acc"]
    assert [r[0] for r in t.rows] == ["<b>run0</b>", "<b>run1</b>", "<b>run2</b>"]
    assert [r[2] for r in t.rows] == [0.1, 0.01, 0.001]
    assert t.spark_keys == ["acc", "loss"]
    spark = np.frombuffer(t.spark, np.float32).reshape(3, 2, -1)
    assert spark.shape[2] == 40 and spark[2, 1, 0] == 3.0  # run2's loss starts at 1/1 + 2
    assert np.all(np.diff(spark[0, 0]) > 0)  # acc rises


def test_static_html_is_escaped_and_has_png_sparklines(tmp_path):
    _sweep(tmp_path)
    t = nbm.compare("sweep", dir=tmp_path)
    bundle = t._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "<b>run0" not in data["text/html"] and "&lt;b&gt;run0&lt;/b&gt;" in data["text/html"]
    assert data["text/html"].count('<img class="nbm-spark" src="data:image/png;base64,') == 3 and "<svg" not in data["text/html"]
    lines = data["text/plain"].splitlines()
    assert lines[0].split() == ["name", "state", "lr", "dropout", "loss", "acc", "acc", "history"]
    assert "0x" not in data["text/plain"] and len(lines) == 4


def test_displayed_as_html_not_a_widget_view_sortable_where_trusted(tmp_path):
    """No widget mime (reopened without a kernel: no "model not found"); the table carries its sort
    values and a script that sorts and switches the sparkline key where the output is trusted."""
    import base64
    import json
    import re

    _sweep(tmp_path)
    t = nbm.compare("sweep", dir=tmp_path)
    data = t._repr_mimebundle_()
    assert set(data) == {"text/html", "text/plain"}
    page = data["text/html"]
    assert page.count("<script>") == 1 and "document.currentScript" in page
    assert '<td data-v="0.001" data-num' in page and '<td data-v="&lt;b&gt;run2&lt;/b&gt;"' in page
    blob = json.loads(re.search(r'<script type="application/json" class="nbm-rt-data">(.*?)</script>', page).group(1))
    assert blob["ncols"] == 6 and blob["keys"] == ["acc", "loss"]
    assert len(blob["png"]) == 2 and len(blob["png"][1]) == 3
    assert base64.b64decode(blob["png"][1][0])[:8] == b"\x89PNG\r\n\x1a\n"
    hostile = tmp_path / "h"
    nbm.init(project="x", name="</script><script>alert(1)</script>", dir=hostile)
    nbm.log({"a": 1.0, "b": 2.0})
    nbm.finish(quiet=True)
    page = nbm.compare("x", dir=hostile)._repr_mimebundle_()["text/html"]
    assert page.count("<script") == 2 and "alert(1)</script>" not in page
