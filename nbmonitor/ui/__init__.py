"""ui: the live panel and its widgets in the cell (not `panel`, which is `nbmonitor.panel()`).

Owns: `Panel` (header, sparkline table, charts, sections; `panel`), the
publisher thread that polls sources at <= 10 Hz (`publisher`), min-max
downsampling (`downsample`), the chart and table widgets (`widgets`), the
runs-comparison widget (`compare`), a group's band across its runs and its
stragglers (`groupband`, `groups`), and the event views (`views/`: images,
tables, histograms, TensorBoard plugins).

May import: sources, store, output, tracking (to follow a live run), `_js`,
`_env`, errors.
"""
