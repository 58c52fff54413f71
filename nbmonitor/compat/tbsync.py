"""`init(sync_tensorboard=True)`: torch's `SummaryWriter` calls are recorded into the run too.

While the run lives, `torch.utils.tensorboard.SummaryWriter`'s add_scalar,
add_scalars, add_histogram, add_image, add_figure and add_text are wrapped:
each still writes its event file, then logs the same value into the run
(scalars at `global_step`, or at the run's step when that would go back).
The originals are put back when the run finishes. If torch's tensorboard
support is not installed, there is nothing to patch and nothing happens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_patched: dict[str, Callable] = {}
_owner: list[Any] = []  # the run being fed


def _log(data: dict, global_step: Any) -> None:
    if not _owner:
        return
    run = _owner[0]
    if getattr(run, "finished", True):
        return
    step = None
    if global_step is not None:
        try:
            s = int(global_step)
        except (TypeError, ValueError):
            s = None
        if s is not None and s >= run.step:
            step = s
    run.log(data, step=step, commit=False)


def _scalar(self, tag, scalar_value, global_step=None, *a, **k):
    _log({tag: scalar_value}, global_step)


def _scalars(self, main_tag, tag_scalar_dict, global_step=None, *a, **k):
    _log({f"{main_tag}/{t}": v for t, v in tag_scalar_dict.items()}, global_step)


def _histogram(self, tag, values, global_step=None, *a, **k):
    from ..tracking.media import Histogram

    _log({tag: Histogram(values)}, global_step)


def _image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW", *a, **k):
    from ..tracking.media import Image

    _log({tag: Image(img_tensor, dataformats=dataformats)}, global_step)


def _figure(self, tag, figure, global_step=None, *a, **k):
    from ..tracking.logvalues import figure_image

    figs = figure if isinstance(figure, list) else [figure]
    _log({tag: figure_image(figs[0])}, global_step)


def _text(self, tag, text_string, global_step=None, *a, **k):
    _log({tag: str(text_string)}, global_step)


_HOOKS = {"add_scalar": _scalar, "add_scalars": _scalars, "add_histogram": _histogram,
          "add_image": _image, "add_figure": _figure, "add_text": _text}


def _wrap(original: Callable, hook: Callable) -> Callable:
    @functools.wraps(original)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        out = original(self, *args, **kwargs)
        try:
            hook(self, *args, **kwargs)
        except Exception as e:  # the event file is written; a failed copy must not stop training
            import warnings

            from ..errors import NbmonitorWarning

            warnings.warn(f"sync_tensorboard: could not record {original.__name__}: {e}", NbmonitorWarning,
                          stacklevel=2)
        return out

    wrapper._nbm_original = original  # type: ignore[attr-defined]
    return wrapper


def patch(run: Any) -> bool:
    """Feed `run` from torch's SummaryWriter until `unpatch()`; False when torch's tensorboard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except Exception:
        return False
    _owner[:] = [run]
    if not _patched:
        for name, hook in _HOOKS.items():
            original = getattr(SummaryWriter, name, None)
            if original is None:
                continue
            _patched[name] = original
            setattr(SummaryWriter, name, _wrap(original, hook))
    return True


def unpatch(run: Any = None) -> None:
    """Put SummaryWriter's methods back (only if `run` is the one being fed, when given)."""
    if run is not None and _owner and _owner[0] is not run:
        return
    _owner.clear()
    if not _patched:
        return
    from torch.utils.tensorboard import SummaryWriter

    for name, original in _patched.items():
        setattr(SummaryWriter, name, original)
    _patched.clear()
