"""Writes on units, instructors, agreements, alliances and unit reports. Every function is
keyword-only and atomic, checks the actor's scope for every object handed in, and writes
one audit entry."""

import os
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, metrics
from dangjian.core.concurrency import check_version
from dangjian.core.services import require
from dangjian.core.text import search_key
from dangjian.orgs.models import Area, AreaKind, Member, Org, Person, Sector

from . import uscc
from .models import (
    CODE_REQUIRED_KINDS,
    ORG_COVERAGES,
    THREE_OFFICE_ROLES,
    Agreement,
    AgreementKind,
    AgreementParty,
    Alliance,
    AllianceKind,
    AllianceMember,
    Commitment,
    Coverage,
    InstructorAssignment,
    InstructorReview,
    PartyInstructor,
    PartyRole,
    Rating,
    ReportStatus,
    Unit,
    UnitKind,
    UnitReport,
)

COVERAGE_METRIC = "cobuilding.unit_coverage"
UNIT_FIELDS = ("name", "credit_code", "kind", "staff_size", "address", "area", "org", "coverage", "covering_org",
               "contact_name", "closed_on")
EDITABLE_UNIT_FIELDS = {"name", "credit_code", "kind", "staff_size", "address", "area", "coverage", "covering_org",
                        "contact_name"}

# Areas whose Party organisation holds the units located under them, nearest first.
OWNER_AREA_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.STREET, AreaKind.TOWN, AreaKind.DISTRICT,
                    AreaKind.CITY)

LOCAL_SECTORS = (Sector.URBAN_COMMUNITY, Sector.RURAL, Sector.ORGAN)

USCC_REASONS = {
    "length": gettext_lazy("统一社会信用代码应为18位。"),
    "character": gettext_lazy("统一社会信用代码含有无效字符（不使用I、O、Z、S、V）。"),
    "division": gettext_lazy("统一社会信用代码第3至8位应为行政区划代码（数字）。"),
    "checksum": gettext_lazy("统一社会信用代码校验位错误。"),
}


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# Area → owning organisation ------------------------------------------------------------

def owner_orgs_for_areas(areas):
    """{area_id: Org or None}: for each area, the open Party organisation of the nearest
    community, village, street or town (then district, city) at or above it that has
    one; of that area's organisations, the shallowest (the community committee, not a
    grid branch). Two queries for any number of areas."""
    areas = [a for a in areas if a is not None]
    if not areas:
        return {}
    step = Area.steplen
    prefixes = {a.path[:n] for a in areas for n in range(step, len(a.path) + 1, step)}
    ancestors = {path: (pk, kind) for pk, path, kind in
                 Area.objects.filter(path__in=prefixes).values_list("pk", "path", "kind")}
    candidate_ids = [pk for pk, kind in ancestors.values() if kind in OWNER_AREA_KINDS]
    best = {}
    # The area's own community/village/street organisation first (a 村企联建 organisation
    # sharing a village's area is not the village's), then the shallowest.
    found = Org.objects.filter(area_id__in=candidate_ids, closed_at__isnull=True).order_by("depth", "path")
    for org in sorted(found, key=lambda o: (o.sector not in LOCAL_SECTORS, o.depth, o.path)):
        best.setdefault(org.area_id, org)
    result = {}
    for area in areas:
        found = None
        for n in range(len(area.path), 0, -step):
            pk, kind = ancestors.get(area.path[:n], (None, None))
            if pk is not None and kind in OWNER_AREA_KINDS and pk in best:
                found = best[pk]
                break
        result[area.pk] = found
    return result


def owner_org_for_area(area):
    return owner_orgs_for_areas([area]).get(area.pk) if area is not None else None


# Units ---------------------------------------------------------------------------------

def clean_credit_code(code, kind, *, field="credit_code"):
    """The normalised code, or a ValidationError on `field` (required for enterprises)."""
    code = uscc.normalise(code)
    if not code:
        if kind in CODE_REQUIRED_KINDS:
            raise ValidationError({field: _("企业必须填写统一社会信用代码。")}, code="required")
        return ""
    reason = uscc.problem(code)
    if reason:
        raise ValidationError({field: USCC_REASONS[reason]}, code=f"uscc_{reason}")
    return code


