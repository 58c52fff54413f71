"""`%monitor`: the live panel for any folder of runs, ours or TensorBoard's.

    %load_ext nbmonitor
    %monitor                              # the current / most recent project
    %monitor --logdir runs                # an nbmonitor root or TensorBoard event files (any depth)
    %monitor --logdir logs --runs 'ex*' --keys 'Loss/*' --smoothing 0.6 --height 600
    %monitor --project basic-intro
    %monitor --project sweep --max-runs 50  # read and draw up to 50 runs (default: read 30, draw 10)
    %monitor --logdir runs --live         # stays interactive after the cell, finished runs too
    %monitor list                         # the runs it can see, as a table

Bad arguments, a missing folder or a folder with nothing readable answer with
a one-line `UsageError`. The magic displays what it shows and returns None.
"""

from __future__ import annotations

import fnmatch
import html
import os
import shlex
from collections.abc import Iterable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.utils.process import arg_split

from .sources import Source
from .sources.resolve import NOTHING_HINT
from .store import is_system_key


@magic_arguments()
@argument("action", nargs="?", default=None, metavar="list", help="show a table of the runs instead of the panel")
@argument("--logdir", "-l", metavar="DIR", default=None,
          help="a folder (an nbmonitor root, or TensorBoard event files at any depth) or a postgresql:// URL")
@argument("--project", "-p", metavar="NAME", default=None, help="only this project's runs")
@argument("--runs", "-r", metavar="GLOB", default=None, help="only runs whose name matches, e.g. 'ex*'")
@argument("--keys", "-k", metavar="GLOB", default=None, help="only keys that match, e.g. 'Loss/*'")
@argument("--smoothing", "-s", metavar="F", type=float, default=0.0,
          help="initial smoothing of the charts, 0 <= F < 1 (default 0)")
@argument("--max-runs", "-n", metavar="N", type=int, default=None,
          help="read and draw the newest N runs (default: read 30, draw the newest 10; 'show more runs' draws more)")
@argument("--height", metavar="PX", type=int, default=None, help="height of the panel in pixels")
@argument("--live", action="store_true",
          help="keep the panel interactive after its cell ends, finished runs included (zoom, hover, controls); "
               "a notebook saved with it needs the kernel to show the widget (the static copy below it stays)")
@argument("--help", "-h", action="store_true", help="show this help and return")
def monitor(line: str = "") -> None:
    """Show a live panel of training runs (no server, no iframe)."""
    args = _parse(line)
    if args.help:
        print(usage())
        return None
    if args.action not in (None, "list"):
        raise UsageError(f"%monitor: unknown action {args.action!r} (the only one is 'list'); see %monitor --help")
    if not 0.0 <= args.smoothing < 1.0:
        raise UsageError(f"%monitor: --smoothing must be in [0, 1), got {args.smoothing}")
    if args.height is not None and args.height <= 0:
        raise UsageError(f"%monitor: --height must be a positive number of pixels, got {args.height}")
    if args.max_runs is not None and args.max_runs <= 0:
        raise UsageError(f"%monitor: --max-runs must be a positive number of runs, got {args.max_runs}")
    source, project, where = resolve(args.logdir, args.project)
    if args.action == "list":
        _display_bundle(run_table(source, project, args.runs, where))
        return None
    options: dict[str, Any] = {"static_when_idle": not args.live}
    if args.max_runs is not None:
        options.update(max_runs=args.max_runs, shown_runs=args.max_runs)
    panel = _panel(source, project=project, runs=args.runs, keys=args.keys, smoothing=args.smoothing,
                   height=args.height, **options)
    old = _panels.pop(line.strip(), None)
    if old is not None and hasattr(old, "stop"):  # the same cell run again: the old view is gone
        old.stop()
    _panels[line.strip()] = panel
    from IPython.display import display

    display(panel)
    return None


_panels: dict[str, Any] = {}  # the panel each %monitor line showed last (stopped when it runs again)


def _parse(line: str):
    """Arguments as a shell splits them (quotes removed: --runs 'ex*'); errors as UsageError."""
    try:
        if os.name == "nt":  # keep backslashes in paths; drop the quotes
            argv = [a[1:-1] if len(a) > 1 and a[0] == a[-1] and a[0] in "'\"" else a
                    for a in arg_split(line, posix=False)]
        else:
            argv = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"%monitor: {exc} in {line!r}") from None
    try:
        return monitor.parser.parse_args(argv)
    except UsageError as exc:
        raise UsageError(f"%monitor: {exc} (see %monitor --help)") from None


EXAMPLES = """examples:
  %monitor                              the runs of the current / most recent project
  %monitor --logdir runs                an nbmonitor root or TensorBoard event files
  %monitor --logdir logs --runs 'ex*' --keys 'Loss/*' --smoothing 0.6 --height 600
  %monitor --project basic-intro
  %monitor --project sweep --max-runs 50   read and draw up to 50 runs (default: read 30, draw 10)
  %monitor --logdir runs --live         stays interactive after the cell (zoom, hover), finished runs too
  %monitor list                         the runs it can see, as a table"""


def usage() -> str:
    """The help text of %monitor --help."""
    text = monitor.parser.format_help().strip()
    if text.startswith("::"):  # IPython writes the usage as an rst literal block
        text = "usage: " + text[2:].lstrip()
    return text + "\n\n" + EXAMPLES


def _panel(source: Source, **options: Any):
    try:
        from .ui.panel import Panel
    except ImportError as exc:
        raise UsageError(f"%monitor: the live panel cannot load ({exc})") from None
    options.setdefault("static_when_idle", True)  # static in a saved notebook (ui/idle.py) unless --live
    return Panel(source, **options)


