"""Writes of the responsibilities module. Every function is keyword-only, atomic, checks the
actor's scope for every object it is handed (the organisation with `change`, a member with
`view_members`, a contact point's organisation with `view`) and writes one audit entry.

`actor=None` is a system job (the seed)."""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, metrics
from dangjian.core.concurrency import check_version
from dangjian.core.scope import user_can
from dangjian.core.services import require
from dangjian.core.tree import in_subtree
from dangjian.orgs.models import Org

from .metrics import CONTACT_VISITS
from .models import (
    ContactPoint,
    ContactVisit,
    DocumentKind,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)

RESPONSIBILITY_FIELDS = ("org", "level", "member", "person", "portfolio", "start_on", "end_on")
DOCUMENT_FIELDS = ("org", "kind", "title", "counterparty", "signed_on", "summary", "member", "person", "file_name")
ITEM_FIELDS = ("name", "times_per_year", "description", "position", "active")
RECORD_FIELDS = ("org", "item", "year", "done_on", "summary", "member", "person")
POINT_FIELDS = ("org", "point_org", "member", "person", "since", "until", "note")
VISIT_FIELDS = ("point", "visited_on", "summary", "problems", "follow_up")

MAX_FILE_BYTES = 10 * 1024 * 1024
# extension -> (content type, first bytes)
FILE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


# Checks ---------------------------------------------------------------------------------

def _check_org(actor, org, field="org", action="change"):
    if org is None:
        raise ValidationError({field: _("请选择党组织。")})
    require(actor, action, org, field=field if actor is not None else None)
    if org.closed_at:
        raise ValidationError({field: _("该组织已撤销。")})


def _check_leader(actor, member, person):
    """Exactly one leader, in the actor's member scope, not left the Party."""
    if (member is None) == (person is None):
        raise ValidationError({"member": _("请选择一名党员（或非党员领导）。")})
    if member is not None:
        if actor is not None and not user_can(actor, "view_members", member.org):
            raise ValidationError({"member": _("所选对象不存在或不在您的管辖范围内。")})
        if member.left_on:
            raise ValidationError({"member": _("该党员已出党或转出。")})
    if person is not None and actor is not None and not user_can(actor, "view_members", person.org):
        raise ValidationError({"member": _("所选对象不存在或不在您的管辖范围内。")})


def _new_leader(row, fields):
    """The leader after an update: a member or a person given replaces the other."""
    if fields.get("member") is not None:
        return fields["member"], None
    if fields.get("person") is not None:
        return None, fields["person"]
    return row.member, row.person


def _update_leader(actor, row, fields):
    """Take the leader an update names (checked as on creation); keep the row's otherwise."""
    member, person = _new_leader(row, fields)
    if (member, person) != (row.member, row.person):
        _check_leader(actor, member, person)
        row.member, row.person = member, person


def _locked_for_change(actor, row, expected_version=None):
    """`row` read again and locked, once the actor may change its organisation and, for an
    edit, the row is still at the version the editor read."""
    row = type(row).objects.select_for_update().get(pk=row.pk)
    require(actor, "change", row.org)
    check_version(row, expected_version)
    return row


def _apply(row, fields, names, *, text=()):
    """Set the `names` that the update gives; a text field given as None becomes empty."""
    for name in names:
        if name in fields:
            value = fields[name]
            setattr(row, name, "" if value is None and name in text else value)


def _save_new(actor, row, audit_fields):
    """Save a new row and audit its creation."""
    row.save()
    audit.record(actor=actor, action="create", obj=row, after=audit.snapshot(row, audit_fields))
    return row


def _save_changes(actor, row, audit_fields, before, *, force=False):
    """Save and audit an update, or do neither when nothing changed (unless `force`)."""
    after = audit.snapshot(row, audit_fields)
    if audit.changes(before, after) or force:
        row.save()
        audit.record(actor=actor, action="update", obj=row, before=before, after=after)
    return row


