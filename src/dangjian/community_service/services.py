"""Writes of 双报到 and the 党建超市. Keyword-only, atomic, scope checked here for every
object handed in, one audit entry each.

Who may do what:
- a report is registered by the member (own account) or by a holder of `change` on the
  member's branch; the community (`change` on it) accepts or declines it;
- a service item is published by the community or the street (`change` on it); a
  reported member books it (own account, the branch, or the organiser on their behalf);
  the organiser records attendance, or the member confirms their own one-tap;
- resources, demands and claims are kept by the community (`change` on it); a claim adds a
  project and a measure to the community's project list through the lists services.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, metrics
from dangjian.core.scope import user_can
from dangjian.core.services import require
from dangjian.core.tree import in_subtree
from dangjian.orgs.models import AreaKind, MemberCategory

from .models import (
    ACTIVE_REPORT,
    Attendance,
    Booking,
    Claim,
    Demand,
    EntryStatus,
    ItemKind,
    MemberReport,
    ReportStatus,
    Resource,
    ServiceItem,
)

REPORT_FIELDS = ("member", "community", "offer", "status", "note")
ITEM_FIELDS = ("org", "kind", "title", "place", "starts_on", "time_text", "capacity", "cancelled")
BOOKING_FIELDS = ("item", "member", "unit", "cancelled", "attendance", "attendance_by_self", "service")
ENTRY_FIELDS = ("community", "title", "status")
CLAIM_FIELDS = ("community", "demand", "resource", "claimant_name", "project", "measure", "deadline", "done_at")

CLAIMS_DONE = "community_service.claims_done"
WHISTLES_ON_TIME = "community_service.whistles_on_time"


def is_community(org):
    return org is not None and org.area_id is not None and org.area.kind == AreaKind.COMMUNITY


def is_street(org):
    return org is not None and org.area_id is not None and org.area.kind in (AreaKind.STREET, AreaKind.TOWN)


def _is_self(actor, member):
    return actor is not None and member is not None and getattr(actor, "member_id", None) == member.pk


def _require_member_side(actor, member, field=None):
    """The member themselves, or someone who may change their branch."""
    if actor is None or _is_self(actor, member):
        return
    if user_can(actor, "change", member.org):
        return
    if field:
        raise ValidationError({field: _("该党员不在您的管辖范围内。")})
    raise PermissionDenied(_("您无权为该党员办理。"))


def _check_open(org, field):
    if org.closed_at:
        raise ValidationError({field: _("该党组织已撤销。")})


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# 在职党员到社区报到 ----------------------------------------------------------------------

@transaction.atomic
def report_register(*, actor, member, community, offer=""):
    """Register `member`'s report to `community` (pending until the community accepts).
    A member has one active report: a second community is refused."""
    from dangjian.orgs.models import Member

    if member is None:
        raise ValidationError({"member": _("请选择党员。")})
    if community is None:
        raise ValidationError({"community": _("请选择报到社区。")})
    _require_member_side(actor, member, field="member")
    member = _locked(Member, member.pk)  # one report at a time per member
    if member.left_on:
        raise ValidationError({"member": _("该党员已出党或转出。")})
    if member.category != MemberCategory.EMPLOYED:
        raise ValidationError({"member": _("到社区报到的是在职党员。")})
    if not is_community(community):
        raise ValidationError({"community": _("请选择社区党组织。")})
    _check_open(community, "community")
    current = MemberReport.objects.filter(member=member, status__in=ACTIVE_REPORT).select_related("community").first()
    if current is not None:
        raise ValidationError({"community": _("该党员已向%(name)s报到，同一时间只能向一个社区报到；请先结束原报到。")
                               % {"name": current.community.name}}, code="already_reported")
    try:
        with transaction.atomic():
            report = MemberReport.objects.create(member=member, community=community, offer=(offer or "").strip(),
                                                 registered_by=actor)
    except IntegrityError:
        raise ValidationError({"community": _("该党员已向其他社区报到，同一时间只能向一个社区报到。")}) from None
    audit.record(actor=actor, action="create", obj=report, org=community, after=audit.snapshot(report, REPORT_FIELDS))
    return report


def _decide(actor, report, status, note=""):
    report = _locked(MemberReport, report.pk)
    require(actor, "change", report.community)
    if report.status != ReportStatus.PENDING:
        raise ValidationError({"status": _("该报到已处理。")})
    before = audit.snapshot(report, REPORT_FIELDS)
    report.status, report.note = status, (note or "").strip()[:200]
    report.decided_at, report.decided_by = timezone.now(), actor
    report.save()
    audit.record(actor=actor, action="update", obj=report, org=report.community, before=before,
                 after=audit.snapshot(report, REPORT_FIELDS))
    return report


@transaction.atomic
def report_accept(*, actor, report):
    """The community accepts a member's report."""
    return _decide(actor, report, ReportStatus.ACCEPTED)


