"""Seed cities for `dangjian seed --preset NAME`: `demo` (two districts, 2,400 members)
and `nantong` (the whole city at the scale of its Party statistics).

    from dangjian.orgs.seed import plan, load_preset
    plan("nantong").counts()          # what the preset will insert, without inserting
    load_preset("demo", password=...) # insert it (one transaction)
"""

from functools import lru_cache

from . import demo, nantong
from .loader import demo_password, load
from .plan import build

PRESETS = {"demo": demo.SPEC, "nantong": nantong.SPEC}


def plan(preset):
    """The deterministic plan of `preset` (a fresh object on every call)."""
    if preset not in PRESETS:
        raise KeyError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    return build(preset, PRESETS[preset])


@lru_cache(maxsize=4)
def planned_counts(preset):
    return plan(preset).counts()


def load_preset(preset, *, password, stdout=None, verbose=False, extensions=True):
    return load(plan(preset), password=password, stdout=stdout, verbose=verbose, extensions=extensions)


__all__ = ["PRESETS", "demo_password", "load_preset", "plan", "planned_counts"]
