"""`TensorBoardSource`: a folder of TensorBoard event files behind the `Source` protocol.

Each call polls the logdir through `logdir.LogdirReader` (only bytes appended
since the last poll are read; a poll with nothing new costs a `stat` per file of
the runs written in the last half minute and of a few idle ones, the tree is
walked for new runs about once a second) and keeps what was read in memory:

- runs are the folders holding event files, named by their path relative to the
  logdir ("." for the logdir itself), as TensorBoard names them; the project is
  the logdir's name; the id is a short hash of the name (stable across restarts);
  the state is the truth a logdir can tell: "active" while its files grow, "idle" once
  they have not for a while (`idle_after`: 3 x the writer's flush interval guessed from
  the cadence of its events' wall times - a torch writer flushes every 10 events or 120 s
  - at least `MIN_IDLE_S`, at most `running_window`); a logdir never says a run finished;
  the record's `updated` is the last event's wall time, `heartbeat` the files' mtime;
- scalars become per-tag series read by point index (cursors never skip or
  repeat a point; points are kept in file order, as TensorBoard shows them);
- histograms, images, text, PR curves and hparams become events in the
  payloads of `nbmonitor.ui.views` (seq = order of arrival); memory stays bounded:
  of each tag only the latest `max_events_per_key` are kept (TensorBoard's own
  server keeps a sample of 500 histograms and 10 images a tag);
- a model graph (`add_graph`'s GraphDef) becomes a "graph" event, key "graph",
  its payload the module tree of `_tb_payloads.graph_tree`;
- embeddings (`add_embedding` writes them beside the event files, as the
  projector plugin reads them: `projector_config.pbtxt` naming `tensors.tsv`,
  `metadata.tsv`, `sprite.png`) become "embedding" events, key the tag, payload
  and files as `_tb_payloads.projector_embeddings` makes them, wall time the
  tensors file's mtime. A poll costs a `stat` of each run's config; when it
  changed, it is parsed and only entries not seen before are read.

Graphs and embeddings carry the same keys, steps and payloads as the live
`WriterSource` gives them (except the graph's parameter counts, which the
GraphDef does not hold), so a panel looks the same before and after a restart.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..store import Chunk, Event, RunRecord
from ..store.memrun import MemoryRun
from ..store.payloads import histogram_payload
from .payloads import projector_entry

RUNNING_WINDOW_S = 120.0  # torch's SummaryWriter flushes every 120 s by default (or every 10 events)
MIN_IDLE_S = 15.0  # a run whose files did not grow for this long may be idle (if its cadence says so)
FLUSH_EVERY_EVENTS = 10  # torch's and TF's writers: max_queue=10
ACTIVE = "active"  # files grew recently: a writer may still add to them
IDLE = "idle"  # files did not grow for longer than the writer's flush interval
POLL_INTERVAL_S = 0.05  # calls closer together than this share one poll
MAX_EVENTS_PER_KEY = 1000  # memory bound: older histograms/images of a tag are dropped (None: keep all)


def tb_run_id(name: str) -> str:
    """A stable id for a run folder: passes `store.check_run_id`."""
    return "tb-" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


class _Run(MemoryRun):
    """A run folder: its points and events in memory, plus what only a logdir has."""

    def __init__(self, record: RunRecord, folder: Path, cap: int | None):
        super().__init__(record, cap)
        self.folder = folder
        self.hparams: list[Event] = []
        self.embeddings: set[tuple[str, str]] = set()  # (tensor_name, tensor_path) read
        self.walls: np.ndarray = np.zeros(0)  # the latest distinct scalar wall times (the writer's cadence)

    def note_walls(self, times: np.ndarray) -> None:
        self.walls = np.unique(np.concatenate([self.walls, np.asarray(times, np.float64)]))[-64:]

    def cadence(self) -> float | None:
        """The median time between its scalar events (None before two)."""
        gaps = np.diff(self.walls)
        gaps = gaps[gaps > 0]
        return float(np.median(gaps)) if len(gaps) else None


class TensorBoardSource:
    """Runs, scalars and media of a TensorBoard logdir, read incrementally as it grows."""

    def __init__(self, logdir: str | os.PathLike, *, running_window: float = RUNNING_WINDOW_S,
                 poll_interval: float = POLL_INTERVAL_S, max_events_per_key: int | None = MAX_EVENTS_PER_KEY):
        from .logdir import LogdirReader

        self.root = Path(logdir).expanduser().resolve()
        self.project = self.root.name or str(self.root)
        self.running_window = running_window
        self.poll_interval = poll_interval
        self.max_events_per_key = max_events_per_key
        self._reader = LogdirReader(self.root)
        self._runs: dict[str, _Run] = {}  # by id
        self._by_name: dict[str, str] = {}  # name -> id
        self._projector_stat: dict[str, tuple[int, int]] = {}  # run name -> config (mtime_ns, size)
        self._lock = threading.RLock()
        self._last_poll = -float("inf")

    # -- reading the files -------------------------------------------------------
    def refresh(self, force: bool = True, discover: bool | None = None) -> None:
        """Read what was appended since the last poll (skipped if one ran < poll_interval ago).

        The tree is walked for new runs when `force` or `discover` is true (listing
        runs does so), else at most once a `LogdirReader.discover_interval`: reading
        a run's new points costs a `stat` per known file, however big the logdir.
        """
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last_poll < self.poll_interval:
                return
            self._last_poll = now
            walked = self._reader.discovered_at
            for name, data in self._reader.poll(discover=True if force or discover else None).items():
                self._ingest(self._run(name), data)
            if self._reader.discovered_at != walked:  # embeddings are looked for when the tree is walked:
                # in folders listed again (new or changed entries) and where a config was read before
                runs = set(self._reader.runs())
                for name in {*(n for n in self._reader.relisted if n in runs), *self._projector_stat}:
                    self._projector(name)

    def _run(self, name: str) -> _Run:
        run_id = self._by_name.get(name)
        if run_id is not None:
            return self._runs[run_id]
        run_id = tb_run_id(name)
        record = RunRecord(id=run_id, project=self.project, name=name, state=ACTIVE,
                           created=0.0, updated=0.0, heartbeat=0.0)
        run = self._runs[run_id] = _Run(record, self.root / name, self.max_events_per_key)
        self._by_name[name] = run_id
        return run

    def _ingest(self, run: _Run, data: Any) -> None:
        rec = run.record
        first, last = [], []
        for tag, (steps, values, times) in data.scalars.items():
            if not len(steps):
                continue
            run.add_points(tag, steps, values, times)
            run.note_walls(times)
            rec.summary[tag] = float(values[-1])
            first.append(float(times.min()))
            last.append(float(times.max()))
        new: list[tuple[float, int, str, str, dict, dict]] = []
        for tag, items in data.histograms.items():
            for h in items:
                new.append((h["wall_time"], h["step"], tag, "histogram", tb_histogram_payload(h), {}))
        for tag, items in data.images.items():
            for im in items:
                payload = {"caption": None, "width": int(im["width"]), "height": int(im["height"]),
                           "format": im.get("format", "png")}
                new.append((im["wall_time"], im["step"], tag, "image", payload, {"image.png": im["png"]}))
        for tag, items in data.text.items():
            for t in items:
                new.append((t["wall_time"], t["step"], tag, "text", {"text": t["text"]}, {}))
        for tag, items in data.tensors.items():
            for t in items:
                ev = tensor_event(t["plugin"], t["array"])
                if ev is not None:
                    new.append((t["wall_time"], t["step"], tag, ev[0], ev[1], ev[2]))
        for g in data.graphs:
            tree = _graph_tree(g["graph_def"])
            if tree is not None:
                new.append((g["wall_time"], g["step"], "graph", "graph", {"tree": tree}, {}))
        for tag, items in data.plugin_data.items():
            for p in items:
                if p["plugin"] == "hparams":
                    hp = _hparams(p["content"])
                    if hp is not None:
                        rec.config.update(hp)
                        new.append((p["wall_time"], p["step"], tag, "hparams", {"hparams": hp, "metrics": {}}, {}))
        self._add_events(run, new, first, last)
        for hp_event in run.hparams:  # hparams metrics: the run's latest scalars
            hp_event.payload["metrics"] = {k: v for k, v in rec.summary.items() if not isinstance(v, dict)}

    def _add_events(self, run: _Run, new: list, first: list | None = None, last: list | None = None) -> None:
        """Append (wall, step, key, kind, payload, files) tuples as events, in time order."""
        first, last = list(first or []), list(last or [])
        rec = run.record
        if new:
            new.sort(key=lambda e: (e[0], e[1]))
            for wall, step, tag, kind, payload, files in new:
                ev = run.add_event(tag, step, wall, kind, payload, files)
                if kind == "hparams":
                    run.hparams.append(ev)
                rec.summary.setdefault(tag, {"_type": kind})
            first.append(new[0][0])
            last.append(new[-1][0])
        if first:
            rec.created = min(first) if not rec.created else min(rec.created, min(first))
            rec.updated = max(rec.updated, max(last))

    def _projector(self, name: str) -> None:
        """New embeddings of run `name`'s projector_config.pbtxt (if it changed since the last poll)."""
        try:
            st = os.stat(os.path.join(self.root, name, PROJECTOR_CONFIG))
        except OSError:
            return
        folder = self.root / name
        stamp = (st.st_mtime_ns, st.st_size)
        if self._projector_stat.get(name) == stamp:
            return
        entries = _projector_config(folder)
        if entries is None:  # not parseable (being written?): tried again at the next walk
            self._projector_stat[name] = (-1, -1)
            return
        self._projector_stat[name] = stamp
        run = self._runs.get(self._by_name.get(name, ""))
        new = []
        for e in entries:
            ident = (e.tensor_name, e.tensor_path)
            if run is not None and ident in run.embeddings:
                continue
            try:
                tag, step, payload, files, wall = projector_entry(folder, e)
            except (OSError, ValueError, UnicodeDecodeError):
                continue  # files missing or unreadable: tried again when the config changes
            if run is None:
                run = self._run(name)
            run.embeddings.add(ident)
            new.append((wall, step, tag, "embedding", payload, files))
        if run is not None and new:
            self._add_events(run, new)

    def _state(self, run: _Run, now: float) -> tuple[str, float]:
        mtime = 0.0
        try:
            with os.scandir(run.folder) as it:
                for entry in it:
                    if "tfevents" in entry.name and entry.is_file():
                        mtime = max(mtime, entry.stat().st_mtime)
        except OSError:
            pass
        state = ACTIVE if now - mtime < self.idle_after(run) else IDLE
        return state, mtime

    def idle_after(self, run: _Run) -> float:
        """Seconds without growth after which the run is idle: 3 x its writer's guessed flush interval."""
        cadence = run.cadence()
        if cadence is None:
            return self.running_window
        return min(self.running_window, max(MIN_IDLE_S, 3 * FLUSH_EVERY_EVENTS * cadence))

    # -- the Source protocol -----------------------------------------------------
    def list_runs(self, project: str | None = None) -> list[RunRecord]:
        self.refresh(force=False, discover=True)
        if project is not None and project != self.project:
            return []
        now = time.time()
        out = []
        with self._lock:
            for run in sorted(self._runs.values(), key=lambda r: r.record.name):
                rec = run.record
                rec.state, rec.heartbeat = self._state(run, now)
                rec.created = rec.created or rec.heartbeat
                rec.updated = max(rec.updated, rec.created)
                out.append(rec.copy())
        return out

    def find_runs(self, name_or_id: str, project: str | None = None) -> list[RunRecord]:
        return [r for r in self.list_runs(project) if name_or_id in (r.name, r.id)]

    def keys(self, run_id: str) -> dict[str, int]:
        self.refresh(force=False)
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else run.keys()

    def read_series(
        self, run_id: str, keys: Iterable[str] | None = None, since: dict[str, int] | None = None
    ) -> dict[str, Chunk]:
        self.refresh(force=False)
        with self._lock:
            run = self._runs.get(run_id)
            return {} if run is None else run.read_series(keys, since)

    def read_events(self, run_id: str, since: int = 0, kinds: Iterable[str] | None = None) -> list[Event]:
        self.refresh(force=False)
        with self._lock:
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events(since, kinds)

    def read_events_at(self, run_id: str, key: str, step: int, last_step: int | None = None,
                       kinds: Iterable[str] | None = None) -> list[Event]:
        with self._lock:  # events the view saw already: no poll of the logdir
            run = self._runs.get(run_id)
            return [] if run is None else run.read_events_at(key, step, last_step, kinds)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<TensorBoardSource {str(self.root)!r}>"



