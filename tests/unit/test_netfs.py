"""The warning for a SQLite root on a network filesystem, from a fake /proc/mounts."""

from __future__ import annotations

import pytest

from nbmonitor.errors import NbmonitorWarning
from nbmonitor.store import netfs

MOUNTS = """\
overlay / overlay rw,relatime 0 0
proc /proc proc rw 0 0
10.0.0.5:/export/home /home nfs4 rw,relatime,vers=4.2 0 0
/dev/sda1 /home/me/local ext4 rw 0 0
//srv/share /mnt/team\\040share cifs rw 0 0
lfs@o2ib:/scratch /scratch lustre rw 0 0
s3fs /mnt/bucket fuse.s3fs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize("path, expected", [
    ("/home/me/runs", "nfs4"),
    ("/home/me/local/runs", None),       # a local disk mounted inside the NFS home
    ("/home", "nfs4"),
    ("/homework/runs", None),            # a prefix of the name is not the mount
    ("/mnt/team share/runs", "cifs"),    # \040 in /proc/mounts is a space
    ("/scratch/u/runs", "lustre"),
    ("/mnt/bucket/x", "fuse.s3fs"),
    ("/tmp/runs", None),
    ("/work/runs", None),                # the overlay root
])
def test_network_fs_type(path, expected):
    assert netfs.network_fs_type(path, MOUNTS) == expected


def test_warns_once_per_root(monkeypatch, tmp_path):
    monkeypatch.setattr(netfs, "_warned", set())
    fake = f"overlay / overlay rw 0 0\nsrv:/x {tmp_path} nfs rw 0 0\n"
    with pytest.warns(NbmonitorWarning, match="PostgreSQL store"):
        assert netfs.warn_if_network(tmp_path / "runs", fake) == "nfs"
    assert netfs.warn_if_network(tmp_path / "runs", fake) == "nfs"  # no second warning (would raise: filterwarnings)
    assert netfs.warn_if_network(tmp_path / "local", "overlay / overlay rw 0 0\n") is None
