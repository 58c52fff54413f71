"""Large media of the PostgreSQL store in a folder instead of the database (a setting).

By default a run's media files (images, arrays, a table's thumbnails) go into the database as
`bytea`, which suits thumbnails and keeps one thing to back up. For large media, name a folder
every writer and reader can reach (a shared filesystem, or one machine):

    NBMONITOR_MEDIA_DIR=/shared/nbm-media         # or PostgresStore(url, media_dir=...)
    NBMONITOR_MEDIA_MIN_BYTES=65536               # files at least this big go there (default 64 KiB)

A file placed there is `<media dir>/<run id>/<seq>-<name>`, written before the database
transaction (to a temporary name, then renamed); the event's payload names it as
`{"path": "<run id>/<seq>-<name>", "dir": "<the writer's media dir>", "bytes": n}` instead of
"db". A reader looks in its own media dir if it has one (the folder mounted elsewhere), else in
the writer's, and only inside that folder (a crafted path is not read). Files are only ever
added: the same file again (a retried write) is fine, another file under the same name is a
`StoreError`. A file that cannot be written (disk full, no folder) goes into the database instead,
with a warning, so nothing is lost.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import Path

from ..errors import NbmonitorWarning, StoreError

__all__ = ["DEFAULT_MIN_BYTES", "ENV_MEDIA_DIR", "ENV_MEDIA_MIN_BYTES", "MediaFolder", "media_folder"]

ENV_MEDIA_DIR = "NBMONITOR_MEDIA_DIR"
ENV_MEDIA_MIN_BYTES = "NBMONITOR_MEDIA_MIN_BYTES"
DEFAULT_MIN_BYTES = 64 * 1024


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[-80:].lstrip(".") or "file"


class MediaFolder:
    """Where a PostgreSQL store keeps media files of at least `min_bytes` bytes."""

    def __init__(self, path: str | os.PathLike, min_bytes: int = DEFAULT_MIN_BYTES):
        self.path = Path(path).expanduser().absolute()
        self.min_bytes = max(0, int(min_bytes))

    def __repr__(self) -> str:
        return f"<MediaFolder {self.path} (files >= {self.min_bytes} bytes)>"

    def place(self, run_id: str, seq: int, name: str, data: bytes) -> dict | None:
        """Write a large file into the folder and return its reference for the payload; None when it
        belongs in the database (small, or the folder cannot take it: warned)."""
        if len(data) < self.min_bytes:
            return None
        rel = f"{run_id}/{int(seq)}-{_safe(name)}"
        target = self.path / rel
        try:
            if target.exists():
                if target.stat().st_size != len(data) or target.read_bytes() != data:
                    raise StoreError(f"run {run_id!r}: media file {rel!r} in {self.path} is already there with other "
                                     "data; another process is writing this run (nbmonitor never overwrites it)")
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(data)
                    os.replace(tmp, target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except OSError as e:
            warnings.warn(f"nbmonitor: media file {name!r} of run {run_id!r} could not be written to {self.path} "
                          f"({e}); kept in the database instead", NbmonitorWarning, stacklevel=3)
            return None
        return {"path": rel, "dir": str(self.path), "bytes": len(data)}

    @staticmethod
    def read(ref: dict, run_id: str, mine: MediaFolder | None) -> bytes:
        """The bytes of a file placed by `place` (from this reader's folder if it has one, else the
        writer's); b"" when it is missing or would lie outside that folder (warned)."""
        base = mine.path if mine is not None else Path(str(ref.get("dir") or ""))
        rel = str(ref.get("path") or "")
        try:
            root = base.resolve()
            path = (root / rel).resolve()
        except (OSError, RuntimeError, ValueError):
            return b""
        if not base.is_absolute() or not path.is_relative_to(root) or path == root:
            warnings.warn(f"nbmonitor: run {run_id!r} names a media file outside its folder ({rel!r} in {str(base)!r}); "
                          "not read", NbmonitorWarning, stacklevel=3)
            return b""
        try:
            return path.read_bytes()
        except OSError as e:
            warnings.warn(f"nbmonitor: media file {rel!r} of run {run_id!r} is missing from {root} ({e}); "
                          f"set {ENV_MEDIA_DIR} to the folder where it lies", NbmonitorWarning, stacklevel=3)
            return b""


def media_folder(media_dir: str | os.PathLike | None = None, min_bytes: int | None = None) -> MediaFolder | None:
    """The media folder given, else $NBMONITOR_MEDIA_DIR's (with $NBMONITOR_MEDIA_MIN_BYTES), else None."""
    path = media_dir if media_dir is not None else os.environ.get(ENV_MEDIA_DIR) or None
    if path is None:
        return None
    if min_bytes is None:
        raw = os.environ.get(ENV_MEDIA_MIN_BYTES, "").strip()
        try:
            min_bytes = int(raw) if raw else DEFAULT_MIN_BYTES
        except ValueError:
            raise ValueError(f"{ENV_MEDIA_MIN_BYTES} must be a whole number of bytes, got {raw!r}") from None
    return MediaFolder(path, min_bytes)