def _delete(actor, row, audit_fields, **audit_kwargs):
    audit.record(actor=actor, action="delete", obj=row, before=audit.snapshot(row, audit_fields), **audit_kwargs)
    row.delete()
    return row


def _check_dates(start, end, end_field="end_on"):
    if start and end and end < start:
        raise ValidationError({end_field: _("结束日期不能早于开始日期。")})


def _lock_org(org):
    # Serialises writers of one organisation's responsibilities (SQLite: IMMEDIATE transactions).
    Org.objects.select_for_update().filter(pk=org.pk).exists()


def _check_primary(resp):
    """At most one 第一责任人 of an organisation on any day."""
    if resp.level != Level.PRIMARY:
        return
    clash = Responsibility.objects.filter(org_id=resp.org_id, level=Level.PRIMARY).exclude(pk=resp.pk)
    clash = clash.filter(Q(end_on__isnull=True) | Q(end_on__gte=resp.start_on))
    if resp.end_on:
        clash = clash.filter(start_on__lte=resp.end_on)
    other = clash.select_related("member", "person").first()
    if other is not None:
        raise ValidationError({"level": _("该组织在这段时间已有第一责任人（%(name)s），请先填写其结束日期。")
                               % {"name": other.leader_name}})


def check_file(upload):
    """(content type, name) of an allowed attachment, or ValidationError on `file`:
    PDF, JPG/PNG or Word, at most 10 MB, its first bytes matching its name."""
    name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    if not size:
        raise ValidationError({"file": _("“%(name)s”是空文件。") % {"name": name}})
    if size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("“%(name)s”超过%(mb)dMB的上限。") % {"name": name, "mb": MAX_FILE_BYTES >> 20}})
    spec = FILE_TYPES.get(os.path.splitext(name)[1].lower())
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if spec is None or not head.startswith(spec[1]):
        raise ValidationError({"file": _("“%(name)s”的类型不受支持（可上传PDF、JPG/PNG图片或Word文件）。") % {"name": name}})
    return spec[0], name


# Responsibilities -----------------------------------------------------------------------

@transaction.atomic
def responsibility_create(*, actor, org, level, member=None, person=None, start_on, end_on=None, portfolio=""):
    """Name who bears `level` responsibility for `org` from `start_on`."""
    _check_org(actor, org)
    _check_leader(actor, member, person)
    _check_dates(start_on, end_on)
    if level not in Level.values:
        raise ValidationError({"level": _("请选择责任类别。")})
    _lock_org(org)
    resp = Responsibility(org=org, level=level, member=member, person=person, start_on=start_on, end_on=end_on,
                          portfolio=portfolio or "")
    _check_primary(resp)
    return _save_new(actor, resp, RESPONSIBILITY_FIELDS)


@transaction.atomic
def responsibility_update(*, actor, responsibility, expected_version=None, **fields):
    """Change the level, leader, portfolio or dates (an ended responsibility keeps its row)."""
    resp = _locked_for_change(actor, responsibility, expected_version)
    before = audit.snapshot(resp, RESPONSIBILITY_FIELDS)
    _update_leader(actor, resp, fields)
    _apply(resp, fields, ("level", "portfolio", "start_on", "end_on"), text=("portfolio",))
    if resp.level not in Level.values:
        raise ValidationError({"level": _("请选择责任类别。")})
    _check_dates(resp.start_on, resp.end_on)
    _lock_org(resp.org)
    _check_primary(resp)
    return _save_changes(actor, resp, RESPONSIBILITY_FIELDS, before)


@transaction.atomic
def responsibility_delete(*, actor, responsibility):
    """Remove a row entered by mistake (a leader who leaves gets an end date instead)."""
    return _delete(actor, _locked_for_change(actor, responsibility), RESPONSIBILITY_FIELDS)


# Documents ------------------------------------------------------------------------------

