import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.lists import services
from dangjian.lists.models import (
    Evidence,
    List,
    ListKind,
    Measure,
    MeasureStatus,
    Notification,
    ProgrammeDomain,
    ProgressReport,
    Review,
    Revision,
)

from .conftest import DEADLINE, JPEG, PNG, TODAY, Upload, make_list, make_measure


def _unchanged(model, count):
    assert model.objects.count() == count


def test_six_programme_domains_are_seeded(db):
    assert list(ProgrammeDomain.objects.values_list("name", flat=True)) == [
        "中心城市建设", "效能建设", "强村富民", "基层治理", "文明实践", "生态环保"]


def test_create_list_and_measure_writes_audit(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"], weight="2.5")
    assert measure.weight == Decimal("2.5")
    assert measure.status == MeasureStatus.PLANNED
    actions = list(AuditEntry.objects.filter(object_type__startswith="lists.").values_list("action", "object_type"))
    assert ("create", "lists.list") in actions and ("create", "lists.measure") in actions


# Bad input: clear error, nothing changed -----------------------------------------------

def test_deadline_before_start_refused(city, people):
    lst = make_list(people["community"], city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        make_measure(people["community"], lst, city.communities["a"], start_on=DEADLINE,
                     deadline=DEADLINE - datetime.timedelta(days=1))
    assert "截止日期不能早于开始日期" in exc.value.message_dict["deadline"][0]
    _unchanged(Measure, 0)


@pytest.mark.parametrize("weight", ["0", "-1", "100.01", "abc", "1.234"])
def test_weight_out_of_range_refused(city, people, weight):
    lst = make_list(people["community"], city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        make_measure(people["community"], lst, city.communities["a"], weight=weight)
    assert "weight" in exc.value.message_dict
    _unchanged(Measure, 0)


def test_measure_for_org_outside_scope_refused(city, people):
    lst = make_list(people["community"], city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        make_measure(people["community"], lst, city.communities["b"])
    assert "不在您的管辖范围内" in exc.value.message_dict["org"][0]
    _unchanged(Measure, 0)


def test_measure_for_org_outside_the_list_subtree_refused(city, people):
    # The street secretary may change both the street and its community, but a measure
    # on the community's list cannot be owned by the street above it.
    lst = make_list(people["street"], city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        make_measure(people["street"], lst, city.streets["a"])
    assert "清单所属组织或其下级" in exc.value.message_dict["org"][0]


def test_list_for_org_outside_scope_refused(city, people):
    with pytest.raises(ValidationError) as exc:
        make_list(people["community"], city.communities["b"])
    assert "org" in exc.value.message_dict
    _unchanged(List, 0)


def test_read_only_role_cannot_add(city, people):
    lst = make_list(people["community"], city.communities["a"])
    with pytest.raises((PermissionDenied, ValidationError)):
        make_measure(people["grid"], lst, city.communities["a"])
    _unchanged(Measure, 0)


@pytest.mark.parametrize("percent", ["100.5", "101", "-1", "abc"])
def test_progress_out_of_range_refused(city, people, percent):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=people["community"], measure=measure, percent=percent)
    assert "percent" in exc.value.message_dict
    _unchanged(ProgressReport, 0)
    measure.refresh_from_db()
    assert measure.progress == 0 and not measure.has_progress


def test_report_on_accepted_measure_refused(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    services.measure_accept(actor=people["street"], measure=measure)
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=people["community"], measure=measure, percent=50)
    assert "已验收" in exc.value.message_dict["status"][0]
    assert ProgressReport.objects.count() == 1
    measure.refresh_from_db()
    assert measure.progress == 100 and measure.status == MeasureStatus.ACCEPTED


def test_oversized_file_refused(city, people, settings):
    settings.DANGJIAN_EVIDENCE_MAX_BYTES = 1024
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    big = Upload(JPEG[:-2] + b"\0" * 2000 + JPEG[-2:], "photo.jpg")
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=people["community"], measure=measure, percent=30, files=[big])
    assert "超过" in exc.value.message_dict["files"][0]
    _unchanged(ProgressReport, 0)
    _unchanged(Evidence, 0)


@pytest.mark.parametrize("name,data", [
    ("photo.jpg", b"MZ\x90\x00 not a jpeg at all"),   # an executable renamed
    ("script.exe", b"MZ\x90\x00"),
    ("photo.png", JPEG),                               # the bytes say JPEG, the name PNG
    ("notes.html", b"<html><script>alert(1)</script>"),
])
def test_wrong_type_file_refused(city, people, name, data):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=people["community"], measure=measure, percent=30,
                                         files=[Upload(data, name)])
    assert "类型不受支持" in exc.value.message_dict["files"][0]
    _unchanged(ProgressReport, 0)
    measure.refresh_from_db()
    assert not measure.has_progress


def test_value_report_without_target_value_refused(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=people["community"], measure=measure, value=3)
    assert "value" in exc.value.message_dict


def test_list_period_end_before_start_refused(city, people):
    with pytest.raises(ValidationError) as exc:
        make_list(people["community"], city.communities["a"], period_end=DEADLINE - datetime.timedelta(days=400))
    assert "period_end" in exc.value.message_dict


# Progress, evidence, acceptance -------------------------------------------------------

def test_report_with_photo_then_accept(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    report = services.measure_report_progress(actor=people["community"], measure=measure, percent="40",
                                              note="已选址", files=[Upload(PNG, "选址.png")])
    evidence = report.evidence.get()
    assert evidence.kind == "photo" and evidence.content_type == "image/png" and evidence.name == "选址.png"
    assert evidence.file.read() == PNG
    measure.refresh_from_db()
    assert (measure.progress, measure.status, measure.has_progress) == (Decimal("40.00"), "in_progress", True)
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100, note="已挂牌")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SUBMITTED and measure.submitted_at
    services.measure_accept(actor=people["street"], measure=measure, note="符合要求")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ACCEPTED
    assert measure.accepted_by == people["street"] and measure.accepted_at
    assert Review.objects.get().decision == "accepted"


def test_report_without_evidence_is_fine(city, people):
    """Photos are never required (基层减负)."""
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    services.measure_accept(actor=people["street"], measure=measure)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ACCEPTED


def test_value_report_computes_percent(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"], target_value="8", target_unit="户")
    services.measure_report_progress(actor=people["community"], measure=measure, value=6)
    measure.refresh_from_db()
    assert measure.progress == Decimal("75.00") and measure.progress_value == 6
    services.measure_report_progress(actor=people["community"], measure=measure, value=10)
    measure.refresh_from_db()
    assert measure.progress == 100 and measure.status == MeasureStatus.SUBMITTED


def test_own_level_cannot_accept(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    with pytest.raises(PermissionDenied):
        services.measure_accept(actor=people["community"], measure=measure)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SUBMITTED


def test_accept_needs_completion(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=60)
    with pytest.raises(ValidationError) as exc:
        services.measure_accept(actor=people["street"], measure=measure)
    assert "status" in exc.value.message_dict


def test_send_back_needs_reason_and_reopens(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    with pytest.raises(ValidationError) as exc:
        services.measure_send_back(actor=people["street"], measure=measure, reason="  ")
    assert "reason" in exc.value.message_dict
    services.measure_send_back(actor=people["street"], measure=measure, reason="缺少挂牌照片说明")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.RETURNED and measure.is_open
    review = Review.objects.get()
    assert review.decision == "returned" and review.reason == "缺少挂牌照片说明"
    assert review.reviewer_org == city.streets["a"]
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100, note="已补充")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SUBMITTED


def test_send_back_by_other_district_refused(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    with pytest.raises(PermissionDenied):
        services.measure_send_back(actor=people["other"], measure=measure, reason="不行")


# Publication and revisions ----------------------------------------------------------

def test_published_item_cannot_change_silently(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    # Before publication, edits need no reason and leave no revision.
    services.measure_update(actor=people["community"], measure=measure, title="建成党群服务驿站")
    services.list_publish(actor=people["community"], lst=lst)
    later = DEADLINE + datetime.timedelta(days=31)
    with pytest.raises(ValidationError) as exc:
        services.measure_update(actor=people["community"], measure=measure, deadline=later)
    assert "reason" in exc.value.message_dict
    measure.refresh_from_db()
    assert measure.deadline == DEADLINE
    services.measure_update(actor=people["community"], measure=measure, deadline=later,
                            reason="选址调整，工期顺延")
    revision = Revision.objects.get()
    assert revision.changes == {"deadline": [DEADLINE.isoformat(), later.isoformat()]}
    assert revision.reason == "选址调整，工期顺延"


def test_published_list_cannot_be_deleted(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.list_publish(actor=people["community"], lst=lst)
    with pytest.raises(ValidationError):
        services.measure_delete(actor=people["community"], measure=measure)
    with pytest.raises(ValidationError):
        services.list_delete(actor=people["community"], lst=lst)
    assert Measure.objects.count() == 1


def test_adding_after_publication_is_a_revision(city, people):
    lst = make_list(people["community"], city.communities["a"])
    services.list_publish(actor=people["community"], lst=lst)
    with pytest.raises(ValidationError):
        make_measure(people["community"], lst, city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], reason="街道新增任务")
    assert Revision.objects.get().reason == "街道新增任务"


def test_unpublish_needs_reason(city, people):
    lst = make_list(people["community"], city.communities["a"])
    services.list_publish(actor=people["community"], lst=lst)
    with pytest.raises(ValidationError):
        services.list_unpublish(actor=people["community"], lst=lst, reason="")
    services.list_unpublish(actor=people["community"], lst=lst, reason="内容重新核定")
    lst.refresh_from_db()
    assert not lst.is_public and lst.published_at
    assert Revision.objects.get().changes == {"is_public": ["是", "否"]}


# Programmes and projects -------------------------------------------------------------

def test_secretary_project_led_by_secretary(city, people):
    secretary = city.member(city.communities["a"], name="王书记")
    from dangjian.orgs import services as org_services

    org_services.post_assign(actor=None, member=secretary, org=city.communities["a"], kind="secretary",
                             start_on=datetime.date(2021, 1, 1))
    lst = make_list(people["community"], city.communities["a"], kind="project", title="书记项目")
    domain = ProgrammeDomain.objects.get(code="grassroots_governance")
    programme = services.programme_create(actor=people["community"], lst=lst, title="党建+基层治理", domain=domain)
    project = services.project_create(actor=people["community"], lst=lst, programme=programme,
                                      title="红色物业", is_secretary_project=True)
    assert project.leader == secretary and project.org == city.communities["a"]


def test_project_in_other_lists_programme_refused(city, people):
    one = make_list(people["community"], city.communities["a"])
    two = make_list(people["community"], city.communities["a"], title="另一个清单")
    programme = services.programme_create(actor=people["community"], lst=one, title="工程")
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=people["community"], lst=two, programme=programme, title="项目")
    assert "programme" in exc.value.message_dict


# Notifications and sweeps ------------------------------------------------------------

def test_sweep_is_idempotent_and_escalates(city, people):
    lst = make_list(people["community"], city.communities["a"])
    soon = make_measure(people["community"], lst, city.communities["a"], title="临近", deadline=TODAY)
    late = make_measure(people["community"], lst, city.communities["a"], title="逾期",
                        deadline=TODAY - datetime.timedelta(days=1))
    make_measure(people["community"], lst, city.communities["a"], title="还早",
                 deadline=TODAY + datetime.timedelta(days=60))
    first = services.sweep_deadlines(today=TODAY, days=7)
    assert first["due_soon"] == 1 and first["overdue"] == 1
    # Routine reminders are not messages of their own (they wait in the inbox and the digest):
    # only the level above is told, once, about the overdue measure.
    assert not Notification.objects.filter(recipient=people["community"]).exists()
    street = Notification.objects.filter(recipient=people["street"])
    assert list(street.values_list("kind", "url")) == [("lists.overdue", f"/lists/measures/{late.pk}/")]
    total = Notification.objects.count()
    again = services.sweep_deadlines(today=TODAY, days=7)
    assert again["written"] == 0 and Notification.objects.count() == total
    # A moved deadline that passes again is a new escalation; a due-soon one never is.
    services.measure_update(actor=people["community"], measure=soon, deadline=TODAY + datetime.timedelta(days=2))
    assert services.sweep_deadlines(today=TODAY, days=7)["written"] == 0
    assert services.sweep_deadlines(today=TODAY + datetime.timedelta(days=3), days=7)["written"] == 1


def test_plan_type_items_are_not_escalated(city, people):
    """Burden rule: an overdue item of a responsibility or commitment list (a year's plan)
    waits in the inbox and the digest; the daily sweep does not escalate it."""
    plan = make_list(people["community"], city.communities["a"], kind=ListKind.RESPONSIBILITY, title="责任清单")
    task = make_list(people["community"], city.communities["a"], title="任务清单")
    make_measure(people["community"], plan, city.communities["a"], title="计划事项",
                 deadline=TODAY - datetime.timedelta(days=5))
    late = make_measure(people["community"], task, city.communities["a"], title="任务事项",
                        deadline=TODAY - datetime.timedelta(days=5))
    result = services.sweep_deadlines(today=TODAY, days=7)
    assert result["overdue"] == 2
    assert list(Notification.objects.values_list("url", flat=True)) == [f"/lists/measures/{late.pk}/"]


def test_sweep_command(city, people, capsys):
    from django.core.management import call_command

    lst = make_list(people["community"], city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], deadline=TODAY - datetime.timedelta(days=3))
    call_command("lists_sweep", "--today", TODAY.isoformat())
    call_command("lists_sweep", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "overdue: 1" in out and "notifications written: 0" in out
    assert Notification.objects.filter(kind="lists.overdue").count() == 1  # the street only


def test_events_notify_after_commit(city, people, django_capture_on_commit_callbacks):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    assert Notification.objects.filter(recipient=people["street"], kind="lists.submitted").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_send_back(actor=people["street"], measure=measure, reason="请补充说明")
    note = Notification.objects.get(recipient=people["community"], kind="lists.returned")
    assert "请补充说明" in note.body


def test_responsible_person_account_is_notified(city, people, django_capture_on_commit_callbacks):
    from dangjian.testing import make_user

    member = city.member(city.communities["a"], name="李委员")
    account = make_user("li", member=member)
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"], responsible=member)
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_send_back(actor=people["street"], measure=measure, reason="请补充说明")
    assert Notification.objects.filter(recipient=account, kind="lists.returned").count() == 1
    # With a named person, the org's other accounts are not bothered.
    assert not Notification.objects.filter(recipient=people["community"], kind="lists.returned").exists()


def test_sweep_through_the_task_queue(city, people, capsys):
    from django.core.management import call_command

    lst = make_list(people["community"], city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], deadline=TODAY - datetime.timedelta(days=1))
    call_command("lists_sweep", "--today", TODAY.isoformat(), "--enqueue")
    assert "enqueued" in capsys.readouterr().out
    # The development/test backend runs the task at once.
    assert Notification.objects.filter(kind="lists.overdue").count() == 1