def _unit_errors(*, name, kind, coverage, covering_org, staff_size, credit_code):
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("名称不能为空。")
    if kind not in UnitKind.values:
        errors["kind"] = _("“%(value)s”不是有效的选项。") % {"value": kind}
    if coverage not in Coverage.values:
        errors["coverage"] = _("“%(value)s”不是有效的选项。") % {"value": coverage}
    elif coverage in ORG_COVERAGES and covering_org is None:
        errors["covering_org"] = _("单独或联合组建党组织的单位须填写覆盖党组织。")
    elif coverage == Coverage.NONE and covering_org is not None:
        errors["covering_org"] = _("未覆盖的单位不能填写覆盖党组织。")
    if covering_org is not None and covering_org.closed_at:
        errors["covering_org"] = _("该党组织已撤销。")
    if staff_size is not None and staff_size < 0:
        errors["staff_size"] = _("从业人员数不能为负数。")
    try:
        clean_credit_code(credit_code, kind)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


def _require_org_visible(actor, org, *, field):
    """An organisation named in a form (the covering Party organisation): the actor must see it."""
    if actor is None or org is None:
        return
    if not Org.objects.visible_to(actor, "view").filter(pk=org.pk).exists():
        raise ValidationError({field: _("该组织不在您的管辖范围内。")}, code="out_of_scope")