@transaction.atomic
def document_create(*, actor, org, kind, title, signed_on, member=None, person=None, counterparty="", summary="",
                    file=None):
    """Record a signed 责任书 or a 公开承诺, with an optional checked attachment."""
    _check_org(actor, org)
    _check_leader(actor, member, person)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("请选择类别。")})
    if signed_on and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    doc = ResponsibilityDocument(org=org, kind=kind, title=title, signed_on=signed_on, member=member, person=person,
                                 counterparty=counterparty or "", summary=summary or "")
    if file:
        doc.content_type, doc.file_name = check_file(file)
        doc.file.save(doc.file_name, file, save=False)
    return _save_new(actor, doc, DOCUMENT_FIELDS)


@transaction.atomic
def document_update(*, actor, document, expected_version=None, file=None, **fields):
    doc = _locked_for_change(actor, document, expected_version)
    before = audit.snapshot(doc, DOCUMENT_FIELDS)
    _update_leader(actor, doc, fields)
    _apply(doc, fields, ("kind", "title", "counterparty", "signed_on", "summary"),
           text=("kind", "title", "counterparty", "summary"))
    if doc.kind not in DocumentKind.values:
        raise ValidationError({"kind": _("请选择类别。")})
    if doc.signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    if file:
        doc.content_type, doc.file_name = check_file(file)
        doc.file.save(doc.file_name, file, save=False)
    return _save_changes(actor, doc, DOCUMENT_FIELDS, before, force=bool(file))


@transaction.atomic
def document_delete(*, actor, document):
    doc = _locked_for_change(actor, document)
    if doc.file:
        doc.file.delete(save=False)
    return _delete(actor, doc, DOCUMENT_FIELDS)


# "八个一" --------------------------------------------------------------------------------

def may_configure(actor):
    """The "八个一" items are the organisation department's: `change` at a top organisation."""
    if actor is None:
        return True
    return any(user_can(actor, "change", org) for org in Org.objects.filter(depth=1).only("path"))


def _require_configure(actor):
    if not may_configure(actor):
        raise PermissionDenied(_("只有组织部门可以设置“八个一”事项。"))


