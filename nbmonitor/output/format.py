"""Short deterministic text for values shown in reports, tables and the panel."""

from __future__ import annotations

import math
import numbers
from typing import Any


def format_value(value: Any) -> str:
    """Short deterministic text for a summary value."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return format(v, ".5g")
    if isinstance(value, dict) and "_type" in value:
        return f"<{value['_type']}>"
    return str(value)
