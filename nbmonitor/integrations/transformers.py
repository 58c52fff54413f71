"""Hugging Face `Trainer` -> nbmonitor: `Trainer(..., callbacks=[NbmonitorCallback()])`.

Logs what transformers' own W&B callback logs: each `on_log` dict with HF's
key rewriting (`loss` -> `train/loss`, `eval_loss` -> `eval/loss`, `test_*` ->
`test/*`) at step `state.global_step`; the end-of-training figures
(`train_runtime`, `train_loss`, `total_flos`, ...) go to the summary; the
config is the model's config, then `TrainingArguments.to_dict()` over it, plus
`model/num_parameters`. The run starts at `on_train_begin` (project
$NBMONITOR_PROJECT, else "huggingface"; name `args.run_name`) and finishes at
`on_train_end`, only on the main process (`state.is_world_process_zero`). An
open run of yours (`nbmonitor.init()` before `train()`) is used and left open.

`report_to="nbmonitor"`: transformers has no API for a third party to add a
`report_to` name, but `Trainer` looks names up in the module-level dict
`transformers.integrations.integration_utils.INTEGRATION_TO_CALLBACK` when it
is built, so importing this module adds "nbmonitor" to it:

    import nbmonitor.integrations.transformers  # noqa: F401  (registers report_to="nbmonitor")
    Trainer(model, TrainingArguments(..., report_to="nbmonitor"), ...)

(`report_to="all"` does not include it: that list is fixed inside transformers.)
"""

from __future__ import annotations

import logging
import os
from typing import Any

from transformers import TrainerCallback

import nbmonitor

from ._session import Session, scalars

log = logging.getLogger("nbmonitor.integrations")

DEFAULT_PROJECT = "huggingface"
# what HF's W&B callback puts in the summary rather than the history
SUMMARY_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos")


def rewrite_logs(logs: dict[str, Any]) -> dict[str, Any]:
    """transformers' key naming for trackers: `eval_x` -> `eval/x`, `test_x` -> `test/x`, else `train/x`."""
    out = {}
    for k, v in logs.items():
        if k.startswith("eval_"):
            out["eval/" + k[5:]] = v
        elif k.startswith("test_"):
            out["test/" + k[5:]] = v
        else:
            out["train/" + k] = v
    return out


class NbmonitorCallback(TrainerCallback):
    """A `TrainerCallback` recording the Trainer's logs, config and summary into an nbmonitor run.

    Keyword arguments go to `nbmonitor.init()` when the callback starts the run
    (`project`, `name`, `dir`, `tags`, `display`, `system_metrics`, ...). `watch`
    ("gradients", "parameters", "all") calls `nbmonitor.watch(model, ...)` at
    `log_freq` (default: max(100, logging_steps)).
    """

    def __init__(self, *, watch: str | None = None, log_freq: int | None = None, **init_kwargs: Any):
        self._session = Session(**init_kwargs)
        self._watch = watch
        self._log_freq = log_freq

    @property
    def run(self):
        """The nbmonitor run this callback logs to (None before training starts)."""
        return self._session.run

    def setup(self, args, state, model=None) -> None:
        if not state.is_world_process_zero:
            return
        config: dict[str, Any] = {}
        model_config = getattr(model, "config", None)
        if model_config is not None:
            config.update(model_config if isinstance(model_config, dict) else model_config.to_dict())
        config.update(args.to_dict())
        num_parameters = getattr(model, "num_parameters", None)
        if callable(num_parameters):
            config["model/num_parameters"] = num_parameters()
        name = state.trial_name or args.run_name
        if name is not None and name == args.output_dir:
            name = None
        project = os.environ.get("NBMONITOR_PROJECT") or DEFAULT_PROJECT
        self._session.start(config, project=project, name=name)
        if self._watch and model is not None:
            nbmonitor.watch(model, log=self._watch, log_freq=self._log_freq or max(100, args.logging_steps or 0))

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if state.is_hyper_param_search and self._session.active:  # a new trial: a new run
            self._session.finish()
            self._session = Session(**self._session.init_kwargs)
        if not self._session.active:
            self.setup(args, state, model)

    def on_log(self, args, state, control, logs=None, model=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if self._session.run is None:
            self.setup(args, state, model)
        summary = {k: v for k, v in logs.items() if k in SUMMARY_KEYS}
        history = rewrite_logs(scalars({k: v for k, v in logs.items() if k not in SUMMARY_KEYS}))
        self._session.log(history, step=state.global_step)
        self._session.set_summary(scalars(summary))

    def on_predict(self, args, state, control, metrics=None, **kwargs):
        if state.is_world_process_zero and metrics:
            if self._session.run is None:
                self.setup(args, state, kwargs.get("model"))
            self._session.log(rewrite_logs(scalars(metrics)), step=state.global_step)

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self._session.finish()


def register() -> None:
    """Make `TrainingArguments(report_to="nbmonitor")` pick `NbmonitorCallback` (done on import)."""
    try:
        from transformers.integrations import integration_utils
    except ImportError:  # pragma: no cover - a transformers without the module
        log.debug("nbmonitor: transformers has no integration_utils; report_to='nbmonitor' unavailable")
        return
    table = getattr(integration_utils, "INTEGRATION_TO_CALLBACK", None)
    if isinstance(table, dict):
        table.setdefault("nbmonitor", NbmonitorCallback)


register()