def _credit_code_taken(code, exclude_pk=None):
    if not code:
        return False
    qs = Unit.objects.filter(credit_code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _owner_or_error(area):
    org = owner_org_for_area(area)
    if org is None:
        raise ValidationError({"area": _("该区域没有所属的社区或街道党组织。")}, code="no_owner")
    return org


@transaction.atomic
def unit_create(*, actor, name, kind, area, coverage=Coverage.NONE, covering_org=None, credit_code="",
                staff_size=None, address="", contact_name=""):
    """Register a unit located in `area`; it belongs to the area's community/street organisation,
    which must lie in the actor's `change` scope."""
    if area is None:
        raise ValidationError({"area": _("请选择所在区域。")})
    errors = _unit_errors(name=name, kind=kind, coverage=coverage, covering_org=covering_org,
                          staff_size=staff_size, credit_code=credit_code)
    if errors:
        raise ValidationError(errors)
    org = _owner_or_error(area)
    require(actor, "change", org, field="area")
    _require_org_visible(actor, covering_org, field="covering_org")
    code = clean_credit_code(credit_code, kind)
    if _credit_code_taken(code):
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")}, code="duplicate")
    name = name.strip()
    unit = Unit.objects.create(
        name=name, kind=kind, area=area, org=org, coverage=coverage, covering_org=covering_org, credit_code=code,
        staff_size=staff_size, address=(address or "").strip(), contact_name=(contact_name or "").strip(),
        search_text=search_key(name, code)[:400])
    audit.record(actor=actor, action="create", obj=unit, after=audit.snapshot(unit, UNIT_FIELDS))
    metrics.changed(COVERAGE_METRIC, org)
    return unit


@transaction.atomic
def unit_update(*, actor, unit, expected_version=None, **changes):
    """Change a unit's fields; moving it to another area moves it to that area's organisation
    (both must lie in the actor's scope)."""
    unit = _locked(Unit, unit.pk)
    require(actor, "change", unit.org)
    check_version(unit, expected_version)
    if unit.closed_on:
        raise ValidationError({"closed_on": _("该单位已迁出或注销。")})
    for key in ("area_id", "covering_org_id"):
        if key in changes:
            model = Area if key == "area_id" else Org
            changes[key[:-3]] = model.objects.filter(pk=changes.pop(key)).first() if changes[key] else None
    unknown = set(changes) - EDITABLE_UNIT_FIELDS
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    before = audit.snapshot(unit, UNIT_FIELDS)
    old_org = unit.org
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    if unit.area_id is None:
        raise ValidationError({"area": _("请选择所在区域。")})
    errors = _unit_errors(name=unit.name, kind=unit.kind, coverage=unit.coverage, covering_org=unit.covering_org,
                          staff_size=unit.staff_size, credit_code=unit.credit_code)
    if errors:
        raise ValidationError(errors)
    unit.credit_code = clean_credit_code(unit.credit_code, unit.kind)
    if "area" in changes and unit.area_id != before["area"]:
        unit.org = _owner_or_error(unit.area)
        require(actor, "change", unit.org, field="area")
    if "covering_org" in changes and unit.covering_org_id != before["covering_org"]:
        _require_org_visible(actor, unit.covering_org, field="covering_org")
    if unit.credit_code != before["credit_code"] and _credit_code_taken(unit.credit_code, unit.pk):
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")}, code="duplicate")
    after = audit.snapshot(unit, UNIT_FIELDS)
    if not audit.changes(before, after):
        return unit
    unit.search_text = search_key(unit.name, unit.credit_code)[:400]
    unit.save()
    audit.record(actor=actor, action="update", obj=unit, before=before, after=after)
    metrics.changed(COVERAGE_METRIC, unit.org)
    if old_org.pk != unit.org_id:
        metrics.changed(COVERAGE_METRIC, old_org)
    return unit


@transaction.atomic
def unit_close(*, actor, unit, on=None):
    """The unit moved out or was deregistered (迁出/注销): it leaves the figures; open reports end."""
    unit = _locked(Unit, unit.pk)
    require(actor, "change", unit.org)
    if unit.closed_on:
        raise ValidationError({"closed_on": _("该单位已迁出或注销。")})
    on = on or timezone.localdate()
    unit.closed_on = on
    unit.save(update_fields=["closed_on", "updated_at"])
    UnitReport.objects.filter(unit=unit, status__in=[ReportStatus.PENDING, ReportStatus.ACCEPTED]).update(
        status=ReportStatus.ENDED, ended_on=on)
    audit.record(actor=actor, action="close", obj=unit, after={"closed_on": on})
    metrics.changed(COVERAGE_METRIC, unit.org)
    return unit


def unit_bulk_create(*, actor, rows, batch_size=2000):
    """Insert validated unit rows (dicts of Unit fields with `area` and `org` set, codes
    normalised and unique) in batches, with one audit entry for the lot. The caller (the
    import, the seed) validated them and checked scope; the caller holds the transaction."""
    units = []
    orgs = {}
    for row in rows:
        row = dict(row)
        row.setdefault("search_text", search_key(row["name"], row.get("credit_code", ""))[:400])
        units.append(Unit(**row))
        orgs[row["org"].pk] = row["org"]
    try:
        with transaction.atomic():
            Unit.objects.bulk_create(units, batch_size=batch_size)
    except IntegrityError as exc:
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")}, code="duplicate") from exc
    audit.record(actor=actor, action="import", object_type="cobuilding.unit", object_repr=_("驻区单位"),
                 row_count=len(units))
    if actor is not None:
        for org in orgs.values():
            metrics.changed(COVERAGE_METRIC, org)
    return len(units)


# 党建指导员 -----------------------------------------------------------------------------

INSTRUCTOR_FIELDS = ("member", "person", "org", "former_post", "record", "appointed_on", "ended_on")


@transaction.atomic
def instructor_create(*, actor, org, appointed_on, member=None, person=None, person_name="", person_phone="",
                      former_post="", record=""):
    """Record a 党建指导员 sent by `org`: a member of the registry, a person record, or a new
    person record (`person_name`) kept by `org`."""
    require(actor, "change", org, field="org")
    if org.closed_at:
        raise ValidationError({"org": _("该党组织已撤销。")})
    if appointed_on is None:
        raise ValidationError({"appointed_on": _("请填写选派日期。")})
    given = [x for x in (member, person, (person_name or "").strip() or None) if x is not None]
    if len(given) != 1:
        raise ValidationError({"member": _("请选择一名党员，或填写非登记人员姓名（二选一）。")})
    if member is not None:
        members = Member.objects.all() if actor is None else Member.objects.visible_to(actor, "view_members")
        member = members.filter(pk=member.pk).first()
        if member is None:
            raise ValidationError({"member": _("该党员不在您的管辖范围内。")}, code="out_of_scope")
        if member.left_on:
            raise ValidationError({"member": _("该党员已转出或出党。")})
    if person is not None:
        persons = Person.objects.all() if actor is None else Person.objects.visible_to(actor)
        if not persons.filter(pk=person.pk).exists():
            raise ValidationError({"person": _("该人员不在您的管辖范围内。")}, code="out_of_scope")
    if person is None and member is None:
        from dangjian.orgs import services as org_services

        person = org_services.person_create(actor=actor, org=org, name=person_name.strip(), phone=person_phone)
    instructor = PartyInstructor.objects.create(member=member, person=person, org=org, former_post=former_post,
                                                record=record, appointed_on=appointed_on)
    audit.record(actor=actor, action="create", obj=instructor, after=audit.snapshot(instructor, INSTRUCTOR_FIELDS))
    return instructor


@transaction.atomic
def instructor_assign(*, actor, instructor, unit, start_on, end_on=None):
    """Assign an instructor to a unit. The actor needs `change` on the unit's organisation and
    sight of the instructor's sending organisation."""
    instructor = PartyInstructor.objects.filter(pk=instructor.pk).first()
    if instructor is None or (actor is not None and not PartyInstructor.objects.visible_to(actor).filter(
            pk=instructor.pk).exists()):
        raise ValidationError({"instructor": _("该党建指导员不在您的管辖范围内。")}, code="out_of_scope")
    unit = _locked(Unit, unit.pk)
    require(actor, "change", unit.org, field="unit")
    if unit.closed_on:
        raise ValidationError({"unit": _("该单位已迁出或注销。")})
    if instructor.ended_on:
        raise ValidationError({"instructor": _("该党建指导员已结束选派。")})
    if start_on is None:
        raise ValidationError({"start_on": _("请填写开始日期。")})
    if end_on is not None and end_on < start_on:
        raise ValidationError({"end_on": _("结束日期不能早于开始日期。")})
    assignment = InstructorAssignment.objects.create(instructor=instructor, unit=unit, start_on=start_on,
                                                     end_on=end_on)
    audit.record(actor=actor, action="create", obj=assignment, org=unit.org,
                 after={"instructor": instructor.pk, "unit": unit.pk, "start_on": start_on, "end_on": end_on})
    return assignment


@transaction.atomic
def instructor_review(*, actor, assignment, period, unit_rating="", unit_comment="", sender_rating="",
                      sender_comment=""):
    """Record (or complete) a period's review: the unit's evaluation is written by whoever holds
    the unit's organisation, the sending organisation's review by whoever holds that one."""
    assignment = InstructorAssignment.objects.select_related("unit__org", "instructor__org").get(pk=assignment.pk)
    period = (period or "").strip()
    if not period:
        raise ValidationError({"period": _("请填写考评周期。")})
    for field, value in (("unit_rating", unit_rating), ("sender_rating", sender_rating)):
        if value and value not in Rating.values:
            raise ValidationError({field: _("“%(value)s”不是有效的选项。") % {"value": value}})
    if not (unit_rating or sender_rating):
        raise ValidationError({"unit_rating": _("请至少填写一项评价。")})
    if unit_rating or unit_comment:
        require(actor, "change", assignment.unit.org)
    if sender_rating or sender_comment:
        require(actor, "change", assignment.instructor.org)
    review, _created = InstructorReview.objects.select_for_update().get_or_create(assignment=assignment,
                                                                                   period=period)
    before = audit.snapshot(review, ("unit_rating", "unit_comment", "sender_rating", "sender_comment"))
    if unit_rating or unit_comment:
        review.unit_rating, review.unit_comment = unit_rating, unit_comment
    if sender_rating or sender_comment:
        review.sender_rating, review.sender_comment = sender_rating, sender_comment
    review.save()
    after = audit.snapshot(review, ("unit_rating", "unit_comment", "sender_rating", "sender_comment"))
    audit.record(actor=actor, action="update" if not _created else "create", obj=review,
                 org=assignment.unit.org, before=before if not _created else None, after=after)
    return review


# Agreements ----------------------------------------------------------------------------

def _require_units(actor, units, *, field="units"):
    """The units as stored; refused if the actor may not see one of them or one is closed."""
    ids = [u.pk for u in units]
    visible = Unit.objects.all() if actor is None else Unit.objects.visible_to(actor, "view")
    found = {u.pk: u for u in visible.filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("所选单位不在您的管辖范围内。")}, code="out_of_scope")
    if any(u.closed_on for u in found.values()):
        raise ValidationError({field: _("所选单位已迁出或注销。")})
    return [found[i] for i in ids]


