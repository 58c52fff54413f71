"""TensorBoard's embeddings and graphs as `nbmonitor.ui.views` payloads.

Used by `SummaryWriter` (from the values it was given) and usable by any reader
of a TensorBoard logdir (from the projector files and the GraphDef torch writes),
so a view shows the same thing live and after a restart.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

MAX_POINTS = 10_000  # points of an embedding sent to the panel (the first ones)


def pca_2d(mat: Any) -> np.ndarray:
    """The first two principal components of the rows of `mat` (N x D), scaled into [-1, 1]."""
    x = np.asarray(mat, np.float64)
    if x.ndim != 2:
        raise ValueError(f"an embedding is a 2-D matrix (points x dimensions), got shape {x.shape}")
    x = np.nan_to_num(x - x.mean(axis=0), nan=0.0, posinf=0.0, neginf=0.0)
    out = np.zeros((x.shape[0], 2))
    if x.shape[0] > 1 and x.shape[1] > 0:
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        k = min(2, vt.shape[0])
        out[:, :k] = x @ vt[:k].T
    scale = np.abs(out).max()
    return out / scale if scale > 0 else out


def embedding_payload(mat: Any, metadata: list | None = None, header: list | None = None,
                      thumb: tuple[int, int] | None = None) -> dict:
    """{"points", "labels", "header"} (+ "thumb": [w, h] when a sprite goes with it)."""
    pts = pca_2d(np.asarray(mat)[:MAX_POINTS])
    labels = None
    if metadata is not None:
        meta = list(metadata)[:MAX_POINTS]
        labels = [[str(c) for c in row] for row in meta] if header else [str(m) for m in meta]
    payload: dict[str, Any] = {"points": np.round(pts, 4).tolist(), "labels": labels,
                               "header": list(header) if header else None}
    if thumb is not None:
        payload["thumb"] = [int(thumb[0]), int(thumb[1])]
    return payload


def projector_embeddings(logdir: str | os.PathLike) -> list[tuple[str, int, dict, dict]]:
    """(tag, step, payload, files) for each embedding of a logdir's projector_config.pbtxt."""
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    path = os.path.join(logdir, "projector_config.pbtxt")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        config = text_format.Parse(f.read(), ProjectorConfig())
    return [projector_entry(logdir, e)[:4] for e in config.embeddings]


def confined(folder: str, rel: str, what: str) -> str | None:
    """`rel` resolved inside `folder`, or None (with a warning) when it points outside it.

    A projector config is data: a crafted one must not make us read (and show, and
    save into a notebook) any file of the machine.
    """
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, rel))
    if os.path.commonpath([root, path]) != root:
        import warnings

        from ..errors import NbmonitorWarning

        warnings.warn(f"nbmonitor: projector config in {folder} names a {what} outside its folder ({rel!r}); "
                      "not read", NbmonitorWarning, stacklevel=3)
        return None
    return path


def projector_entry(folder: str | os.PathLike, e: Any) -> tuple[str, int, dict, dict, float]:
    """(tag, step, payload, files, wall time) of one ProjectorConfig embedding entry.

    Reads only this entry's files, and of the tensors only the rows the payload keeps.
    """
    folder = os.fspath(folder)
    tag, _, step = e.tensor_name.rpartition(":")
    tensor_path = confined(folder, e.tensor_path, "tensor_path")
    if tensor_path is None:
        raise ValueError(f"embedding {e.tensor_name!r}: tensor_path outside {folder}")
    wall = os.stat(tensor_path).st_mtime
    mat = np.loadtxt(tensor_path, delimiter="\t", ndmin=2, max_rows=MAX_POINTS)
    metadata: list | None = None
    header: list | None = None
    metadata_path = confined(folder, e.metadata_path, "metadata_path") if e.metadata_path else None
    if metadata_path:
        with open(metadata_path, encoding="utf-8") as f:
            rows = f.read().rstrip("\n").split("\n")
        if rows and "\t" in rows[0]:
            header, metadata = rows[0].split("\t"), [r.split("\t") for r in rows[1:]]
        else:
            metadata = rows
    files, thumb = {}, None
    sprite = confined(folder, e.sprite.image_path, "sprite image_path") if e.sprite.image_path else None
    if sprite and len(e.sprite.single_image_dim) == 2:
        with open(sprite, "rb") as f:
            files["sprite.png"] = f.read()
        thumb = tuple(e.sprite.single_image_dim)
    return (tag or e.tensor_name, int(step) if step.isdigit() else 0,
            embedding_payload(mat, metadata, header, thumb), files, wall)


def graph_tree(graph_def: Any) -> dict:
    """The module tree of a torch-traced GraphDef (node names like "Net/Linear[fc1]/106").

    Scopes "Type[name]" become the tree's nodes; torch's GraphDef has no parameter
    shapes, so "params" is None (the live writer gives the counts from the model).
    """
    root: dict | None = None
    index: dict[tuple, dict] = {}
    for node in graph_def.node:
        parts = node.name.split("/")[:-1]
        if not parts or node.op == "IO Node":
            continue
        if root is None:
            root = {"name": parts[0], "type": parts[0], "params": None, "children": []}
            index[()] = root
        path: tuple = ()
        for part in parts[1:]:
            kind, bracket, name = part.partition("[")
            if not bracket or not name.endswith("]"):
                continue  # "weight", "bias": attributes, not modules
            parent = index[path]
            path = (*path, part)
            if path not in index:
                child = {"name": name[:-1], "type": kind, "params": None, "children": []}
                parent["children"].append(child)
                index[path] = child
    return root or {"name": "model", "type": "", "params": None, "children": []}
