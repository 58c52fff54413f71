"""W&B's `Artifact`: a versioned set of files, staged when added, stored beside the store when logged.

Layout beside the store, under `<root>/artifacts/` (written by `artifact_store`):

    objects/<ab>/<sha256>           every file's bytes, once (content-addressed)
    <name>/v<N>.json                a version's manifest: entries, type, metadata, aliases, runs
    <name>/aliases.json             alias -> version number ("latest" always points at the newest)

Logging an artifact whose files hash the same as an existing version of that
name reuses the version (and moves the aliases to it), as W&B does. Files are
copied into a staging folder when added, so changing them afterwards does not
change the artifact. `save(glob)` copies matching files into
`<root>/files/<run id>/`. Names are checked so that none becomes a path
outside the root. Committing, fetching and listing versions: `artifact_store`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def check_name(name: str, what: str = "artifact name") -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or name in (".", "..") or name == "objects":
        raise ValueError(f"{what} {name!r} is not allowed: use 1-128 letters, digits, '_', '-' or '.'")
    return name


def check_entry_path(name: str) -> str:
    """A path inside an artifact: relative, forward slashes, no '..'."""
    name = str(name).replace(os.sep, "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or os.path.isabs(name):
        raise ValueError(f"artifact entry path {name!r} is not allowed: use a relative path without '..'")
    return "/".join(parts)


def _sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ArtifactEntry:
    """One file of an artifact (W&B's `ArtifactManifestEntry`): `path`, `digest`, `size`, `ref`."""

    def __init__(self, artifact: Artifact, path: str, digest: str | None, size: int | None, ref: str | None = None):
        self._artifact = artifact
        self.path = path
        self.digest = digest
        self.size = size
        self.ref = ref

    def download(self, root: str | os.PathLike | None = None) -> str:
        """Write this file under `root` (default: the artifact's download folder) and return its path."""
        return self._artifact._materialize(self, Path(root) if root else self._artifact._default_download_dir())

    def ref_target(self) -> str | None:
        return self.ref

    def __repr__(self) -> str:
        return f"<ArtifactEntry {self.path} ({self.size} bytes)>"


class Artifact:
    """A versioned set of files: `Artifact(name, type)`, then `add_file`/`add_dir`/`add`/`add_reference`.

    Log it with `run.log_artifact(artifact)`; read one back with
    `run.use_artifact("name:latest")` and `.download()`.
    """

    def __init__(self, name: str, type: str, description: str | None = None, metadata: dict | None = None,
                 incremental: bool = False, use_as: str | None = None):
        self._base_name = check_name(name)
        if not isinstance(type, str) or not type:
            raise TypeError(f"nbmonitor.Artifact: type must be a non-empty string, got {type!r}")
        self.type = type
        self.description = description
        self.metadata: dict = dict(metadata or {})
        self.incremental = incremental
        self.aliases: list[str] = []
        self.tags: list[str] = []
        self._entries: dict[str, dict] = {}  # path -> {"digest", "size"} or {"ref", "digest"?}
        self._staging: Path | None = None
        self._version: int | None = None
        self._home: Path | None = None  # <root>/artifacts once logged or fetched
        self._created: float | None = None

    # -- identity ------------------------------------------------------------
    @property
    def name(self) -> str:
        """`name` before logging, `name:v<N>` after (as W&B)."""
        return self._base_name if self._version is None else f"{self._base_name}:v{self._version}"

    @property
    def version(self) -> str | None:
        return None if self._version is None else f"v{self._version}"

    @property
    def source_name(self) -> str:
        return self.name

    @property
    def qualified_name(self) -> str:
        return f"local/{self.name}"

    @property
    def id(self) -> str | None:
        return None if self._version is None else f"{self._base_name}:v{self._version}"

    @property
    def state(self) -> str:
        return "PENDING" if self._version is None else "COMMITTED"

    @property
    def digest(self) -> str:
        """One hash of all entries (path + content digest or reference)."""
        h = hashlib.sha256()
        for path in sorted(self._entries):
            e = self._entries[path]
            h.update(f"{path}\0{e.get('digest') or ''}\0{e.get('ref') or ''}\n".encode())
        return h.hexdigest()

    @property
    def size(self) -> int:
        return sum(e.get("size") or 0 for e in self._entries.values())

    @property
    def manifest(self) -> Any:
        class _Manifest:
            entries = {p: self.get_entry(p) for p in self._entries}

        return _Manifest()

    # -- adding --------------------------------------------------------------
    def _check_writable(self) -> None:
        if self._version is not None:
            from ..errors import ArtifactFinalizedError

            raise ArtifactFinalizedError(f"artifact {self.name!r} is logged and its files cannot change; "
                                         "make a new Artifact (description, metadata and aliases may change: save())")

    def _stage(self) -> Path:
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix="nbmonitor-artifact-"))
        return self._staging

    def add_file(self, local_path: str | os.PathLike, name: str | None = None, is_tmp: bool = False,
                 skip_cache: bool = False, policy: str = "mutable", overwrite: bool = False) -> ArtifactEntry:
        """Add one file (copied now); `name` is its path inside the artifact (default: its basename)."""
        self._check_writable()
        src = Path(local_path)
        if not src.is_file():
            raise FileNotFoundError(f"nbmonitor.Artifact.add_file: no such file: {src}")
        path = check_entry_path(name or src.name)
        if path in self._entries and not overwrite:
            raise ValueError(f"artifact {self._base_name!r} already has a file {path!r} (pass overwrite=True)")
        staged = self._stage() / "files" / path
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, staged)
        self._entries[path] = {"digest": _sha256_file(staged), "size": staged.stat().st_size, "staged": str(staged)}
        return self.get_entry(path)

    def add_dir(self, local_path: str | os.PathLike, name: str | None = None, skip_cache: bool = False,
                policy: str = "mutable") -> None:
        """Add every file under a folder; `name` is a prefix inside the artifact."""
        self._check_writable()
        root = Path(local_path)
        if not root.is_dir():
            raise FileNotFoundError(f"nbmonitor.Artifact.add_dir: no such folder: {root}")
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = f.relative_to(root).as_posix()
            self.add_file(f, f"{name}/{rel}" if name else rel, overwrite=True)

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: str | None = None) -> Iterator[Any]:
        """Write a new file straight into the artifact: `with art.new_file("a.txt") as f: f.write(...)`."""
        self._check_writable()
        path = check_entry_path(name)
        tmp = self._stage() / "new" / path
        tmp.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, mode.replace("x", "w"), encoding=encoding if "b" not in mode else None) as f:
            yield f
        self.add_file(tmp, path, overwrite=True)

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactEntry:
        """Add a media object (Table, Image, Histogram...) as `<name>.<kind>.json` (+ its files)."""
        self._check_writable()
        if not hasattr(obj, "_nbm_event"):
            raise TypeError(
                f"nbmonitor.Artifact.add takes a media object (Table, Image, Histogram...), got {type(obj).__name__}; "
                "use add_file for files"
            )
        kind, payload, files = obj._nbm_event(name)
        path = check_entry_path(f"{name}.{kind}.json")
        staged = self._stage() / "objects" / path
        staged.parent.mkdir(parents=True, exist_ok=True)
        refs = {}
        for fname, data in files.items():
            fpath = staged.parent / f"{Path(path).name}.{fname}"
            fpath.write_bytes(data)
            refs[fname] = self.add_file(fpath, f"{path}.{fname}", overwrite=True).path
        staged.write_text(json.dumps({"_type": kind, "payload": payload, "files": refs}, sort_keys=True))
        return self.add_file(staged, path, overwrite=True)

    def add_reference(self, uri: str, name: str | None = None, checksum: bool = True,
                      max_objects: int | None = None) -> list[ArtifactEntry]:
        """Record a reference (a URI, or a local file/folder by file:// or path) without copying its bytes."""
        self._check_writable()
        if not isinstance(uri, str):
            raise TypeError(f"nbmonitor.Artifact.add_reference: uri must be a string, got {uri!r}")
        local = uri[7:] if uri.startswith("file://") else (uri if "://" not in uri else None)
        out = []
        if local is not None and os.path.isdir(local):
            for f in sorted(p for p in Path(local).rglob("*") if p.is_file()):
                rel = f.relative_to(local).as_posix()
                path = check_entry_path(f"{name}/{rel}" if name else rel)
                self._entries[path] = {"ref": f.resolve().as_uri(), "size": f.stat().st_size,
                                       "digest": _sha256_file(f) if checksum else None}
                out.append(self.get_entry(path))
            return out
        path = check_entry_path(name or uri.rstrip("/").rsplit("/", 1)[-1] or "reference")
        entry: dict = {"ref": uri, "size": None, "digest": None}
        if local is not None and os.path.isfile(local):
            entry.update(ref=Path(local).resolve().as_uri(), size=os.path.getsize(local),
                         digest=_sha256_file(local) if checksum else None)
        self._entries[path] = entry
        return [self.get_entry(path)]

    def remove(self, item: str) -> None:
        self._check_writable()
        self._entries.pop(check_entry_path(item), None)

    # -- reading ---------------------------------------------------------------
    def get_entry(self, name: str) -> ArtifactEntry:
        path = check_entry_path(name)
        e = self._entries.get(path)
        if e is None:
            raise KeyError(f"artifact {self.name!r} has no file {path!r}")
        return ArtifactEntry(self, path, e.get("digest"), e.get("size"), e.get("ref"))

    get_path = get_entry

    def files(self) -> list[ArtifactEntry]:
        return [self.get_entry(p) for p in sorted(self._entries)]

    def get(self, name: str) -> Any:
        """The media object added with `add(obj, name)`: a Table is rebuilt; others come back as their payload dict."""
        for path in (f"{name}.table.json", *[p for p in self._entries if p.startswith(f"{name}.") and p.endswith(".json")]):
            if path in self._entries:
                doc = json.loads(self._read(self._entries[path]).decode())
                if doc.get("_type") == "table":
                    from .media import Table

                    p = doc["payload"]
                    return Table(columns=p["columns"], data=[[c if not isinstance(c, dict) else None for c in r]
                                                             for r in p["rows"]])
                return doc
        return None

    def _read(self, e: dict) -> bytes:
        if e.get("staged") and os.path.exists(e["staged"]):
            return Path(e["staged"]).read_bytes()
        if e.get("digest") and self._home is not None and not e.get("ref"):
            return object_path(self._home, e["digest"]).read_bytes()
        if e.get("ref", "").startswith("file://"):
            return Path(e["ref"][7:]).read_bytes()
        raise FileNotFoundError(f"artifact {self.name!r}: the bytes of this entry are not stored locally")

    def _default_download_dir(self) -> Path:
        folder = self.name if os.name != "nt" else self.name.replace(":", "-")
        return Path.cwd() / "artifacts" / folder

    def _materialize(self, entry: ArtifactEntry, root: Path) -> str:
        e = self._entries[entry.path]
        if e.get("ref") and not e["ref"].startswith("file://"):
            return e["ref"]  # a remote reference: nothing to fetch locally
        dest = root / entry.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(self._read(e))
        return str(dest)

    def download(self, root: str | os.PathLike | None = None, allow_missing_references: bool = False,
                 skip_cache: bool | None = None, path_prefix: str | None = None) -> str:
        """Write the artifact's files under `root` (default ./artifacts/<name>:v<N>) and return that folder."""
        dest = Path(root) if root else self._default_download_dir()
        dest.mkdir(parents=True, exist_ok=True)
        for entry in self.files():
            if path_prefix and not entry.path.startswith(path_prefix):
                continue
            try:
                self._materialize(entry, dest)
            except FileNotFoundError:
                if not allow_missing_references:
                    raise
        return str(dest)

    def file(self, root: str | os.PathLike | None = None) -> str:
        """The path of the artifact's only file, downloaded (W&B's `Artifact.file()`)."""
        if len(self._entries) != 1:
            raise ValueError(f"artifact {self.name!r} has {len(self._entries)} files; file() needs exactly one")
        return self.files()[0].download(root)

    def checkout(self, root: str | os.PathLike | None = None) -> str:
        return self.download(root)

    def verify(self, root: str | os.PathLike | None = None) -> None:
        root = Path(root) if root else self._default_download_dir()
        for entry in self.files():
            if entry.digest and _sha256_file(root / entry.path) != entry.digest:
                raise ValueError(f"artifact {self.name!r}: {entry.path} differs from the logged version")

    def wait(self, timeout: float | None = None) -> Artifact:
        return self

    def is_draft(self) -> bool:
        return self._version is None

    def save(self) -> None:
        """Log the artifact to the current run (W&B's `Artifact.save()`); for a logged version, store its
        changed description, metadata and aliases."""
        from ..errors import NotInitializedError
        from . import current

        if self._version is not None and self._home is not None:
            self._update_logged(self._home, self._version)
            return

        run = current.get()
        if run is None:
            raise NotInitializedError("Artifact.save() needs a run: call nbmonitor.init() first")
        run.log_artifact(self)

    def _update_logged(self, home: Path, version: int) -> None:
        """A logged version's description, metadata and aliases as this artifact now has them."""
        path = manifest_path(home, self._base_name, version)
        doc = json.loads(path.read_text())
        doc.update(description=self.description, metadata=dict(self.metadata or {}))
        write_json(path, doc)
        table = read_aliases(home, self._base_name)
        for a in self.aliases:
            table[check_name(a, "alias")] = version
        write_json(home / self._base_name / "aliases.json", table)

    def logged_by(self) -> str | None:
        return self._doc().get("logged_by")

    def used_by(self) -> list[str]:
        return list(self._doc().get("used_by", []))

    def _doc(self) -> dict:
        if self._version is None or self._home is None:
            return {}
        return json.loads(manifest_path(self._home, self._base_name, self._version).read_text())

    def __repr__(self) -> str:
        return f"<Artifact {self.name} ({self.type}, {len(self._entries)} files)>"


def object_path(home: Path, digest: str) -> Path:
    """Where the bytes with this sha256 live: <home>/objects/<ab>/<digest>."""
    return home / "objects" / digest[:2] / digest


def manifest_path(home: Path, name: str, version: int) -> Path:
    """A version's manifest: <home>/<name>/v<N>.json."""
    return home / check_name(name) / f"v{version}.json"


def read_aliases(home: Path, name: str) -> dict[str, int]:
    """An artifact name's alias table: <home>/<name>/aliases.json ({alias: version})."""
    p = home / check_name(name) / "aliases.json"
    return json.loads(p.read_text()) if p.exists() else {}


def write_json(path: Path, doc: Any) -> None:
    """Write `doc` to `path` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True))
    os.replace(tmp, path)
