"""The module-level API: `init`, `log`, `finish`, `config`, `summary`, `runs`, `get_run`.

The current run lives here, in one place; everything else asks `current()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _display
from ._env import env_flag, in_notebook
from .errors import ActiveRunError, NotInitializedError, RunNotFoundError
from .store import Store, check_run_id, is_system_key, open_store

if TYPE_CHECKING:
    from .sources import Source
from .tracking import current as _current
from .tracking import flusher
from .tracking.distributed import check_mode, rank_info, rank_run_name
from .tracking.names import random_id, random_name
from .tracking.run import Run, new_record

ENV_PROJECT = "NBMONITOR_PROJECT"
ENV_DISPLAY = "NBMONITOR_DISPLAY"
ENV_SYSTEM_METRICS = "NBMONITOR_SYSTEM_METRICS"
DEFAULT_PROJECT = "uncategorized"

_last_project: tuple[str, Any] | None = None  # (project, store) of the most recent init()


def current() -> Run:
    run = _current.get()
    if run is None:
        raise NotInitializedError("no active run: call nbmonitor.init() first")
    return run


def init(
    project: str | None = None,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    dir: str | os.PathLike | None = None,
    notes: str | None = None,
    tags: list[str] | None = None,
    id: str | None = None,
    resume: bool | str | None = None,
    *,
    total_steps: int | None = None,
    display: bool | None = None,
    store: Store | None = None,
    entity: str | None = None,
    job_type: str | None = None,
    group: str | None = None,
    mode: str | None = None,
    settings: Any = None,
    reinit: bool | str | None = None,
    save_code: bool | None = None,
    sync_tensorboard: bool | None = None,
    tensorboard: bool | None = None,
    anonymous: str | None = None,
    allow_val_change: bool | None = None,
    config_exclude_keys: list[str] | None = None,
    config_include_keys: list[str] | None = None,
    magic: Any = None,
    monitor_gym: bool | None = None,
    force: bool | None = None,
    resume_from: str | None = None,
    fork_from: str | None = None,
    system_metrics: bool | None = None,
    system_metrics_interval: float = 1.0,
    distributed: str | bool | None = None,
) -> Run:
    """Start a run (finishing the previous one of this process first) and return it.

    `dir` is the store's root folder (default $NBMONITOR_DIR, else ./nbmonitor-runs);
    `resume` is "allow", "must", "never" or a bool (with `id`); `total_steps`
    gives the panel a progress bar; `display=False` (or NBMONITOR_DISPLAY=0)
    keeps the live panel from appearing; `store` writes to a Store of your own.

    W&B's keywords: `entity`, `group`, `job_type` (kept on the run);
    `mode` ("online"/"offline" both local, "disabled" -> a run whose calls do
    nothing; default $WANDB_MODE); `settings=Settings(...)`; `reinit`
    ("return_previous" returns the open run, anything else finishes it);
    `save_code` (copies the script being run into the run's files);
    `sync_tensorboard` (torch SummaryWriter calls recorded into the run);
    `allow_val_change`; `config_exclude_keys`/`config_include_keys`;
    `anonymous`, `magic`, `monitor_gym`, `force` (accepted, no effect locally).
    `config` may be a dict, an argparse Namespace or any object with `__dict__`.
    `system_metrics=False` (or NBMONITOR_SYSTEM_METRICS=0) turns off the machine's metrics
    (`system/*`: CPU, memory, I/O, GPUs), sampled every `system_metrics_interval` seconds on
    their own step axis (seconds since the start), so `run.step` and `history()` never see them.
    Under torchrun/SLURM (WORLD_SIZE > 1) `distributed` is "rank0" (default: only rank 0
    records; the other ranks get a disabled run), "all" (each rank records `<name>/rank<k>`, with `perf/step_time`,
    in `group`) or "none" (ranks ignored); see `nbmonitor.tracking.distributed`.
    """
    global _last_project
    from .compat import runinit

    opts = runinit.resolve(settings=settings, mode=mode, dir=dir, project=project, reinit=reinit,
                           resume_from=resume_from, fork_from=fork_from)
    dir, project = opts.dir, opts.project
    previous = _current.get()
    if opts.return_previous and previous is not None:
        return previous
    if previous is not None:
        previous.finish()
    project = project or os.environ.get(ENV_PROJECT) or DEFAULT_PROJECT
    config = runinit.config_dict(config, config_include_keys, config_exclude_keys)
    ranks, dist_mode = rank_info(), check_mode(distributed)
    if ranks is not None and dist_mode == "all":
        name, group = rank_run_name(ranks, name, group)
        config = {**dict(config or {}), "distributed": ranks.as_config()}
    if opts.mode == "disabled" or (ranks is not None and dist_mode == "rank0" and ranks.rank != 0):
        disabled = runinit.disabled_run(project, name, id, config, group, job_type, notes, tags)
        _current.set(disabled)
        return disabled
    for label, value in (("project", project), ("name", name), ("notes", notes)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"nbmonitor.init: {label} must be a string, got {type(value).__name__}")
    if total_steps is not None and (not isinstance(total_steps, int) or total_steps <= 0):
        raise ValueError(f"nbmonitor.init: total_steps must be a positive int, got {total_steps!r}")
    if not isinstance(system_metrics_interval, (int, float)) or not system_metrics_interval > 0:
        raise ValueError(f"nbmonitor.init: system_metrics_interval must be > 0 seconds, got {system_metrics_interval!r}")
    if resume not in (None, True, False, "allow", "must", "never"):
        raise ValueError(f"nbmonitor.init: resume must be 'allow', 'must', 'never' or a bool, got {resume!r}")
    store = store if store is not None else open_store(dir)
    existing = store.get_run(check_run_id(id)) if id is not None else None
    if resume == "must" and existing is None:
        raise RunNotFoundError(f"nbmonitor.init(resume='must'): no run with id {id!r} to resume")
    if existing is not None and resume in (None, False, "never"):
        raise ValueError(f"nbmonitor.init: a run with id {id!r} exists; pass resume='allow' to continue it")

    if existing is not None:
        _refuse_live(existing)
        run = _resume(store, existing, config, total_steps)
    else:
        run_id = id or random_id()
        if name is None:
            name = random_name(len(store.list_runs(project)) + 1)
        cfg = dict(config) if config is not None else {}
        record = new_record(project, name, run_id, {}, notes, tags, total_steps)
        record.group = group if isinstance(group, str) else None
        run = Run(store, record)
        run.config.update(cfg)  # validates keys
        store.create_run(record)
        run.flush()
    runinit.setup(run, opts, entity=entity, group=group, job_type=job_type, save_code=save_code,
                  sync_tensorboard=sync_tensorboard or tensorboard, allow_val_change=allow_val_change,
                  resumed=existing is not None)
    if ranks is not None and dist_mode == "all":
        run.time_steps()  # perf/step_time per rank: the panel's straggler flag
    flusher.register(run)
    _current.set(run)
    if system_metrics is None:
        system_metrics = env_flag(ENV_SYSTEM_METRICS)
    if system_metrics is None or system_metrics:
        run.start_system_metrics(system_metrics_interval)
    _last_project = (run.project, store)
    if display is None:
        display = env_flag(ENV_DISPLAY)
        display = True if display is None else display
    if display and in_notebook():
        _display_panel(run)
    return run


def _refuse_live(record) -> None:
    """Two writers of one run would lose points: refuse a run another live process is writing."""
    import socket
    import time

    from .store.liveness import STALE_AFTER_S, effective_state

    if record.state != "running" or effective_state(record) != "running":
        return
    if record.host == socket.gethostname() and record.pid == os.getpid():
        live = [r for r in flusher.live_runs() if r.id == record.id]
        if not live:  # this process's run, finished or forgotten: its writer is gone
            return
        raise ActiveRunError(f"nbmonitor.init: run {record.id!r} is still open in this process; "
                             "finish it first (nbmonitor.finish())")
    age = time.time() - (record.heartbeat or record.updated or 0)
    raise ActiveRunError(
        f"nbmonitor.init: run {record.id!r} is being written by another process (pid {record.pid} on "
        f"{record.host!r}, last heartbeat {age:.0f} s ago); resuming it there would mix two writers. "
        f"Stop that process, or wait {STALE_AFTER_S:.0f} s after it stopped writing."
    )


def _resume(store: Store, record, config, total_steps) -> Run:
    series = store.read_series(record.id)
    counts = {k: ch.start + len(ch) for k, ch in series.items()}
    last_step = max((int(ch.steps.max()) for k, ch in series.items() if len(ch) and not is_system_key(k)),
                    default=-1)
    system_step = max((int(ch.steps.max()) for k, ch in series.items() if len(ch) and is_system_key(k)), default=-1)
    events = store.read_events(record.id)
    if total_steps is not None:
        record.total_steps = total_steps
    record.state = "running"
    run = Run(store, record, start_step=last_step + 1, counts=counts, event_count=len(events), system_step=system_step,
              last={k: float(ch.values[-1]) for k, ch in series.items() if len(ch) and not is_system_key(k)})
    for k, v in record.summary.items():
        if k not in run.summary:  # a logged key keeps its last logged value
            run.summary[k] = v
    if config:
        run.config.update(dict(config))
    import socket
    import time

    now = time.time()
    record.pid, record.host, record.heartbeat, record.updated = os.getpid(), socket.gethostname(), now, now
    store.update_run(record.id, state="running", total_steps=record.total_steps, pid=record.pid,
                     host=record.host, heartbeat=now, updated=now)
    return run


def _display_panel(run: Run) -> None:
    _show_run_panel(run)


def _show_run_panel(run: Run, **options: Any):
    """`_display`'s run panel: the panel of `run`'s project (None outside a notebook)."""
    from .ui.autopanel import show_live_panel

    return show_live_panel(run, **options)


def _show_source_panel(source: Any, **options: Any):
    """`_display`'s source panel: a shown `Panel` over `source` (None outside a notebook)."""
    if not in_notebook():
        return None
    from .ui.panel import Panel

    return Panel(source, **options).show()


_display.register(_show_run_panel, _show_source_panel)


def panel(project: str | None = None, dir: str | os.PathLike | None = None, **options: Any):
    """Display a live panel in the cell: the current run's project, else `project` in `dir`.

    Returns the `Panel` (None outside a notebook). Options: runs, keys, smoothing, height
    (see `nbmonitor.ui.panel.Panel`).
    """
    run = _current.get()
    if run is not None and project is None and dir is None:
        return run.panel(**options)
    if not in_notebook():
        return None
    from .sources import open_source
    from .ui.panel import Panel

    source: Source
    if dir is None and _last_project is not None:
        from .sources import LiveSource

        last, store = _last_project
        source, project = LiveSource(store), project or last
    else:
        source = open_source(dir)
    options.setdefault("static_when_idle", True)  # a saved notebook keeps its static view (ui/idle.py)
    return Panel(source, project=project, **options).show()


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
    """Log a dict of scalars (or media) to the current run. See `Run.log`."""
    run = _current.get()
    if run is None:
        raise NotInitializedError("nbmonitor.log() called before nbmonitor.init()")
    run.log(data, step, commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run: write everything, show the end-of-run block."""
    run = _current.get()
    if run is None:
        return
    _current.set(None)
    run.finish(exit_code=exit_code, quiet=quiet)


def last_project() -> tuple[str, Any] | None:
    """(project, store) of the most recent `init()` in this process, for `%monitor`."""
    return _last_project


def runs(project: str | None = None, dir: str | os.PathLike | None = None):
    """A pandas DataFrame of runs: name, id, project, state, created, config and summary columns."""
    from .output.frames import runs_frame
    from .sources import open_source

    return runs_frame(open_source(dir).list_runs(project))


def compare(project: str | None = None, dir: str | os.PathLike | None = None, keys: list[str] | None = None):
    """The runs of a project side by side: config, summary, a sparkline per run, sortable.

    Without `project` and `dir`, the project of the most recent `init()`. A widget in a
    notebook, with static HTML and text for saved notebooks.
    """
    from .sources import open_source
    from .ui.compare import compare_widget

    if project is None and dir is None and _last_project is not None:
        project = _last_project[0]
    return compare_widget(open_source(dir), project, keys)


def copy(src: str | os.PathLike, dst: str | os.PathLike, project: str | None = None) -> int:
    """Copy the runs (series, media, state) of one store into another; returns how many.

    `src` and `dst` are root folders or `postgresql://` URLs: a SQLite root into
    PostgreSQL and back. Copying again fills in what is new and duplicates nothing.
    """
    from .store.transfer import copy_runs

    return len(copy_runs(src, dst, project))


def get_run(name_or_id: str, project: str | None = None, dir: str | os.PathLike | None = None):
    """Open a stored run (this or another process's, or a TensorBoard run folder) for reading."""
    from .sources import open_source
    from .sources.run_view import RunView

    source = open_source(dir)
    found = source.find_runs(name_or_id, project)
    if not found:
        where = f" in project {project!r}" if project else ""
        raise RunNotFoundError(f"no run named or with id {name_or_id!r}{where}")
    record = found[0]
    states = {r.id: r.state for r in source.list_runs(record.project)}
    record.state = states.get(record.id, record.state)
    return RunView(source, record)


class _CurrentRunAttr:
    """`nbmonitor.config` / `nbmonitor.summary`: the current run's, whichever run that is."""

    def __init__(self, attr: str):
        object.__setattr__(self, "_attr", attr)

    def _target(self):
        run = _current.get()
        if run is None:
            raise NotInitializedError(f"nbmonitor.{self._attr} used before nbmonitor.init()")
        return getattr(run, self._attr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __contains__(self, key: str) -> bool:
        return key in self._target()

    def __iter__(self):
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def __repr__(self) -> str:
        if _current.get() is None:
            return f"<nbmonitor.{self._attr}: no active run>"
        return repr(self._target())


config = _CurrentRunAttr("config")
summary = _CurrentRunAttr("summary")