@transaction.atomic
def agreement_create(*, actor, org, title, start_on, end_on, parties, kind=AgreementKind.GENERAL,
                     commitments=(), signed_on=None, signed_file=None):
    """A co-building agreement between `org` (a community or street organisation) and units.

    `parties`: [(unit, role)] (or units, role 共建单位); `commitments`: [(unit or None, text)],
    None for the Party organisation's side. A 三所共建 agreement names a law firm, a police
    station and a judicial office."""
    require(actor, "change", org, field="org")
    errors = {}
    if org.closed_at:
        errors["org"] = _("该党组织已撤销。")
    if not (title or "").strip():
        errors["title"] = _("名称不能为空。")
    if kind not in AgreementKind.values:
        errors["kind"] = _("“%(value)s”不是有效的选项。") % {"value": kind}
    if start_on is None:
        errors["start_on"] = _("请填写开始日期。")
    if end_on is None:
        errors["end_on"] = _("请填写结束日期。")
    elif start_on is not None and end_on < start_on:
        errors["end_on"] = _("结束日期不能早于开始日期。")
    pairs = [p if isinstance(p, (tuple, list)) else (p, PartyRole.PARTNER) for p in parties]
    if not pairs:
        errors["parties"] = _("请至少选择一个共建单位。")
    if any(role not in PartyRole.values for _u, role in pairs):
        errors["parties"] = _("共建单位的角色无效。")
    if kind == AgreementKind.THREE_OFFICES and {role for _u, role in pairs} != set(THREE_OFFICE_ROLES):
        errors["parties"] = _("三所共建须有律师事务所、派出所和司法所各方。")
    if errors:
        raise ValidationError(errors)
    units = _require_units(actor, [u for u, _r in pairs], field="parties")
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"parties": _("同一单位只能列入一次。")})
    unit_ids = {u.pk for u in units}
    texts = []
    for unit, text in commitments:
        text = (text or "").strip()
        if not text:
            continue
        if unit is not None and unit.pk not in unit_ids:
            raise ValidationError({"commitments": _("承诺单位须是协议的共建单位。")})
        texts.append((unit, text))
    if signed_file:
        suffix = _check_signed_file(signed_file)
    agreement = Agreement.objects.create(org=org, kind=kind, title=title.strip(), start_on=start_on, end_on=end_on,
                                         signed_on=signed_on)
    if signed_file:
        agreement.signed_file.save(uuid.uuid4().hex + suffix, signed_file, save=True)
    AgreementParty.objects.bulk_create([AgreementParty(agreement=agreement, unit=u, role=role)
                                        for u, (_x, role) in zip(units, pairs)])
    Commitment.objects.bulk_create([Commitment(agreement=agreement, unit=u, text=t, position=i)
                                    for i, (u, t) in enumerate(texts)])
    audit.record(actor=actor, action="create", obj=agreement, after={
        "title": agreement.title, "kind": kind, "start_on": start_on, "end_on": end_on,
        "parties": [u.pk for u in units], "commitments": len(texts)})
    return agreement


