"""`wandb.plot.*`: custom charts logged as W&B logs them, a table plus a chart spec.

`wandb.log({"roc": wandb.plot.roc_curve(y, probas)})` records an event of kind
"table" whose payload is the chart's data table (`columns`, `rows`) plus
`chart`: {"type": "line" | "scatter" | "bar" | "histogram" | "line_series" |
"confusion_matrix" | "pr_curve" | "roc_curve", "title", "fields": {role:
column}}. The panel's chart view draws it; any view of tables shows the data.
The tables' columns are W&B's (e.g. roc_curve: class, fpr, tpr). Curves are
computed with numpy only (no scikit-learn needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_CURVE_POINTS = 200  # per class, as W&B thins its curves


class CustomChart:
    """A chart `log()` accepts: a data table and which of its columns play which role."""

    def __init__(self, kind: str, columns: list[str], rows: list[list[Any]], fields: dict[str, str],
                 title: str | None = None):
        self.kind = kind
        self.columns = columns
        self.rows = rows
        self.fields = fields
        self.title = title or ""

    @property
    def table(self):
        from ..tracking.media import Table

        return Table(columns=self.columns, data=self.rows)

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        spec = {"type": self.kind, "title": self.title, "fields": dict(self.fields)}
        return "table", {"columns": list(self.columns), "rows": [list(r) for r in self.rows], "chart": spec}, {}

    def __repr__(self) -> str:
        return f"<nbmonitor.plot.{self.kind} {self.title!r}: {len(self.rows)} rows>"


def _table_parts(table: Any, *needed: str) -> tuple[list[str], list[list[Any]]]:
    columns = list(getattr(table, "columns", []))
    rows = [list(r) for r in getattr(table, "data", [])]
    for c in needed:
        if c not in columns:
            raise ValueError(f"nbmonitor.plot: the table has no column {c!r} (columns: {columns})")
    for r in rows:
        for i, v in enumerate(r):
            if not isinstance(v, (int, float, str, bool)) and v is not None:
                r[i] = str(v)
    return columns, rows


def line(table: Any, x: str, y: str, stroke: str | None = None, title: str | None = None,
         split_table: bool = False) -> CustomChart:
    """A line through the table's (x, y) points."""
    columns, rows = _table_parts(table, x, y)
    fields = {"x": x, "y": y} | ({"stroke": stroke} if stroke else {})
    return CustomChart("line", columns, rows, fields, title)


def scatter(table: Any, x: str, y: str, title: str | None = None, split_table: bool = False) -> CustomChart:
    """A scatter plot of the table's (x, y) points."""
    columns, rows = _table_parts(table, x, y)
    return CustomChart("scatter", columns, rows, {"x": x, "y": y}, title)


def bar(table: Any, label: str, value: str, title: str | None = None, split_table: bool = False) -> CustomChart:
    """One bar per row: `label` names it, `value` is its length."""
    columns, rows = _table_parts(table, label, value)
    return CustomChart("bar", columns, rows, {"label": label, "value": value}, title)


def histogram(table: Any, value: str, title: str | None = None, split_table: bool = False) -> CustomChart:
    """A histogram of one column's values."""
    columns, rows = _table_parts(table, value)
    return CustomChart("histogram", columns, rows, {"value": value}, title)


def line_series(xs: Sequence[Any], ys: Sequence[Sequence[float]], keys: Sequence[str] | None = None,
                title: str | None = None, xname: str | None = None, split_table: bool = False) -> CustomChart:
    """Several lines over shared (or per-line) x values; W&B's table: step, lineKey, lineVal."""
    ys = [list(y) for y in ys]
    if keys is not None and len(keys) != len(ys):
        raise ValueError(f"nbmonitor.plot.line_series: {len(keys)} keys for {len(ys)} lines")
    keys = list(keys) if keys is not None else [f"key_{i}" for i in range(len(ys))]
    xs_list = list(xs)
    per_line = bool(xs_list) and isinstance(xs_list[0], (list, tuple, np.ndarray))
    rows = []
    for i, (k, y) in enumerate(zip(keys, ys)):
        x = list(xs_list[i]) if per_line else xs_list
        if len(x) != len(y):
            raise ValueError(f"nbmonitor.plot.line_series: line {k!r} has {len(y)} values for {len(x)} x values")
        rows += [[_num(a), str(k), _num(b)] for a, b in zip(x, y)]
    return CustomChart("line_series", ["step", "lineKey", "lineVal"], rows,
                       {"x": "step", "series": "lineKey", "y": "lineVal", "xname": xname or "x"}, title)


