"""nbmonitor: a Jupyter-native training monitor. Live panels in the cell; no server, no account."""

from __future__ import annotations

from .api import compare, config, copy, finish, get_run, init, log, panel, runs, summary
from .compat.cloud import cloud_only as _cloud_only
from .compat.cloud import require
from .errors import (
    ActiveRunError,
    NbmonitorError,
    NbmonitorWarning,
    NotInitializedError,
    RunClosedError,
    RunNotFoundError,
    StoreError,
)
from .errors import NbmonitorError as Error
from .tracking.run import Run

sweep = _cloud_only("sweep")
agent = _cloud_only("agent")
controller = _cloud_only("controller")

__version__ = "0.1.0"


# Imported on first use, so `import nbmonitor` stays fast (name -> (module, attribute)).
_LAZY = {
    "plot": (".compat.plot", ""),  # `wandb.plot.*`: the module itself
    "Api": (".compat.public_api", "Api"),
    "SummaryWriter": (".tensorboard.writer", "SummaryWriter"),
    "Artifact": (".tracking.artifacts", "Artifact"),
    "Audio": (".tracking.richmedia", "Audio"),
    "Classes": (".tracking.richmedia", "Classes"),
    "Html": (".tracking.richmedia", "Html"),
    "Video": (".tracking.richmedia", "Video"),
    "Object3D": (".tracking.moremedia", "Object3D"),
    "Molecule": (".tracking.moremedia", "Molecule"),
    "Plotly": (".tracking.moremedia", "Plotly"),
    "plot_table": (".compat.plot", "plot_table"),
    "Histogram": (".tracking.media", "Histogram"),
    "Image": (".tracking.media", "Image"),
    "Table": (".tracking.media", "Table"),
    "alert": (".tracking.alerts", "alert"),
    "on_alert": (".tracking.alerts", "on_alert"),
    "watch": (".tracking.watch", "watch"),
    "unwatch": (".tracking.watch", "unwatch"),
    "AlertLevel": (".compat.login", "AlertLevel"),
    "Settings": (".compat.login", "Settings"),
    "login": (".compat.login", "login"),
    "termerror": (".compat.login", "termerror"),
    "termlog": (".compat.login", "termlog"),
    "termwarn": (".compat.login", "termwarn"),
    **{name: (".compat.toplevel", name) for name in (
        "define_metric", "log_artifact", "log_model", "mark_preempting", "restore", "save", "setup", "teardown",
        "use_artifact", "use_model")},
}


def __getattr__(name: str):
    # `nbmonitor.run` is the current run, as `wandb.run` is: None before init() and after finish().
    if name == "run":
        from .tracking import current

        return current.get()
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        loaded = importlib.import_module(module, __name__)
        value = getattr(loaded, attr) if attr else loaded
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nbmonitor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"run"})


__all__ = [
    "ActiveRunError",
    "AlertLevel",
    "Api",
    "Artifact",
    "Audio",
    "Classes",
    "Error",
    "Html",
    "Molecule",
    "Object3D",
    "Plotly",
    "Settings",
    "Video",
    "agent",
    "controller",
    "define_metric",
    "log_artifact",
    "log_model",
    "login",
    "mark_preempting",
    "plot_table",
    "require",
    "restore",
    "save",
    "setup",
    "teardown",
    "sweep",
    "termerror",
    "termlog",
    "termwarn",
    "use_artifact",
    "use_model",
    "Histogram",
    "Image",
    "NbmonitorError",
    "NbmonitorWarning",
    "NotInitializedError",
    "Run",
    "RunClosedError",
    "RunNotFoundError",
    "StoreError",
    "SummaryWriter",
    "Table",
    "__version__",
    "alert",
    "compare",
    "config",
    "copy",
    "finish",
    "get_run",
    "init",
    "log",
    "on_alert",
    "panel",
    "run",
    "runs",
    "summary",
    "unwatch",
    "watch",
]


def load_ipython_extension(ipython) -> None:
    """`%load_ext nbmonitor`: registers `%monitor` (imported only now, so `import nbmonitor` stays light)."""
    from .magic import load_ipython_extension as load

    load(ipython)
