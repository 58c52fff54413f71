"""`init()`'s W&B keywords: mode, settings, reinit, config filters, and what a new run gets set up with.

`resolve` reads `mode`/`settings`/$WANDB_MODE/$WANDB_PROJECT into an
`InitOptions`; `setup` gives a fresh run its entity/group/job_type, turns on
`sync_tensorboard`, copies the script for `save_code`, and applies
`allow_val_change`. Kept here so `api.init` stays short.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import Any

MODES = ("online", "offline", "disabled", "dryrun", "run", "shared")
REINIT = (None, True, False, "default", "return_previous", "finish_previous", "create_new")


@dataclasses.dataclass
class InitOptions:
    mode: str
    dir: Any
    project: str | None
    return_previous: bool
    quiet: bool | None


def resolve(*, settings: Any, mode: str | None, dir: Any, project: str | None, reinit: Any,
            resume_from: Any, fork_from: Any) -> InitOptions:
    if resume_from is not None or fork_from is not None:
        from .cloud import cloud_only

        cloud_only("resume_from" if resume_from is not None else "fork_from")()
    if settings is not None and isinstance(settings, dict):
        from .login import Settings

        settings = Settings(**settings)
    get = (lambda k: getattr(settings, k, None)) if settings is not None else (lambda k: None)
    mode = mode or get("mode") or os.environ.get("WANDB_MODE") or "online"
    if mode not in MODES:
        raise ValueError(f"nbmonitor.init: mode must be 'online', 'offline' or 'disabled', got {mode!r}")
    if get("disabled") is True:
        mode = "disabled"
    if reinit not in REINIT:
        raise ValueError(f"nbmonitor.init: reinit must be a bool, 'return_previous', 'finish_previous' or "
                         f"'create_new', got {reinit!r}")
    quiet = True if (get("silent") or get("quiet")) else None
    return InitOptions(
        mode="disabled" if mode == "disabled" else "offline",
        dir=dir if dir is not None else (get("root_dir") or get("dir")),
        project=project or get("project") or os.environ.get("WANDB_PROJECT") or None,
        return_previous=reinit == "return_previous",
        quiet=quiet,
    )


def config_dict(config: Any, include: Any, exclude: Any) -> dict | None:
    """A plain dict of `config` (dict, Namespace, any object with __dict__), filtered by the key lists."""
    if config is None:
        return None
    from ..tracking.dictlike import as_plain_dict

    if isinstance(config, str):
        raise TypeError("nbmonitor.init: config must be a dict-like or an object with attributes, got a string "
                        "(W&B reads a YAML file name here; load it and pass the dict)")
    cfg = dict(as_plain_dict(config))
    if include:
        cfg = {k: v for k, v in cfg.items() if k in include}
    if exclude:
        cfg = {k: v for k, v in cfg.items() if k not in exclude}
    return cfg


def disabled_run(project: str, name: str | None, run_id: str | None, config: dict | None, group: Any,
                 job_type: Any, notes: Any, tags: Any):
    from ..tracking.names import random_id
    from .disabled import DisabledRun

    return DisabledRun(project, name or "disabled", run_id or random_id(), config or {}, group, job_type, notes,
                       tags)


def setup(run: Any, opts: InitOptions, *, entity: Any, group: Any, job_type: Any, save_code: Any,
          sync_tensorboard: Any, allow_val_change: Any, resumed: bool) -> None:
    for label, value in (("entity", entity), ("group", group), ("job_type", job_type)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"nbmonitor.init: {label} must be a string, got {type(value).__name__}")
    run._info.update(entity=entity, group=group, job_type=job_type, quiet=opts.quiet, resumed=resumed,
                     mode=opts.mode)
    from .. import _env

    # W&B lets a Jupyter kernel change config values freely unless told otherwise (a script may not)
    free = bool(allow_val_change) or (allow_val_change is None and _env.in_notebook())
    object.__setattr__(run.config, "_allow_val_change", free)
    if entity or group or job_type:
        run._record_info()
    if sync_tensorboard:
        from . import tbsync

        if tbsync.patch(run):
            run.on_finish(tbsync.unpatch)
    if save_code:
        main = getattr(sys.modules.get("__main__"), "__file__", None)
        if main and os.path.isfile(main):
            run.save(main, base_path=os.path.dirname(main))
