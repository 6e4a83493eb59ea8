"""Subtree queries on materialised paths (django-treebeard MP_Node).

A subtree is a path range: every descendant path starts with the root's path, so it
lies in [path, next(path)). A range uses the plain btree index on both SQLite and
PostgreSQL, whatever the collation, where LIKE 'prefix%' would not.
"""

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_upper_bound(path):
    """The smallest string greater than every string that starts with `path`."""
    return path[:-1] + chr(ord(path[-1]) + 1)


def minimal_paths(paths):
    """Drop paths that lie inside another path of the list."""
    result = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def subtree_q(field, paths):
    """Q matching rows whose `field` path lies in any of the subtrees rooted at `paths`."""
    q = Q()
    for path in minimal_paths(paths):
        q |= Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})
    return q


def in_subtree(path, roots):
    return any(path.startswith(root) for root in roots)