# -- TensorBoard records -> nbmonitor event payloads -------------------------------
def tb_histogram_payload(h: dict) -> dict:
    """A TensorBoard histogram as edges + counts, the way TensorBoard itself converts it.

    `bucket_limits[i]` is bucket i's right edge; empty buckets at both ends are
    dropped, and the outer edges become the data's min and max (TensorBoard's
    `data_compat._migrate_histogram_value`): no ±DBL_MAX edges, no backwards bucket.
    """
    limits = np.asarray(h["bucket_limits"], np.float64)
    counts = np.asarray(h["bucket_counts"], np.float64)
    nz = np.flatnonzero(counts > 0)
    edges: list[float] = []
    kept: list[float] = []
    if len(nz):
        start, end = int(nz[0]), int(nz[-1])
        kept = counts[start:end + 1].tolist()
        edges = [float(h["min"])] + limits[start:end].tolist() + [float(h["max"])]
    return histogram_payload(edges, kept, h["min"], h["max"], h["num"], h["sum"])


def _histogram_v2(array: np.ndarray) -> dict | None:
    """A TF2 `histograms` tensor: k x 3 rows of (left, right, count)."""
    a = np.asarray(array, np.float64)
    if a.ndim != 2 or a.shape[1] != 3:
        return None
    if not len(a):
        return histogram_payload([], [], 0.0, 0.0, 0.0, 0.0)
    centers = (a[:, 0] + a[:, 1]) / 2
    return histogram_payload(a[:, 0].tolist() + [float(a[-1, 1])], a[:, 2], a[0, 0], a[-1, 1], a[:, 2].sum(),
                             (centers * a[:, 2]).sum())


