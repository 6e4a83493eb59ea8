"""Panels of the subtree overview. The orgs app gives the base figures; later modules
(lists, duties, requests, assessment) register their own panels here, so the home page
and the API summary grow without knowing about each module.

A panel is a function `(user, root) -> dict | None` returning
{"key": str, "title": str, "figures": [{"label": str, "value": int|float|str, "url": str}]}.
"""

_panels = []


def register(panel):
    if panel not in _panels:
        _panels.append(panel)
    return panel


def panels(user, root=None):
    result = []
    for panel in _panels:
        data = panel(user, root)
        if data:
            result.append(data)
    return result
