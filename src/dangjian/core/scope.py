"""Access by subtree: every staff account sees and acts on the union of the subtrees of
its role grants, and nothing else. One queryset method, `visible_to(user, action)`,
carries it for every model; detail views answer 404 outside it."""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404

from .tree import in_subtree, minimal_paths, subtree_q

# Who holds which grants is the accounts app's business; core only asks. The app that
# owns role grants registers two functions at start-up (accounts.apps.ready), so core
# imports no app.
_policy = {}


def register_access_policy(*, grants, role_allows, has_global):
    """Install the access policy: `grants(user)` returns (role, org path) for the user's
    grants at open organisations; `role_allows(role, action)` says what a role may do;
    `has_global(user, action)` whether the user holds a global action (the separated
    administrators' rights, which no subtree bounds)."""
    _policy.update(grants=grants, role_allows=role_allows, has_global=has_global)


def _policy_function(name):
    try:
        return _policy[name]
    except KeyError:
        raise ImproperlyConfigured("no access policy registered (is dangjian.accounts installed?)") from None


def has_global(user, action):
    """May `user` do the global `action` (for example view_audit_all)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return _policy_function("has_global")(user, action)


def scope_paths(user, action="view"):
    """Materialised paths of the org subtrees where `user` may do `action` (cached per user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_scope_cache", {})
    if action not in cache:
        if None not in cache:  # the grants, read once for every action
            cache[None] = _policy_function("grants")(user)
        allows = _policy_function("role_allows")
        cache[action] = minimal_paths([path for role, path in cache[None] if allows(role, action)])
    return cache[action]


def grants_signature(user):
    """What a user's scope depends on: their grants, as a hashable value. Two users with
    the same signature see the same rows for every action."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    scope_paths(user, "view")  # reads the grants once into the cache
    return tuple(sorted(set(user.__dict__["_scope_cache"][None])))


def forget_scope(user):
    user.__dict__.pop("_scope_cache", None)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which lookup leads to an org path (`scope_path_field`)."""

    scope_path_field = "org__path"

    def visible_to(self, user, action="view"):
        paths = scope_paths(user, action)
        if not paths:
            return self.none()
        return self.filter(subtree_q(self.scope_path_field, paths))

    def within(self, org):
        """Rows inside the subtree of `org` (combine with visible_to for access)."""
        return self.filter(subtree_q(self.scope_path_field, [org.path]))


def user_can(user, action, org):
    """May `user` do `action` on something held by `org`?"""
    return org is not None and in_subtree(org.path, scope_paths(user, action))


def get_visible_or_404(queryset, user, action="view", **lookup):
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404