SIGNED_TYPES = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}
SIGNED_MAX_BYTES = 20 * 1024 * 1024


def _check_signed_file(upload):
    """A signed copy is a PDF or a photo, checked by its first bytes (not its name), at most 20 MB;
    returns the suffix it is stored under (the stored name is random)."""
    suffix = os.path.splitext(upload.name or "")[1].lower()
    magic = SIGNED_TYPES.get(suffix)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if magic is None or not head.startswith(magic):
        raise ValidationError({"signed_file": _("签字文本须为 PDF、JPG 或 PNG 文件。")})
    if (upload.size or 0) > SIGNED_MAX_BYTES:
        raise ValidationError({"signed_file": _("签字文本不能超过 20 MB。")})
    return ".jpg" if suffix == ".jpeg" else suffix


# Alliances -----------------------------------------------------------------------------

@transaction.atomic
def alliance_create(*, actor, lead_org, name, founded_on, kind=AllianceKind.ALLIANCE, description="",
                    member_orgs=(), member_units=()):
    """A 党建联盟 or 区域党建共同体 led by a street organisation, with member organisations and units."""
    require(actor, "change", lead_org, field="lead_org")
    errors = {}
    if lead_org.closed_at:
        errors["lead_org"] = _("该党组织已撤销。")
    if not (name or "").strip():
        errors["name"] = _("名称不能为空。")
    if kind not in AllianceKind.values:
        errors["kind"] = _("“%(value)s”不是有效的选项。") % {"value": kind}
    if founded_on is None:
        errors["founded_on"] = _("请填写成立日期。")
    if errors:
        raise ValidationError(errors)
    for org in member_orgs:
        _require_org_visible(actor, org, field="member_orgs")
    units = _require_units(actor, list(member_units), field="member_units")
    alliance = Alliance.objects.create(lead_org=lead_org, kind=kind, name=name.strip(), founded_on=founded_on,
                                       description=description)
    AllianceMember.objects.bulk_create(
        [AllianceMember(alliance=alliance, org=o, joined_on=founded_on) for o in {o.pk: o for o in member_orgs}.values()]
        + [AllianceMember(alliance=alliance, unit=u, joined_on=founded_on) for u in {u.pk: u for u in units}.values()])
    audit.record(actor=actor, action="create", obj=alliance, org=lead_org, after={
        "name": alliance.name, "kind": kind, "orgs": [o.pk for o in member_orgs], "units": [u.pk for u in units]})
    return alliance