@transaction.atomic
def report_decline(*, actor, report, note=""):
    """The community declines (the member lives elsewhere, say); the note says why."""
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明原因。")})
    return _decide(actor, report, ReportStatus.DECLINED, note)


@transaction.atomic
def report_end(*, actor, report, note=""):
    """End an active report (the member moved): by the member, the branch or the community."""
    report = _locked(MemberReport, report.pk)
    if actor is not None and not user_can(actor, "change", report.community):
        _require_member_side(actor, report.member)
    if report.status not in ACTIVE_REPORT:
        raise ValidationError({"status": _("该报到已结束。")})
    before = audit.snapshot(report, REPORT_FIELDS)
    report.status, report.note = ReportStatus.ENDED, (note or "").strip()[:200]
    report.save()
    audit.record(actor=actor, action="update", obj=report, org=report.community, before=before,
                 after=audit.snapshot(report, REPORT_FIELDS))
    return report


def accepted_report(member, org):
    """The member's accepted report to a community inside `org`'s subtree, or None."""
    report = MemberReport.objects.filter(member=member, status=ReportStatus.ACCEPTED).select_related(
        "community").first()
    return report if report is not None and in_subtree(report.community.path, [org.path]) else None


# 党建超市: items, bookings, attendance ----------------------------------------------------

