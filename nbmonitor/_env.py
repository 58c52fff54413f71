"""Where we are running: a Jupyter kernel, or a terminal."""

from __future__ import annotations

import os
import sys


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook 7, VS Code, Colab)."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def env_flag(name: str) -> bool | None:
    """An on/off environment variable: None when unset."""
    v = os.environ.get(name)
    if v is None or v == "":
        return None
    return v.strip().lower() not in ("0", "false", "no", "off")
