"""`from nbmonitor.keras import WandbCallback` for code written against `wandb.keras` / `wandb.integration.keras`.

`NbmonitorCallback` (= `WandbMetricsLogger`) and the legacy-style `WandbCallback`
live in `nbmonitor.integrations.keras`; importing this module imports Keras.
"""

from __future__ import annotations

from .integrations.keras import NbmonitorCallback, WandbCallback, WandbMetricsLogger

__all__ = ["NbmonitorCallback", "WandbCallback", "WandbMetricsLogger"]
