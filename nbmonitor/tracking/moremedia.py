"""W&B media with no full viewer in the panel: `Object3D`, `Molecule`, `Plotly`.

`Object3D`: a 3D file (.obj, .gltf, .glb, .babylon, .stl, .pts.json), a point cloud (numpy
N x 3 xyz, N x 4 xyz + category, N x 6 xyz + rgb) or a LiDAR scene dict ({"type": "lidar/beta",
"points", "boxes", "vectors"}), logged with `log({"cloud": Object3D(...)})`.

The event: kind "object3d", payload {"format", "points", "boxes", "caption"}; files {"object.<format>"}
(a point cloud or scene is stored as W&B's `pts.json`: {"type", "points", "boxes", "vectors"}).
`Molecule(path)`: a structure file (.pdb, .pqr, .mmcif, .mcif, .cif, .sdf, .sd, .gro, .mol2, .mmtf);
event "molecule" {"format", "caption"}, files {"molecule.<format>"}.
`Plotly(figure)`: a plotly figure (or its dict); event "plotly" {"figure": the figure's JSON}.
The events are kept (Api().run().history() gives them back); the panel's media view
(ui/views/wandb_media.py) draws a point cloud or .obj mesh from above, a plotly figure's x/y traces,
and names a molecule's format and atom count.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

SUPPORTED_TYPES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")
_POINT_WIDTHS = (3, 4, 6)


def _file_type(name: str) -> str | None:
    low = name.lower()
    return next((t for t in SUPPORTED_TYPES if low.endswith("." + t)), None)


def _plain(x: Any) -> Any:
    if _is_tensor(x):
        x = x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x.item() if isinstance(x, np.generic) else x


def _is_tensor(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach")


def _points(a: Any) -> np.ndarray:
    pts = np.asarray(a.detach().cpu().numpy() if _is_tensor(a) else a, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] not in _POINT_WIDTHS:
        raise ValueError(f"nbmonitor.Object3D: points must be N x 3, N x 4 or N x 6, got shape {pts.shape}")
    return pts


class Object3D:
    """A 3D object or point cloud to log (see the module doc)."""

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None, **_: Any):
        self.caption = caption
        self.boxes: list = []
        self.n_points = 0
        if isinstance(data_or_path, dict):
            if data_or_path.get("type") != "lidar/beta":
                raise ValueError("nbmonitor.Object3D: a dict must be a scene {'type': 'lidar/beta', 'points': ...}")
            pts = _points(data_or_path.get("points"))
            self.boxes = _plain(list(data_or_path.get("boxes", [])))
            scene = {"type": "lidar/beta", "points": pts.tolist(), "boxes": self.boxes,
                     "vectors": _plain(list(data_or_path.get("vectors", [])))}
            self._set(json.dumps(scene).encode(), "pts.json", len(pts))
        elif isinstance(data_or_path, np.ndarray) or _is_tensor(data_or_path):
            pts = _points(data_or_path)
            self._set(json.dumps({"type": "lidar/beta", "points": pts.tolist(), "boxes": [], "vectors": []}).encode(),
                      "pts.json", len(pts))
        else:
            if hasattr(data_or_path, "name") and not isinstance(data_or_path, (str, os.PathLike)) \
                    and os.path.isfile(str(data_or_path.name)):
                data_or_path = data_or_path.name  # an open file with a path: read it from there, as W&B
            if hasattr(data_or_path, "read"):
                if file_type not in SUPPORTED_TYPES:
                    raise ValueError(f"nbmonitor.Object3D: a file object needs file_type= among {SUPPORTED_TYPES}")
                raw = data_or_path.read()
                self._set(raw.encode() if isinstance(raw, str) else bytes(raw), file_type, 0)
            elif isinstance(data_or_path, (str, os.PathLike)):
                path = Path(data_or_path)
                ft = _file_type(path.name)
                if ft is None:
                    raise ValueError(f"nbmonitor.Object3D: {path.name!r} is not among {SUPPORTED_TYPES}")
                self._set(path.read_bytes(), ft, 0)
            else:
                raise TypeError(f"nbmonitor.Object3D: expected a path, a file, an N x 3 array or a scene dict, "
                                f"got {type(data_or_path).__name__}")

    def _set(self, data: bytes, fmt: str, n_points: int) -> None:
        self.data, self.format, self.n_points = data, fmt, n_points

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_numpy(cls, data: np.ndarray) -> Object3D:
        return cls(data)

    @classmethod
    def from_point_cloud(cls, points: Any, boxes: Any = (), vectors: Any = (), point_cloud_type: str = "lidar/beta") -> Object3D:
        return cls({"type": point_cloud_type, "points": points, "boxes": list(boxes), "vectors": list(vectors)})

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        payload = {"format": self.format, "points": self.n_points, "boxes": len(self.boxes), "caption": self.caption}
        return "object3d", payload, {f"object.{self.format}": self.data}

    def __repr__(self) -> str:
        what = f"{self.n_points} points" if self.n_points else f"{len(self.data)} bytes"
        return f"<nbmonitor.Object3D {self.format}, {what}>"


MOLECULE_TYPES = ("pdb", "pqr", "mmcif", "mcif", "cif", "sdf", "sd", "gro", "mol2", "mmtf")


class Molecule:
    """A molecular structure file to log: `Molecule("protein.pdb")` (see the module doc)."""

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None, **_: Any):
        if hasattr(data_or_path, "read"):
            if file_type not in MOLECULE_TYPES:
                raise ValueError(f"nbmonitor.Molecule: a file object needs file_type= among {MOLECULE_TYPES}")
            raw = data_or_path.read()
            self.data, self.format = (raw.encode() if isinstance(raw, str) else bytes(raw)), file_type
        elif isinstance(data_or_path, (str, os.PathLike)):
            path = Path(data_or_path)
            ext = path.suffix.lstrip(".").lower()
            if ext not in MOLECULE_TYPES:
                raise ValueError(f"nbmonitor.Molecule: {path.name!r} is not among {MOLECULE_TYPES}")
            self.data, self.format = path.read_bytes(), ext
        else:
            raise TypeError(f"nbmonitor.Molecule: expected a path or a file, got {type(data_or_path).__name__}")
        self.caption = caption

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "molecule", {"format": self.format, "caption": self.caption}, {f"molecule.{self.format}": self.data}

    def __repr__(self) -> str:
        return f"<nbmonitor.Molecule {self.format}, {len(self.data)} bytes>"


class Plotly:
    """A plotly figure to log: `Plotly(fig)` or `Plotly(fig.to_dict())` (see the module doc)."""

    def __init__(self, val: Any):
        if isinstance(val, dict):
            figure = val
        elif hasattr(val, "to_plotly_json"):
            figure = val.to_plotly_json()
        else:
            raise TypeError(f"nbmonitor.Plotly: expected a plotly figure or its dict, got {type(val).__name__} "
                            "(log a matplotlib figure directly, or as nbmonitor.Image(fig))")
        self.figure = json.loads(json.dumps(_plain(figure), default=str))

    def _nbm_event(self, key: str) -> tuple[str, dict, dict[str, bytes]]:
        return "plotly", {"figure": self.figure}, {}

    def __repr__(self) -> str:
        return f"<nbmonitor.Plotly {len(self.figure.get('data', []))} traces>"
