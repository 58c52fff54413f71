"""What the media views share: binary blobs sent once, the widget base, escaping helpers.

Bytes (PNG thumbnails, packed histograms) travel in `Blob` widgets: each is
sent to the browser once, when made, as a binary buffer; a view's widget holds
a list of references to them (`blobs`), so adding a blob re-sends only the
list of references, never the bytes already sent.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets
import traitlets

from ...store import RunRecord


class Blob(ipywidgets.Widget):
    """Bytes for the browser, sent once as a binary buffer (a plain base WidgetModel)."""

    data = traitlets.Bytes(b"").tag(sync=True)


class MediaWidget(anywidget.AnyWidget):
    """Base of the media views' widgets: blob references, and a static HTML/text fallback."""

    blobs = traitlets.List(traitlets.Instance(Blob)).tag(sync=True, **ipywidgets.widget_serialization)
    # the browser's requests (a full-size image) are answered while a cell runs: the panel routed this
    # widget to its kernel subshell (ui/subshell.py); False: they wait for the running cell to end
    live = traitlets.Bool(False).tag(sync=True)

    def __init__(self, fallback: Callable[[], str] | None = None, plain: Callable[[], str] | None = None, **kw: Any):
        super().__init__(**kw)
        self._fallback = fallback
        self._plain = plain
        self.layout.display = "none"  # until it has something to show

    def add_blob(self, data: bytes) -> int:
        """Send `data` to the browser once; its index in `blobs`."""
        blob = Blob(data=bytes(data))
        self.blobs = [*self.blobs, blob]
        return len(self.blobs) - 1

    def show(self) -> None:
        if self.layout.display == "none":
            self.layout.display = None

    def _repr_mimebundle_(self, **kwargs: Any):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None:
            if self._fallback is not None:
                data["text/html"] = self._fallback()
            if self._plain is not None:
                data["text/plain"] = self._plain()
        return bundle

    def __repr__(self) -> str:
        return self._plain() if self._plain is not None else f"<{type(self).__name__}>"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def run_label(run: RunRecord) -> str:
    return run.name or run.id


def key_slot(index: dict[tuple[str, str], int], keys: list[dict], run: RunRecord, key: str) -> int:
    """The position of (run, key) in a view's `names`; the first time, append its entry to `keys`."""
    k = index.get((run.id, key))
    if k is None:
        k = index[(run.id, key)] = len(keys)
        keys.append({"run": run_label(run), "run_id": run.id, "key": key})
    return k


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def format_cell(value: Any) -> str:
    """Short deterministic text of a table cell: the rule of js/lib/tablecols.js `formatCell`.

    Whole numbers in full (below 1e15), other numbers with 4 significant digits as
    C's %.4g writes them, non-finite ones as nan/inf/-inf, booleans as True/False.
    The cases both must agree on are in js/lib/parity-cases.json.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        v = float(value)
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(v, ".4g")
    if isinstance(value, dict) and value.get("_type") == "image":
        return "[image]"
    return str(value)


def json_cell(value: Any) -> Any:
    """A cell safe for JSON (NaN and inf become their names)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


_PRED = {"pred", "preds", "prediction", "predictions", "predicted", "guess", "yhat"}
_TARGET = {"target", "targets", "truth", "label", "labels", "gt", "true", "actual", "answer"}


def _tokens(name: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", name.lower())) | {name.lower()}


def role_columns(columns: list[str]) -> tuple[int, int]:
    """Indexes of the prediction and target columns (-1 when absent), found by name.

    The same rule as js/lib/tablecols.js: a column is a prediction if a word of
    its name is pred/prediction/guess..., a target if one is target/truth/label...
    and it is not a prediction ("predicted_label" is a prediction).
    """
    pred = next((i for i, c in enumerate(columns) if _tokens(c) & _PRED), -1)
    target = next((i for i, c in enumerate(columns) if i != pred and _tokens(c) & _TARGET
                   and not _tokens(c) & _PRED), -1)
    return pred, target


_NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _as_number(v: Any) -> float | None:
    """A number, or a string that reads as one ("1.0", " 2 "); None for anything else (booleans too)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and _NUMBER_TEXT.match(v):
        return float(v)
    return None


def same(a: Any, b: Any) -> bool:
    """Prediction equals target: numbers (or number texts) by value, anything else by its text.

    The rule of js/lib/tablecols.js `same`, so the live grid and the saved HTML mark the same
    mistakes: 1.0, 1 and "1.0" are the same; True is "True". Cases: js/lib/parity-cases.json.
    """
    x, y = _as_number(a), _as_number(b)
    if x is not None and y is not None:
        return x == y
    return str(a).strip() == str(b).strip()


def is_mistake(row: list, pred: int, target: int) -> bool:
    if pred < 0 or target < 0:
        return False
    a, b = row[pred], row[target]
    return a is not None and b is not None and not same(a, b)


def is_image(cell: Any) -> bool:
    return isinstance(cell, dict) and cell.get("_type") == "image"


STYLE = (
    "<style>.nbm-static{font:12px/1.4 system-ui,sans-serif}"
    ".nbm-static table{border-collapse:collapse}.nbm-static td,.nbm-static th{padding:2px 6px;"
    "border-bottom:1px solid #ddd}.nbm-static .num{text-align:right}"
    ".nbm-static figure{display:inline-block;margin:4px;text-align:center}"
    ".nbm-static figure img{image-rendering:pixelated;width:64px;height:64px;object-fit:contain}"
    ".nbm-static .miss{outline:2px solid #d33}</style>"
)
