"""`Config` and `Summary`: the dict-likes hanging off a run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any


class Config(MutableMapping):
    """A run's hyperparameters: `config.lr`, `config["lr"]`, `config.update({...})`."""

    def __init__(self, data: dict | None = None, on_change: Callable[[], None] | None = None):
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_on_change", on_change)
        if data:
            self.update(_as_dict(data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"config keys must be strings, got {type(key).__name__}")
        self._data[key] = value
        if self._on_change:
            self._on_change()

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        if self._on_change:
            self._on_change()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def update(self, other: Any = (), /, **kw: Any) -> None:  # type: ignore[override]
        data = {**_as_dict(other), **kw} if other else kw
        for k, v in data.items():
            if not isinstance(k, str):
                raise TypeError(f"config keys must be strings, got {type(k).__name__}")
        self._data.update(data)
        if self._on_change:
            self._on_change()

    def as_dict(self) -> dict:
        return dict(self._data)

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


def _as_dict(obj: Any) -> dict:
    """dicts, Mappings, argparse Namespaces and dataclass-like objects."""
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "keys"):
        return {k: obj[k] for k in obj.keys()}
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise TypeError(f"config must be a dict-like, got {type(obj).__name__}")


class Summary(MutableMapping):
    """Each key's last logged value, unless the user assigned one."""

    def __init__(self, last: dict, on_change: Callable[[], None] | None = None):
        self._last = last  # the run's dict of last values, updated by log()
        self._set: dict = {}
        self._deleted: set = set()
        self._on_change = on_change

    def __getitem__(self, key: str) -> Any:
        if key in self._set:
            return self._set[key]
        if key in self._deleted:
            raise KeyError(key)
        return self._last[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"summary keys must be strings, got {type(key).__name__}")
        self._set[key] = value
        self._deleted.discard(key)
        if self._on_change:
            self._on_change()

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._set.pop(key, None)
        self._deleted.add(key)
        if self._on_change:
            self._on_change()

    def __iter__(self) -> Iterator[str]:
        last = list(self._last)  # copied in one step: log() may add keys from another thread
        seen = [k for k in last if k not in self._deleted and k not in self._set]
        return iter(seen + list(self._set))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def as_dict(self) -> dict:
        last = dict(self._last)
        for k in self._deleted:
            last.pop(k, None)
        last.update(self._set)
        return last

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"
