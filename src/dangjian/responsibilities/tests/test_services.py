"""The services: scope checks on every object handed in, bad input refused with nothing
written, one audit entry per write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.responsibilities import selectors, services
from dangjian.responsibilities.models import (
    ContactPoint,
    ContactVisit,
    DocumentKind,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)

from .conftest import PDF, TODAY, YEAR_AGO, Upload, give_all_levels, make_point


def test_article_002_items_are_there_and_nothing_invented(db):
    names = list(LeaderDutyItem.objects.values_list("name", flat=True))
    assert names == ["每季度开展一次党建督导", "每半年召开一次专题党建会议", "每年上一次专题示范党课",
                     "开展一轮谈心谈话", "谋划推进一个党建项目"]
    assert list(LeaderDutyItem.objects.values_list("times_per_year", flat=True)) == [4, 2, 1, 1, 1]


def test_create_audits_and_three_levels_make_an_org_complete(city, users, leaders):
    before = AuditEntry.objects.count()
    rows = give_all_levels(city.districts["a"], leaders["a"])
    assert AuditEntry.objects.count() == before + 3
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "create" and entry.object_type == "responsibilities.responsibility"
    assert entry.org_path == city.districts["a"].path
    assert rows[0].leader_name == "甲书记"
    give_all_levels(city.districts["b"], leaders["b"])
    figures = selectors.figures(users["a"], None)
    assert figures["orgs_complete"]["value"] == 1 and figures["orgs_any"]["value"] == 1
    assert selectors.figures(users["city_admin"], None)["orgs_complete"]["value"] == 2


def test_end_before_start_is_refused(city, users, leaders):
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=users["a"], org=city.districts["a"], level=Level.DIRECT,
                                       member=leaders["a"]["affairs"], start_on=TODAY,
                                       end_on=TODAY - datetime.timedelta(days=1))
    assert "end_on" in exc.value.message_dict
    assert not Responsibility.objects.exists()


def test_two_primary_responsibles_at_once_are_refused(city, users, leaders):
    org, people = city.districts["a"], leaders["a"]
    services.responsibility_create(actor=users["a"], org=org, level=Level.PRIMARY, member=people["secretary"],
                                   start_on=YEAR_AGO)
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=users["a"], org=org, level=Level.PRIMARY, member=people["other"],
                                       start_on=TODAY)
    assert "甲书记" in str(exc.value.message_dict["level"])
    # Once the first has an end date, a successor from the next day is fine.
    first = Responsibility.objects.get()
    services.responsibility_update(actor=users["a"], responsibility=first, end_on=TODAY - datetime.timedelta(days=1))
    services.responsibility_create(actor=users["a"], org=org, level=Level.PRIMARY, member=people["other"],
                                   start_on=TODAY)
    assert Responsibility.objects.filter(level=Level.PRIMARY).count() == 2
    # ... and editing the first back to open-ended overlaps again.
    with pytest.raises(ValidationError):
        services.responsibility_update(actor=users["a"], responsibility=first, end_on=None)
    first.refresh_from_db()
    assert first.end_on == TODAY - datetime.timedelta(days=1)


def test_outside_scope_org_member_and_point_are_refused(city, users, leaders):
    a = users["a"]
    with pytest.raises(PermissionDenied):
        services.responsibility_update(actor=a, responsibility=give_all_levels(city.districts["b"], leaders["b"])[0],
                                       portfolio="x")
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=a, org=city.districts["b"], level=Level.DIRECT,
                                       member=leaders["b"]["affairs"], start_on=TODAY)
    assert "org" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a member of the sibling district
        services.responsibility_create(actor=a, org=city.districts["a"], level=Level.DIRECT,
                                       member=leaders["b"]["affairs"], start_on=TODAY)
    assert "member" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a contact point outside the leader's organisation
        services.contact_point_create(actor=a, org=city.districts["a"], point_org=city.communities["b"],
                                      member=leaders["a"]["secretary"], since=TODAY)
    assert "point_org" in exc.value.message_dict
    point_b = make_point(city, "b", leaders["b"]["secretary"])
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=a, point=point_b, visited_on=TODAY, summary="走访")
    assert not ContactVisit.objects.exists()
    assert ContactPoint.objects.count() == 1


def test_read_only_account_cannot_write(city, leaders):
    from dangjian.testing import make_user

    reader = make_user("reader", "grid_worker", city.districts["a"])
    point = make_point(city, "a", leaders["a"]["secretary"])
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=reader, point=point, visited_on=TODAY, summary="走访")


def test_a_file_not_allowed_is_refused(city, users, leaders):
    kwargs = dict(actor=users["a"], org=city.districts["a"], kind=DocumentKind.PLEDGE, title="责任书",
                  signed_on=TODAY, member=leaders["a"]["secretary"])
    for upload in (Upload(b"MZ\x90\x00binary", "virus.pdf"), Upload(b"MZ\x90\x00", "tool.exe"), Upload(b"", "a.pdf"),
                   Upload(b"%PDF" + b"0" * (services.MAX_FILE_BYTES + 1), "big.pdf")):
        with pytest.raises(ValidationError) as exc:
            services.document_create(file=upload, **kwargs)
        assert "file" in exc.value.message_dict
    assert not ResponsibilityDocument.objects.exists()
    doc = services.document_create(file=Upload(PDF, "责任书.pdf"), **kwargs)
    assert doc.file_name == "责任书.pdf" and doc.content_type == "application/pdf"
    assert doc.file.read() == PDF


def test_visit_updates_the_point_and_bad_dates_are_refused(city, users, leaders):
    point = make_point(city, "a", leaders["a"]["secretary"], since=TODAY - datetime.timedelta(days=30))
    for day in (TODAY + datetime.timedelta(days=1), TODAY - datetime.timedelta(days=31)):
        with pytest.raises(ValidationError) as exc:
            services.visit_record(actor=users["a"], point=point, visited_on=day, summary="走访")
        assert "visited_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.visit_record(actor=users["a"], point=point, visited_on=TODAY, summary="  ")
    assert not ContactVisit.objects.exists()
    visit = services.visit_record(actor=users["a"], point=point, visited_on=TODAY, summary="调研网格党建",
                                  problems="活动阵地偏小")
    point.refresh_from_db()
    assert point.last_visit_on == TODAY
    assert AuditEntry.objects.filter(action="record_visit", object_id=str(visit.pk)).count() == 1
    services.visit_delete(actor=users["a"], visit=visit)
    point.refresh_from_db()
    assert point.last_visit_on is None
    with pytest.raises(ValidationError):  # ends before it starts
        services.contact_point_update(actor=users["a"], point=point, until=point.since - datetime.timedelta(days=1))


def test_duty_records_and_items(city, users, leaders):
    item = LeaderDutyItem.objects.get(name="每季度开展一次党建督导")
    record = services.duty_record_create(actor=users["a"], org=city.districts["a"], item=item, done_on=TODAY,
                                         summary="督导幸福社区", member=leaders["a"]["secretary"])
    assert record.year == TODAY.year
    with pytest.raises(ValidationError):
        services.duty_record_create(actor=users["a"], org=city.districts["a"], item=item,
                                    done_on=TODAY + datetime.timedelta(days=1), summary="x",
                                    member=leaders["a"]["secretary"])
    with pytest.raises(PermissionDenied):  # a district secretary is not the organisation department
        services.duty_item_create(actor=users["a"], name="第六项")
    services.duty_item_create(actor=users["city_admin"], name="每年一次述职", times_per_year=1)
    assert LeaderDutyItem.objects.count() == 6
    page = selectors.leader_page(users["a"], leaders["a"]["secretary"], TODAY.year)
    first = page["items"][0]
    assert first["item"] == item and first["done"] == 1 and not first["met"]
    assert selectors.leader_page(users["b"], leaders["a"]["secretary"], TODAY.year)["items"][0]["done"] == 0
    assert LeaderDutyRecord.objects.count() == 1


def test_stale_points_and_inbox(city, users, leaders):
    from dangjian.accounts.models import User
    from dangjian.responsibilities.inbox import contact_point_sections

    point = make_point(city, "a", leaders["a"]["secretary"])
    assert selectors.figures(users["a"])["points_stale"]["value"] == 1
    sections = contact_point_sections(users["a"], entries=True)
    assert sections[0].count == 1 and "甲区幸福社区党委" in sections[0].entries[0].title
    assert contact_point_sections(users["b"], entries=False)[0].count == 0
    services.visit_record(actor=users["a"], point=point, visited_on=TODAY, summary="走访")
    assert selectors.figures(users["a"])["points_stale"]["value"] == 0
    assert contact_point_sections(users["a"], entries=False)[0].count == 0
    assert selectors.figures(users["a"])["visits_year"]["value"] == 1
    # The leader's own account, linked to their member record, without any grant.
    User.objects.filter(pk=users["none"].pk).update(member=leaders["b"]["secretary"])
    make_point(city, "b", leaders["b"]["secretary"])
    users["none"].refresh_from_db()
    assert contact_point_sections(users["none"], entries=False)[0].count == 1


def test_contact_visit_metric_counts_each_subtree(city, users, leaders):
    from dangjian.core import metrics

    metric = metrics.get("responsibilities.contact_visits")
    point = make_point(city, "a", leaders["a"]["secretary"])
    services.visit_record(actor=users["a"], point=point, visited_on=TODAY, summary="走访")
    services.visit_record(actor=users["a"], point=point, visited_on=TODAY, summary="再走访")
    year = (TODAY.replace(month=1, day=1), TODAY.replace(month=12, day=31))
    readings = metric.read([city.city, city.districts["a"], city.districts["b"], city.communities["a"]], *year)
    assert [readings[o.pk].value for o in (city.city, city.districts["a"], city.districts["b"],
                                           city.communities["a"])] == [2, 2, 0, 0]
    assert "within=%d" % city.districts["a"].pk in metric.rows_url(city.districts["a"], *year)
