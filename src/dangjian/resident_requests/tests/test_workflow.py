import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core import inbox
from dangjian.resident_requests import calendar as cal
from dangjian.resident_requests import selectors, services
from dangjian.resident_requests.models import Holiday, Request, Status

from .conftest import submit


def test_the_whole_way_accept_dispatch_resolve_confirm_rate(world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    request.refresh_from_db()
    assert request.first_handler == world.grid_worker and request.status == Status.ACCEPTED
    assert services.suggested_unit(request) == world.property
    services.request_dispatch(actor=world.grid_worker, request=request, unit=world.property)
    services.request_unit_accept(actor=world.community_sec, request=request)
    services.request_resolve(actor=world.community_sec, request=request, resolution="已更换灯泡")
    request.refresh_from_db()
    assert request.status == Status.RESOLVED and request.first_handler == world.grid_worker  # 首办 stays
    assert selectors.public_status(request) == "已办结，请您确认"
    services.request_confirm(request=request)
    services.request_rate(request=request, rating=5)
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.rating == 5
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "accepted", "dispatched", "unit_accepted", "resolved", "confirmed", "rated"]
    figures = selectors.figures(world.street_sec)["total"]
    assert figures["received"] == 1 and figures["solved"] == 1 and figures["on_time"] == 1
    assert figures["satisfaction"] == 100.0
    with pytest.raises(ValidationError) as exc:  # rating twice
        services.request_rate(request=request, rating=1)
    assert "rating" in exc.value.message_dict
    request.refresh_from_db()
    assert request.rating == 5


def test_bad_steps_are_refused_and_change_nothing(world):
    request = submit(world)
    with pytest.raises(PermissionDenied):  # a grid worker of another district
        services.request_accept(actor=world.other, request=request)
    with pytest.raises(ValidationError):  # dispatch before accepting
        services.request_dispatch(actor=world.grid_worker, request=request, unit=world.property)
    services.request_accept(actor=world.grid_worker, request=request)
    with pytest.raises(ValidationError) as exc:  # a unit in district B
        services.request_dispatch(actor=world.grid_worker, request=request, unit=world.unit_b)
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # closing without a note
        services.request_resolve(actor=world.grid_worker, request=request, resolution="  ")
    assert "resolution" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.request_accept(actor=world.community_sec, request=request)  # accepted already
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.unit is None and request.first_handler == world.grid_worker
    # the street's unit serves the grid's place: allowed though outside the grid worker's subtree
    services.request_dispatch(actor=world.grid_worker, request=request, unit=world.street_unit)
    services.request_unit_hand_back(actor=world.street_sec, request=request, reason="不属于本部门")
    request.refresh_from_db()
    assert request.status == Status.HANDED_BACK and request.unit is None


