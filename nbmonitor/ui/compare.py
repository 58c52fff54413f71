"""`nbm.compare()`: the runs-comparison table.

One row per run of a project: state, config columns, summary columns and a
sparkline of one history key (chosen in the table), sortable by any column.
The sparklines travel as one float32 buffer (runs x keys x points). Its mime
bundle also carries a static HTML table with PNG sparklines and a unicode text
table, so a saved notebook shows it too.
"""

from __future__ import annotations

import functools
import html
import numbers
from typing import Any

import numpy as np

from ..output.format import format_value
from ..output.sparkline import bucket_means, img_sparkline, text_sparkline
from ..store import is_system_key

SPARK_POINTS = 40


def _cell(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, numbers.Real):
        f = float(v)
        return f if np.isfinite(f) else str(f)
    if isinstance(v, (str, int)):
        return v
    return format_value(v)


def _table_data(source, project: str | None, keys: list[str] | None):
    records = source.list_runs(project)
    config_cols: dict[str, None] = {}
    summary_cols: dict[str, None] = {}
    series = {}
    for r in records:
        config_cols.update(dict.fromkeys(r.config))
        summary_cols.update(dict.fromkeys(k for k, v in r.summary.items()
                                          if not k.startswith("_") and not isinstance(v, dict)))
        series[r.id] = source.read_series(r.id, keys)
    spark_keys = keys or sorted({k for s in series.values() for k in s if not is_system_key(k)})
    columns = ([{"name": "name", "group": "run"}, {"name": "state", "group": "run"}]
               + [{"name": k, "group": "config"} for k in config_cols]
               + [{"name": k, "group": "summary"} for k in summary_cols])
    rows = [[r.name, r.state] + [_cell(r.config.get(k)) for k in config_cols]
            + [_cell(r.summary.get(k)) for k in summary_cols] for r in records]
    spark = np.full((len(records), len(spark_keys), SPARK_POINTS), np.nan, np.float32)
    lengths = np.zeros((len(records), len(spark_keys)), np.int32)
    for i, r in enumerate(records):
        for j, k in enumerate(spark_keys):
            ch = series[r.id].get(k)
            if ch is not None and len(ch):
                v = bucket_means(ch.values, SPARK_POINTS)
                spark[i, j, : len(v)] = v
                lengths[i, j] = len(v)
    return records, columns, rows, spark_keys, spark, lengths


def compare_widget(source: Any, project: str | None = None, keys: list[str] | None = None):
    """The runs of a project in `source` side by side (a widget; static HTML and text when saved)."""
    return _make_widget_class().from_source(source, project, keys)


@functools.cache
def _make_widget_class():
    import anywidget
    import traitlets

    from .._js import js_module, js_path

    class RunsTable(anywidget.AnyWidget):
        _esm = js_module("runtable.js")  # lib imports inlined (blob: URLs cannot import)
        _css = js_path("runtable.css")
        columns = traitlets.List().tag(sync=True)
        rows = traitlets.List().tag(sync=True)
        spark_keys = traitlets.List().tag(sync=True)
        spark = traitlets.Bytes(b"").tag(sync=True)  # float32, runs x keys x SPARK_POINTS
        spark_lengths = traitlets.Bytes(b"").tag(sync=True)  # int32, runs x keys
        spark_points = traitlets.Int(SPARK_POINTS).tag(sync=True)

        @classmethod
        def from_source(cls, source, project=None, keys=None):
            _, columns, rows, spark_keys, spark, lengths = _table_data(source, project, keys)
            w = cls(columns=columns, rows=rows, spark_keys=spark_keys,
                    spark=spark.tobytes(), spark_lengths=lengths.tobytes())
            w._spark_arrays = (spark, lengths)
            return w

        def _sparks(self, key_index: int):
            spark, lengths = self._spark_arrays
            return [spark[i, key_index, : lengths[i, key_index]] for i in range(len(self.rows))]

        def html(self) -> str:
            e = html.escape
            key = self.spark_keys[0] if self.spark_keys else None
            head = "".join(f"<th>{e(c['name'])}</th>" for c in self.columns)
            if key is not None:
                head += f"<th>{e(key)} history</th>"
            body = []
            sparks = self._sparks(0) if key is not None else [None] * len(self.rows)
            for row, sp in zip(self.rows, sparks):
                cells = "".join(
                    f'<td style="text-align:{"right" if isinstance(v, (int, float)) and not isinstance(v, bool) else "left"}">'
                    f"{e(format_value(v) if v is not None else '')}</td>" for v in row)
                if key is not None:
                    cells += f"<td>{img_sparkline(sp) if len(sp) else ''}</td>"
                body.append(f"<tr>{cells}</tr>")
            return (f'<table class="nbm-runs-table" style="border-collapse:collapse;font-size:12px">'
                    f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

        def text(self) -> str:
            names = [c["name"] for c in self.columns]
            key = self.spark_keys[0] if self.spark_keys else None
            table = [names + ([f"{key} history"] if key else [])]
            sparks = self._sparks(0) if key else [None] * len(self.rows)
            for row, sp in zip(self.rows, sparks):
                cells = ["" if v is None else format_value(v) for v in row]
                table.append(cells + ([text_sparkline(sp, 20) if len(sp) else ""] if key else []))
            widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
            return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table)

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            data = bundle[0] if isinstance(bundle, tuple) else bundle
            if data is not None:
                data["text/html"] = self.html()
                data["text/plain"] = self.text()
            return bundle

        def __repr__(self) -> str:
            return self.text()

    return RunsTable


def __getattr__(name: str):
    if name == "RunsTable":  # the widget stack is imported only when a table is made
        return _make_widget_class()
    raise AttributeError(name)
