"""API tokens: created (the key is returned once), looked up by hash, revoked. Audited.

A token acts with exactly the role grants of its account, so give an integration an
account of its own with only the grants it needs."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit

from .models import ApiToken, User
from .roles import user_has_global

KEY_PREFIX = "dj_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# Writing last use on every request would cost a write per call; a minute's grain is enough.
LAST_USED_GRAIN = datetime.timedelta(minutes=1)


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _may_manage(actor, user):
    return actor is None or actor.pk == user.pk or user_has_global(actor, "manage_accounts")


@transaction.atomic
def token_create(*, actor, user, name, days=DEFAULT_DAYS):
    """A new token for `user`; returns (token, key). The key is not stored: show it now.

    `actor` None is the `dangjian token` command; otherwise the holder or a system administrator."""
    if not _may_manage(actor, user):
        raise PermissionDenied(_("您没有此项账号管理权限。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请为令牌命名，例如使用它的系统。")})
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("有效期应为1至%(max)s天。") % {"max": MAX_DAYS}})
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError({"user": _("账号已停用。")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:len(KEY_PREFIX) + 6], digest=digest(key),
                                    created_at=now, expires_at=now + datetime.timedelta(days=days),
                                    created_by=actor if actor is not None else None)
    audit.record(actor=actor, action="token", obj=user, object_repr=user.username,
                 after={"operation": "create", "token": token.pk, "name": token.name, "prefix": token.prefix,
                        "expires_at": token.expires_at})
    return token, key


@transaction.atomic
def token_revoke(*, actor, token):
    """Revoke one token (its holder or a system administrator); clients using it get 401."""
    if not _may_manage(actor, token.user):
        raise PermissionDenied(_("您没有此项账号管理权限。"))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token", obj=token.user, object_repr=token.user.username,
                 after={"operation": "revoke", "token": token.pk, "name": token.name, "prefix": token.prefix})
    return token


def token_revoke_all(*, actor, user):
    """Revoke every usable token of an account; returns how many."""
    tokens = list(ApiToken.objects.usable().filter(user=user))
    for token in tokens:
        token_revoke(actor=actor, token=token)
    return len(tokens)


def token_lookup(key):
    """The usable token whose key this is, with its user, or None."""
    if not key or len(key) > 100:
        return None
    return ApiToken.objects.usable().select_related("user").filter(digest=digest(key)).first()


def token_touch(token, now=None):
    """Record the token's use, at most once a minute (one UPDATE, no audit entry)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRAIN:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_key(user, name="api", days=DEFAULT_DAYS):
    """The key of a new token for `user` (for scripts and tests that need one at hand)."""
    return token_create(actor=None, user=user, name=name, days=days)[1]
