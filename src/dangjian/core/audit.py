"""The one way to write an audit entry. Services call `record(...)` inside their
transaction, so the entry commits or rolls back with the change it describes.

Three rules keep the trail trustworthy:

- Every action is declared, with a label, in one registry (`declare`); `record` refuses an
  undeclared one, and `core/tests/test_audit_registry.py` holds every call site to it.
- Before and after are taken the same way everywhere (`snapshot`, `changes`); a write that
  changes nothing writes no entry.
- The chain stays linear under concurrent writers with a short lock. The entry is appended
  (previous hash read, time taken, row inserted) under the chain lock: a PostgreSQL
  advisory transaction lock, or SQLite's write lock (our transactions are IMMEDIATE). The
  time is taken after the lock, never earlier than the previous entry's, so ids, chain
  order and times agree and pruning by an id boundary never cuts the chain. A long
  transaction (an import) wraps its work in `deferred()`: its entries are appended at the
  end of the block, so the lock is held only for the moment before its commit and logins
  do not wait for the import.
"""

import contextlib
import contextvars
import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import context
from .crypto import mask_address, mask_id_number, mask_phone

SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
_CHAIN_LOCK = 727_100  # PostgreSQL advisory lock key that serialises appends to the chain

# Action registry -----------------------------------------------------------------------

_ACTIONS = {}


def declare(**labels):
    """Declare audit actions with their labels: `declare(publish=_("公示"))`. Apps declare
    their own in `AppConfig.ready()`; a code declared twice keeps one label."""
    for code, label in labels.items():
        if len(code) > 20:
            raise ValueError(f"audit action {code!r} is longer than 20 characters")
        if code in _ACTIONS and str(_ACTIONS[code]) != str(label):
            raise ValueError(f"audit action {code!r} declared twice with different labels")
        _ACTIONS[code] = label


def action_choices():
    """(code, label) for every declared action; the model field and the audit page filter use it."""
    return list(_ACTIONS.items())


def action_label(code):
    return _ACTIONS.get(code, code)


def is_declared(code):
    return code in _ACTIONS


def object_type_label(code):
    """An entry's object type in words: the model's verbose name ('orgs.member' -> 党员),
    the code itself only when no installed model has it (an entry older than a rename)."""
    from django.apps import apps

    try:
        return apps.get_model(code)._meta.verbose_name
    except (LookupError, ValueError):
        return code


def object_type_choices():
    """(code, verbose name) of the project's models, for the audit page's filter."""
    from django.apps import apps

    models = [m for m in apps.get_models() if m.__module__.startswith("dangjian.")]
    return sorted(((m._meta.label_lower, m._meta.verbose_name) for m in models), key=lambda c: c[0])


declare(**{
    "create": _("创建"), "update": _("修改"), "delete": _("删除"), "move": _("移动"), "close": _("撤销"),
    "import": _("导入"), "export": _("导出"), "view_pii": _("查看完整个人信息"), "seed": _("载入演示数据"),
    "prune": _("清理审计"),
})


# Snapshots -----------------------------------------------------------------------------

def snapshot(obj, fields):
    """The values of `fields` on `obj`, as every audit entry and revision keeps them.

    A relation named by its field name (`org`) gives its id and its name (`org`,
    `org_name`); named by its column (`org_id`) it gives the id only; other fields their
    value. Take `before` and `after` with the same call and compare them with `changes`."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation and name == field.name:
            data[name] = getattr(obj, field.attname)
            related = getattr(obj, name) if data[name] is not None else None
            data[f"{name}_name"] = str(related) if related is not None else ""
        else:
            data[name] = getattr(obj, name)
    return data


def changes(before, after):
    """The keys whose values differ between two snapshots, compared as they will be stored."""
    before, after = _normalise(before) or {}, _normalise(after) or {}
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# Writing -------------------------------------------------------------------------------

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


_pending = contextvars.ContextVar("audit_pending", default=None)


def record(*, actor, action, obj=None, object_type="", object_id="", object_repr="", org=None,
           before=None, after=None, row_count=None):
    """Append one audit entry; `org` (or `obj.org`/`obj` if it is an Org) places it in a subtree.

    Inside `deferred()` the entry is appended when the block ends; its `time`, `id` and
    hashes are set then."""
    from .models import AuditEntry

    if action not in _ACTIONS:
        raise ValueError(f"undeclared audit action {action!r}: declare it with dangjian.core.audit.declare()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if org is None:
            org = obj if obj._meta.label_lower == "orgs.org" else getattr(obj, "org", None)
    entry = AuditEntry(
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
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
        return entry
    _append([entry])
    return entry


def _append(entries):
    """Chain and insert `entries` under the chain lock (held until the transaction ends)."""
    from .models import AuditEntry

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", "time").first()
        prev, now = (last[0], max(timezone.now(), last[1])) if last else ("", timezone.now())
        for entry in entries:
            entry.time = now
            entry.prev_hash = prev
            entry.entry_hash = prev = chain_hash(entry, prev)
            entry.save()


@contextlib.contextmanager
def deferred():
    """Hold the entries recorded inside the block and append them when it ends without an
    error. Use it inside the transaction of a long write (an import), as its last step:

        with transaction.atomic(), audit.deferred():
            ...  # batches, each with audit.record(action="import", row_count=...)

    The chain lock is then taken only just before the commit. Nested blocks join the
    outermost one."""
    if _pending.get() is not None:
        yield
        return
    entries = []
    token = _pending.set(entries)
    try:
        yield
    finally:
        _pending.reset(token)
    if entries:
        _append(entries)


# Reading -------------------------------------------------------------------------------

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