def test_need_info_and_the_residents_answer(world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    services.request_dispatch(actor=world.grid_worker, request=request, unit=world.property)
    services.request_unit_need_info(actor=world.community_sec, request=request, question="请告知几单元")
    request.refresh_from_db()
    assert selectors.public_status(request) == "需要您补充信息"
    services.request_add_info(request=request, text="3单元")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and "3单元" in request.description


def test_escalation_climbs_one_level_at_a_time_into_the_inbox(world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    request.refresh_from_db()
    assert services.request_escalate_due(now=request.deadline_at - datetime.timedelta(minutes=1)) == (0, 0)
    later = request.deadline_at + datetime.timedelta(minutes=5)
    assert services.request_escalate_due(now=later) == (1, 0)
    request.refresh_from_db()
    assert request.escalated_to == world.city.communities["a"] and request.escalation_level == 1
    assert services.request_escalate_due(now=later + datetime.timedelta(hours=1)) == (0, 0)  # once a day
    services.request_escalate_due(now=later + datetime.timedelta(hours=25))
    request.refresh_from_db()
    assert request.escalated_to == world.city.streets["a"]
    sections = {s.key: s for s in inbox.sections(world.street_sec)}
    assert sections["requests_escalated"].count == 1
    assert sections["requests_escalated"].entries[0].title.startswith(request.number)
    assert "requests_escalated" not in {s.key for s in inbox.sections(world.other)}
    services.request_escalate_due(now=later + datetime.timedelta(hours=50))
    services.request_escalate_due(now=later + datetime.timedelta(hours=75))
    request.refresh_from_db()
    assert request.escalated_to == world.city.districts["a"] and request.escalation_level == 3  # the top
    # a supervisor extends with a reason
    with pytest.raises(ValidationError):
        services.request_extend(actor=world.street_sec, request=request, deadline_at=request.deadline_at, reason="x")
    services.request_extend(actor=world.street_sec, request=request,
                            deadline_at=request.deadline_at + datetime.timedelta(days=3), reason="需采购配件")
    services.request_comment(actor=world.street_sec, request=request, note="请尽快")
    assert request.events.filter(kind="extended").count() == 1


def test_reopened_counts_as_not_solved(world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    services.request_resolve(actor=world.grid_worker, request=request, resolution="已处理")
    services.request_reopen(request=request, reason="灯还是不亮")
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.reopen_count == 1
    services.request_resolve(actor=world.grid_worker, request=request, resolution="换了线路")
    total = selectors.figures(world.community_sec)["total"]
    assert total["reopened"] == 1 and total["solved"] == 0 and total["received"] == 1


def test_rating_window_and_auto_close(world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    services.request_resolve(actor=world.grid_worker, request=request, resolution="已处理")
    request.refresh_from_db()
    late = request.resolved_at + datetime.timedelta(days=8)
    with pytest.raises(ValidationError):
        services.request_rate(request=request, rating=4, now=late)
    assert services.request_escalate_due(now=late) == (0, 1)
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.rating is None


def test_working_days_skip_weekends_and_holidays(db):
    assert Holiday.objects.filter(date=datetime.date(2026, 10, 1), kind="holiday").exists()
    # Wednesday 30 September 2026 + 3 working days: 1-7 October are holidays, the 8th and 9th
    # are working days, Saturday the 10th is an adjusted working day.
    assert cal.add_working_days(datetime.date(2026, 9, 30), 3) == datetime.date(2026, 10, 10)
    assert cal.add_working_days(datetime.date(2026, 12, 4), 1) == datetime.date(2026, 12, 7)  # Friday → Monday


def test_metrics_read_each_org_subtree_in_one_query(world, django_assert_max_num_queries):
    from dangjian.core import metrics

    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    services.request_resolve(actor=world.grid_worker, request=request, resolution="ok")
    services.request_rate(request=request, rating=4)
    submit(world, key="b")
    metric = metrics.get("requests.solved_on_time")
    orgs = [world.city.city, world.city.districts["a"], world.city.districts["b"]]
    today = timezone.localdate()
    with django_assert_max_num_queries(1):
        readings = metric.read(orgs, today - datetime.timedelta(days=1), today)
    assert readings[world.city.districts["a"].pk].value == 100.0
    assert readings[world.city.districts["b"].pk].required == 0  # not due yet
    assert readings[world.city.city.pk].required == 1
    satisfaction = metrics.get("requests.satisfaction").read(orgs, today, today)
    assert satisfaction[world.city.city.pk].value == 100.0


def test_escalate_command_and_task(world, capsys):
    from django.core.management import call_command

    request = submit(world)
    when = (request.deadline_at + datetime.timedelta(hours=1)).isoformat()
    call_command("requests_escalate", now=when)
    assert "escalated 1" in capsys.readouterr().out
    assert Request.objects.get(pk=request.pk).escalation_level == 1


def test_holiday_command_loads_a_year(db, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "2027.csv"
    path.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n", encoding="utf-8")
    call_command("requests_holidays", str(path))
    assert Holiday.objects.get(date=datetime.date(2027, 2, 6)).kind == "workday"
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-13-01,holiday,x\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("requests_holidays", str(bad))
