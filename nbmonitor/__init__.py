"""nbmonitor: a Jupyter-native training monitor."""

from __future__ import annotations

from .errors import NbmonitorError, NbmonitorWarning

__version__ = "0.1.0"