def _display_bundle(bundle: dict[str, str]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


# -- which runs: a folder, or the current / most recent project ------------------------
def resolve(logdir: str | None, project: str | None) -> tuple[Source, str | None, str]:
    """(source, project filter, where - for messages) for %monitor's arguments."""
    if logdir is not None:
        source, where = open_logdir(logdir)
        if project is not None:
            _check_project(source, project, where)
        return source, project, where
    from . import api
    from .sources import LiveSource
    from .store import open_store, resolve_root
    from .store.roots import is_store_root

    last = api.last_project()
    stores = [last[1]] if last is not None else []
    root = resolve_root(None)
    shown = getattr(open_store(root), "location", root) if isinstance(root, str) else root  # never a password
    if isinstance(root, str):  # $NBMONITOR_DIR is a postgresql:// URL
        if not any(st is open_store(root) for st in stores):
            stores.append(open_store(root))
    elif is_store_root(root) and not any(st.root == root for st in stores):
        stores.append(open_store(root))
    if not stores:
        raise UsageError(f"%monitor: no runs yet in {shown}: call nbmonitor.init() first, or pass --logdir DIR")
    sources = [LiveSource(st) for st in stores]
    wheres = [str(st.root) if st.root is not None else getattr(st, "location", "this process") for st in stores]
    if project is not None:  # the current run's store, else the default root
        for source, where in zip(sources, wheres):
            if source.list_runs(project):
                return source, project, where
        known = sorted({r.project for source in sources for r in source.list_runs()})
        raise UsageError(f"%monitor: no project {project!r} in {' or '.join(wheres)} "
                         f"(projects: {', '.join(known) or 'none'})")
    if last is not None:
        return sources[0], last[0], wheres[0]
    runs = sources[0].list_runs()
    if not runs:
        raise UsageError(f"%monitor: no runs yet in {shown}: call nbmonitor.init() first, or pass --logdir DIR")
    return sources[0], max(runs, key=lambda r: (r.created, r.updated)).project, wheres[0]


def _check_project(source: Source, project: str, where: str) -> None:
    runs = source.list_runs()
    if not any(r.project == project for r in runs):
        known = sorted({r.project for r in runs})
        raise UsageError(f"%monitor: no project {project!r} in {where} (projects: {', '.join(known) or 'none'})")


def open_logdir(logdir: str | os.PathLike) -> tuple[Source, str]:
    """The source for a folder (the one resolver `nbmonitor.sources.open_folder`), errors as UsageError."""
    from .sources import NothingReadable, open_folder
    from .store.roots import is_database_url

    if is_database_url(logdir):
        from .store.postgres import redact

        where = redact(str(logdir))
    else:
        where = str(logdir)
    try:
        return open_folder(logdir), where
    except FileNotFoundError:
        raise UsageError(f"%monitor: no such folder: {where}") from None
    except NotADirectoryError:
        raise UsageError(f"%monitor: not a folder: {where}") from None
    except NothingReadable:
        raise UsageError(f"%monitor: nothing readable in {where}: {NOTHING_HINT}") from None
    except ImportError as exc:
        raise UsageError(f"%monitor: {where} holds TensorBoard event files, but {exc}") from None


# -- %monitor list ----------------------------------------------------------------
def _keys_text(keys: Iterable[str], width: int = 48) -> str:
    names = sorted(keys)
    text = ""
    for i, k in enumerate(names):
        more = f" (+{len(names) - i})"
        piece = k if not text else f"{text}, {k}"
        if len(piece) + (len(more) if i < len(names) - 1 else 0) > width and text:
            return f"{text}, …{more}"
        text = piece
    return text


def run_table(source: Source, project: str | None, runs_glob: str | None, where: str) -> dict[str, str]:
    """{"text/plain", "text/html"} of the runs a source sees: name, state, steps, keys."""
    records = [r for r in source.list_runs(project) if runs_glob is None or fnmatch.fnmatchcase(r.name, runs_glob)]
    several = len({r.project for r in records}) > 1
    header = (["project"] if several else []) + ["name", "state", "steps", "keys"]
    rows = []
    for r in records:
        keys = {k: n for k, n in source.keys(r.id).items() if not is_system_key(k)}  # machine metrics aside
        row = [r.project] if several else []
        row += [r.name, r.state, str(max(keys.values(), default=0)), _keys_text(keys)]
        rows.append(row)
    scope = f"project {project!r}" if project else where
    title = f"{len(rows)} run{'s' if len(rows) != 1 else ''} in {scope}"
    if runs_glob is not None:
        title += f" matching {runs_glob!r}"
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    right = {header.index("steps")}
    lines = [title]
    if rows:
        fmt = lambda cells: "  ".join(  # noqa: E731
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
        lines += [fmt(header)] + [fmt(row) for row in rows]
    esc = html.escape
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:{"right" if i in right else "left"}">{esc(c)}</td>'
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    table = (f'<table class="nbm-run-list"><caption style="text-align:left">{esc(title)}</caption>'
             f"<thead><tr>{''.join(f'<th>{esc(h)}</th>' for h in header)}</tr></thead>"
             f"<tbody>{body}</tbody></table>")
    return {"text/plain": "\n".join(lines), "text/html": table}


def load_ipython_extension(ip) -> None:
    """Register %monitor (called by `%load_ext nbmonitor`)."""
    ip.register_magic_function(monitor, "line", "monitor")
