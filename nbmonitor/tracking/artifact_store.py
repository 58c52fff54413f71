"""The artifact repository beside the store: commit a version, fetch one by alias, list, `save(glob)`.

See `artifacts` for the layout. Every write goes to a temporary file first and
is renamed into place, so a reader never sees half a manifest.
"""

from __future__ import annotations

import glob as _glob
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from ..errors import ArtifactNotFoundError
from .artifacts import (
    Artifact,
    check_entry_path,
    check_name,
    manifest_path,
    object_path,
    read_aliases,
    write_json,
)

_VERSION_RE = re.compile(r"^v(\d+)$")

def artifacts_home(root: str | os.PathLike | None) -> Path:
    from ..errors import StoreError
    from ..store import resolve_root

    where = resolve_root(root)
    if isinstance(where, str):
        raise StoreError("artifacts are kept in a root folder, not in the PostgreSQL store: pass a folder "
                         "(dir=/root=) for them")
    return where / "artifacts"




_read_aliases = read_aliases
_write_json = write_json


def _versions(home: Path, name: str) -> list[int]:
    folder = home / check_name(name)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob("v*.json"):
        m = _VERSION_RE.match(p.stem)
        if m:
            out.append(int(m.group(1)))
    return sorted(out)


def commit(artifact: Artifact, home: Path, run_id: str | None, aliases: list[str] | None = None) -> Artifact:
    """Store the artifact's bytes and manifest as a new version (or the existing version with the same digest)."""
    if artifact._version is not None:
        return artifact
    names = ["latest", *[check_name(a, "alias") for a in (aliases or []) if a != "latest"]]
    for a in artifact.aliases:
        if a not in names:
            names.append(check_name(a, "alias"))
    name = artifact._base_name
    digest = artifact.digest
    entries = {}
    for path, e in artifact._entries.items():
        if e.get("staged"):
            obj = object_path(home, e["digest"])
            if not obj.exists():
                obj.parent.mkdir(parents=True, exist_ok=True)
                tmp = obj.with_suffix(f".tmp{os.getpid()}")
                shutil.copyfile(e["staged"], tmp)
                os.replace(tmp, obj)
        entries[path] = {k: v for k, v in e.items() if k != "staged"}
    versions = _versions(home, name)
    version = None
    for v in versions:
        doc = json.loads(manifest_path(home, name, v).read_text())
        if doc.get("digest") == digest:
            version = v
            break
    if version is None:
        version = (versions[-1] + 1) if versions else 0
        doc = {
            "name": name, "version": version, "type": artifact.type, "description": artifact.description,
            "metadata": artifact.metadata, "digest": digest, "entries": entries, "created": time.time(),
            "logged_by": run_id, "used_by": [],
        }
    _write_json(manifest_path(home, name, version), doc)
    table = _read_aliases(home, name)
    for a in names:
        table[a] = version
    if versions and version < max(versions):  # "latest" stays on the newest version unless this is it
        table["latest"] = max(versions)
    _write_json(home / name / "aliases.json", table)
    if artifact._staging is not None:
        shutil.rmtree(artifact._staging, ignore_errors=True)
        artifact._staging = None
    _adopt(artifact, home, doc, table)
    return artifact


def _adopt(artifact: Artifact, home: Path, doc: dict, aliases: dict[str, int]) -> None:
    artifact._version = int(doc["version"])
    artifact._home = home
    artifact._entries = {p: dict(e) for p, e in doc["entries"].items()}
    artifact._created = doc.get("created")
    artifact.type = doc["type"]
    artifact.description = doc.get("description")
    artifact.metadata = dict(doc.get("metadata") or {})
    artifact.aliases = sorted(a for a, v in aliases.items() if v == artifact._version)


def parse_ref(ref: str) -> tuple[str, str]:
    """("name", "latest" | "v3" | alias) from "name", "name:v3", "entity/project/name:alias"."""
    if not isinstance(ref, str) or not ref:
        raise TypeError(f"use_artifact takes 'name', 'name:v3' or 'name:alias', got {ref!r}")
    ref = ref.rsplit("/", 1)[-1]
    name, _, alias = ref.partition(":")
    return check_name(name), alias or "latest"


