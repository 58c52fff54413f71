"""Output: what a run looks like as text, HTML and DataFrames, with no widgets.

Owns: the end-of-run block (`report`), unicode and SVG sparklines
(`sparkline`), number formatting (`format`), and pandas frames of runs and
histories (`frames`).

May import: store (its types), `_env`, errors. Never tracking, sources or panel.
"""
