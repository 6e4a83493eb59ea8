"""Attempts per client address, counted in the cache (Redis in production)."""

import time

from django.conf import settings
from django.core.cache import cache

from dangjian.core.middleware import client_ip  # noqa: F401 (callers import it from here too)


def too_many(request, scope, limit=None, window=60):
    """Count one attempt; True once more than `limit` were made in the current window."""
    limit = settings.DANGJIAN_LOGIN_RATE_PER_MINUTE if limit is None else limit
    key = f"dangjian-rate:{scope}:{client_ip(request)}:{int(time.time() // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count > limit