def fetch(home: Path, ref: str, type: str | None = None) -> Artifact:
    """The logged version `ref` names ("name", "name:v3", "name:alias")."""
    name, alias = parse_ref(ref)
    table = _read_aliases(home, name)
    m = _VERSION_RE.match(alias)
    version = int(m.group(1)) if m else table.get(alias)
    if version is None or not manifest_path(home, name, version).exists():
        have = ", ".join(f"v{v}" for v in _versions(home, name)) or "none"
        raise ArtifactNotFoundError(
            f"no artifact {name}:{alias} in {home} (versions: {have}; aliases: {', '.join(sorted(table)) or 'none'})"
        )
    doc = json.loads(manifest_path(home, name, version).read_text())
    if type is not None and doc["type"] != type:
        raise ValueError(f"artifact {name}:{alias} has type {doc['type']!r}, not {type!r}")
    art = Artifact(name, doc["type"])
    _adopt(art, home, doc, table)
    return art


def mark_used(art: Artifact, run_id: str) -> None:
    if art._home is None or art._version is None:
        raise ValueError(f"artifact {art.name!r} is not logged yet; log it before using it")
    path = manifest_path(art._home, art._base_name, art._version)
    doc = json.loads(path.read_text())
    if run_id not in doc.setdefault("used_by", []):
        doc["used_by"].append(run_id)
        _write_json(path, doc)


def list_artifacts(home: Path, type: str | None = None) -> list[Artifact]:
    out: list[Artifact] = []
    if not home.is_dir():
        return out
    for folder in sorted(p for p in home.iterdir() if p.is_dir() and p.name != "objects"):
        for v in _versions(home, folder.name):
            art = fetch(home, f"{folder.name}:v{v}")
            if type is None or art.type == type:
                out.append(art)
    return out


def artifact_from_path(path: str | os.PathLike, name: str | None, type: str | None) -> Artifact:
    """What `log_artifact("model.pt")` makes of a path: a file or a folder."""
    p = Path(path)
    art = Artifact(check_name(name or re.sub(r"[^A-Za-z0-9_.-]", "_", p.name) or "artifact"), type or "unspecified")
    if p.is_dir():
        art.add_dir(p)
    elif p.is_file():
        art.add_file(p)
    else:
        raise MissingPathError(f"log_artifact: no such file or folder: {p} (a path must be a file or a folder)")
    return art


class MissingPathError(FileNotFoundError, ValueError):
    """log_artifact/log_model of a path that is not there: W&B raises ValueError, Python code expects
    FileNotFoundError; this is both."""


def save_files(glob_str: str | os.PathLike, run_folder: Path, base_path: str | os.PathLike | None = None) -> list[str]:
    """Copy the files matching `glob_str` into the run's folder, keeping paths relative to `base_path`."""
    pattern = os.fspath(glob_str)
    matches = sorted(p for p in _glob.glob(pattern, recursive=True) if os.path.isfile(p))
    if base_path is None:
        base = os.path.dirname(pattern) if not _glob.has_magic(os.path.dirname(pattern)) else "."
    else:
        base = os.fspath(base_path)
    out = []
    for m in matches:
        rel = os.path.relpath(m, base or ".")
        if rel.startswith(".."):
            rel = os.path.basename(m)
        dest = run_folder / check_entry_path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(m, dest)
        out.append(str(dest))
    return out



_NOT_CODE_DIRS = {"__pycache__", "node_modules", "wandb", "artifacts", "site-packages"}


def _call(fn: Any, path: str, root: str) -> bool:
    try:
        return bool(fn(path, root))
    except TypeError:  # W&B's older one-argument form
        return bool(fn(path))


def code_files(base: Path, include_fn: Any = None, exclude_fn: Any = None, skip: Any = None) -> list[Path]:
    """The files under `base` for `run.log_code()`: *.py by default; hidden folders, virtual
    environments, caches and the store's own root (`skip`) are not walked."""
    skip_dir = Path(skip).resolve() if skip else None
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _NOT_CODE_DIRS
                             and (here / d).resolve() != skip_dir and not (here / d / "pyvenv.cfg").exists())
        for f in sorted(filenames):
            p = here / f
            keep = _call(include_fn, str(p), str(base)) if include_fn else f.endswith(".py")
            if keep and not (exclude_fn and _call(exclude_fn, str(p), str(base))):
                out.append(p)
    return out
