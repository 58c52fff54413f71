"""`Config` and `Summary`: the dict-likes hanging off a run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from ..store.types import json_default
from .values import stored


def check_storable(where: str, key: str, value: Any) -> None:
    """Raise, naming the key, if `value` cannot be stored as JSON (circular, non-str keys, huge ints).

    NaN and inf are allowed (stored as JSON's NaN/Infinity); unknown objects are stored as their str().
    """
    import json  # lazy: ~1.5 ms of `import nbmonitor` otherwise

    try:
        json.dumps(value, default=json_default)
    except (TypeError, ValueError, RecursionError) as e:
        raise TypeError(f"{where}[{key!r}] cannot be stored: {e} (use str keys, no cycles, numbers "
                        "below 4300 digits)") from None


def _check_not_media(key: str, value: Any) -> None:
    if hasattr(value, "_nbm_event"):  # W&B: "WBValue objects cannot be added to the run config"
        raise ValueError(f"config[{key!r}]: media objects ({type(value).__name__}) cannot be added to the run "
                         "config; log them with log()")


class Config(MutableMapping):
    """A run's hyperparameters: `config.lr`, `config["lr"]`, `config.update({...})`."""

    def __init__(self, data: dict | None = None, on_change: Callable[[], None] | None = None,
                 allow_val_change: bool = True):
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_allow_val_change", allow_val_change)
        if data:
            self.update(_as_dict(data), allow_val_change=True)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"config keys must be strings, got {type(key).__name__}")
        _check_not_media(key, value)
        check_storable("config", key, value)
        self._check_change(key, value, self._allow_val_change)
        self._data[key] = value
        if self._on_change:
            self._on_change()

    def _check_change(self, key: str, value: Any, allow: bool) -> None:
        """W&B refuses to change a set value unless allow_val_change (init() or update()) says so."""
        if allow or key not in self._data:
            return
        old = self._data[key]
        try:
            same = bool(old == value)
        except Exception:  # arrays and such: compare by identity
            same = old is value
        if not same:
            from ..errors import ConfigValueChangeError

            raise ConfigValueChangeError(
                f"config: attempted to change the value of key {key!r} from {old!r} to {value!r}; "
                "pass allow_val_change=True to config.update() (or to init()) to allow it"
            )

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

    def update(self, other: Any = (), /, allow_val_change: bool | None = None, **kw: Any) -> None:  # type: ignore[override]
        """Set several keys; `allow_val_change=True` (a keyword, never stored) lets set values change."""
        data = {**_as_dict(other), **kw} if other else kw
        allow = self._allow_val_change if allow_val_change is None else bool(allow_val_change)
        for k, v in data.items():
            if not isinstance(k, str):
                raise TypeError(f"config keys must be strings, got {type(k).__name__}")
            _check_not_media(k, v)
            check_storable("config", k, v)
            self._check_change(k, v, allow)
        self._data.update(data)
        if self._on_change:
            self._on_change()

    def setdefaults(self, d: Any) -> None:
        """Set the keys of `d` that are not set yet (W&B's config.setdefaults)."""
        data = {k: v for k, v in _as_dict(d).items() if k not in self._data}
        if data:
            self.update(data, allow_val_change=True)

    def keys(self):  # type: ignore[override]
        return self._data.keys()

    def items(self):  # type: ignore[override]
        return self._data.items()

    def as_dict(self) -> dict:
        return dict(self._data)

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


def as_plain_dict(obj: Any) -> dict:
    """A dict of a config given as a dict, Mapping, argparse Namespace or object with attributes."""
    return _as_dict(obj)


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

    def __init__(self, last: Callable[[], dict], last_of: Callable[[str], Any],
                 on_change: Callable[[], None] | None = None, view: Callable[[dict], dict] | None = None):
        self._last = last  # the run's last values, a fresh dict (numbers as log() kept them)
        self._last_of = last_of  # one key's last value (KeyError if never logged)
        self._set: dict = {}
        self._deleted: set = set()
        self._on_change = on_change
        self._view = view  # define_metric's aggregates (min/max/...) applied to the logged values

    def __getitem__(self, key: str) -> Any:
        if key in self._set:
            return self._set[key]
        if key in self._deleted:
            raise KeyError(key)
        v = self._last_of(key)
        if type(v) is not float:
            v = stored(v)  # an int or numpy scalar as log() kept it, a GPU value
        if self._view is not None:
            shown = self._view({key: v})
            if key not in shown:
                raise KeyError(key)
            return shown[key]
        return v

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"summary keys must be strings, got {type(key).__name__}")
        check_storable("summary", key, value)
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
        last = list(self._last())
        if self._view is not None:
            last = list(self._view(dict.fromkeys(last)))
        seen = [k for k in last if k not in self._deleted and k not in self._set]
        return iter(seen + list(self._set))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def as_dict(self) -> dict:
        last = self._last()
        for k, v in last.items():
            if type(v) is not float:  # kept as logged (an int, a numpy scalar; a GPU value not sealed yet)
                last[k] = stored(v)
        for k in self._deleted:
            last.pop(k, None)
        if self._view is not None:
            last = self._view(last)
        last.update(self._set)
        return last

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"
