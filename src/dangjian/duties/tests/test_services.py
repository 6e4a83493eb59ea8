import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.duties import selectors, services
from dangjian.duties.models import Activity, Attendance, Occurrence, OccurrenceStatus
from dangjian.testing import make_user

from .conftest import at

TODAY = timezone.localdate()
JAN = datetime.date(TODAY.year, 1, 1)


def test_rollover_derives_branch_duties_and_is_idempotent(city, kinds):
    created = services.roll_over(period_start=JAN, period_end=JAN, today=TODAY)
    branch = city.branches["a"]
    codes = sorted(Occurrence.objects.filter(org=branch).values_list("kind__code", flat=True))
    # January: monthly 支委会 and 主题党日, quarterly 党员大会 and 党课, yearly 组织生活会 and 民主评议.
    assert codes == sorted(["committee_meeting", "theme_day", "member_assembly", "party_lecture", "life_meeting",
                            "member_review"])
    # Local committees (city + two districts) owe the central study, the yearly deployment and
    # the year's work points (印发年度党建工作要点, a free-form duty: no activity kind).
    assert Occurrence.objects.filter(org=city.city, kind__code="central_study").count() == 1
    assert Occurrence.objects.filter(org=city.city, kind__isnull=True, version__title="印发年度党建工作要点").count() == 1
    assert created == Occurrence.objects.count() == 2 * 6 + 3 * 3
    assert services.roll_over(period_start=JAN, period_end=JAN, today=TODAY) == 0
    assert Occurrence.objects.count() == created


def test_org_founded_mid_period_owes_only_its_share(city, kinds):
    from dangjian.orgs import services as org_services

    young = org_services.org_create(actor=None, parent=city.communities["a"], name="新建支部", kind="branch",
                                    sector="urban_community", founded_on=datetime.date(2025, 2, 15))
    services.roll_over(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 3, 31),
                       today=datetime.date(2025, 4, 1))
    months = sorted(Occurrence.objects.filter(org=young, kind__code="theme_day").values_list("period_start",
                                                                                            flat=True))
    # Founded on 15 February: half of February is not the whole month (nothing), March is owed.
    assert months == [datetime.date(2025, 3, 1)]
    assert not Occurrence.objects.filter(org=young, kind__code="member_assembly").exists()


def test_activity_fulfils_duty_and_attendance_defaults_to_members(city, branch_world, kinds):
    branch, members = branch_world["branch"], branch_world["members"]
    secretary = make_user("grid_sec", "secretary", branch)
    month = TODAY.replace(day=1)
    services.roll_over(period_start=month, period_end=month, today=TODAY)
    duty = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=month)
    assert duty.status == OccurrenceStatus.DUE
    activity = services.activity_create(
        actor=secretary, org=branch, kinds=[kinds["theme_day"], kinds["committee_meeting"]], starts_at=at(TODAY, 8),
        topic="学习党章", attendance=[
            {"member": members[0], "status": "present"}, {"member": members[1], "status": "absent", "reason": "出差"},
            {"member": members[2], "status": "present"}])
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.FULFILLED and duty.fulfilled_on == TODAY
    committee = Occurrence.objects.get(org=branch, kind__code="committee_meeting", period_start=month)
    assert committee.status == OccurrenceStatus.FULFILLED  # one record, two duties
    assert list(activity.occurrences.order_by("kind__code").values_list("kind__code", flat=True)) == \
        ["committee_meeting", "theme_day"]
    absent = Attendance.objects.get(activity=activity, status="absent")
    assert absent.member == members[1] and absent.reason == "出差"
    default = services.activity_create(actor=secretary, org=branch, kinds=[kinds["party_lecture"]],
                                       starts_at=at(TODAY, 7), topic="党课")
    assert sorted(default.attendance.values_list("member__name", flat=True)) == sorted(["赵一", "钱二", "孙三"])
    services.activity_delete(actor=secretary, activity=activity)
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.DUE and duty.fulfilled_on is None