@transaction.atomic
def duty_item_create(*, actor, name, times_per_year=1, description="", position=None, active=True):
    _require_configure(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if LeaderDutyItem.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有同名事项。")})
    if position is None:
        position = (LeaderDutyItem.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    item = LeaderDutyItem(name=name, times_per_year=times_per_year or 1, description=description or "",
                          position=position, active=active)
    return _save_new(actor, item, ITEM_FIELDS)


@transaction.atomic
def duty_item_update(*, actor, item, expected_version=None, **fields):
    _require_configure(actor)
    item = LeaderDutyItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)
    before = audit.snapshot(item, ITEM_FIELDS)
    _apply(item, {name: value for name, value in fields.items() if value is not None}, ITEM_FIELDS)
    item.name = item.name.strip()
    if not item.name:
        raise ValidationError({"name": _("请填写名称。")})
    if LeaderDutyItem.objects.filter(name=item.name).exclude(pk=item.pk).exists():
        raise ValidationError({"name": _("已有同名事项。")})
    return _save_changes(actor, item, ITEM_FIELDS, before)


@transaction.atomic
def duty_record_create(*, actor, org, item, done_on, summary, member=None, person=None):
    """Record one fulfilment of a "八个一" duty by a leader of `org`."""
    _check_org(actor, org)
    _check_leader(actor, member, person)
    if item is None or not item.active:
        raise ValidationError({"item": _("请选择启用中的事项。")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("日期不能晚于今天。")})
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写开展情况。")})
    record = LeaderDutyRecord(org=org, item=item, year=done_on.year, done_on=done_on, summary=summary.strip(),
                              member=member, person=person)
    return _save_new(actor, record, RECORD_FIELDS)


@transaction.atomic
def duty_record_delete(*, actor, record):
    return _delete(actor, _locked_for_change(actor, record), RECORD_FIELDS)


# Contact points and visits --------------------------------------------------------------

def _check_point_org(actor, org, point_org):
    if point_org is None:
        raise ValidationError({"point_org": _("请选择联系点。")})
    if not in_subtree(point_org.path, [org.path]):
        raise ValidationError({"point_org": _("联系点须在领导所在党组织的管辖范围内。")})
    if actor is not None and not user_can(actor, "view", point_org):
        raise ValidationError({"point_org": _("该组织不在您的管辖范围内。")})
    if point_org.closed_at:
        raise ValidationError({"point_org": _("该组织已撤销。")})


@transaction.atomic
def contact_point_create(*, actor, org, point_org, since, member=None, person=None, until=None, note=""):
    """A leader of `org` takes `point_org` (in `org`'s subtree) as their contact point."""
    _check_org(actor, org)
    _check_leader(actor, member, person)
    _check_point_org(actor, org, point_org)
    _check_dates(since, until, "until")
    point = ContactPoint(org=org, point_org=point_org, member=member, person=person, since=since, until=until,
                         note=note or "")
    return _save_new(actor, point, POINT_FIELDS)


@transaction.atomic
def contact_point_update(*, actor, point, expected_version=None, **fields):
    point = _locked_for_change(actor, point, expected_version)
    before = audit.snapshot(point, POINT_FIELDS)
    if fields.get("point_org") is not None and fields["point_org"] != point.point_org:
        _check_point_org(actor, point.org, fields["point_org"])
        point.point_org = fields["point_org"]
    _apply(point, fields, ("since", "until", "note"), text=("note",))
    _check_dates(point.since, point.until, "until")
    return _save_changes(actor, point, POINT_FIELDS, before)


@transaction.atomic
def contact_point_delete(*, actor, point):
    point = _locked_for_change(actor, point)
    if point.visits.exists():
        raise ValidationError(_("该联系点已有走访记录，不能删除；请填写结束日期。"))
    return _delete(actor, point, POINT_FIELDS)


@transaction.atomic
def visit_record(*, actor, point, visited_on, summary, problems="", follow_up=""):
    """Record a visit to a contact point (a phone form: date, what was done, what was found)."""
    point = ContactPoint.objects.select_for_update().select_related("org").get(pk=point.pk)
    require(actor, "change", point.org)
    today = timezone.localdate()
    if visited_on is None:
        raise ValidationError({"visited_on": _("请填写走访日期。")})
    if visited_on > today:
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    if visited_on < point.since or (point.until and visited_on > point.until):
        raise ValidationError({"visited_on": _("走访日期不在该联系点的起止日期内。")})
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写走访情况。")})
    visit = ContactVisit.objects.create(point=point, visited_on=visited_on, summary=summary.strip(),
                                        problems=(problems or "").strip(), follow_up=(follow_up or "").strip(),
                                        recorded_by=actor if actor is not None and actor.pk else None)
    if point.last_visit_on is None or visited_on > point.last_visit_on:
        ContactPoint.objects.filter(pk=point.pk).update(last_visit_on=visited_on)
    audit.record(actor=actor, action="record_visit", obj=visit, org=point.org,
                 after=audit.snapshot(visit, VISIT_FIELDS))
    metrics.changed(CONTACT_VISITS, point.org)
    return visit


@transaction.atomic
def visit_delete(*, actor, visit):
    visit = ContactVisit.objects.select_related("point__org").get(pk=visit.pk)
    point = _locked_for_change(actor, visit.point)
    _delete(actor, visit, VISIT_FIELDS, org=point.org)
    last = point.visits.aggregate(m=Max("visited_on"))["m"]
    ContactPoint.objects.filter(pk=point.pk).update(last_visit_on=last)
    metrics.changed(CONTACT_VISITS, point.org)
    return visit
