"""`wandb.Api()` over the local store: `runs("project")`, `run("project/id")`, `artifact("name:v0")`.

Paths are W&B's "entity/project/run_id" or "project/run_id" (the entity is
ignored: there is one local "entity"). An `ApiRun` reads the stored run:
`history()` (a DataFrame with scalar columns and, as W&B, media columns whose
cells are dicts with a `_type`; strings logged as text come back as strings),
`scan_history()` (one dict per step), `summary`, `config`, `files()` (what
`save()` copied into the run's folder), `logged_artifacts()`/`used_artifacts()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CloudOnlyError, RunNotFoundError
from ..store import SYSTEM_PREFIX


def _source(root: Any):
    from ..sources import open_source

    return open_source(root)


class ApiFile:
    """A file the run saved (W&B's `public.File`): `name`, `size`, `download(root)`."""

    def __init__(self, path: Path, folder: Path):
        self._path = path
        self.name = path.relative_to(folder).as_posix()
        self.size = path.stat().st_size

    def download(self, root: str | os.PathLike = ".", replace: bool = False, exist_ok: bool = False) -> Any:
        dest = Path(root) / self.name
        if dest.exists() and not (replace or exist_ok):
            raise ValueError(f"{dest} exists; pass replace=True to overwrite it")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(self._path.read_bytes())
        return open(dest)  # W&B returns an open file

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.size} bytes)>"


class ApiRun:
    """A stored run, read through `Api()` (W&B's `public.Run`)."""

    def __init__(self, source: Any, record: Any, root: Path | None):
        self._source = source
        self._record = record
        self._root = root
        self.id = record.id
        self.name = record.name
        self.display_name = record.name
        self.project = record.project
        self.entity = "local"
        self.state = record.state
        self.tags = list(record.tags)
        self.notes = record.notes
        self.config = dict(record.config)
        self.summary = dict(record.summary)
        self.created_at = record.created
        self.path = ["local", record.project, record.id]
        self.url = _run_url(root, record.id)

    def _media_columns(self, keys: list[str] | None) -> dict[str, dict[int, Any]]:
        cols: dict[str, dict[int, Any]] = {}
        for ev in self._source.read_events(self.id, 0):
            if ev.kind in ("alert", "wandb") or (keys is not None and ev.key not in keys):
                continue
            if ev.kind == "text" and ev.payload.get("_logged_str"):
                value: Any = ev.payload.get("text")
            else:
                value = {"_type": ev.kind, **{k: v for k, v in ev.payload.items() if k != "_files"}}
            cols.setdefault(ev.key, {})[int(ev.step)] = value
        return cols

    def history(self, samples: int = 500, keys: list[str] | None = None, x_axis: str = "_step",
                pandas: bool = True, stream: str = "default"):
        """One row per step: `_step`, `_timestamp`, scalar and media columns (up to `samples` rows, evenly picked)."""
        rows = list(self._rows(keys, stream=stream))
        if samples and len(rows) > samples:
            idx = sorted({round(i * (len(rows) - 1) / (samples - 1)) for i in range(samples)})
            rows = [rows[i] for i in idx]
        if not pandas:
            return rows
        import pandas as pd

        return pd.DataFrame(rows)

    def scan_history(self, keys: list[str] | None = None, page_size: int = 1000, min_step: int | None = None,
                     max_step: int | None = None) -> Iterator[dict]:
        """Every step's row as a dict (`_step`, `_timestamp`, the keys logged at that step)."""
        return self._rows(keys, min_step, max_step)

    def _rows(self, keys: list[str] | None = None, min_step: int | None = None, max_step: int | None = None,
              stream: str = "default") -> Iterator[dict]:
        """Rows of the training steps; `stream="system"` (W&B: "events") gives the system metrics instead."""
        system = stream in ("system", "events")
        series = {k: ch for k, ch in self._source.read_series(self.id, keys).items()
                  if k.startswith(SYSTEM_PREFIX) == system}
        if system:
            keys = list(series) if keys is None else keys
        by_step: dict[int, dict] = {}
        for k, ch in series.items():
            for s, v, t in zip(ch.steps.tolist(), ch.values.tolist(), ch.times.tolist()):
                row = by_step.setdefault(s, {"_step": s})
                row[k] = v
                row["_timestamp"] = max(row.get("_timestamp", 0.0), t)
        for k, values in self._media_columns(keys).items():
            for s, v in values.items():
                by_step.setdefault(s, {"_step": s})[k] = v
        step_metric = None if system else self._step_metrics()
        last: dict[str, Any] = {}
        for s in sorted(by_step):
            row = by_step[s]
            if step_metric is not None:  # W&B's step_sync: a row gets its metrics' x value if it lacks it
                for k in [k for k in row if not k.startswith("_")]:
                    m = step_metric(k)
                    if m is not None and m not in row and m in last and (keys is None or m in keys):
                        row[m] = last[m]
                last.update((k, v) for k, v in row.items() if not k.startswith("_"))
            if (min_step is not None and s < min_step) or (max_step is not None and s >= max_step):
                continue
            if keys is not None and not any(k in row for k in keys):
                continue
            yield row

    def _step_metrics(self):
        """`key -> its step metric or None` from the run's define_metric definitions (None when it has none)."""
        from ..tracking.metrics import MetricDef, MetricDefs

        events = [e for e in self._source.read_events(self.id, 0, ["wandb"]) if e.kind == "wandb"]
        defs = (events[-1].payload.get("metrics") or []) if events else []
        if not any(isinstance(d, dict) and d.get("step_metric") for d in defs):
            return None
        table = MetricDefs()
        for d in defs:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                table.add(MetricDef(d["name"], d.get("step_metric")))

        def step_metric(key: str) -> str | None:
            m = table.step_metric(key)
            return m if m != key else None

        return step_metric

    def files(self, names: list[str] | None = None) -> list[ApiFile]:
        if self._root is None:
            return []
        folder = self._root / "files" / self.id
        if not folder.is_dir():
            return []
        out = [ApiFile(p, folder) for p in sorted(folder.rglob("*")) if p.is_file()]
        return [f for f in out if names is None or f.name in names]

    def file(self, name: str) -> ApiFile:
        for f in self.files():
            if f.name == name:
                return f
        raise RunNotFoundError(f"run {self.id} saved no file {name!r}")

    def logged_artifacts(self) -> list:
        from ..tracking.artifact_store import artifacts_home, list_artifacts

        return [a for a in list_artifacts(artifacts_home(self._root)) if a.logged_by() == self.id]

    def used_artifacts(self) -> list:
        from ..tracking.artifact_store import artifacts_home, list_artifacts

        return [a for a in list_artifacts(artifacts_home(self._root)) if self.id in a.used_by()]

    def update(self) -> None:
        """Store this run's changed `config`, `summary`, `tags`, `notes` and `name` (W&B's `Run.update()`)."""
        stores = [getattr(s, "store", None) for s in [self._source, *getattr(self._source, "sources", [])]]
        store = next((st for st in stores if st is not None and st.get_run(self.id) is not None), None)
        if store is None:
            raise CloudOnlyError(f"run {self.id} is read from files nbmonitor does not write (TensorBoard); "
                                 "it cannot be updated")
        store.update_run(self.id, config=dict(self.config), summary=dict(self.summary), tags=list(self.tags),
                         notes=self.notes, name=self.name)

    def __repr__(self) -> str:
        return f"<Run local/{self.project}/{self.id} ({self.state})>"