def test_bad_input_is_refused_and_nothing_written(city, branch_world, kinds):
    branch, members = branch_world["branch"], branch_world["members"]
    secretary = make_user("grid_sec", "secretary", branch)
    stranger = city.member(city.branches["b"], name="外支部党员")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.activity_create(actor=secretary, org=branch, kinds=[kinds["theme_day"]], starts_at=tomorrow,
                                 topic="未来")
    assert "starts_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 6),
                                 topic="外人", attendance=[{"member": stranger, "status": "present"}])
    assert "列席" in str(error.value.message_dict["attendance"])
    with pytest.raises(ValidationError):
        services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 6),
                                 topic="外人", attendance=[{"member": "张三", "status": "present"}])
    with pytest.raises(ValidationError) as error:
        services.rule_create(actor=None, kind=kinds["theme_day"], frequency="", valid_from=JAN)
    assert "frequency" in error.value.message_dict
    assert Activity.objects.count() == 0 and Attendance.objects.count() == 0
    # A guest from another branch is fine when marked as a guest.
    guest = services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 6),
                                     topic="列席", attendance=[{"member": stranger, "status": "present",
                                                               "is_guest": True}])
    assert guest.attendance.get().is_guest
    # Another district's secretary may not record for this branch.
    other = make_user("sec_b", "secretary", city.districts["b"])
    with pytest.raises(ValidationError):
        services.activity_create(actor=other, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 6),
                                 topic="越权")


def test_excuse_needs_reason_and_the_level_above(city, branch_world, kinds):
    branch = branch_world["branch"]
    services.roll_over(period_start=JAN, period_end=JAN, today=TODAY)
    duty = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=JAN)
    community_user = make_user("comm", "secretary", city.communities["a"])
    branch_user = make_user("grid_sec", "secretary", branch)
    with pytest.raises(ValidationError) as error:
        services.occurrence_excuse(actor=community_user, occurrence=duty, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.occurrence_excuse(actor=branch_user, occurrence=duty, reason="自己免除")
    services.occurrence_excuse(actor=community_user, occurrence=duty, reason="疫情防控暂停集中活动")
    duty.refresh_from_db()
    assert duty.status == "excused" and duty.excused_by == community_user


def test_rule_revision_keeps_the_past(city, kinds):
    services.roll_over(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 3, 31),
                       today=datetime.date(2025, 4, 1))
    rule = Occurrence.objects.filter(kind__code="committee_meeting").first().rule
    old = rule.versions.get()
    services.rule_revise(actor=None, rule=rule, valid_from=datetime.date(2025, 4, 1), kind=kinds["committee_meeting"],
                         frequency="monthly", times=2, org_kinds=["branch"])
    services.roll_over(period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2025, 4, 30),
                       today=datetime.date(2025, 5, 1))
    branch = city.branches["a"]
    march = Occurrence.objects.filter(org=branch, rule=rule, period_start=datetime.date(2025, 3, 1))
    april = Occurrence.objects.filter(org=branch, rule=rule, period_start=datetime.date(2025, 4, 1))
    assert [o.version_id for o in march] == [old.pk]
    assert april.count() == 2 and {o.version.number for o in april} == {2}


