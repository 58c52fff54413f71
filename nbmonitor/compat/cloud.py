"""W&B calls that need W&B's servers: each raises `CloudOnlyError` naming the local alternative.

`sweep`/`agent` (a later issue), `controller`, reports, teams, `launch`,
`restore` from the cloud, `link_model`/registries: nbmonitor has no server,
so pretending would lose data silently. One message shape for all of them.
"""

from __future__ import annotations

from typing import Any

from ..errors import CloudOnlyError

ALTERNATIVES = {
    "sweep": "loop over your configs and call nbmonitor.init(config=...) for each; nbmonitor.compare() ranks the runs",
    "agent": "loop over your configs and call nbmonitor.init(config=...) for each; nbmonitor.compare() ranks the runs",
    "controller": "loop over your configs in your own code; sweeps are not built yet",
    "restore": "open the file from the run's folder (run.dir) or use run.use_artifact(...)",
    "launch": "run your script yourself; nbmonitor records it with init()",
    "link_model": "use log_model()/use_model() (versions live beside the store)",
    "link_artifact": "use log_artifact()/use_artifact() (versions live beside the store)",
    "reports": "nbmonitor.compare() and the panel (%monitor) show runs side by side; save the notebook",
    "teams": "share the store folder, or point every process at one PostgreSQL URL",
    "require": None,
}


def cloud_only(name: str) -> Any:
    """A function standing in for W&B's `name` that raises CloudOnlyError when called."""

    def _unavailable(*args: Any, **kwargs: Any) -> Any:
        raise CloudOnlyError(_message(name))

    _unavailable.__name__ = name
    _unavailable.__qualname__ = name
    _unavailable.__doc__ = f"Not available: W&B's `{name}` needs W&B's servers. {_message(name)}"
    return _unavailable


def _message(name: str) -> str:
    alt = ALTERNATIVES.get(name)
    base = f"wandb.{name}() needs W&B's cloud, which nbmonitor does not use (everything is local)"
    return f"{base}; instead: {alt}" if alt else base


def require(*requirements: Any, **kwargs: Any) -> None:
    """W&B's `wandb.require("service")` and friends: nothing to switch on locally, so a no-op."""
