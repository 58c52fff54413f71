"""The SummaryWriter's background work (`WriterOps`, mixed into it) and the helpers it uses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .eventfile import EventFile, ScalarBatch, scalar_prefix, scalar_records

INSTALL_HINT = 'nbmonitor.SummaryWriter needs torch and tensorboard: pip install "nbmonitor[torch,tensorboard]"'


def tb_modules():
    """torch's TensorBoard modules, imported on first use (never by `import nbmonitor`)."""
    try:
        from torch.utils.tensorboard import _embedding, summary, writer
    except ImportError as e:
        raise ImportError(f"{INSTALL_HINT} ({e})") from None
    return summary, writer, _embedding


_FILE_WRITER: Any = None


def file_writer(log_dir: str, max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = "") -> Any:
    """A torch `FileWriter` (what `SummaryWriter.file_writer` is, for code that writes through
    it) whose `event_writer` is an nbmonitor `EventFile`: no thread of its own, records framed
    by `crc`, written when the SummaryWriter's thread flushes."""
    global _FILE_WRITER
    if _FILE_WRITER is None:
        _, tbw, _ = tb_modules()
        base: Any = tbw.FileWriter

        class FileWriter(base):
            __doc__ = base.__doc__

            def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
                self.event_writer = EventFile(str(log_dir), filename_suffix)

        _FILE_WRITER = FileWriter
    return _FILE_WRITER(log_dir, max_queue, flush_secs, filename_suffix)


_DEFAULT_BINS: list | None = None


def _default_bins() -> list:
    global _DEFAULT_BINS
    if _DEFAULT_BINS is None:  # torch's SummaryWriter.default_bins
        v, pos = 1e-12, []
        while v < 1e20:
            pos.append(v)
            v *= 1.1
        _DEFAULT_BINS = [-x for x in pos[::-1]] + [0] + pos
    return _DEFAULT_BINS


