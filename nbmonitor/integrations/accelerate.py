"""Accelerate -> nbmonitor: `Accelerator(log_with=NbmonitorTracker(project="demo"))`.

An Accelerate `GeneralTracker`: `accelerator.init_trackers(project_name,
config=...)` starts the run (Accelerate hands a custom tracker no project name:
give `project=` here, else $NBMONITOR_PROJECT, else "accelerate") with the
config; `accelerator.log(values, step=...)` logs (numbers only; a step is
Accelerate's, or the run's own counter when None); `accelerator.end_training()`
finishes it. All of it on the main process only (`main_process_only = True`,
checked by Accelerate's `on_main_process`). `accelerator.get_tracker("nbmonitor")`
gives this tracker; its `tracker` is the nbmonitor `Run`. (A string
`log_with="nbmonitor"` is not possible: Accelerate accepts only its own names
or tracker objects.)
"""

from __future__ import annotations

import os
from typing import Any

from accelerate.tracking import GeneralTracker, on_main_process

from ._session import Session, scalars


class NbmonitorTracker(GeneralTracker):
    """Accelerate tracker writing to an nbmonitor run; keywords go to `nbmonitor.init()`."""

    name = "nbmonitor"
    requires_logging_directory = False
    main_process_only = True

    def __init__(self, project: str | None = None, run_name: str | None = None, **init_kwargs: Any):
        super().__init__()
        project = project or os.environ.get("NBMONITOR_PROJECT") or "accelerate"
        self._session = Session(project=project, name=init_kwargs.pop("name", run_name), **init_kwargs)

    @on_main_process
    def start(self) -> None:
        self._session.start()

    @property
    def tracker(self):
        """The nbmonitor `Run` (None on other processes and before `init_trackers`)."""
        return self._session.run

    @on_main_process
    def store_init_configuration(self, values: dict) -> None:
        if self._session.run is None:
            self._session.start()
        if self._session.active:
            self._session.run.config.update(dict(values))

    @on_main_process
    def log(self, values: dict, step: int | None = None, **kwargs: Any) -> None:
        self._session.log(scalars(values), step=step)

    @on_main_process
    def finish(self) -> None:
        self._session.finish()
