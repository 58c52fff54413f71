"""`nbm.compare()`: the runs-comparison table.

One row per run of a project: state, config columns, summary columns and a
sparkline of one history key (chosen in the table), sortable by any column.

It is displayed as HTML, not as a widget view: the table never changes once made,
and a widget output would show "Error displaying widget: model not found" when the
saved notebook is reopened without its kernel. The HTML is a table with PNG
sparklines (what JupyterLab's sanitizer keeps in an untrusted notebook) and a small
inline script (`SORT_JS`) that makes the columns sortable and the sparkline key
selectable wherever the output is trusted: the live session, the same notebook
reopened, nbconvert's HTML; untrusted, the sanitizer drops the script and the table
stays as made. The object stays a widget for Python (`rows`, `columns`, `spark`:
one float32 buffer runs x keys x points) and for `ipywidgets` containers.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import numbers
from typing import Any

import numpy as np

from ..output.format import format_value
from ..output.png import sparkline_png
from ..output.sparkline import bucket_means, img_sparkline, text_sparkline
from ..store import is_system_key

SPARK_POINTS = 40
MAX_KEY_IMAGES = 400  # sparklines of other keys embedded for the key selector (runs x keys beyond it: first key only)

# Sorting and the key selector where the HTML is trusted. Every value stays text (textContent, data-v).
SORT_JS = r"""(function () {
  var me = document.currentScript, box = me && me.parentNode;
  var t = box && box.querySelector('table.nbm-runs-table'), dataEl = box && box.querySelector('script.nbm-rt-data');
  if (!t || !dataEl || t.getAttribute('data-live')) return;
  t.setAttribute('data-live', '1');
  var data = JSON.parse(dataEl.textContent), body = t.tBodies[0], heads = t.tHead.rows[0].cells, col = -1, desc = false;
  function val(td) {
    var v = td.getAttribute('data-v');
    if (v === null || v === '') return null;
    return td.hasAttribute('data-num') ? Number(v) : v;
  }
  function cmp(x, y) {
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    if (i >= data.ncols) return;
    th.style.cursor = 'pointer';
    th.title = 'click to sort';
    th.addEventListener('click', function () {
      desc = col === i ? !desc : false;
      col = i;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = val(a.cells[i]), y = val(b.cells[i]);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;  // blanks last
        return desc ? -cmp(x, y) : cmp(x, y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
      Array.prototype.forEach.call(heads, function (h, j) {
        if (j < data.ncols) h.textContent = h.getAttribute('data-name') + (j === col ? (desc ? ' \u25bc' : ' \u25b2') : '');
      });
    });
  });
  if (data.keys.length > 1 && data.png) {
    var label = document.createElement('label'), sel = document.createElement('select');
    label.className = 'nbm-rt-key';
    label.textContent = 'sparkline: ';
    data.keys.forEach(function (k, i) {
      var o = document.createElement('option');
      o.value = String(i);
      o.textContent = k;
      sel.appendChild(o);
    });
    label.appendChild(sel);
    box.insertBefore(label, t);
    sel.addEventListener('change', function () {
      var k = Number(sel.value), hist = heads[heads.length - 1];
      hist.textContent = data.keys[k] + ' history';
      Array.prototype.forEach.call(body.rows, function (r) {
        var img = r.cells[r.cells.length - 1].querySelector('img'), png = data.png[k][Number(r.getAttribute('data-row'))];
        if (img && png) img.src = 'data:image/png;base64,' + png; else if (img) img.removeAttribute('src');
      });
    });
  }
})();"""


def _cell(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, numbers.Real):
        f = float(v)
        return f if np.isfinite(f) else str(f)
    if isinstance(v, (str, int)):
        return v
    return format_value(v)


def _td(v: Any) -> str:
    """A cell: its text, and its value for sorting (`data-v`; numbers marked `data-num`)."""
    e = html.escape
    num = isinstance(v, (int, float)) and not isinstance(v, bool)
    text = format_value(v) if v is not None else ""
    sort = "" if v is None else (repr(float(v)) if num else str(v))
    return (f'<td data-v="{e(sort)}"{" data-num" if num else ""} '
            f'style="text-align:{"right" if num else "left"}">{e(text)}</td>')


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
            head = "".join(f'<th data-name="{e(c["name"])}">{e(c["name"])}</th>' for c in self.columns)
            if key is not None:
                head += f"<th>{e(key)} history</th>"
            body = []
            sparks = self._sparks(0) if key is not None else [None] * len(self.rows)
            for i, (row, sp) in enumerate(zip(self.rows, sparks)):
                cells = "".join(_td(v) for v in row)
                if key is not None:
                    cells += f"<td>{img_sparkline(sp) if len(sp) else ''}</td>"
                body.append(f'<tr data-row="{i}">{cells}</tr>')
            table = (f'<table class="nbm-runs-table" style="border-collapse:collapse;font-size:12px">'
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
            data = {"ncols": len(self.columns), "keys": list(self.spark_keys), "png": self._key_pngs()}
            blob = json.dumps(data).replace("</", "<\\/")  # never closes the script element
            return (f'<div class="nbm-runs-static">{table}<script type="application/json" class="nbm-rt-data">'
                    f"{blob}</script><script>{SORT_JS}</script></div>")

        def _key_pngs(self) -> list[list[str]] | None:
            """Each key's PNG sparkline per run (base64), for the key selector; None when too many."""
            if len(self.spark_keys) < 2 or len(self.spark_keys) * len(self.rows) > MAX_KEY_IMAGES:
                return None
            out = []
            for k in range(len(self.spark_keys)):
                out.append([base64.b64encode(sparkline_png(bucket_means(sp, SPARK_POINTS))).decode("ascii")
                            if len(sp) else "" for sp in self._sparks(k)])
            return out

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
            # HTML, not a widget view: a saved notebook shows it wherever it is reopened (see the docstring)
            return {"text/html": self.html(), "text/plain": self.text()}

        def __repr__(self) -> str:
            return self.text()

    return RunsTable


def __getattr__(name: str):
    if name == "RunsTable":  # the widget stack is imported only when a table is made
        return _make_widget_class()
    raise AttributeError(name)