class WriterOps:
    """The queued calls' work, mixed into `SummaryWriter`: `_op_<name>(*queued args)` builds the
    summaries of one call with torch's builders, writes them with torch's `FileWriter` and records
    them in the writer's in-memory source. Runs on the writer thread only.
    """

    if TYPE_CHECKING:  # what SummaryWriter gives these methods
        log_dir: str
        source: Any
        queued_bytes: int
        _bytes_lock: Any
        _files: dict
        _projector: Any

        def _fw(self, sub: str) -> Any: ...
        def _run(self, sub: str) -> Any: ...
        def _point(self, sub: str, tag: str, step: Any, value: float, wall: float) -> None: ...
        def _summary(self, sub: str, summ: Any, step: Any, wall: float) -> None: ...
        def _flush_points(self) -> None: ...
        def _error(self, msg: str) -> None: ...

    def _op_sized(self, nbytes: int, item: tuple) -> None:
        """A queued call holding arrays of `nbytes` (counted in `self.queued_bytes`)."""
        try:
            item[0](self, *item[1:])
        finally:
            with self._bytes_lock:
                self.queued_bytes -= nbytes

    def _op_scalar(self, tag, value, step, wall, new_style, double) -> None:
        summary, _, _ = tb_modules()
        summ = summary.scalar(tag, value, new_style=new_style, double_precision=double)
        self._fw("").add_summary(summ, step, wall)
        self._point("", tag, step, value if double else float(np.float32(value)), wall)

    def _op_scalars(self, main_tag, values, step, wall) -> None:
        summary, _, _ = tb_modules()
        for k, v in values.items():
            sub = main_tag.replace("/", "_") + "_" + k
            self._fw(sub).add_summary(summary.scalar(main_tag, v), step, wall)
            self._point(sub, main_tag, step, float(np.float32(v)), wall)

    def _write_scalars(self, batch: ScalarBatch) -> None:
        """Write a batch of plain scalars (keys: the tag, or (sub-folder, tag) for `add_scalars`)
        with `scalar_records`, a few numpy passes for all of them, and record them in memory."""
        keys = batch.keys
        try:
            ids = np.array(batch.ids, np.int64)
            steps = np.array(batch.steps, np.int64)
            walls = np.array(batch.walls, np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                values = np.array(batch.values, np.float64).astype(np.float32)
            prefixes = [scalar_prefix(k if type(k) is str else k[1]) for k in keys]
        except (OverflowError, UnicodeEncodeError, ValueError, TypeError):  # a step past int64, a bad tag...
            self._scalars_one_by_one(batch)
            return
        self._flush_points()  # points of earlier slow calls go first, in call order
        subs = ["" if type(k) is str else k[0] for k in keys]
        if len(set(subs)) == 1:
            self._fw(subs[0]).event_writer.write_framed(scalar_records(prefixes, ids, walls, steps, values))
        else:
            sub_ids = {s: i for i, s in enumerate(dict.fromkeys(subs))}
            of_id = np.array([sub_ids[s] for s in subs], np.int64)[ids]
            for sub, j in sub_ids.items():
                m = of_id == j
                self._fw(sub).event_writer.write_framed(scalar_records(prefixes, ids[m], walls[m], steps[m], values[m]))
        order = np.argsort(ids, kind="stable")
        bounds = np.searchsorted(ids[order], np.arange(len(keys) + 1)).tolist()
        shown = values.astype(np.float64)
        for i, key in enumerate(keys):
            sel = order[bounds[i]:bounds[i + 1]]
            self.source.add_scalars(self._run(subs[i]), key if type(key) is str else key[1],
                                    steps[sel], shown[sel], walls[sel])

    def _scalars_one_by_one(self, batch: ScalarBatch) -> None:
        """The slow path, for a batch one of whose calls the fast one could not encode."""
        summary, _, _ = tb_modules()
        for i, v, step, wall in zip(batch.ids, batch.values, batch.steps, batch.walls, strict=True):
            key = batch.keys[i]
            sub, tag = ("", key) if type(key) is str else key
            try:
                self._fw(sub).add_summary(summary.scalar(tag, v), step, wall)
                self._point(sub, tag, step, float(np.float32(v)), wall)
            except Exception as e:
                self._error(f"SummaryWriter.add_scalar({tag!r}) could not be written: {type(e).__name__}: {e}")

    def _op_histogram(self, tag, values, step, bins, wall, max_bins) -> None:
        summary, _, _ = tb_modules()
        if isinstance(bins, str) and bins == "tensorflow":
            bins = _default_bins()
        self._summary("", summary.histogram(tag, values, bins, max_bins=max_bins), step, wall)

    def _op_histogram_raw(self, tag, args, limits, counts, step, wall) -> None:
        summary, _, _ = tb_modules()
        self._summary("", summary.histogram_raw(tag, *args, limits, counts), step, wall)

    def _op_image(self, tag, arr, step, wall, dataformats) -> None:
        summary, _, _ = tb_modules()
        self._summary("", summary.image(tag, arr, dataformats=dataformats), step, wall)

    def _op_text(self, tag, text, step, wall) -> None:
        summary, _, _ = tb_modules()
        self._summary("", summary.text(tag, text), step, wall)

    def _op_pr_curve(self, tag, labels, predictions, step, num_thresholds, weights, wall) -> None:
        summary, _, _ = tb_modules()
        self._summary("", summary.pr_curve(tag, labels, predictions, num_thresholds, weights), step, wall)

    def _op_builder(self, name, args, kwargs, step, wall) -> None:
        summary, _, _ = tb_modules()
        self._summary("", getattr(summary, name)(*args, **kwargs), step, wall)

    def _op_hparams(self, hp, metrics, domains, run_name, step, wall) -> None:
        summary, _, _ = tb_modules()
        exp, ssi, sei = summary.hparams(hp, metrics, domains)
        fw = self._fw(run_name)
        for s in (exp, ssi, sei):
            fw.add_summary(s, step, wall)
        for k, v in metrics.items():
            fw.add_summary(summary.scalar(k, v), step, wall)
            self._point(run_name, k, step, float(np.float32(v)), wall)
        run = self._run(run_name)
        shown = {k: (v if isinstance(v, (bool, str)) or v is None else float(v)) for k, v in hp.items()}
        run.record.config.update(shown)
        self.source.add_event(run, "_hparams_/session_start_info", step or 0, wall, "hparams",
                           {"hparams": shown, "metrics": {k: float(np.float32(v)) for k, v in metrics.items()}})
        fw.flush()
        fw.close()  # torch writes each hparams run with a writer of its own, closed at once
        del self._files[run_name]

    def _op_embedding(self, tag, mat, metadata, label_img, step, header, wall) -> None:
        _, _, emb = tb_modules()
        subdir = f"{str(step).zfill(5)}/{_encode(tag)}"
        save_path = os.path.join(self.log_dir, subdir)
        os.makedirs(save_path, exist_ok=True)
        if metadata is not None:
            emb.make_tsv(metadata, save_path, metadata_header=header)
        files = {}
        if label_img is not None:
            import torch

            label_img = torch.from_numpy(label_img)  # torch's helpers take a tensor
            emb.make_sprite(label_img, save_path)
            with open(os.path.join(save_path, "sprite.png"), "rb") as f:
                files["sprite.png"] = f.read()
        emb.make_mat(mat, save_path)
        if self._projector is None:
            from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

            self._projector = ProjectorConfig()
        self._projector.embeddings.extend([emb.get_embedding_info(metadata, label_img, subdir, step, tag)])
        from google.protobuf import text_format

        emb.write_pbtxt(self.log_dir, text_format.MessageToString(self._projector))
        from .payloads import embedding_payload

        payload = embedding_payload(mat, metadata, header, label_img.shape[3:1:-1] if label_img is not None else None)
        self.source.add_event(self._run(""), tag, step, wall, "embedding", payload, files)

    def _op_graph(self, profile, tree, wall) -> None:
        self._fw("").add_graph(profile, wall)
        self.source.add_event(self._run(""), "graph", 0, wall, "graph", {"tree": tree})


def _encode(rawstr: str) -> str:  # torch's SummaryWriter._encode: the tag as a folder name
    return rawstr.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def summary_event(value, kind) -> tuple[str, dict, dict] | None:
    """(kind, payload, files) of a Summary value, as TensorBoardSource maps it; None if not shown."""
    from .source import tb_histogram_payload, tensor_event

    if kind == "histo":
        h = value.histo
        return "histogram", tb_histogram_payload({"min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                                               "bucket_limits": list(h.bucket_limit),
                                               "bucket_counts": list(h.bucket)}), {}
    if kind == "image":
        img = value.image
        from .events import _image_format

        png = img.encoded_image_string
        return "image", {"caption": None, "width": int(img.width), "height": int(img.height),
                         "format": _image_format(png)}, {"image.png": png}
    if kind == "tensor":
        plugin = value.metadata.plugin_data.plugin_name
        from tensorboard.util.tensor_util import make_ndarray

        return tensor_event(plugin, make_ndarray(value.tensor))
    return None
