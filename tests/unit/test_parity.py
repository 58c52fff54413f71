"""Rules written both in Python and in js/ agree: the same cases (js/lib/parity-cases.json) pass here
and in js/lib/parity.test.js, so the live grid and the saved HTML mark the same mistakes and show
the same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("anywidget")

from nbmonitor.ui.views._common import format_cell, same  # noqa: E402

CASES = json.loads((Path(__file__).parents[2] / "js" / "lib" / "parity-cases.json").read_text())


@pytest.mark.parametrize(("a", "b", "want"), CASES["same"])
def test_same_agrees_with_js(a, b, want):
    assert same(a, b) is want
    assert same(b, a) is want


@pytest.mark.parametrize(("value", "want"), CASES["format"])
def test_format_cell_agrees_with_js(value, want):
    assert format_cell(value) == want


def test_the_issues_case_one_point_zero_against_its_text():
    # 1.0 logged as a number, "1.0" as a string: not a mistake, in Python as in the browser.
    assert same(1.0, "1.0") and same(1, "1.0")
