"""Is a SQLite root on a network filesystem? SQLite's WAL mode needs shared memory
that NFS, CIFS/SMB, Lustre and FUSE mounts do not give reliably across machines,
so several nodes writing one root there can corrupt it. `SQLiteStore` warns once
per root (and suggests the PostgreSQL store); the check reads /proc/mounts.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ..errors import NbmonitorWarning

NETWORK_TYPES = ("nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "lustre", "gpfs", "ceph", "glusterfs",
                 "9p", "afs", "beegfs", "sshfs")
_warned: set[str] = set()


def _unescape(field: str) -> str:
    # /proc/mounts escapes space, tab, newline and backslash as octal (\040 ...)
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def network_fs_type(path: str | os.PathLike, mounts: str | None = None) -> str | None:
    """The filesystem type of the mount holding `path` when it is a network (or FUSE) one, else None.

    `mounts` is the text of /proc/mounts (read when None; no /proc: None).
    """
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return None
    target = os.path.abspath(os.fspath(path))
    best, best_type = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point, fstype = _unescape(parts[1]), parts[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    fstype = best_type.lower()
    if fstype.startswith("fuse") and fstype not in ("fuse.portal", "fusectl"):
        return best_type
    return best_type if fstype in NETWORK_TYPES else None


def warn_if_network(root: Path, mounts: str | None = None) -> str | None:
    """Warn once per root when it lies on a network filesystem; returns the type found."""
    fstype = network_fs_type(root, mounts)
    key = os.fspath(root)
    if fstype and key not in _warned:
        _warned.add(key)
        warnings.warn(
            f"nbmonitor: the runs folder {root} is on a network filesystem ({fstype}); SQLite's WAL mode is not "
            "safe there when several machines write, and is slow. For a team or a multi-node job use the "
            "PostgreSQL store: dir='postgresql://user@host/db' (pip install \"nbmonitor[postgres]\")",
            NbmonitorWarning, stacklevel=4)
    return fstype