def test_compliance_figures_and_red_list(city, branch_world, kinds):
    branch_a, branch_b = city.branches["a"], city.branches["b"]
    year = TODAY.year - 1
    q1 = (datetime.date(year, 1, 1), datetime.date(year, 3, 31))
    services.roll_over(period_start=q1[0], period_end=q1[1], today=TODAY)
    for month in (1, 2, 3):
        services.activity_create(actor=None, org=branch_a, kinds=[kinds["theme_day"], kinds["committee_meeting"]],
                                 starts_at=at(datetime.date(year, month, 10)), topic=f"{month}月主题党日")
    services.activity_create(actor=None, org=branch_a, kinds=[kinds["member_assembly"], kinds["party_lecture"]],
                             starts_at=at(datetime.date(year, 3, 20)), topic="党员大会暨党课")
    a = selectors.subtree_compliance(branch_a, *q1, today=TODAY)
    # Branch A: 3 theme days + 3 committee meetings + assembly + lecture held; the two yearly
    # duties of that year (their periods begin in January) were never held.
    assert (a.required, a.held, a.missed, a.pending) == (10, 8, 2, 0)
    assert a.rate == 80 and a.colour == "yellow"
    b = selectors.subtree_compliance(branch_b, *q1, today=TODAY)
    assert (b.held, b.missed) == (0, 10) and b.rate == 0 and b.colour == "red"
    # District A adds its committee's quarterly study, yearly deployment and the year's work
    # points (all three missed).
    district = selectors.subtree_compliance(city.districts["a"], *q1, today=TODAY)
    assert (district.required, district.held, district.missed) == (13, 8, 5)
    assert float(district.rate) == pytest.approx(61.5) and district.colour == "red"
    red = [r.name for r in selectors.red_list(city.city, *q1, today=TODAY)]
    assert branch_b.name in red and branch_a.name not in red
    rows = selectors.children_compliance(city.city, *q1, today=TODAY)
    by_name = {row.org.name: row.figures for row in rows}
    assert float(by_name[city.districts["a"].name].rate) == pytest.approx(61.5)
    assert by_name[city.districts["b"].name].rate == 0
    assert by_name[city.city.name].required == 3  # the city committee's own duties
    # The metrics answer several orgs in one go, for their subtrees.
    from dangjian.core import metrics

    readings = metrics.get("duties.theme_day").read([city.districts["a"], city.districts["b"], city.city], *q1)
    assert readings[city.districts["a"].pk].value == 100
    assert readings[city.districts["b"].pk].value == 0
    assert readings[city.city.pk].value == 50
    # A late record counts as held, shown late.
    services.activity_create(actor=None, org=branch_b, kinds=[kinds["theme_day"]],
                             starts_at=at(datetime.date(year, 1, 31)), topic="补开")
    services.theme_day_plan_set(actor=None, org=branch_b, month=datetime.date(year, 2, 1),
                                planned_on=datetime.date(year, 2, 5), topic="计划")
    services.activity_create(actor=None, org=branch_b, kinds=[kinds["theme_day"]],
                             starts_at=at(datetime.date(year, 2, 20)), topic="推迟开展")
    b = selectors.subtree_compliance(branch_b, *q1, today=TODAY)
    assert (b.fulfilled, b.late_held, b.missed) == (1, 1, 8)


def test_rollover_command_and_task(city, kinds):
    import io

    from django.core.management import call_command

    from dangjian.duties.tasks import rollover

    out = io.StringIO()
    call_command("duties_rollover", "--start", JAN.isoformat(), "--end", JAN.isoformat(), stdout=out)
    assert "新增应履职事项 21 项" in out.getvalue()
    assert rollover.enqueue(start=JAN.isoformat(), end=JAN.isoformat()).return_value == 0


def test_metric_reads_many_orgs_in_one_query(city, branch_world, kinds, django_assert_max_num_queries):
    from dangjian.core import metrics
    from dangjian.orgs.models import Org

    month = TODAY.replace(day=1)
    services.roll_over(period_start=month, period_end=month, today=TODAY)
    services.activity_create(actor=None, org=city.branches["a"], kinds=[kinds["theme_day"]], starts_at=at(TODAY, 0),
                             topic="主题党日")
    orgs = list(Org.objects.all())
    with django_assert_max_num_queries(1):
        readings = metrics.get("duties.theme_day").compute(orgs, month, TODAY)
    assert readings[city.branches["a"].pk].value == 100 and readings[city.branches["a"].pk].required == 1
    assert readings[city.city.pk].required == 1 and readings[city.branches["b"].pk].required == 0  # not yet due
    assert readings[city.districts["a"].pk].value == 100