def pr_curve_payload(array: np.ndarray) -> dict | None:
    """A `pr_curves` tensor: 6 x N rows tp, fp, tn, fn, precision, recall (TensorBoard's layout).

    Thresholds are linspace(0, 1, N); like TensorBoard, the tail where tp + fp = 0
    (precision undefined) is trimmed.
    """
    a = np.asarray(array, np.float64)
    if a.ndim != 2 or a.shape[0] != 6:
        return None
    n = a.shape[1]
    positives = a[0] + a[1]
    end = n
    while end > 1 and positives[end - 1] == 0:
        end -= 1
    thresholds = np.linspace(0.0, 1.0, n)[:end]
    return {"precision": a[4, :end].tolist(), "recall": a[5, :end].tolist(),
            "thresholds": thresholds.tolist(), "tp": a[0, :end].tolist(), "fp": a[1, :end].tolist(),
            "tn": a[2, :end].tolist(), "fn": a[3, :end].tolist()}


def tensor_event(plugin: str, array: np.ndarray) -> tuple[str, dict, dict] | None:
    """(kind, payload, files) for a tensor summary nbmonitor can show, else None."""
    if plugin == "pr_curves":
        payload = pr_curve_payload(array)
        return None if payload is None else ("pr_curve", payload, {})
    if plugin == "histograms":
        payload = _histogram_v2(array)
        return None if payload is None else ("histogram", payload, {})
    if plugin == "images":  # TF2: [width, height, image, image...] as strings
        flat = np.asarray(array, object).reshape(-1)
        if len(flat) < 3:
            return None
        try:
            w, h = int(flat[0]), int(flat[1])
        except (TypeError, ValueError):
            return None
        from .events import _image_format

        png = bytes(flat[2])
        return ("image", {"caption": None, "width": w, "height": h, "format": _image_format(png)},
                {"image.png": png})
    if plugin == "text":
        flat = np.asarray(array, object).reshape(-1)
        text = "\n".join(s.decode("utf-8", "replace") if isinstance(s, bytes) else str(s) for s in flat)
        return ("text", {"text": text}, {})
    return None


