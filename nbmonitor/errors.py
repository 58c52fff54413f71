"""Every exception and warning nbmonitor raises, in one place.

    NbmonitorError (Exception)
    ├── NotInitializedError (NbmonitorError, RuntimeError)   log() before init()
    ├── RunClosedError (NbmonitorError, RuntimeError)        log() on a finished run
    ├── RunNotFoundError (NbmonitorError, LookupError)       get_run() found nothing
    ├── ActiveRunError (NbmonitorError, RuntimeError)        resuming a run another process writes
    ├── StoreError (NbmonitorError)                          the store cannot be opened
    ├── CloudOnlyError (NbmonitorError, NotImplementedError) a W&B call that needs W&B's servers
    ├── ArtifactNotFoundError (NbmonitorError, LookupError)  use_artifact() found no such version
    ├── ArtifactFinalizedError (NbmonitorError, AttributeError)  a logged artifact's files changed
    └── ConfigValueChangeError (NbmonitorError, ValueError)  config changed without allow_val_change
    NbmonitorWarning (UserWarning)                           data ignored, file damaged
"""

from __future__ import annotations


class NbmonitorError(Exception):
    """Base class of nbmonitor's own errors."""


class NotInitializedError(NbmonitorError, RuntimeError):
    """A run API was used before `nbmonitor.init()`."""


class RunClosedError(NbmonitorError, RuntimeError):
    """The run has finished; it takes no more data."""


class RunNotFoundError(NbmonitorError, LookupError):
    """No run with that name or id in the store."""


class ActiveRunError(NbmonitorError, RuntimeError):
    """init(id=..., resume=...) of a run that a live process is still writing."""


class StoreError(NbmonitorError):
    """The store cannot be opened or written."""


class CloudOnlyError(NbmonitorError, NotImplementedError):
    """A W&B call that needs W&B's servers (sweeps, reports, teams); the message names the local way."""


class ArtifactNotFoundError(NbmonitorError, LookupError):
    """No artifact (or no such version or alias) beside the store."""


class ArtifactFinalizedError(NbmonitorError, AttributeError):
    """A logged artifact's files were changed (W&B's ArtifactFinalizedError is an AttributeError too)."""


class ConfigValueChangeError(NbmonitorError, ValueError):
    """A set config value was changed without `allow_val_change=True` (as W&B refuses it)."""


class NbmonitorWarning(UserWarning):
    """Something was ignored or read only partly; nothing logged before is lost."""