# 单位到社区报到 ---------------------------------------------------------------------------

def _is_community_org(org):
    return org.area_id is not None and org.area.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE)


@transaction.atomic
def unit_report_register(*, actor, unit, community, offer=""):
    """Register a unit's report to a community (单位到社区报到). Registered by the unit's
    side (`change` on the unit's local or covering organisation) or by the community;
    a unit reports to one community at a time."""
    unit = _locked(Unit, unit.pk)
    if actor is not None and not any(_can(actor, "change", o) for o in (community, unit.org, unit.covering_org)
                                     if o is not None):
        raise ValidationError({"unit": _("该单位不在您的管辖范围内。")}, code="out_of_scope")
    if unit.closed_on:
        raise ValidationError({"unit": _("该单位已迁出或注销。")})
    community = Org.objects.select_related("area").get(pk=community.pk)
    if community.closed_at or not _is_community_org(community):
        raise ValidationError({"community": _("请选择社区（村）党组织。")})
    current = UnitReport.objects.filter(unit=unit, status__in=[ReportStatus.PENDING, ReportStatus.ACCEPTED]).first()
    if current is not None:
        raise ValidationError({"unit": _("该单位已向“%(name)s”报到，同一时间只能向一个社区报到。")
                               % {"name": current.community.name}}, code="already_reported")
    report = UnitReport.objects.create(unit=unit, community=community, offer=(offer or "").strip(),
                                       registered_by=actor if actor is not None and actor.pk else None)
    audit.record(actor=actor, action="create", obj=report, org=community,
                 after={"unit": unit.pk, "community": community.pk, "offer": report.offer})
    return report


def _can(actor, action, org):
    from dangjian.core.scope import user_can

    return user_can(actor, action, org)


@transaction.atomic
def unit_report_decide(*, actor, report, accept=True):
    """The community accepts (or declines) a pending report."""
    report = _locked(UnitReport, report.pk)
    require(actor, "change", report.community)
    if report.status != ReportStatus.PENDING:
        raise ValidationError({"status": _("只能处理待接收的报到。")})
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.DECLINED
    report.decided_at = timezone.now()
    report.decided_by = actor if actor is not None and actor.pk else None
    report.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action="accept_report" if accept else "decline_report", obj=report,
                 org=report.community, after={"status": report.status})
    return report


@transaction.atomic
def unit_report_end(*, actor, report, on=None):
    """The report ends (the unit moved, or reports elsewhere from now): by either side."""
    report = _locked(UnitReport, report.pk)
    unit = report.unit
    if actor is not None and not any(_can(actor, "change", o) for o in (report.community, unit.org, unit.covering_org)
                                     if o is not None):
        require(actor, "change", report.community)
    if report.status not in (ReportStatus.PENDING, ReportStatus.ACCEPTED):
        raise ValidationError({"status": _("该报到已结束。")})
    report.status = ReportStatus.ENDED
    report.ended_on = on or timezone.localdate()
    report.save(update_fields=["status", "ended_on"])
    audit.record(actor=actor, action="end_report", obj=report, org=report.community,
                 after={"status": report.status, "ended_on": report.ended_on})
    return report
