"""`SummaryWriter`: torch's TensorBoard writer, with the work moved off the training thread.

Same signature, defaults, `log_dir` naming and event files as
`torch.utils.tensorboard.SummaryWriter`: the summaries are built by torch's own
builders (`torch.utils.tensorboard.summary`), except plain scalars, which are
encoded in batches by `eventfile.scalar_records` (the same bytes protobuf
writes); all are written by `eventfile.EventFile` behind torch's `FileWriter`
interface, so TensorBoard and `%monitor --logdir` read them. The difference: an `add_*` call only checks its arguments, copies what
the caller could change afterwards (tensors, arrays) and appends to a queue. A
background thread (one per writer) builds the summaries, writes them, and
flushes the files every `DRAIN_INTERVAL_S` when something was written, and at
`flush()`, `close()`, interpreter exit and SIGTERM (the core's exit hooks,
`flusher.on_exit`). `add_graph` traces the model and `add_figure` draws the
figure on the calling thread, as torch does: both read objects the caller owns.

The same thread records everything into a `WriterSource` (in memory), which a
panel in the same process shows live.
"""

from __future__ import annotations

import numbers
import os
import threading
import time
import warnings
from collections import deque
from typing import Any

import numpy as np

from ..errors import NbmonitorWarning
from .eventfile import ScalarBatch
from .writer_args import check_image, check_tag, module_tree, opt_step_arg, scalar_arg, snapshot, step_arg, wall_arg
from .writer_ops import WriterOps, file_writer, summary_event, tb_modules

DRAIN_INTERVAL_S = 0.1  # the background thread wakes this often; files are flushed when written
MAX_PANEL_RUNS = 100  # a writer's runs: its folder, add_scalars' and add_hparams' sub-folders
MAX_QUEUED = 100_000  # calls waiting to be written; a caller faster than the writer then waits
MAX_QUEUED_BYTES = 256 << 20  # bytes of arrays waiting to be written, likewise
SCALAR_BATCH = 16384  # plain scalars encoded together (bounds the encoder's temporary memory)
_BIN_RULES = ("tensorflow", "auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt")


def default_log_dir(comment: str = "") -> str:
    """torch's default: runs/<Mon%d_%H-%M-%S>_<host><comment>."""
    import socket
    from datetime import datetime

    return os.path.join("runs", datetime.now().strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname() + comment)


