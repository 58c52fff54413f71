"""W&B's run attributes and methods, mixed into `Run`: url, entity, group, job_type, path, display(),
define_metric, log_artifact/use_artifact/log_model/use_model, save, watch/unwatch, alert, link_*.

Kept apart from the run's lifecycle so `run.py` stays about logging and
flushing. The W&B-only facts (entity, group, job_type, metric definitions) are
recorded as one "wandb" event (payload {"entity", "group", "job_type",
"metrics": [...]}) so `Api()` and other readers see them; no view draws it.
It also brings nbmonitor's `should_stop` / `request_stop()` (`stopflag.py`), which W&B lacks.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import CloudOnlyError
from .stopflag import StopFlag

# pathlib is imported by the methods that use it: it loads urllib.parse and ipaddress (~5 ms of `import nbmonitor`)
if TYPE_CHECKING:
    from pathlib import Path

LOCAL_ENTITY = "local"


class WandbRunMixin(StopFlag):
    """Expects from the Run: the attributes and methods declared here. `should_stop`: see `StopFlag`."""

    id: str
    name: str
    project: str
    _store: Any
    _info: dict[str, Any]
    _metrics: Any

    if TYPE_CHECKING:
        @property
        def state(self) -> str: ...

        @property
        def step(self) -> int: ...

        def add_event(self, key: str, kind: str, payload: dict, files: dict | None = None) -> None: ...

        def panel(self, **options: Any) -> Any: ...

        def _mark_dirty(self) -> None: ...

    # -- identity -------------------------------------------------------------------
    @property
    def entity(self) -> str:
        return self._info.get("entity") or LOCAL_ENTITY

    @property
    def group(self) -> str | None:
        return self._info.get("group")

    @property
    def job_type(self) -> str | None:
        return self._info.get("job_type")

    @property
    def path(self) -> str:
        """W&B's "entity/project/run_id"."""
        return f"{self.entity}/{self.project}/{self.id}"

    @property
    def files_dir(self) -> Path:
        """The run's own folder for saved files: <root>/files/<run id> (made on first use)."""
        from pathlib import Path

        root = self._store.root
        if root is None:
            import tempfile

            root = Path(tempfile.gettempdir()) / "nbmonitor-memory-store"
        folder = Path(root) / "files" / self.id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def url(self) -> str | None:
        """A file:// URL of the run's folder (W&B offline has no web URL either)."""
        from pathlib import Path

        return None if self._store.root is None else (Path(self._store.root) / "files" / self.id).as_uri()

    def get_url(self) -> str | None:
        return self.url

    def get_project_url(self) -> str | None:
        from pathlib import Path

        return None if self._store.root is None else Path(self._store.root).as_uri()

    def project_name(self) -> str:
        return self.project

    @property
    def offline(self) -> bool:
        return True

    @property
    def disabled(self) -> bool:
        return False

    @property
    def sweep_id(self) -> None:
        return None

    @property
    def resumed(self) -> bool:
        return bool(self._info.get("resumed"))

    @property
    def settings(self) -> Any:
        return self._info.get("settings")

    def _record_info(self) -> None:
        """Write entity/group/job_type/metric definitions as a "wandb" event at the current step."""
        payload = {k: self._info.get(k) for k in ("entity", "group", "job_type")}
        payload["metrics"] = self._metrics.definitions()
        self.add_event("_wandb", "wandb", payload)

    # -- display ----------------------------------------------------------------------
    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show the run's live panel in the cell (W&B shows its iframe); False outside a notebook."""
        if hidden:
            return False
        return self.panel() is not None

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        from html import escape

        return f"<div>nbmonitor run <b>{escape(self.name)}</b> ({escape(self.project)}/{escape(self.id)})</div>"

    # -- metrics ----------------------------------------------------------------------
    def define_metric(self, name: str, step_metric: Any = None, step_sync: bool | None = None,
                      hidden: bool | None = None, summary: str | None = None, goal: str | None = None,
                      overwrite: bool | None = None, **kwargs: Any) -> Any:
        """W&B's define_metric: per-metric summary ("min", "max", "mean", "best", "last", "none"), x-axis, goal."""
        from .metrics import make_def

        if "objective" in kwargs and goal is None:
            goal = kwargs.pop("objective")
        d = make_def(name, step_metric, step_sync, hidden, summary, goal, overwrite, **kwargs)
        self._metrics.add(d)
        self._mark_dirty()
        self._record_info()
        return d

    # -- artifacts ----------------------------------------------------------------------
    def _artifacts_home(self) -> Path:
        from .artifact_store import artifacts_home

        return artifacts_home(self._store.root)

    def log_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,
                     aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
        """Store an Artifact (or a file/folder path) as the next version of its name; returns it."""
        from .artifact_store import artifact_from_path, commit
        from .artifacts import Artifact

        art = artifact_or_path if isinstance(artifact_or_path, Artifact) else artifact_from_path(
            artifact_or_path, name, type)
        if isinstance(aliases, str):
            aliases = [aliases]
        commit(art, self._artifacts_home(), self.id, aliases)
        return art

    def upsert_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,
                        aliases: list[str] | None = None, distributed_id: str | None = None) -> Any:
        return self.log_artifact(artifact_or_path, name, type, aliases)

    def finish_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,
                        aliases: list[str] | None = None, distributed_id: str | None = None) -> Any:
        return self.log_artifact(artifact_or_path, name, type, aliases)

    def use_artifact(self, artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                     use_as: str | None = None) -> Any:
        """A logged artifact version ("name", "name:v3", "name:latest", "name:alias"), marked as used by this run."""
        from .artifact_store import commit, fetch, mark_used
        from .artifacts import Artifact

        if isinstance(artifact_or_name, Artifact):
            art = artifact_or_name
            if art._version is None:
                commit(art, self._artifacts_home(), self.id, aliases)
        else:
            art = fetch(self._artifacts_home(), artifact_or_name, type)
        mark_used(art, self.id)
        return art

    def log_model(self, path: str | os.PathLike, name: str | None = None, aliases: list[str] | None = None) -> Any:
        """Log a model file or folder as an artifact of type "model" (default name run-<id>-<file name>)."""
        from pathlib import Path

        from .artifact_store import artifact_from_path

        base = Path(path).name
        art = artifact_from_path(path, name or f"run-{self.id}-{base}", "model")
        return self.log_artifact(art, aliases=aliases)

    def use_model(self, name: str) -> str:
        """Download a model artifact version and return the local path of its file (or folder)."""
        from pathlib import Path

        art = self.use_artifact(name)
        if art.type != "model":
            raise ValueError(f"use_model: artifact {art.name!r} has type {art.type!r}, not 'model'")
        folder = art.download()
        files = art.files()
        return str(Path(folder) / files[0].path) if len(files) == 1 else folder

    def link_model(self, *args: Any, **kwargs: Any) -> None:
        """W&B links to its model registry (a server); raises CloudOnlyError."""
        raise CloudOnlyError("run.link_model() needs W&B's cloud (a model registry), which nbmonitor does not use; "
                             "instead: log_model()/use_model() keep versions beside the store")

    def link_artifact(self, *args: Any, **kwargs: Any) -> None:
        """W&B links to a registry collection (a server); raises CloudOnlyError."""
        raise CloudOnlyError("run.link_artifact() needs W&B's cloud (a registry), which nbmonitor does not use; "
                             "instead: log_artifact()/use_artifact() keep versions beside the store")

    # -- files ----------------------------------------------------------------------------
    def save(self, glob_str: str | os.PathLike | None = None, base_path: str | os.PathLike | None = None,
             policy: str = "live") -> list[str]:
        """Copy the files matching `glob_str` into the run's folder (files_dir); returns the copies' paths."""
        from .artifact_store import save_files

        if glob_str is None:
            return []
        if policy not in ("live", "now", "end"):
            raise ValueError(f"save: policy must be 'live', 'now' or 'end', got {policy!r}")
        return save_files(glob_str, self.files_dir, base_path)

    def log_code(self, root: str | os.PathLike | None = ".", name: str | None = None, include_fn: Any = None,
                 exclude_fn: Any = None) -> Any:
        """The source files under `root` (default: *.py; `include_fn(path, root)` / `exclude_fn(path, root)`
        choose others) as a "code" artifact logged by this run; None when there are none (as W&B)."""
        from pathlib import Path

        from .artifact_store import code_files
        from .artifacts import Artifact

        base = Path(root or ".").resolve()
        files = code_files(base, include_fn, exclude_fn, skip=self._store.root)
        if not files:
            return None
        art = Artifact(name or f"source-{self.project}-{self.id}", type="code")
        for f in files:
            art.add_file(f, name=f.relative_to(base).as_posix())
        return self.log_artifact(art)

    def restore(self, name: str, run_path: str | None = None, replace: bool = False, root: str | None = None):
        """Open a file this run saved (W&B's restore, local only)."""
        from pathlib import Path

        src = self.files_dir / name
        if not src.is_file():
            return None
        dest = Path(root or ".") / name
        if not dest.exists() or replace:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes())
        return open(dest)

    # -- the module functions as methods -----------------------------------------------------
    def watch(self, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
              idx: int | None = None, log_graph: bool = False) -> None:
        from .watch import watch

        watch(models, criterion, log, log_freq, idx, log_graph)

    def unwatch(self, models: Any = None) -> None:
        from .watch import unwatch

        unwatch(models)

    def alert(self, title: str, text: str, level: Any = "WARN", wait_duration: Any = None) -> bool:
        from .alerts import alert_run

        return alert_run(self, title, text, level, wait_duration)

    def mark_preempting(self) -> None:
        """W&B marks the run for requeueing; locally nothing to do."""

    def status(self) -> dict:
        return {"state": self.state, "step": self.step}
