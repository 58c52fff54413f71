"""Lightning -> nbmonitor: `lightning.Trainer(logger=NbmonitorLogger(project="mnist"))`.

A `lightning.pytorch.loggers.Logger`: `log_metrics(metrics, step)` logs at
Lightning's step (`trainer.global_step` and friends, as for W&B), so
`self.log("train_loss", ...)`, `self.log("val_loss", ...)` and Lightning's
own `epoch` key land in the run's history; `log_hyperparams` (what
`save_hyperparameters()` saves) fills the config; `finalize` finishes the run
at the end of `fit()`, and a later `trainer.test()`/`validate()` reopens it for
its own metrics. `experiment` is the nbmonitor `Run` (started on first use);
`watch(model)` records weight/gradient histograms. Everything runs on rank
zero only; the run id (`version`) is chosen up front so every rank agrees on
checkpoint paths.
"""

from __future__ import annotations

import os
import secrets
from argparse import Namespace
from typing import Any

from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
from lightning.pytorch.utilities import rank_zero_only

import nbmonitor

from ._session import Session, scalars


def _params_dict(params: dict[str, Any] | Namespace | None) -> dict[str, Any]:
    """Lightning's own conversion (Namespace -> dict, callables -> names), as its W&B logger does."""
    try:
        from lightning.fabric.utilities.logger import _convert_params, _sanitize_callable_params
    except ImportError:  # pragma: no cover - Lightning moved its helpers
        return dict(vars(params)) if isinstance(params, Namespace) else dict(params or {})
    return _sanitize_callable_params(_convert_params(params))


class NbmonitorLogger(Logger):
    """Lightning logger writing to an nbmonitor run.

    `project`, `name`, `dir` and any other keyword go to `nbmonitor.init()` (display,
    tags, notes, system_metrics, ...); `id` resumes a run (with `resume="allow"`). `prefix`
    is put before every metric key, joined with "-" as Lightning's loggers do.
    """

    LOGGER_JOIN_CHAR = "-"

    def __init__(self, project: str | None = None, name: str | None = None, dir: str | os.PathLike | None = None,
                 *, id: str | None = None, prefix: str = "", **init_kwargs: Any):
        super().__init__()
        self._project = project or os.environ.get("NBMONITOR_PROJECT") or "lightning_logs"
        self._run_name = name
        self._dir = dir
        self._id = id or secrets.token_hex(4)
        self._prefix = prefix
        self._session = Session(project=self._project, name=name, dir=dir, id=self._id, **init_kwargs)

    # -- what Lightning asks ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._project

    @property
    def version(self) -> str:
        return self._session.run.id if self._session.run is not None else self._id

    @property
    def save_dir(self) -> str | None:
        return None if self._dir is None else os.fspath(self._dir)

    @property
    def root_dir(self) -> str | None:
        return self.save_dir

    @property
    @rank_zero_experiment
    def experiment(self):
        """The nbmonitor `Run` (started on first use; on other ranks a do-nothing stand-in)."""
        if not self._session.active and self._session.run is None:
            self._session.start()
        return self._session.run

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        config = _params_dict(params)
        if self._session.run is None:
            self._session.start(config)
        elif self._session.active:
            self._session.run.config.update(config)

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        data = scalars(metrics)
        if self._prefix:
            data = {f"{self._prefix}{self.LOGGER_JOIN_CHAR}{k}": v for k, v in data.items()}
        if self._session.run is None:
            self._session.start()
        self._session.log(data, step=step)

    @rank_zero_only
    def save(self) -> None:
        if self._session.active:
            self._session.run.flush()

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """End of fit/test: finish the run (as failed unless `status` is "success"); yours stays open."""
        if self._session.active:
            self._session.finish(exit_code=0 if status == "success" else 1)

    @rank_zero_only
    def watch(self, model: Any, log: str | None = "gradients", log_freq: int = 100, log_graph: bool = True) -> None:
        """Weight and/or gradient histograms every `log_freq` steps (`nbmonitor.watch`)."""
        if self._session.run is None:
            self._session.start()
        nbmonitor.watch(model, log=log, log_freq=log_freq)

    @rank_zero_only
    def unwatch(self, model: Any) -> None:
        nbmonitor.unwatch(model)