class SummaryWriter(WriterOps):
    """Writes TensorBoard event files to `log_dir` from a background thread; a drop-in for torch's.

    `SummaryWriter(log_dir=None, comment="", purge_step=None, max_queue=10,
    flush_secs=120, filename_suffix="")`: torch's arguments and defaults, except
    that files are flushed within a fraction of a second, not every `flush_secs`.
    `display` (keyword only) shows the live panel in a notebook (default: yes).
    """

    def __init__(self, log_dir: str | os.PathLike | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = "", *,
                 display: bool | None = None):
        summary, _, _ = tb_modules()
        if not isinstance(comment, str) or not isinstance(filename_suffix, str):
            raise TypeError("SummaryWriter: comment and filename_suffix must be strings")
        if purge_step is not None:
            purge_step = step_arg("SummaryWriter", "purge_step", purge_step)
        self.log_dir = os.fspath(log_dir) if log_dir else default_log_dir(comment)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        from .writer_source import WriterSource

        self.source = WriterSource(self.log_dir)
        self._q: deque = deque()
        self._io_lock = threading.RLock()
        self._wake = threading.Event()
        self._files: dict[str, Any] = {}  # sub-folder ("" = log_dir) -> torch FileWriter
        self._mem: dict[str, Any] = {}  # sub-folder -> WriterSource run
        self._pts: dict[tuple[str, str], tuple[list, list, list]] = {}
        self._projector = None
        self.errors: list[str] = []  # what the background thread could not write
        self.queued_bytes = 0  # of arrays enqueued and not yet written
        self._bytes_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._open = False
        self._fw("")  # the folder and first event file now, so a bad log_dir fails here
        self._start()
        self.panel = None
        if display is None:
            from .._env import env_flag

            display = env_flag("NBMONITOR_DISPLAY")
            display = True if display is None else display
        if display:
            self._display()

    # -- lifecycle ---------------------------------------------------------------
    def _start(self) -> None:
        from ..tracking import flusher

        self._stop = False
        self._open = True
        self._thread = threading.Thread(target=self._loop, name="nbmonitor-summarywriter", daemon=True)
        self._thread.start()
        flusher.on_exit(self.close)
        self.source.set_state("running")
        panel: Any = getattr(self, "panel", None)  # None on the first start: the panel is made after it
        if panel is not None:
            panel.start()

    def _display(self) -> None:
        from .. import _display

        try:
            self.panel = _display.show_source_panel(self.source, project=self.source.project,
                                                    max_runs=MAX_PANEL_RUNS, follow=self.source.main_id)
        except ImportError as e:
            self._error(f"no live panel ({e}); the event files are written all the same")

    def _final_panel(self) -> None:
        """At close: the panel's final state, in the widgets and in the saved output."""
        p = self.panel
        if p is None:
            return
        try:
            p.stop()
            p.flush()
            p.refresh_display()
        except Exception as e:  # closing the writer must not fail because of the panel
            self._error(f"could not show the panel's final state: {e}")

    @property
    def file_writer(self) -> Any:
        """torch's `FileWriter` of `log_dir`, as on torch's SummaryWriter (code and loggers write
        summaries through it, hparams say). What goes through it lands in the event files only:
        not in this writer's panel, which shows what the `add_*` methods were given."""
        with self._io_lock:
            if not self._open:
                self._start()
            return self._fw("")

    def _get_file_writer(self) -> Any:
        """torch's name for `file_writer` (public code calls it)."""
        return self.file_writer

    def get_logdir(self) -> str:
        """The folder the event files are written to."""
        return self.log_dir

    def flush(self) -> None:
        """Write everything added so far to the event files now (returns when it is on disk)."""
        with self._io_lock:
            self._drain()
            for fw in list(self._files.values()):
                fw.flush()

    def close(self) -> None:
        """Write everything, close the files and stop the background thread. Adding again reopens."""
        from ..tracking import flusher

        if not self._open:
            return
        self._open = False
        flusher.remove_on_exit(self.close)
        self._stop = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        with self._io_lock:
            self._drain()
            for fw in list(self._files.values()):
                fw.flush()
                fw.close()
            self._files.clear()
        self.source.set_state("finished")
        self._final_panel()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<nbmonitor.SummaryWriter {self.log_dir!r} ({'open' if self._open else 'closed'})>"

    def _put(self, item: tuple) -> None:
        if not self._open:
            self._start()  # torch's writer reopens after close() too
        q = self._q
        q.append(item)
        if len(q) > MAX_QUEUED:
            while len(q) > MAX_QUEUED // 2 and self._thread is not None and self._thread.is_alive():
                self._wake.set()
                time.sleep(0.005)

    def _put_arrays(self, item: tuple) -> None:
        """`_put` for calls holding arrays: waits while more than MAX_QUEUED_BYTES are queued."""
        nbytes = sum(x.nbytes for x in item if isinstance(x, np.ndarray))
        nbytes += sum(y.nbytes for x in item if isinstance(x, tuple) for y in x if isinstance(y, np.ndarray))
        with self._bytes_lock:
            self.queued_bytes += nbytes
        self._put((WriterOps._op_sized, nbytes, item))
        while self.queued_bytes > MAX_QUEUED_BYTES and self._thread is not None and self._thread.is_alive():
            self._wake.set()
            time.sleep(0.005)

    # -- the background thread -----------------------------------------------------
    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait(DRAIN_INTERVAL_S)
            self._wake.clear()
            try:
                with self._io_lock:
                    drained = self._drain()
                    for fw in list(self._files.values()):
                        if drained or fw.event_writer.dirty:  # dirty: written through `file_writer`
                            fw.flush()
            except Exception as e:  # keep going: the next round retries the files
                self._error(f"writing to {self.log_dir!r} failed: {e}")

    def _drain(self) -> bool:
        """Build and write what is queued (caller holds _io_lock); False if nothing was.

        Plain scalars (`add_scalar` without new_style/double_precision, `add_scalars`) are
        gathered and encoded together (`_write_scalars`); any other call first writes the
        scalars gathered before it, so the files keep the calls' order.
        """
        q = self._q
        n = len(q)
        if not n:
            return False
        self._pts = {}
        op_scalar, op_scalars = WriterOps._op_scalar, WriterOps._op_scalars
        batch = ScalarBatch()
        add = batch.add
        for _ in range(n):
            item = q.popleft()
            op = item[0]
            if op is op_scalar and not item[5] and not item[6]:
                add(item[1], item[2], item[3], item[4])
            elif op is op_scalars:
                main_tag, step, wall = item[1], item[3], item[4]
                for k, v in item[2].items():
                    add((main_tag.replace("/", "_") + "_" + k, main_tag), v, step, wall)
            else:
                if len(batch):
                    self._write_scalars(batch)
                    batch = ScalarBatch()
                    add = batch.add
                self._call(item)
                continue
            if len(batch) >= SCALAR_BATCH:
                self._write_scalars(batch)
                batch = ScalarBatch()
                add = batch.add
        if len(batch):
            self._write_scalars(batch)
        self._flush_points()
        return True

    def _call(self, item: tuple) -> None:
        try:
            item[0](self, *item[1:])
        except Exception as e:
            if item[0] is WriterOps._op_sized:
                item = item[2]
            name = item[0].__name__.replace("_op_", "add_")
            tag = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
            self._error(f"SummaryWriter.{name}({tag!r}) could not be written: {type(e).__name__}: {e}")

    def _flush_points(self) -> None:
        """Record in memory the points the slow paths gathered (`_point`)."""
        pts, self._pts = self._pts, {}
        for (sub, tag), (steps, values, times) in pts.items():
            self.source.add_scalars(self._run(sub), tag, np.array(steps, np.int64), np.array(values, np.float64),
                                    np.array(times, np.float64))

    def _error(self, msg: str) -> None:
        self.errors.append(msg)
        try:
            warnings.warn(f"nbmonitor: {msg}", NbmonitorWarning, stacklevel=2)
        except Exception:  # warnings turned into errors must not stop the writer thread
            pass

    def _fw(self, sub: str):
        fw = self._files.get(sub)
        if fw is None:
            path = self.log_dir if not sub else self.log_dir + "/" + sub
            fw = self._files[sub] = file_writer(path, self.max_queue, self.flush_secs, self.filename_suffix)
            if not sub and self.purge_step is not None:  # as torch: hide events from purge_step on
                from tensorboard.compat.proto.event_pb2 import Event, SessionLog

                fw.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                fw.add_event(Event(step=self.purge_step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return fw

    def _run(self, sub: str):
        run = self._mem.get(sub)
        if run is None:
            run = self._mem[sub] = self.source.run(self.source.name + ("/" + sub if sub else ""))
        return run

    def _point(self, sub: str, tag: str, step, value: float, wall: float) -> None:
        cols = self._pts.get((sub, tag))
        if cols is None:
            cols = self._pts[(sub, tag)] = ([], [], [])  # steps, values, wall times
        cols[0].append(step or 0)
        cols[1].append(value)
        cols[2].append(wall)

    def _summary(self, sub: str, summ, step, wall: float) -> None:
        """Write a Summary proto and record its values in memory as TensorBoardSource reads them."""
        self._fw(sub).add_summary(summ, step, wall)
        step = step or 0
        for value in summ.value:
            kind = value.WhichOneof("value")
            if kind == "simple_value":
                self._point(sub, value.tag, step, value.simple_value, wall)
                continue
            ev = summary_event(value, kind)
            if ev is not None:
                self.source.add_event(self._run(sub), value.tag, step, wall, *ev)

    # -- the torch API: check, copy, enqueue -------------------------------------------
    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None, walltime: float | None = None,
                   new_style: bool = False, double_precision: bool = False) -> None:
        """Add a scalar (a number or one-element tensor/array) at `global_step`."""
        if type(tag) is not str:
            raise TypeError(f"SummaryWriter.add_scalar: tag must be a string, got {type(tag).__name__}")
        v = scalar_value
        if type(v) is not float:
            v = scalar_arg("add_scalar", tag, v)
        if global_step is not None and type(global_step) is not int:
            global_step = step_arg("add_scalar", tag, global_step)
        self._put((WriterOps._op_scalar, tag, v, global_step, time.time() if walltime is None else float(walltime),
                   new_style, double_precision))

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step: int | None = None,
                    walltime: float | None = None) -> None:
        """Add several scalars under `main_tag`: one run folder per key (`<log_dir>/<main_tag>_<key>`), as torch."""
        check_tag("add_scalars", main_tag)
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(f"SummaryWriter.add_scalars({main_tag!r}): tag_scalar_dict must be a dict, "
                            f"got {type(tag_scalar_dict).__name__}")
        values = {}
        for k, v in tag_scalar_dict.items():
            check_tag("add_scalars", k)
            values[k] = v if type(v) is float else scalar_arg("add_scalars", f"{main_tag}/{k}", v)
        if global_step is not None:
            global_step = step_arg("add_scalars", main_tag, global_step)
        self._put((WriterOps._op_scalars, main_tag, values, global_step, time.time() if walltime is None else float(walltime)))

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None, bins: Any = "tensorflow",
                      walltime: float | None = None, max_bins: int | None = None) -> None:
        """Add a histogram of `values` (tensor, array or sequence of numbers)."""
        check_tag("add_histogram", tag)
        arr = snapshot("add_histogram", tag, values)
        if arr.size == 0:
            raise ValueError(f"SummaryWriter.add_histogram({tag!r}): values is empty; nothing to bin")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"SummaryWriter.add_histogram({tag!r}): values must be numbers, got dtype {arr.dtype}")
        if isinstance(bins, str):
            if bins not in _BIN_RULES:
                raise ValueError(f"SummaryWriter.add_histogram({tag!r}): bins must be 'tensorflow', one of numpy's "
                                 f"rules ({', '.join(_BIN_RULES[1:])}), an int or bin edges; got {bins!r}")
        elif not isinstance(bins, numbers.Integral):
            bins = snapshot("add_histogram", tag, bins)
        self._put_arrays((WriterOps._op_histogram, tag, arr, opt_step_arg("add_histogram", tag, global_step), bins, wall_arg(walltime),
                   max_bins))

    def add_histogram_raw(self, tag: str, min: float, max: float, num: int, sum: float, sum_squares: float,
                          bucket_limits: Any, bucket_counts: Any, global_step: int | None = None,
                          walltime: float | None = None) -> None:
        """Add a histogram from ready buckets (torch's arguments)."""
        check_tag("add_histogram_raw", tag)
        limits = snapshot("add_histogram_raw", tag, bucket_limits)
        counts = snapshot("add_histogram_raw", tag, bucket_counts)
        if len(limits) != len(counts):
            raise ValueError(f"SummaryWriter.add_histogram_raw({tag!r}): len(bucket_limits) != len(bucket_counts)")
        args = tuple(float(x) for x in (min, max, num, sum, sum_squares))
        self._put((WriterOps._op_histogram_raw, tag, args, limits.tolist(), counts.tolist(),
                   opt_step_arg("add_histogram_raw", tag, global_step), wall_arg(walltime)))

    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None, walltime: float | None = None,
                  dataformats: str = "CHW") -> None:
        """Add an image (`dataformats` CHW, HWC, HW, NCHW or NHWC; floats in [0, 1] or uint8)."""
        check_tag("add_image", tag)
        arr = snapshot("add_image", tag, img_tensor)
        check_image("add_image", tag, arr, dataformats)
        self._put_arrays((WriterOps._op_image, tag, arr, opt_step_arg("add_image", tag, global_step), wall_arg(walltime), dataformats))

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None, walltime: float | None = None,
                   dataformats: str = "NCHW") -> None:
        """Add a batch of images, shown as one grid (as torch)."""
        check_tag("add_images", tag)
        arr = snapshot("add_images", tag, img_tensor)
        check_image("add_images", tag, arr, dataformats)
        self._put_arrays((WriterOps._op_image, tag, arr, opt_step_arg("add_images", tag, global_step), wall_arg(walltime), dataformats))

    def add_figure(self, tag: str, figure: Any, global_step: int | None = None, close: bool = True,
                   walltime: float | None = None) -> None:
        """Add a matplotlib figure (or a list of them, as a grid); drawn here, encoded in the background."""
        check_tag("add_figure", tag)
        figs = figure if isinstance(figure, list) else [figure]
        if not figs or not all(hasattr(f, "canvas") and hasattr(f, "savefig") for f in figs):
            raise TypeError(f"SummaryWriter.add_figure({tag!r}): figure must be a matplotlib Figure or a list of them, "
                            f"got {type(figure).__name__}")
        from torch.utils.tensorboard._utils import figure_to_image

        arr = figure_to_image(figure, close)
        fmt = "NCHW" if isinstance(figure, list) else "CHW"
        self._put_arrays((WriterOps._op_image, tag, arr, opt_step_arg("add_figure", tag, global_step), wall_arg(walltime), fmt))

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Add text (markdown, shown as text: no HTML is ever rendered)."""
        check_tag("add_text", tag)
        if not isinstance(text_string, str):
            raise TypeError(f"SummaryWriter.add_text({tag!r}): text_string must be a str, "
                            f"got {type(text_string).__name__}")
        self._put((WriterOps._op_text, tag, text_string, opt_step_arg("add_text", tag, global_step), wall_arg(walltime)))

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any, global_step: int | None = None,
                     num_thresholds: int = 127, weights: Any = None, walltime: float | None = None) -> None:
        """Add a precision-recall curve of binary `labels` against `predictions` in [0, 1]."""
        check_tag("add_pr_curve", tag)
        lab = snapshot("add_pr_curve", tag, labels)
        pred = snapshot("add_pr_curve", tag, predictions)
        w = None if weights is None else snapshot("add_pr_curve", tag, weights)
        if lab.size != pred.size or (w is not None and w.size != pred.size):
            raise ValueError(f"SummaryWriter.add_pr_curve({tag!r}): labels ({lab.size}), predictions ({pred.size})"
                             + ("" if w is None else f" and weights ({w.size})") + " must have the same size")
        if pred.size == 0:
            raise ValueError(f"SummaryWriter.add_pr_curve({tag!r}): no predictions")
        if pred.dtype.kind not in "biuf" or not (np.nanmin(pred) >= 0 and np.nanmax(pred) <= 1):
            raise ValueError(f"SummaryWriter.add_pr_curve({tag!r}): predictions must be probabilities in [0, 1]")
        if not isinstance(num_thresholds, numbers.Integral) or not 2 <= num_thresholds <= 10_000:
            raise ValueError(f"SummaryWriter.add_pr_curve({tag!r}): num_thresholds must be an int from 2 to 10000, "
                             f"got {num_thresholds!r}")
        self._put_arrays((WriterOps._op_pr_curve, tag, lab, pred, opt_step_arg("add_pr_curve", tag, global_step), int(num_thresholds),
                   w, wall_arg(walltime)))

    def add_hparams(self, hparam_dict: dict, metric_dict: dict, hparam_domain_discrete: dict | None = None,
                    run_name: str | None = None, global_step: int | None = None) -> None:
        """Add hyperparameters and their metrics as a run folder `<log_dir>/<run_name>` (as torch)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("SummaryWriter.add_hparams: hparam_dict and metric_dict should be dictionary.")
        hp = {}
        for k, v in hparam_dict.items():
            if not isinstance(k, str):
                raise TypeError(f"SummaryWriter.add_hparams: hyperparameter names must be strings, got {k!r}")
            if v is not None and not isinstance(v, (bool, int, float, str)):
                if hasattr(v, "numel") or isinstance(v, np.generic | np.ndarray):
                    v = scalar_arg("add_hparams", k, v)
                else:
                    raise ValueError(f"SummaryWriter.add_hparams: value of {k!r} should be one of int, float, str, "
                                     f"bool, or torch.Tensor, got {type(v).__name__}")
            hp[k] = v
        metrics = {}
        for k, v in metric_dict.items():
            check_tag("add_hparams", k)
            metrics[k] = scalar_arg("add_hparams", k, v)
        if hparam_domain_discrete is not None:
            if not isinstance(hparam_domain_discrete, dict) or not all(
                    isinstance(d, list) for d in hparam_domain_discrete.values()):
                raise TypeError("SummaryWriter.add_hparams: hparam_domain_discrete must be a dict of lists")
            hparam_domain_discrete = {k: list(d) for k, d in hparam_domain_discrete.items()}
        if not run_name:
            run_name = str(time.time())
        if not isinstance(run_name, str) or run_name.startswith(("/", "\\")) or ".." in run_name.replace("\\", "/").split("/"):
            raise ValueError(f"SummaryWriter.add_hparams: run_name must be a relative folder name, got {run_name!r}")
        self._put((WriterOps._op_hparams, hp, metrics, hparam_domain_discrete, run_name,
                   opt_step_arg("add_hparams", "hparams", global_step), time.time()))

    def add_embedding(self, mat: Any, metadata: list | None = None, label_img: Any = None,
                      global_step: int | None = None, tag: str = "default", metadata_header: list | None = None) -> None:
        """Add an embedding (N x D) with optional labels and label images, for TensorBoard's projector."""
        check_tag("add_embedding", tag)
        m = snapshot("add_embedding", tag, mat)
        if m.ndim != 2:
            raise ValueError(f"SummaryWriter.add_embedding({tag!r}): mat should be 2D (points x dimensions), "
                             f"got shape {m.shape}")
        if metadata is not None:
            metadata = list(metadata)
            if len(metadata) != m.shape[0]:
                raise ValueError(f"SummaryWriter.add_embedding({tag!r}): {len(metadata)} labels for {m.shape[0]} points")
        img = None
        if label_img is not None:
            img = snapshot("add_embedding", tag, label_img)
            if img.ndim != 4 or img.shape[0] != m.shape[0] or img.shape[1] not in (1, 3):
                raise ValueError(f"SummaryWriter.add_embedding({tag!r}): label_img must be N x C x H x W with "
                                 f"N = {m.shape[0]} and C 1 or 3, got shape {img.shape}")
        step = 0 if global_step is None else step_arg("add_embedding", tag, global_step)
        header = None if not metadata_header else [str(h) for h in metadata_header]
        if header is not None and (metadata is None or not all(
                isinstance(r, (list, tuple)) and len(r) == len(header) for r in metadata)):
            raise ValueError(f"SummaryWriter.add_embedding({tag!r}): with metadata_header, each metadata row must "
                             f"be a list of {len(header)} values")
        self._put_arrays((WriterOps._op_embedding, tag, m, metadata, img, step, header, time.time()))

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """Add the model's graph: traced here (as torch), written in the background; the panel shows its module tree."""
        import torch

        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"SummaryWriter.add_graph: model must be a torch.nn.Module, got {type(model).__name__}")
        if input_to_model is None:
            raise ValueError("SummaryWriter.add_graph: input_to_model is needed to trace the model's graph")
        from torch.utils.tensorboard._pytorch_graph import graph

        profile = graph(model, input_to_model, verbose, use_strict_trace)
        self._put((WriterOps._op_graph, profile, module_tree(model), time.time()))

    # -- the rest of torch's API: written as torch writes it (not shown in the panel) ----
    def add_tensor(self, tag: str, tensor: Any, global_step: int | None = None, walltime: float | None = None) -> None:
        check_tag("add_tensor", tag)
        import torch

        t = torch.as_tensor(snapshot("add_tensor", tag, tensor))
        self._put_arrays((WriterOps._op_builder, "tensor_proto", (tag, t), {}, opt_step_arg("add_tensor", tag, global_step),
                   wall_arg(walltime)))

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None) -> None:
        check_tag("add_pr_curve_raw", tag)
        arrs = tuple(snapshot("add_pr_curve_raw", tag, a) for a in (
            true_positive_counts, false_positive_counts, true_negative_counts, false_negative_counts,
            precision, recall))
        self._put_arrays((WriterOps._op_builder, "pr_curve_raw", (tag, *arrs, num_thresholds, weights), {},
                   opt_step_arg("add_pr_curve_raw", tag, global_step), wall_arg(walltime)))

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None, walltime=None, rescale=1,
                             dataformats="CHW", labels=None) -> None:
        check_tag("add_image_with_boxes", tag)
        img = snapshot("add_image_with_boxes", tag, img_tensor)
        check_image("add_image_with_boxes", tag, img, dataformats)
        boxes = snapshot("add_image_with_boxes", tag, box_tensor)
        if labels is not None:
            labels = [labels] if isinstance(labels, str) else list(labels)
            if len(labels) != boxes.shape[0]:
                labels = None
        self._put_arrays((WriterOps._op_builder, "image_boxes", (tag, img, boxes),
                   {"rescale": rescale, "dataformats": dataformats, "labels": labels},
                   opt_step_arg("add_image_with_boxes", tag, global_step), wall_arg(walltime)))

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None) -> None:
        check_tag("add_audio", tag)
        snd = snapshot("add_audio", tag, snd_tensor)
        self._put_arrays((WriterOps._op_builder, "audio", (tag, snd), {"sample_rate": sample_rate},
                   opt_step_arg("add_audio", tag, global_step), wall_arg(walltime)))

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None) -> None:
        check_tag("add_video", tag)
        try:
            import moviepy  # noqa: F401  (torch needs it to encode the GIF)
        except ImportError:  # as torch's writer: say so and carry on (training must not stop for a video)
            print("add_video needs package moviepy")
            return
        vid = snapshot("add_video", tag, vid_tensor)
        self._put_arrays((WriterOps._op_builder, "video", (tag, vid, fps), {}, opt_step_arg("add_video", tag, global_step),
                   wall_arg(walltime)))

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None, global_step=None,
                 walltime=None) -> None:
        check_tag("add_mesh", tag)
        import torch

        args = tuple(None if a is None else torch.as_tensor(snapshot("add_mesh", tag, a))
                     for a in (vertices, colors, faces))
        self._put_arrays((WriterOps._op_builder, "mesh", (tag, *args, config_dict), {}, opt_step_arg("add_mesh", tag, global_step),
                   wall_arg(walltime)))

    def add_custom_scalars(self, layout: dict) -> None:
        if not isinstance(layout, dict):
            raise TypeError("SummaryWriter.add_custom_scalars: layout must be a dict")
        self._put_arrays((WriterOps._op_builder, "custom_scalars", (layout,), {}, None, time.time()))

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled") -> None:
        self.add_custom_scalars({category: {title: ["Multiline", list(tags)]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled") -> None:
        if len(tags) != 3:
            raise ValueError(f"SummaryWriter.add_custom_scalars_marginchart: expected 3 tags, got {len(tags)}")
        self.add_custom_scalars({category: {title: ["Margin", list(tags)]}})

    def add_onnx_graph(self, prototxt) -> None:
        raise NotImplementedError("SummaryWriter.add_onnx_graph is not supported by nbmonitor "
                                  "(torch itself no longer ships it working); use add_graph(model, input)")
