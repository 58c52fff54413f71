"""`init(mode="disabled")`: a run whose calls do nothing (W&B's usual switch for tests and CI).

Config and summary still work as plain dict-likes, so code reading them keeps
running; `log`, `watch`, `alert`, `log_artifact`... return at once and write
nothing; any other W&B method answers with a no-op, as W&B's disabled run does.
"""

from __future__ import annotations

from typing import Any

from ..tracking.dictlike import Config


class _NoOp:
    def __call__(self, *args: Any, **kwargs: Any) -> _NoOp:
        return self

    def __getattr__(self, name: str) -> _NoOp:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<nbmonitor disabled>"


class DisabledRun:
    """What `init(mode="disabled")` returns: same surface as a Run, nothing recorded."""

    disabled = True
    offline = False
    url = None
    sweep_id = None
    entity = "local"
    resumed = False
    state = "disabled"
    finished = False
    should_stop = False  # as a Run's: nothing asks a disabled run to stop

    def request_stop(self) -> None:
        self.should_stop = True

    def __init__(self, project: str, name: str, run_id: str, config: dict, group: str | None = None,
                 job_type: str | None = None, notes: str | None = None, tags: Any = ()):
        self.project = project
        self.name = name
        self.id = run_id
        self.group = group
        self.job_type = job_type
        self.notes = notes
        self.tags = tuple(tags or ())
        self.config = Config(config)
        self.summary: dict = {}
        self.step = 0
        self.dir = None

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.project}/{self.id}"

    def log(self, data: Any = None, step: int | None = None, commit: bool | None = None, **kwargs: Any) -> None:
        return None

    def finish(self, exit_code: int | None = None, quiet: bool | None = None, **kwargs: Any) -> None:
        return None

    def define_metric(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def log_artifact(self, artifact: Any, *args: Any, **kwargs: Any) -> Any:
        return artifact

    def save(self, *args: Any, **kwargs: Any) -> list:
        return []

    def alert(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def watch(self, *args: Any, **kwargs: Any) -> None:
        return None

    def history(self, *args: Any, **kwargs: Any):
        import pandas as pd

        return pd.DataFrame()

    def display(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def panel(self, **options: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NoOp()

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __repr__(self) -> str:
        return f"<Run {self.project}/{self.name} (disabled)>"