def _num(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def _labels_array(values: Any) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def confusion_matrix(probs: Any = None, y_true: Any = None, preds: Any = None, class_names: Sequence[str] | None = None,
                     title: str | None = None, split_table: bool = False) -> CustomChart:
    """Counts of (actual, predicted) class pairs; give `preds` or `probs` (argmax is taken)."""
    if (probs is None) == (preds is None):
        raise ValueError("nbmonitor.plot.confusion_matrix: give exactly one of probs= or preds=")
    if y_true is None:
        raise ValueError("nbmonitor.plot.confusion_matrix: y_true is required")
    truth = _labels_array(y_true).astype(int).ravel()
    pred = _labels_array(preds).astype(int).ravel() if preds is not None else _labels_array(probs).argmax(axis=-1).ravel()
    if len(truth) != len(pred):
        raise ValueError(f"nbmonitor.plot.confusion_matrix: {len(truth)} labels but {len(pred)} predictions")
    n = int(max(truth.max(initial=-1), pred.max(initial=-1)) + 1)
    if class_names is not None:
        if len(class_names) < n:
            raise ValueError(f"nbmonitor.plot.confusion_matrix: {len(class_names)} class names for {n} classes")
        n = len(class_names)
    names = [str(c) for c in class_names] if class_names is not None else [f"Class_{i + 1}" for i in range(n)]
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (truth, pred), 1)
    rows = [[names[i], names[j], int(counts[i, j])] for i in range(n) for j in range(n)]
    return CustomChart("confusion_matrix", ["Actual", "Predicted", "nPredictions"], rows,
                       {"actual": "Actual", "predicted": "Predicted", "value": "nPredictions"}, title)


def _one_vs_rest(y_true: Any, y_probas: Any, labels: Sequence[str] | None, classes_to_plot: Sequence[Any] | None):
    truth = _labels_array(y_true).ravel()
    probas = _labels_array(y_probas).astype(np.float64)
    if probas.ndim == 1:
        probas = np.stack([1 - probas, probas], axis=1)
    if len(truth) != len(probas):
        raise ValueError(f"nbmonitor.plot: {len(truth)} labels but {len(probas)} rows of probabilities")
    n = probas.shape[1]
    chosen = list(range(n)) if classes_to_plot is None else [int(c) for c in classes_to_plot]
    for c in chosen:
        name = str(labels[c]) if labels is not None else str(c)
        yield name, (truth == c).astype(np.int64), probas[:, c]


def _curve_counts(positive: np.ndarray, scores: np.ndarray):
    order = np.argsort(-scores, kind="mergesort")
    s, p = scores[order], positive[order]
    distinct = np.r_[np.where(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(p)[distinct]
    fp = (distinct + 1) - tp
    return tp.astype(np.float64), fp.astype(np.float64), s[distinct]


def _thin(*cols: np.ndarray) -> list[np.ndarray]:
    n = len(cols[0])
    if n <= MAX_CURVE_POINTS:
        return list(cols)
    idx = np.unique(np.linspace(0, n - 1, MAX_CURVE_POINTS).round().astype(int))
    return [c[idx] for c in cols]


def pr_curve(y_true: Any = None, y_probas: Any = None, labels: Sequence[str] | None = None,
             classes_to_plot: Sequence[Any] | None = None, interp_size: int = 21, title: str | None = None,
             split_table: bool = False) -> CustomChart:
    """Precision against recall per class (one-vs-rest); W&B's table: class, recall, precision."""
    rows = []
    for name, pos, score in _one_vs_rest(y_true, y_probas, labels, classes_to_plot):
        total = pos.sum()
        if total == 0:
            continue
        tp, fp, _ = _curve_counts(pos, score)
        precision = np.r_[1.0, tp / np.maximum(tp + fp, 1)]
        recall = np.r_[0.0, tp / total]
        recall, precision = _thin(recall, precision)
        rows += [[name, round(float(r), 6), round(float(p), 6)] for r, p in zip(recall, precision)]
    return CustomChart("pr_curve", ["class", "recall", "precision"], rows,
                       {"x": "recall", "y": "precision", "series": "class"}, title or "Precision v. Recall")


def roc_curve(y_true: Any = None, y_probas: Any = None, labels: Sequence[str] | None = None,
              classes_to_plot: Sequence[Any] | None = None, title: str | None = None,
              split_table: bool = False) -> CustomChart:
    """True-positive rate against false-positive rate per class; W&B's table: class, fpr, tpr."""
    rows = []
    for name, pos, score in _one_vs_rest(y_true, y_probas, labels, classes_to_plot):
        npos, nneg = pos.sum(), len(pos) - pos.sum()
        if npos == 0 or nneg == 0:
            continue
        tp, fp, _ = _curve_counts(pos, score)
        fpr, tpr = np.r_[0.0, fp / nneg], np.r_[0.0, tp / npos]
        fpr, tpr = _thin(fpr, tpr)
        rows += [[name, round(float(f), 6), round(float(t), 6)] for f, t in zip(fpr, tpr)]
    return CustomChart("roc_curve", ["class", "fpr", "tpr"], rows,
                       {"x": "fpr", "y": "tpr", "series": "class"}, title or "ROC")


def plot_table(vega_spec_name: str, data_table: Any, fields: dict, string_fields: dict | None = None,
               split_table: bool = False) -> CustomChart:
    """W&B's `plot_table` with a Vega preset: kept as a table with its field mapping (drawn as a line/scatter)."""
    columns, rows = _table_parts(data_table, *fields.values())
    kind = "scatter" if "scatter" in vega_spec_name else "line"
    return CustomChart(kind, columns, rows, dict(fields), (string_fields or {}).get("title"))
