"""The to-do inbox: what waits for a user, gathered from every module.

Like the overview panels, core knows no module: an app registers a provider in its
`AppConfig.ready()` (`inbox.register(provider)`). A provider is a function
`(user, *, entries) -> list[Section]`; with `entries=False` it only counts (the header
badge, on every page), with `entries=True` it also lists the first rows, each linking to
where the thing is done. Each provider answers in a fixed number of queries, whatever
the number of rows it counts.
"""

from dataclasses import dataclass, field

ENTRY_LIMIT = 10


@dataclass
class Entry:
    title: str
    url: str
    note: str = ""
    late: bool = False


@dataclass
class Section:
    key: str
    title: str
    count: int
    url: str = ""
    hint: str = ""
    entries: list = field(default_factory=list)
    # Routine sections (reminders of deadlines, finished imports) go to the digest only;
    # the others are things someone waits on.
    routine: bool = False


_providers = []


_per_scope = set()


def register(provider, *, per_scope=False):
    """`per_scope=True`: the provider's answer depends only on the user's role grants (its
    scope), not on who the user is, so the digest computes it once for all the users who
    hold the same grants (a district's many secretaries) instead of once per user."""
    if provider not in _providers:
        _providers.append(provider)
    if per_scope:
        _per_scope.add(provider)
    return provider


def sections(user, *, entries=True, memo=None):
    """Every non-empty section for `user`, in registration order. `memo` (a dict kept by
    a caller that asks for many users, such as the digest) shares per-scope answers."""
    if not getattr(user, "is_authenticated", False):
        return []
    from dangjian.core.scope import grants_signature

    result = []
    for provider in _providers:
        if memo is not None and provider in _per_scope:
            key = (provider, entries, grants_signature(user))
            if key not in memo:
                memo[key] = [s for s in provider(user, entries=entries) if s.count]
            result.extend(memo[key])
        else:
            result.extend(s for s in provider(user, entries=entries) if s.count)
    return result


def count(user):
    """The header badge: how many things wait for `user`."""
    return sum(s.count for s in sections(user, entries=False))
