"""A stored run opened for reading: `nbmonitor.get_run(...)`."""

from __future__ import annotations

from ..store import RunRecord
from ..tracking.dictlike import Config
from .base import Source


class RunView:
    """Config, summary and history of a run in a store or a TensorBoard logdir (read-only)."""

    def __init__(self, source: Source, record: RunRecord):
        self._source = source
        self._record = record
        self.id = record.id
        self.name = record.name
        self.project = record.project
        self.state = record.state
        self.created = record.created
        self.notes = record.notes
        self.tags = tuple(record.tags)
        self.config = Config(record.config)
        self.summary = dict(record.summary)

    def keys(self) -> list[str]:
        return list(self._source.keys(self.id))

    def history(self, keys: list[str] | None = None, stream: str = "default"):
        """One row per step: `_step`, `_timestamp`, one column per key (pandas DataFrame).

        `stream="system"` gives the system metrics (`_step` = seconds since the run started).
        """
        from ..output.frames import history_frame, select_stream

        return history_frame(select_stream(self._source.read_series(self.id, keys), stream, keys))

    def events(self, kinds: list[str] | None = None):
        """Images, tables, histograms, alerts... recorded for this run, in order."""
        return self._source.read_events(self.id, 0, kinds)

    def report(self):
        """The end-of-run block (history sparklines + summary) of this run."""
        from ..output.report import RunReport

        return RunReport.from_series(self._record, self._source.read_series(self.id), self.summary)

    def _repr_mimebundle_(self, **kwargs):
        report = self.report()
        return {"text/plain": str(report), "text/html": report._repr_html_()}

    def __repr__(self) -> str:
        return f"<RunView {self.project}/{self.name} ({self.state})>"
