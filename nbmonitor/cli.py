"""The `nbmonitor` command (also `python -m nbmonitor`).

    nbmonitor copy SRC DST [--project P]     runs from one store to another (folder or postgresql:// URL)
"""

from __future__ import annotations

import argparse
import sys


def _redacted(where: str) -> str:
    from .store.roots import is_database_url

    if is_database_url(where):
        from .store.postgres import redact

        return redact(where)
    return where


def _copy(args: argparse.Namespace) -> int:
    from .store.transfer import copy_runs

    def progress(record, points: int) -> None:
        print(f"  {record.project}/{record.name} ({record.id}, {record.state}): {points} points")

    print(f"copying {_redacted(args.src)} -> {_redacted(args.dst)}")
    runs = copy_runs(args.src, args.dst, args.project, progress)
    print(f"{len(runs)} run(s) copied")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nbmonitor", description="nbmonitor command-line tools")
    sub = parser.add_subparsers(dest="command", required=True)
    cp = sub.add_parser("copy", help="copy runs (series, media, state) from one store to another",
                        description="Copy runs between stores: a root folder (SQLite) or a postgresql:// URL, "
                                    "either way. Copying again fills in what is new; nothing is duplicated.")
    cp.add_argument("src", help="a root folder or postgresql:// URL to read")
    cp.add_argument("dst", help="a root folder or postgresql:// URL to write")
    cp.add_argument("--project", "-p", default=None, help="only this project's runs")
    cp.set_defaults(fn=_copy)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except Exception as e:  # a store error, a missing folder: one line, not a traceback
        from .errors import NbmonitorError

        if not isinstance(e, (NbmonitorError, OSError, ValueError, ImportError)):
            raise
        print(f"nbmonitor {args.command}: {e}", file=sys.stderr)
        return 1
