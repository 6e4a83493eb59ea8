"""Services of 双报到 and the 党建超市, with the bad input of issue 12: a member reporting to
two communities, a booking over capacity, a whistle to a unit outside the street, a claim
of an item already claimed, an 实绩 for someone who was not there. Each is refused with a
clear error and nothing changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.lists.models import Measure, Project

from .. import services
from ..models import Attendance, Booking, Claim, MemberReport, ReportStatus, Whistle, WhistleCall
from .world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World()


def _reported(w):
    report = services.report_register(actor=w.member_user, member=w.member, community=w.community, offer="理发")
    return services.report_accept(actor=w.community_user, report=report)


def _item(w, capacity=2, org=None, day=None):
    return services.item_create(actor=w.street_user if org is None else w.community_user,
                                org=org or w.street, kind="activity", title="楼道清洁", place="幸福路",
                                starts_on=day or w.today, capacity=capacity)


def test_member_reports_and_community_accepts(w):
    report = services.report_register(actor=w.member_user, member=w.member, community=w.community, offer="义诊")
    assert report.status == ReportStatus.PENDING and report.offer == "义诊"
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=w.sibling_user, report=report)
    report = services.report_accept(actor=w.community_user, report=report)
    assert report.status == ReportStatus.ACCEPTED and report.decided_by == w.community_user


def test_member_reporting_to_two_communities_is_refused(w):
    services.report_register(actor=w.branch_user, member=w.member, community=w.community)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.report_register(actor=w.member_user, member=w.member, community=w.sibling)
    assert "甲区幸福社区党委" in exc.value.message_dict["community"][0]
    assert MemberReport.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_report_refusals(w):
    with pytest.raises(ValidationError) as exc:  # not in-service
        services.report_register(actor=w.branch_user, member=w.retired, community=w.community)
    assert "在职" in exc.value.message_dict["member"][0]
    with pytest.raises(ValidationError) as exc:  # a street is not a community
        services.report_register(actor=w.branch_user, member=w.member, community=w.street)
    assert "community" in exc.value.message_dict
    with pytest.raises(ValidationError):  # another branch's member
        services.report_register(actor=w.community_user, member=w.member, community=w.community)
    assert MemberReport.objects.count() == 0


def test_booking_over_capacity_is_refused(w):
    _reported(w)
    other = w.city.member(w.organ, name="孙在职", residence_area=w.community.area, id_number=_id())
    services.report_accept(actor=w.community_user, report=services.report_register(
        actor=w.branch_user, member=other, community=w.community))
    item = _item(w, capacity=1)
    services.booking_create(actor=w.member_user, item=item, member=w.member)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(actor=w.branch_user, item=item, member=other)
    assert "名额已满" in exc.value.message_dict["item"][0]
    assert Booking.objects.count() == 1


def test_booking_needs_a_report_to_the_street(w):
    item = _item(w)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(actor=w.member_user, item=item, member=w.member)
    assert "报到" in exc.value.message_dict["member"][0]
    _reported(w)
    booking = services.booking_create(actor=w.member_user, item=item, member=w.member)
    assert booking.member == w.member
    with pytest.raises(ValidationError):  # twice
        services.booking_create(actor=w.member_user, item=item, member=w.member)
    unit_booking = services.booking_create(actor=w.unit_user, item=item, unit=w.unit)
    assert unit_booking.unit == w.unit
    with pytest.raises(ValidationError):  # the other street's unit
        services.booking_create(actor=w.street_user, item=item, unit=w.unit_b)


def test_attendance_and_service_record(w):
    _reported(w)
    item = _item(w)
    booking = services.booking_create(actor=w.member_user, item=item, member=w.member)
    with pytest.raises(ValidationError) as exc:  # an 实绩 for someone absent
        services.attendance_record(actor=w.street_user, booking=booking, attendance=Attendance.ABSENT,
                                   service="打扫楼道")
    assert "未到场" in exc.value.message_dict["service"][0]
    services.attendance_record(actor=w.street_user, booking=booking, attendance=Attendance.ABSENT)
    with pytest.raises(ValidationError):
        services.service_record(actor=w.street_user, booking=booking, service="打扫楼道")
    booking.refresh_from_db()
    assert booking.service == "" and booking.attendance == Attendance.ABSENT
    with pytest.raises(PermissionDenied):  # someone else's one-tap
        services.attendance_confirm(actor=w.branch_user, booking=booking)
    booking = services.attendance_confirm(actor=w.member_user, booking=booking)
    assert booking.attendance == Attendance.PRESENT and booking.attendance_by_self
    booking = services.service_record(actor=w.member_user, booking=booking, service="打扫3号楼楼道")
    assert booking.service == "打扫3号楼楼道"


def test_attendance_not_before_the_day(w):
    _reported(w)
    item = _item(w, day=w.today + datetime.timedelta(days=3))
    booking = services.booking_create(actor=w.member_user, item=item, member=w.member)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=w.street_user, booking=booking, attendance=Attendance.PRESENT)
    with pytest.raises(ValidationError):
        services.attendance_confirm(actor=w.member_user, booking=booking)


def test_whistle_to_unit_outside_the_street_is_refused(w):
    due = timezone.now() + datetime.timedelta(hours=4)
    with pytest.raises(ValidationError) as exc:
        services.whistle_blow(actor=w.street_user, street=w.street, title="下水道堵塞", place="幸福路",
                              due_at=due, units=[w.unit, w.unit_b])
    assert "乙区水务公司" in exc.value.message_dict["units"][0]
    assert Whistle.objects.count() == 0 and WhistleCall.objects.count() == 0
    whistle = services.whistle_blow(actor=w.street_user, street=w.street, title="下水道堵塞", place="幸福路",
                                    due_at=due, units=[w.unit])
    call = whistle.calls.get()
    with pytest.raises(ValidationError):  # a result before arriving
        services.call_report(actor=w.unit_user, call=call, step="result", result="已疏通")
    with pytest.raises(PermissionDenied):
        services.call_report(actor=w.sibling_user, call=call, step="answer")
    services.call_report(actor=w.unit_user, call=call, step="answer")
    call = services.call_report(actor=w.unit_user, call=call, step="arrive")
    call = services.call_report(actor=w.unit_user, call=call, step="result", result="已疏通")
    assert call.on_time and call.result == "已疏通"


def test_claims_become_projects_and_double_claims_are_refused(w):
    demand = services.demand_create(actor=w.community_user, community=w.community, title="老旧小区路灯维修")
    deadline = w.today + datetime.timedelta(days=30)
    claim = services.claim_demand(actor=w.community_user, demand=demand, unit=w.unit, deadline=deadline)
    assert claim.claimant_name == "甲区供电公司"
    assert claim.project.list.org == w.community and claim.measure.project == claim.project
    with pytest.raises(ValidationError) as exc:
        services.claim_demand(actor=w.community_user, demand=demand, claimant_name="另一家", deadline=deadline)
    assert "已被认领" in exc.value.message_dict["demand"][0]
    assert Claim.objects.count() == 1 and Project.objects.count() == 1 and Measure.objects.count() == 1
    _reported(w)
    resource = services.resource_create(actor=w.community_user, community=w.community, title="免费理发",
                                        member=w.member)
    claim2 = services.claim_resource(actor=w.community_user, resource=resource, deadline=deadline)
    assert claim2.project.list == claim.project.list  # one project list per community and year
    with pytest.raises(ValidationError):
        services.claim_resource(actor=w.community_user, resource=resource, deadline=deadline)
    with pytest.raises(PermissionDenied):
        services.claim_complete(actor=w.sibling_user, claim=claim, result="修好了")
    claim = services.claim_complete(actor=w.community_user, claim=claim, result="更换路灯12盏")
    assert claim.done_at is not None


def test_figures_and_metrics(w):
    from dangjian.core import metrics

    from .. import selectors

    _reported(w)
    item = _item(w)
    booking = services.booking_create(actor=w.member_user, item=item, member=w.member)
    services.attendance_record(actor=w.street_user, booking=booking, attendance="present", service="清扫")
    demand = services.demand_create(actor=w.community_user, community=w.community, title="路灯")
    claim = services.claim_demand(actor=w.community_user, demand=demand, claimant_name="供电公司",
                                  deadline=w.today)
    services.claim_complete(actor=w.community_user, claim=claim, result="修好")
    whistle = services.whistle_blow(actor=w.street_user, street=w.street, title="积水", place="路口",
                                    due_at=timezone.now() + datetime.timedelta(hours=1), units=[w.unit])
    services.call_report(actor=w.unit_user, call=whistle.calls.get(), step="arrive")
    data = selectors.figures(w.city_admin)
    assert data["members"] == 1 and data["items"] == 1 and data["attended"] == 1
    assert data["claims"] == 1 and data["claims_done"] == 1 and data["on_time_rate"] == 100.0
    assert selectors.figures(w.sibling_user)["members"] == 0
    start, end = w.today - datetime.timedelta(days=1), w.today + datetime.timedelta(days=1)
    reading = metrics.get("community_service.claims_done").read([w.city.city, w.sibling], start, end)
    assert reading[w.city.city.pk].value == 1 and reading[w.sibling.pk].value == 0
    reading = metrics.get("community_service.whistles_on_time").read([w.street], start, end)
    assert reading[w.street.pk].value == 100 and reading[w.street.pk].required == 1


def _id():
    from dangjian.testing import make_id_number

    return make_id_number()
