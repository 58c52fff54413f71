"""Where the browser modules (js/) are, and their text for an anywidget `_esm` (lib imports inlined)."""

from __future__ import annotations

import re
from pathlib import Path

_HERE = Path(__file__).parent


def js_path(name: str) -> Path:
    """The path of `js/<name>` for an anywidget `_esm` / `_css` (a Path, read at class creation)."""
    for folder in (_HERE / "_js", _HERE.parent / "js"):
        p = folder / name
        if p.exists():
            return p
    raise FileNotFoundError(f"nbmonitor's browser module {name} is missing from the installation")


_IMPORT_RE = re.compile(r"""^\s*import\s*\{([^}]*)\}\s*from\s*["'](\./lib/[\w.-]+\.js|\./[\w.-]+\.js)["'];?[ \t]*$""", re.M)
_EXPORT_RE = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)


def js_module(name: str) -> str:
    """The text of `js/<name>` with its relative imports (`./lib/x.js`) inlined.

    anywidget loads `_esm` from a blob: URL, where a relative import cannot
    resolve; so each `import {a, b as c} from "./lib/x.js"` becomes
    `const {a, b: c} = (() => { <x.js without 'export'>; return {...}; })();`.
    """
    return _inline(js_path(name), set())


def _inline(path: Path, seen: set) -> str:
    if path in seen:
        raise ValueError(f"import cycle through {path.name}")
    text = path.read_text(encoding="utf-8")

    def repl(m: re.Match) -> str:
        dep = (path.parent / m.group(2)).resolve()
        body = _inline(dep, seen | {path})
        names = _EXPORT_RE.findall(body)
        body = re.sub(r"^export\s+", "", body, flags=re.M)
        wanted = ", ".join(
            f"{a.strip()}: {b.strip()}" if " as " in spec else spec.strip()
            for spec in m.group(1).split(",") if spec.strip()
            for a, _, b in [spec.partition(" as ")]
        )
        return f"const {{ {wanted} }} = (() => {{\n{body}\nreturn {{ {', '.join(names)} }};\n}})();"

    return _IMPORT_RE.sub(repl, text)
