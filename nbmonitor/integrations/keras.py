"""Keras 3 (any backend) -> nbmonitor: `model.fit(..., callbacks=[NbmonitorCallback()])`.

`NbmonitorCallback` logs like W&B's `WandbMetricsLogger`: at each epoch's end
`epoch/<metric>` (validation metrics as `epoch/val_<metric>`),
`epoch/epoch` and `epoch/learning_rate`; with `log_freq="batch"` or an int N,
also `batch/<metric>` (Keras' running means over the epoch so far),
`batch/batch_step` and `batch/learning_rate` every N batches. The step is the
number of batches trained so far (epoch metrics at their epoch's last batch);
with the default `log_freq="epoch"` it is the epoch index. Keras' `params`
(epochs, steps) plus the optimizer and parameter count are the config.

`WandbCallback` (importable as `nbmonitor.keras.WandbCallback`) logs the way
the legacy `wandb.keras.WandbCallback` does: each epoch's logs under their own
names (`loss`, `val_loss`, ...) plus `epoch`, one step per epoch. Its W&B-only
options (model saving, gradient/weight logging, validation images) are
accepted and ignored. The run starts at `on_train_begin` and finishes at
`on_train_end`; a run you opened yourself is used and left open.
"""

from __future__ import annotations

from typing import Any

import keras

from ._session import Session, scalars


def _learning_rate(model) -> float | None:
    opt = getattr(model, "optimizer", None)
    lr = getattr(opt, "learning_rate", None)
    if lr is None:
        return None
    try:
        return float(keras.ops.convert_to_numpy(lr))
    except Exception:  # a schedule object some backends do not evaluate here
        return None


class NbmonitorCallback(keras.callbacks.Callback):
    """Epoch (and, with `log_freq`, batch) metrics of `model.fit` into an nbmonitor run.

    `log_freq`: "epoch" (default), "batch" (every batch) or an int (every N batches).
    Other keywords go to `nbmonitor.init()` (project, name, dir, config, display, ...).
    """

    def __init__(self, log_freq: str | int = "epoch", initial_global_step: int = 0, **init_kwargs: Any):
        super().__init__()
        if log_freq == "batch":
            log_freq = 1
        if log_freq != "epoch" and not (isinstance(log_freq, int) and log_freq > 0):
            raise ValueError(f"NbmonitorCallback: log_freq must be 'epoch', 'batch' or a positive int, got {log_freq!r}")
        self.log_freq = log_freq
        self.global_batch = initial_global_step
        self._session = Session(**init_kwargs)

    @property
    def run(self):
        """The nbmonitor run this callback logs to (None before `fit` starts)."""
        return self._session.run

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {k: v for k, v in (self.params or {}).items() if k != "verbose"}
        model = self.model
        if model is not None:
            try:
                config["model/num_parameters"] = int(model.count_params())
            except Exception:  # an unbuilt model
                pass
            opt = getattr(model, "optimizer", None)
            if opt is not None:
                config["optimizer"] = type(opt).__name__
            lr = _learning_rate(model)
            if lr is not None:
                config["learning_rate"] = lr
        return config

    def on_train_begin(self, logs=None):
        self._session.start(self._config(), project="keras")

    def on_train_batch_end(self, batch, logs=None):
        self.global_batch += 1
        if self.log_freq == "epoch" or self.global_batch % self.log_freq:
            return
        data = {f"batch/{k}": v for k, v in scalars(logs or {}).items()}
        data["batch/batch_step"] = self.global_batch
        lr = _learning_rate(self.model)
        if lr is not None:
            data["batch/learning_rate"] = lr
        self._session.log(data, step=self.global_batch)

    def on_epoch_end(self, epoch, logs=None):
        data = {f"epoch/{k}": v for k, v in scalars(logs or {}).items()}
        data["epoch/epoch"] = epoch
        lr = _learning_rate(self.model)
        if lr is not None:
            data["epoch/learning_rate"] = lr
        self._session.log(data, step=epoch if self.log_freq == "epoch" else self.global_batch)

    def on_train_end(self, logs=None):
        self._session.finish()


class WandbCallback(NbmonitorCallback):
    """Drop-in for the legacy `wandb.keras.WandbCallback`: epoch logs under their own names, a step per epoch."""

    def __init__(self, monitor: str = "val_loss", verbose: int = 0, mode: str = "auto", save_weights_only: bool = False,
                 log_weights: bool = False, log_gradients: bool = False, save_model: bool = True,
                 training_data: Any = None, validation_data: Any = None, labels: Any = None,
                 predictions: int = 36, generator: Any = None, input_type: Any = None, output_type: Any = None,
                 log_evaluation: bool = False, validation_steps: Any = None, class_colors: Any = None,
                 log_batch_frequency: int | None = None, log_best_prefix: str = "best_",
                 save_graph: bool = True, validation_indexes: Any = None, validation_row_processor: Any = None,
                 prediction_row_processor: Any = None, infer_missing_processors: bool = True,
                 log_evaluation_frequency: int = 0, compute_flops: bool = False, **init_kwargs: Any):
        super().__init__(log_freq="epoch", **init_kwargs)
        self.monitor = monitor
        self.mode = mode
        self.log_best_prefix = log_best_prefix
        self.log_batch_frequency = log_batch_frequency
        self._best: float | None = None

    def _improved(self, value: float) -> bool:
        if self._best is None:
            return True
        if self.mode == "max" or (self.mode == "auto" and ("acc" in self.monitor or "auc" in self.monitor)):
            return value > self._best
        return value < self._best

    def on_train_batch_end(self, batch, logs=None):
        self.global_batch += 1
        if self.log_batch_frequency and self.global_batch % self.log_batch_frequency == 0:
            self._session.log(scalars(logs or {}), step=None)

    def on_epoch_end(self, epoch, logs=None):
        data = dict(scalars(logs or {}))
        data["epoch"] = epoch
        self._session.log(data, step=None)  # W&B's own counter: one step per epoch
        value = data.get(self.monitor)
        if value is not None and self._improved(float(value)):
            self._best = float(value)
            self._session.set_summary({f"{self.log_best_prefix}{self.monitor}": self._best, "best_epoch": epoch})


WandbMetricsLogger = NbmonitorCallback
