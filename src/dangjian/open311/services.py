"""Writes of the Open311 app: client keys (created, revoked, used) and requests posted
through GeoReport v2. Audited; requests themselves are written by
`resident_requests.services.request_submit`, which audits them."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import user_has_global
from dangjian.accounts.tokens import digest
from dangjian.core import audit

from .models import Open311Client, Submission

KEY_PREFIX = "o311_"
# Writing last use on every call would cost a write per request; a minute's grain is enough.
LAST_USED_GRAIN = datetime.timedelta(minutes=1)


def _may_manage(actor):
    return actor is None or user_has_global(actor, "manage_accounts")


@transaction.atomic
def client_create(*, actor, name):
    """A new client; returns (client, key). Only the key's hash is stored: show the key now.

    `actor` None is the `dangjian open311-key` command; otherwise a system administrator."""
    if not _may_manage(actor):
        raise PermissionDenied(_("您没有此项账号管理权限。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请为客户端命名，例如使用它的系统。")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称不能超过100个字符。")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client.objects.create(name=name, prefix=key[:len(KEY_PREFIX) + 6], key_digest=digest(key))
    audit.record(actor=actor, action="open311_key", obj=client,
                 after={"operation": "create", "name": client.name, "prefix": client.prefix})
    return client, key


@transaction.atomic
def client_revoke(*, actor, client):
    """Revoke a client's key: its posts are refused with 403 from now on. Idempotent."""
    if not _may_manage(actor):
        raise PermissionDenied(_("您没有此项账号管理权限。"))
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="open311_key", obj=client,
                 after={"operation": "revoke", "name": client.name, "prefix": client.prefix})
    return client


def client_lookup(key):
    """The usable client whose key this is, or None."""
    if not key or len(key) > 100:
        return None
    return Open311Client.objects.usable().filter(key_digest=digest(key)).first()


def client_touch(client, now=None):
    """Record the key's use, at most once a minute (one UPDATE, no audit entry)."""
    now = now or timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_GRAIN:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


@transaction.atomic
def request_post(*, client, category, description, area, address="", latitude=None, longitude=None, name="",
                 phone=""):
    """A resident's request posted by an Open311 client: written by
    `resident_requests.services.request_submit` (channel "open311", no acting user; it
    validates and audits) with the token the client may later resolve. Returns
    (request, submission). The client's own rate is limited by the view, per key and per
    address, so the per-address flood limit of the public page is not applied here: one
    client system speaks for many residents."""
    from dangjian.resident_requests.models import Channel
    from dangjian.resident_requests.services import request_submit

    request = request_submit(actor=None, channel=Channel.OPEN311, category=category, description=description,
                             area=area, address=address, latitude=latitude, longitude=longitude, name=name,
                             phone=phone)
    submission = Submission.objects.create(client=client, request=request, token=secrets.token_urlsafe(18))
    return request, submission