def _item_errors(*, org, kind, title, place, starts_on, capacity):
    errors = {}
    if org is None:
        errors["org"] = _("请选择发布组织。")
    elif not (is_community(org) or is_street(org)):
        errors["org"] = _("服务项目由社区或街道党组织发布。")
    elif org.closed_at:
        errors["org"] = _("该党组织已撤销。")
    if kind not in ItemKind.values:
        errors["kind"] = _("请选择类型。")
    if not (title or "").strip():
        errors["title"] = _("名称不能为空。")
    if not (place or "").strip():
        errors["place"] = _("请填写地点。")
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = _("请填写日期。")
    if not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = _("名额至少为1。")
    elif capacity > 10000:
        errors["capacity"] = _("名额不能超过10000。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_create(*, actor, org, kind, title, place, starts_on, capacity, description="", time_text=""):
    """Publish a service item (a need, an activity, a post such as 楼道志愿者) with slots."""
    if org is not None:
        require(actor, "change", org, field="org")
    _item_errors(org=org, kind=kind, title=title, place=place, starts_on=starts_on, capacity=capacity)
    item = ServiceItem.objects.create(org=org, kind=kind, title=title.strip(), place=place.strip(),
                                      starts_on=starts_on, capacity=capacity, description=(description or "").strip(),
                                      time_text=(time_text or "").strip(), created_by=actor)
    audit.record(actor=actor, action="create", obj=item, after=audit.snapshot(item, ITEM_FIELDS))
    return item


def unit_reported_to(unit, org):
    """Whether `unit` belongs to `org`'s subtree or to the street above it (its owner
    organisation lies on either side of `org`), or has an accepted report to a community
    in `org`'s subtree."""
    from dangjian.cobuilding.models import ReportStatus as UnitReportStatus

    if in_subtree(unit.org.path, [org.path]) or in_subtree(org.path, [unit.org.path]):
        return True
    report = unit.reports.filter(status=UnitReportStatus.ACCEPTED).select_related("community").first()
    return report is not None and in_subtree(report.community.path, [org.path])


def _require_unit_side(actor, unit, field=None):
    """The unit's Party organisation, or the community or street the unit belongs to."""
    if actor is None:
        return
    if unit.covering_org_id and user_can(actor, "change", unit.covering_org):
        return
    if user_can(actor, "change", unit.org):
        return
    if field:
        raise ValidationError({field: _("该单位不在您的管辖范围内。")})
    raise PermissionDenied(_("您无权为该单位办理。"))


@transaction.atomic
def booking_create(*, actor, item, member=None, unit=None):
    """Book a slot for a member who has reported to a community the item serves, or for a
    unit of the area. Over capacity is refused: the item row is locked while the slots
    are counted, so two bookings of the last slot cannot both succeed."""
    if (member is None) == (unit is None):
        raise ValidationError({"member": _("请选择党员或单位（二选一）。")})
    item = _locked(ServiceItem, item.pk)
    organiser = actor is None or user_can(actor, "change", item.org)
    if not organiser:
        if member is not None:
            _require_member_side(actor, member, field="member")
        else:
            _require_unit_side(actor, unit, field="unit")
    if item.cancelled:
        raise ValidationError({"item": _("该服务项目已取消。")})
    if item.starts_on < timezone.localdate():
        raise ValidationError({"item": _("该服务项目已过期。")})
    if member is not None:
        if member.left_on:
            raise ValidationError({"member": _("该党员已出党或转出。")})
        if accepted_report(member, item.org) is None:
            raise ValidationError({"member": _("只有已向本社区（街道）报到的党员可以预约。")}, code="not_reported")
        if item.bookings.live().filter(member=member).exists():
            raise ValidationError({"member": _("该党员已预约此项目。")})
    else:
        if unit.closed_on:
            raise ValidationError({"unit": _("该单位已迁出或注销。")})
        if not unit_reported_to(unit, item.org):
            raise ValidationError({"unit": _("只有本社区（街道）的驻区单位或已报到的单位可以预约。")})
        if item.bookings.live().filter(unit=unit).exists():
            raise ValidationError({"unit": _("该单位已预约此项目。")})
    taken = item.bookings.live().count()
    if taken >= item.capacity:
        raise ValidationError({"item": _("名额已满（共%(n)s个）。") % {"n": item.capacity}}, code="full")
    booking = Booking.objects.create(item=item, member=member, unit=unit, booked_by=actor)
    audit.record(actor=actor, action="create", obj=booking, org=item.org, after=audit.snapshot(booking, BOOKING_FIELDS))
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking):
    booking = _locked(Booking, booking.pk)
    if actor is not None and not user_can(actor, "change", booking.item.org):
        if booking.member_id:
            _require_member_side(actor, booking.member)
        else:
            _require_unit_side(actor, booking.unit)
    if booking.cancelled:
        return booking
    if booking.attendance:
        raise ValidationError({"booking": _("已签到的预约不能取消。")})
    before = audit.snapshot(booking, BOOKING_FIELDS)
    booking.cancelled = True
    booking.save(update_fields=["cancelled"])
    audit.record(actor=actor, action="update", obj=booking, org=booking.item.org, before=before,
                 after=audit.snapshot(booking, BOOKING_FIELDS))
    return booking


def _service_text(service, attendance):
    service = (service or "").strip()
    if service and attendance != Attendance.PRESENT:
        raise ValidationError({"service": _("未到场的人不能记录服务实绩。")}, code="absent")
    return service


@transaction.atomic
def attendance_record(*, actor, booking, attendance, service=""):
    """网格签到 by the organiser: present or absent, and what the member did (the 实绩,
    only for someone who was there)."""
    booking = _locked(Booking, booking.pk)
    require(actor, "change", booking.item.org)
    if booking.cancelled:
        raise ValidationError({"booking": _("该预约已取消。")})
    if attendance not in (Attendance.PRESENT, Attendance.ABSENT):
        raise ValidationError({"attendance": _("请选择已到或未到。")})
    if booking.item.starts_on > timezone.localdate():
        raise ValidationError({"attendance": _("活动还没开始，不能签到。")})
    service = _service_text(service, attendance)
    before = audit.snapshot(booking, BOOKING_FIELDS)
    booking.attendance, booking.attendance_by_self = attendance, False
    booking.attendance_at = timezone.now()
    booking.service = service if attendance == Attendance.PRESENT else ""
    after = audit.snapshot(booking, BOOKING_FIELDS)
    if not audit.changes(before, after):
        return booking
    booking.save()
    audit.record(actor=actor, action="update", obj=booking, org=booking.item.org, before=before, after=after)
    return booking


