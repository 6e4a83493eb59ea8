"""Who handles residents' requests, and where.

Residents' requests are the grid's daily work: grid workers (网格员) read the grid's people
and places but may not change the registry, yet they accept, dispatch and close requests.
So requests have their own action, `handle_requests`, held by the staff roles below in
the subtree of their grant. If the accounts app later lists `handle_requests` in a role's
capabilities, that role is counted too. Export keeps its own grant (`export`).
"""

from dangjian.core.scope import scope_paths
from dangjian.core.tree import in_subtree, minimal_paths

HANDLE = "handle_requests"
HANDLER_ROLES = {"org_admin", "secretary", "party_affairs_worker", "grid_worker"}
# Read-only: auditors see the requests of their subtree (and the figures), act on none.
VIEWER_ROLES = {"auditor"}


def _grants(user):
    from dangjian.accounts.roles import open_grants

    cache = user.__dict__.setdefault("_scope_cache", {})
    if None not in cache:
        cache[None] = open_grants(user)
    return cache[None]


def paths(user, action="view"):
    """Org paths of the subtrees where `user` may do `action` on requests."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if action not in ("view", HANDLE):
        return scope_paths(user, action)
    cache = user.__dict__.setdefault("_scope_cache", {})
    key = ("resident_requests", action)
    if key not in cache:
        from dangjian.accounts.roles import role_allows

        roles = HANDLER_ROLES | VIEWER_ROLES if action == "view" else HANDLER_ROLES
        cache[key] = minimal_paths([path for role, path in _grants(user)
                                    if role in roles or role_allows(role, HANDLE)])
    return cache[key]


def can(user, org, action=HANDLE):
    """May `user` do `action` ("view" or HANDLE) on requests held by `org`?"""
    return org is not None and in_subtree(org.path, paths(user, action))
