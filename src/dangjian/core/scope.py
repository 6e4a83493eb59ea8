"""Access by subtree: every staff account sees and acts on the union of the subtrees of
its role grants, and nothing else. One queryset method, `visible_to(user, action)`,
carries it for every model; detail views answer 404 outside it."""

from django.db import models
from django.http import Http404

from .tree import in_subtree, minimal_paths, subtree_q


def scope_paths(user, action="view"):
    """Materialised paths of the org subtrees where `user` may do `action` (cached per user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_scope_cache", {})
    if action not in cache:
        from dangjian.accounts.roles import role_allows

        paths = [
            grant.org.path
            for grant in user.role_grants.select_related("org").filter(org__closed_at__isnull=True)
            if role_allows(grant.role, action)
        ]
        cache[action] = minimal_paths(paths)
    return cache[action]


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
