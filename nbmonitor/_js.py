"""Where the browser modules (js/) are: inside the installed package, or the repo's js/ folder."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def js_path(name: str) -> Path:
    """The path of `js/<name>` for an anywidget `_esm` / `_css` (a Path, read at class creation)."""
    for folder in (_HERE / "_js", _HERE.parent / "js"):
        p = folder / name
        if p.exists():
            return p
    raise FileNotFoundError(f"nbmonitor's browser module {name} is missing from the installation")
