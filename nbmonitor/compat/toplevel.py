"""W&B's module-level functions that act on the current run: `define_metric`, `save`, `log_artifact`,
`use_artifact`, `log_model`, `use_model`, `restore`, `mark_preempting`; and `setup`/`teardown`.

Each asks `tracking.current` for the run (NotInitializedError before `init()`) and calls the
run's method of the same name (see `runext.WandbRunMixin`).
"""

from __future__ import annotations

from typing import Any


def _run() -> Any:
    from ..errors import NotInitializedError
    from ..tracking import current

    run = current.get()
    if run is None:
        raise NotInitializedError("no active run: call nbmonitor.init() first")
    return run


def define_metric(name: str, step_metric: Any = None, step_sync: bool | None = None, hidden: bool | None = None,
                  summary: str | None = None, goal: str | None = None, overwrite: bool | None = None,
                  **kwargs: Any) -> Any:
    """`run.define_metric` on the current run."""
    return _run().define_metric(name, step_metric, step_sync, hidden, summary, goal, overwrite, **kwargs)


def save(glob_str: Any = None, base_path: Any = None, policy: str = "live") -> list[str]:
    """Copy files matching `glob_str` into the current run's folder; returns the copies' paths."""
    return _run().save(glob_str, base_path, policy)


def log_artifact(artifact_or_path: Any, name: str | None = None, type: str | None = None,
                 aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
    """`run.log_artifact` on the current run."""
    return _run().log_artifact(artifact_or_path, name, type, aliases, tags)


def use_artifact(artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                 use_as: str | None = None) -> Any:
    """`run.use_artifact` on the current run."""
    return _run().use_artifact(artifact_or_name, type, aliases, use_as)


def log_model(path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
    """`run.log_model` on the current run."""
    return _run().log_model(path, name, aliases)


def use_model(name: str) -> str:
    """`run.use_model` on the current run."""
    return _run().use_model(name)


def restore(name: str, run_path: str | None = None, replace: bool = False, root: str | None = None) -> Any:
    """Open a file the current run saved (W&B restores from the cloud; here only local files)."""
    return _run().restore(name, run_path, replace, root)


def mark_preempting() -> None:
    """Nothing to do locally."""


def setup(settings: Any = None) -> None:
    """W&B's `setup()` prepares its service process; nbmonitor has none, so there is nothing to do."""
    return None


def teardown(exit_code: int | None = None) -> None:
    """W&B's `teardown()`: finish the current run (if any)."""
    from ..tracking import current

    run = current.get()
    if run is not None:
        current.set(None)
        run.finish(exit_code=exit_code)