@transaction.atomic
def attendance_confirm(*, actor, booking):
    """The member's own one-tap confirmation on the day (no location is recorded)."""
    booking = _locked(Booking, booking.pk)
    if not _is_self(actor, booking.member):
        raise PermissionDenied(_("只能确认本人的预约。"))
    if booking.cancelled:
        raise ValidationError({"booking": _("该预约已取消。")})
    if booking.item.starts_on != timezone.localdate():
        raise ValidationError({"booking": _("只能在活动当天确认到场。")})
    if booking.attendance == Attendance.PRESENT:
        return booking
    before = audit.snapshot(booking, BOOKING_FIELDS)
    booking.attendance, booking.attendance_by_self, booking.attendance_at = Attendance.PRESENT, True, timezone.now()
    booking.save()
    audit.record(actor=actor, action="update", obj=booking, org=booking.item.org, before=before,
                 after=audit.snapshot(booking, BOOKING_FIELDS))
    return booking


@transaction.atomic
def service_record(*, actor, booking, service):
    """Write what the member did (实绩) on an attended booking: the organiser or the member."""
    booking = _locked(Booking, booking.pk)
    if actor is not None and not user_can(actor, "change", booking.item.org):
        if not _is_self(actor, booking.member):
            raise PermissionDenied(_("您无权记录该服务实绩。"))
    if booking.cancelled:
        raise ValidationError({"service": _("该预约已取消。")})
    service = _service_text(service, booking.attendance)
    if not service:
        raise ValidationError({"service": _("请写明做了什么。")})
    before = audit.snapshot(booking, BOOKING_FIELDS)
    booking.service = service
    booking.save(update_fields=["service"])
    audit.record(actor=actor, action="update", obj=booking, org=booking.item.org, before=before,
                 after=audit.snapshot(booking, BOOKING_FIELDS))
    return booking


# Resources, demands and two-way claims ----------------------------------------------------

