"""Integrations: nbmonitor in the training loops people don't write by hand.

Owns: one module per framework, each importing its framework only when it is
itself imported (this package's `__init__` imports none):

- `nbmonitor.integrations.transformers`: `NbmonitorCallback`, a Hugging Face
  `TrainerCallback` (importing it also makes `report_to="nbmonitor"` work);
- `nbmonitor.integrations.lightning`: `NbmonitorLogger`, a Lightning `Logger`;
- `nbmonitor.integrations.keras`: `NbmonitorCallback` for Keras 3 (any backend),
  also importable as `nbmonitor.keras.WandbMetricsLogger` / `WandbCallback`;
- `nbmonitor.integrations.accelerate`: `NbmonitorTracker`, an Accelerate
  `GeneralTracker` for `Accelerator(log_with=...)`.

Each uses only nbmonitor's public API (`init`, `run`, `Run.log`, `config`,
`summary`, `watch`, `finish`); `_session` holds what they share: starting a
run or joining the one already open, and reopening it when the framework logs
after it finished it (an evaluation after training). May import: nbmonitor's
public API, the frameworks (lazily).
"""
