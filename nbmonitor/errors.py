"""Every exception and warning nbmonitor raises, in one place.

    NbmonitorError (Exception)
    ├── NotInitializedError (NbmonitorError, RuntimeError)   log() before init()
    ├── RunClosedError (NbmonitorError, RuntimeError)        log() on a finished run
    ├── RunNotFoundError (NbmonitorError, LookupError)       get_run() found nothing
    └── StoreError (NbmonitorError)                          the store cannot be opened
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


class StoreError(NbmonitorError):
    """The store cannot be opened or written."""


class NbmonitorWarning(UserWarning):
    """Something was ignored or read only partly; nothing logged before is lost."""
