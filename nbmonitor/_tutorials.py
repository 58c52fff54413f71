"""Execute the tutorials headless and write each one's HTML next to it.

    python -m nbmonitor._tutorials notebooks/

Used by `scripts/main --headless`. The notebooks are executed in their own
folder with nbclient (widget state kept), the committed .ipynb files are left
untouched, and `<name>.html` is written beside each. The HTML shows each
panel's and view's static fallback and each run's end-of-run block.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def run_tutorial(path: Path, timeout: int = 600) -> Path:
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    # Without widget state nbconvert shows each output's static text/html: the
    # widget manager it would load comes from a CDN, which is not there offline.
    nb.metadata.pop("widgets", None)
    html, _ = HTMLExporter().from_notebook_node(nb)
    out = path.with_suffix(".html")
    out.write_text(html, encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "notebooks")
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))
    if not notebooks:
        print(f"no notebooks in {folder}", file=sys.stderr)
        return 1
    for nb in notebooks:
        t0 = time.time()
        out = run_tutorial(nb)
        print(f"{nb.name}: executed in {time.time() - t0:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