def _run_url(root: Path | None, run_id: str) -> str | None:
    return None if root is None else (root / "files" / run_id).as_uri()


class Api:
    """W&B's public API, reading the local store (`Api(overrides={"root": folder})`, default as `init()`)."""

    def __init__(self, overrides: dict | None = None, timeout: int | None = None, api_key: str | None = None,
                 root: str | os.PathLike | None = None):
        from ..store import resolve_root

        overrides = dict(overrides or {})
        target = root or overrides.get("root") or overrides.get("dir")
        self._target = target
        where = resolve_root(target) if target is None or "://" not in str(target) else None
        self._root = where if isinstance(where, Path) else None  # $NBMONITOR_DIR may be a postgresql:// URL
        self.default_entity = "local"
        self.settings = {"entity": "local", "project": overrides.get("project"), "base_url": None}

    @property
    def _src(self):
        return _source(self._target)

    def _project(self, path: str | None) -> str | None:
        if not path:
            return self.settings.get("project")
        return str(path).strip("/").split("/")[-1]

    def runs(self, path: str | None = None, filters: dict | None = None, order: str = "-created_at",
             per_page: int = 50, include_sweeps: bool = True) -> list[ApiRun]:
        """The runs of a project ("project" or "entity/project"), newest first; `filters` on config/summary equality."""
        project = self._project(path)
        src = self._src
        out = [ApiRun(src, r, self._root) for r in src.list_runs(project)]
        for k, want in (filters or {}).items():
            field, _, key = k.partition(".")
            if field in ("config", "summary") and key and not isinstance(want, dict):
                out = [r for r in out if getattr(r, field).get(key) == want]
            elif field in ("state", "name", "display_name") and not isinstance(want, dict):
                out = [r for r in out if getattr(r, field) == want]
        out.sort(key=lambda r: r.created_at, reverse=order.startswith("-"))
        return out

    def run(self, path: str) -> ApiRun:
        """One run: "project/run_id", "entity/project/run_id" or "run_id" (a name works too)."""
        parts = str(path).strip("/").split("/")
        run_id = parts[-1]
        project = parts[-2] if len(parts) >= 2 else None
        src = self._src
        found = src.find_runs(run_id, project)
        if not found:
            where = f" in project {project!r}" if project else ""
            raise RunNotFoundError(f"Api().run: no run with id or name {run_id!r}{where}")
        states = {r.id: r.state for r in src.list_runs(found[0].project)}
        record = found[0]
        record.state = states.get(record.id, record.state)
        return ApiRun(src, record, self._root)

    def projects(self, entity: str | None = None) -> list[str]:
        return sorted({r.project for r in self._src.list_runs(None)})

    def artifact(self, name: str, type: str | None = None):
        from ..tracking.artifact_store import artifacts_home, fetch

        return fetch(artifacts_home(self._root), name, type)

    def artifacts(self, type_name: str, name: str, per_page: int = 50) -> list:
        from ..tracking.artifact_store import artifacts_home, list_artifacts, parse_ref

        base, _ = parse_ref(name)
        return [a for a in list_artifacts(artifacts_home(self._root), type_name) if a.name.split(":")[0] == base]

    def artifact_exists(self, name: str, type: str | None = None) -> bool:
        from ..errors import ArtifactNotFoundError

        try:
            self.artifact(name, type)
            return True
        except ArtifactNotFoundError:
            return False

    def flush(self) -> None:
        """W&B caches API reads; nbmonitor reads the store each time."""