def _entry_errors(community, title):
    errors = {}
    if community is None or not is_community(community):
        errors["community"] = _("请选择社区党组织。")
    elif community.closed_at:
        errors["community"] = _("该党组织已撤销。")
    if not (title or "").strip():
        errors["title"] = _("名称不能为空。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def resource_create(*, actor, community, title, description="", provider_name="", member=None, unit=None):
    """Add to the community's resource list what a unit or a member offers."""
    if community is not None:
        require(actor, "change", community, field="community")
    _entry_errors(community, title)
    if unit is not None and not unit_reported_to(unit, community):
        raise ValidationError({"unit": _("该单位不在本社区，也未向本社区报到。")})
    if unit is not None and not provider_name:
        provider_name = unit.name
    if member is not None and accepted_report(member, community) is None:
        raise ValidationError({"member": _("只有已向本社区报到的党员可以登记资源。")})
    provider = (provider_name or "").strip() or (member.name if member is not None else "")
    if not provider:
        raise ValidationError({"provider_name": _("请填写提供方。")})
    resource = Resource.objects.create(community=community, title=title.strip(),
                                       description=(description or "").strip(),
                                       member=member, unit=unit, provider_name=provider[:120])
    audit.record(actor=actor, action="create", obj=resource, after=audit.snapshot(resource, ENTRY_FIELDS))
    return resource


@transaction.atomic
def demand_create(*, actor, community, title, description="", source="", request=None):
    """Add what the community needs to its demand list, optionally from a resident's
    request (which the actor must see; the demand keeps the link only)."""
    if community is not None:
        require(actor, "change", community, field="community")
    _entry_errors(community, title)
    if request is not None:
        from dangjian.resident_requests.models import Request

        if actor is not None and not Request.objects.visible_to(actor, "view").filter(pk=request.pk).exists():
            raise ValidationError({"request": _("该诉求不在您的管辖范围内。")})
        source = source or _("居民诉求 %(number)s") % {"number": request.number}
    demand = Demand.objects.create(community=community, title=title.strip(), description=(description or "").strip(),
                                   source=(source or "").strip()[:60], request=request)
    audit.record(actor=actor, action="create", obj=demand, after=audit.snapshot(demand, ENTRY_FIELDS))
    return demand


def project_list_for(*, actor, community, year):
    """The community's co-building project list of `year`, made on first use."""
    from dangjian.lists import services as list_services
    from dangjian.lists.models import List, ListKind

    title = _("%(year)s年共驻共建项目清单") % {"year": year}
    lst = List.objects.filter(org=community, kind=ListKind.PROJECT, title=title).first()
    if lst is None:
        lst = list_services.list_create(actor=actor, org=community, kind=ListKind.PROJECT, title=title,
                                        period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
                                        description=_("双向认领的资源与需求，每项认领为一个项目。"))
    return lst


def _claim(*, actor, entry, claimant_name, deadline, target, kind, unit=None):
    from dangjian.lists import services as list_services

    model = type(entry)
    entry = _locked(model, entry.pk)
    community = entry.community
    require(actor, "change", community)
    errors = {}
    if entry.status != EntryStatus.OPEN:
        errors[kind] = _("该项已被认领，不能重复认领。")
    if unit is not None:
        claimant_name = claimant_name or unit.name
        if not unit_reported_to(unit, community):
            errors["unit"] = _("该单位不在本社区，也未向本社区报到。")
    if not (claimant_name or "").strip():
        errors["claimant_name"] = _("请填写认领方。")
    today = timezone.localdate()
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("请填写完成期限。")
    elif deadline < today:
        errors["deadline"] = _("完成期限不能早于今天。")
    if errors:
        raise ValidationError(errors, code="claimed" if kind in errors else "invalid")
    claimant_name = claimant_name.strip()[:120]
    lst = project_list_for(actor=actor, community=community, year=today.year)
    project = list_services.project_create(actor=actor, lst=lst, title=f"{entry.title}（{claimant_name}）"[:200],
                                           description=entry.description)
    measure = list_services.measure_create(actor=actor, lst=lst, org=community, project=project, title=entry.title,
                                           target=(target or "").strip() or _("完成认领事项"),
                                           start_on=today, deadline=deadline)
    claim = Claim(community=community, claimant_name=claimant_name, unit=unit, project=project, measure=measure,
                  deadline=deadline, created_by=actor, **{kind: entry})
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ValidationError({kind: _("该项已被认领，不能重复认领。")}, code="claimed") from None
    entry.status = EntryStatus.CLAIMED
    entry.save(update_fields=["status"])
    audit.record(actor=actor, action="create", obj=claim, after=audit.snapshot(claim, CLAIM_FIELDS))
    return claim


@transaction.atomic
def claim_demand(*, actor, demand, deadline, claimant_name="", unit=None, target=""):
    """A unit (or a member, named) claims one of the community's demands: the community records it."""
    return _claim(actor=actor, entry=demand, claimant_name=claimant_name, deadline=deadline, target=target,
                  kind="demand", unit=unit)


@transaction.atomic
def claim_resource(*, actor, resource, deadline, target="", claimant_name=None):
    """The community claims an offered resource."""
    resource_row = Resource.objects.select_related("community").get(pk=resource.pk)
    name = claimant_name or resource_row.community.short_name or resource_row.community.name
    return _claim(actor=actor, entry=resource, claimant_name=name, deadline=deadline, target=target, kind="resource")


@transaction.atomic
def claim_complete(*, actor, claim, result):
    """The claim is done: what came of it. Moves the claims-done figure."""
    claim = _locked(Claim, claim.pk)
    require(actor, "change", claim.community)
    if claim.done_at:
        raise ValidationError({"result": _("该认领已办结。")})
    if not (result or "").strip():
        raise ValidationError({"result": _("请写明完成情况。")})
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.done_at, claim.result = timezone.now(), result.strip()
    claim.save(update_fields=["done_at", "result"])
    audit.record(actor=actor, action="update", obj=claim, before=before, after=audit.snapshot(claim, CLAIM_FIELDS))
    metrics.changed(CLAIMS_DONE, claim.community)
    return claim


# 吹哨报到 ----------------------------------------------------------------------------------

WHISTLE_FIELDS = ("street", "title", "place", "due_at")
CALL_FIELDS = ("whistle", "unit", "answered_at", "arrived_at", "result")


@transaction.atomic
def whistle_blow(*, actor, street, title, place, due_at, units, description=""):
    """The street calls units of the street to a problem by a time. A unit outside the
    street is refused (nothing is written)."""
    from .models import Whistle, WhistleCall

    if street is not None:
        require(actor, "change", street, field="street")
    errors = {}
    if street is None or not is_street(street):
        errors["street"] = _("吹哨的是街道（乡镇）党组织。")
    elif street.closed_at:
        errors["street"] = _("该党组织已撤销。")
    if not (title or "").strip():
        errors["title"] = _("请写明事项。")
    if not (place or "").strip():
        errors["place"] = _("请填写地点。")
    if not isinstance(due_at, datetime.datetime):
        errors["due_at"] = _("请填写报到时限。")
    elif due_at <= timezone.now():
        errors["due_at"] = _("报到时限应晚于现在。")
    units = list(dict.fromkeys(units or []))
    if not units:
        errors["units"] = _("请至少选择一个驻区单位。")
    elif "street" not in errors:
        outside = [u.name for u in units if not in_subtree(u.org.path, [street.path]) or u.closed_on]
        if outside:
            errors["units"] = _("不在本街道的单位不能被吹哨：%(names)s") % {"names": "、".join(outside)}
    if errors:
        raise ValidationError(errors, code="outside" if "units" in errors else "invalid")
    whistle = Whistle.objects.create(street=street, title=title.strip(), place=place.strip(), due_at=due_at,
                                     description=(description or "").strip(), created_by=actor)
    WhistleCall.objects.bulk_create([WhistleCall(whistle=whistle, unit=unit) for unit in units])
    after = {**audit.snapshot(whistle, WHISTLE_FIELDS), "units": [u.name for u in units]}
    audit.record(actor=actor, action="create", obj=whistle, after=after)
    metrics.changed(WHISTLES_ON_TIME, street)
    return whistle


CALL_STEPS = ("answer", "arrive", "result")


@transaction.atomic
def call_report(*, actor, call, step, result=""):
    """A called unit answers, reports its arrival, then the result. A result for a unit
    that did not arrive is refused."""
    from .models import WhistleCall

    call = WhistleCall.objects.select_for_update(of=("self",)).select_related("whistle__street", "unit__org",
                                                                  "unit__covering_org").get(pk=call.pk)
    if actor is not None and not user_can(actor, "change", call.whistle.street):
        _require_unit_side(actor, call.unit)
    if step not in CALL_STEPS:
        raise ValidationError({"step": _("未知的操作。")})
    before = audit.snapshot(call, CALL_FIELDS)
    now = timezone.now()
    if step == "answer":
        call.answered_at = call.answered_at or now
    elif step == "arrive":
        call.answered_at = call.answered_at or now
        call.arrived_at = call.arrived_at or now
    else:
        if call.arrived_at is None:
            raise ValidationError({"result": _("单位未到场，不能反馈处置结果。")}, code="absent")
        if not (result or "").strip():
            raise ValidationError({"result": _("请写明处置结果。")})
        call.result, call.result_at = result.strip(), now
    after = audit.snapshot(call, CALL_FIELDS)
    if not audit.changes(before, after):
        return call
    call.save()
    audit.record(actor=actor, action="update", obj=call, org=call.whistle.street, before=before, after=after)
    if step == "arrive":
        metrics.changed(WHISTLES_ON_TIME, call.whistle.street)
    return call