PROJECTOR_CONFIG = "projector_config.pbtxt"


def _graph_tree(graph_def: bytes) -> dict | None:
    """The module tree of a serialized GraphDef (None if it does not parse)."""
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from .payloads import graph_tree

    gd = GraphDef()
    try:
        gd.ParseFromString(graph_def)
    except DecodeError:
        return None
    return graph_tree(gd)


def _projector_config(folder: Path) -> list | None:
    """The embedding entries of a folder's projector_config.pbtxt (None if unreadable)."""
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    try:
        with open(folder / PROJECTOR_CONFIG, encoding="utf-8") as f:
            return list(text_format.Parse(f.read(), ProjectorConfig()).embeddings)
    except (OSError, UnicodeDecodeError, text_format.ParseError):
        return None


def _hparams(content: bytes) -> dict | None:
    """The hparams of a `session_start_info` record (None for the experiment/end records)."""
    try:
        from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    except ImportError:  # pragma: no cover - tensorboard is there if we parsed events
        return None
    data = HParamsPluginData()
    try:
        data.ParseFromString(content)
    except Exception:
        return None
    if data.WhichOneof("data") != "session_start_info":
        return None
    out: dict[str, Any] = {}
    for name, value in data.session_start_info.hparams.items():
        kind = value.WhichOneof("kind")
        if kind == "number_value":
            out[name] = value.number_value
        elif kind == "string_value":
            out[name] = value.string_value
        elif kind == "bool_value":
            out[name] = value.bool_value
    return out
