"""The one way to write an audit entry. Services call `record(...)` inside their
transaction, so the entry commits or rolls back with the change it describes."""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from . import context
from .crypto import mask_address, mask_id_number, mask_phone

SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
_CHAIN_LOCK = 727_100  # PostgreSQL advisory lock key that serialises the chain


def _masked(data):
    if not isinstance(data, dict):
        return data
    return {key: SENSITIVE[key](str(value)) if key in SENSITIVE and value else value for key, value in data.items()}


def _canonical(entry):
    fields = {
        "time": entry.time.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "request_id": entry.request_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "org_path": entry.org_path,
        "before": entry.before,
        "after": entry.after,
        "row_count": entry.row_count,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def chain_hash(entry, prev_hash):
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, prev_hash.encode() + b"|" + _canonical(entry), hashlib.sha256).hexdigest()


def _normalise(data):
    """Round-trip through JSON so the hash sees exactly what the database will return."""
    if data is None:
        return None
    return json.loads(json.dumps(_masked(data), cls=DjangoJSONEncoder, ensure_ascii=False))


def record(*, actor, action, obj=None, object_type="", object_id="", object_repr="", org=None,
           before=None, after=None, row_count=None):
    """Append one audit entry; `org` (or `obj.org`/`obj` if it is an Org) places it in a subtree."""
    from .models import AuditEntry

    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if org is None:
            org = obj if obj._meta.label_lower == "orgs.org" else getattr(obj, "org", None)
    entry = AuditEntry(
        time=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "system",
        request_id=context.get_request_id(),
        client_ip=context.get_client_ip(),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        org_path=getattr(org, "path", "") or "",
        before=_normalise(before),
        after=_normalise(after),
        row_count=row_count,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
    entry.prev_hash = last
    entry.entry_hash = chain_hash(entry, last)
    entry.save()
    return entry


def verify_chain(batch=5000):
    """Walk the chain; return a list of (entry id, problem) for every break."""
    from .models import AuditEntry

    problems = []
    prev = None
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for entry in rows:
            if prev is not None and entry.prev_hash != prev:
                problems.append((entry.id, "previous hash does not match: an entry before it was removed or changed"))
            if chain_hash(entry, entry.prev_hash) != entry.entry_hash:
                problems.append((entry.id, "entry hash does not match its content: the row was edited"))
            prev = entry.entry_hash
            last_id = entry.id
    return problems


def model_snapshot(obj, fields):
    return {name: getattr(obj, name) for name in fields}
