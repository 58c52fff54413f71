"""The payload of a histogram event, built in one place.

`nbm.Histogram`, `watch()`, the `SummaryWriter` and the TensorBoard reader all
record histograms; the views read `{"edges", "counts", "min", "max", "num",
"sum"}` (len(edges) == len(counts) + 1, or both empty), plain floats, JSON-able.
"""

from __future__ import annotations

from typing import Any


def histogram_payload(edges: Any, counts: Any, vmin: float, vmax: float, num: float, total: float) -> dict:
    """The histogram event payload from bin edges and counts (sequences or arrays) and the data's stats."""
    return {
        "edges": [float(e) for e in edges],
        "counts": [float(c) for c in counts],
        "min": float(vmin),
        "max": float(vmax),
        "num": float(num),
        "sum": float(total),
    }
