"""W&B's public surface that only `import nbmonitor as wandb` needs, above the run itself.

Owns: `login`/`Settings`/`term*`/`AlertLevel` (login.py), `Api()` over the
local store (public_api.py), `wandb.plot.*` custom charts (plot.py), init()'s
W&B keywords and `mode="disabled"` (runinit.py, disabled.py),
`sync_tensorboard` (tbsync.py), the module-level `define_metric`/`save`/
`log_artifact`... (toplevel.py), and the calls that need W&B's cloud, which
raise one clear error (cloud.py). What a Run itself does for W&B (artifacts,
define_metric, log of str/dict/arrays, Audio/Html/Video) lives in `tracking`.

May import: errors, store, tracking, sources. Never imports `wandb`.
"""
