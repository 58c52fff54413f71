"""Colab's display metadata: `colab_metadata()` is what anywidget's own display adds in Colab."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("nbmonitor.ui.display")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def colab_metadata() -> dict:
    """What anywidget's own display adds in Colab: its custom widget manager's URL (and it is enabled).

    Outside Colab (no `google.colab.output` module) an empty dict.
    """
    colab = sys.modules.get("google.colab.output")
    if colab is None:
        return {}
    try:
        from anywidget._util import enable_custom_widget_manager_once

        enable_custom_widget_manager_once()
    except Exception:
        try:
            colab.enable_custom_widget_manager()
        except Exception as e:
            log.debug("nbmonitor: could not enable Colab's custom widget manager: %s", e)
    url = getattr(getattr(colab, "_widgets", None), "_installed_url", None)
    return {_WIDGET_MIME: {"colab": {"custom_widget_manager": {"url": url}}}} if url else {}
