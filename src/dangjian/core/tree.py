"""Subtree queries on materialised paths (django-treebeard MP_Node).

A subtree is a path range: every descendant path starts with the root's path, so it
lies in [path, next(path)). The upper bound is computed inside the path alphabet
(0-9A-Z, with carry), so it never holds punctuation, and path columns compare byte by
byte (`core.fields.PathField`): Python's `startswith`, Python's sorting and the SQL range
agree by construction, whatever the database's collation, and a plain btree index on
the path serves the range on SQLite and PostgreSQL.
"""

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_upper_bound(path):
    """The smallest string over ALPHABET greater than every string that starts with `path`.

    `path` read as a base-36 number plus one at its last digit, with carry: 0009 → 000A,
    00AZ → 00B. None when `path` is all Zs: nothing over the alphabet lies above it
    except its own descendants.
    """
    stem = path.rstrip(ALPHABET[-1])
    if not stem:
        return None
    return stem[:-1] + ALPHABET[ALPHABET.index(stem[-1]) + 1]


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
        upper = path_upper_bound(path)
        if upper is None:
            q |= Q(**{f"{field}__gte": path})
        else:
            q |= Q(**{f"{field}__gte": path, f"{field}__lt": upper})
    return q


def in_subtree(path, roots):
    return any(path.startswith(root) for root in roots)
