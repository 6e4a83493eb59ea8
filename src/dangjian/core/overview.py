"""Panels of the subtree overview. The orgs app gives the base figures; later modules
(lists, duties, requests, assessment) register their own panels here, so the home page
and the API summary grow without knowing about each module.

A panel is registered with its key and title, `register(compute, key=..., title=...)`, and
`compute` is a function `(user, root) -> dict | None` returning
{"key": str, "title": str, "figures": [{"label": str, "value": int|float|str, "url": str}]}
(None: nothing to show this user). Pages show a placeholder per panel from the key and
title alone and fetch each panel after the page has loaded (orgs' `overview_panel` view),
so no page pays for every module's figures before it is shown; the API summary computes
them all.
"""

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any  # a lazy translation
    compute: Callable


_panels = []


def register(compute, *, key, title):
    if all(panel.key != key for panel in _panels):
        _panels.append(Panel(key=key, title=title, compute=compute))
    return compute


def registered():
    """The panels' keys and titles, without computing any."""
    return list(_panels)


def get(key):
    """The panel registered under `key`, or None."""
    return next((panel for panel in _panels if panel.key == key), None)


def panels(user, root=None):
    result = []
    for panel in _panels:
        data = panel.compute(user, root)
        if data:
            result.append(data)
    return result
