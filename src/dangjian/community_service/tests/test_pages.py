"""The pages through the client: the whole 双报到 → 党建超市 → 实绩 → 吹哨 → 认领 walk, and
the cross-subtree matrix of issue 12: the community sees the members who report to it
(name, masked contact, offer, service), never their record; the member's own branch and
employer org keep the full view; a sibling community sees nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.testing import make_user, overview_panel

from .. import services
from ..models import Booking, Claim, MemberReport, WhistleCall
from .world import World

pytestmark = pytest.mark.django_db

U = lambda name, *args: reverse(f"community_service:{name}", args=args)  # noqa: E731


@pytest.fixture
def w():
    return World()


def _login(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_walk_through_the_pages(client, w):
    c = _login(client, w.member_user)
    response = c.post(U("report_create"), {"community": w.community.pk, "community_search": w.community.name,
                                           "offer": "义务理发"})
    assert response.status_code == 302, response.content.decode()[:3000]
    report = MemberReport.objects.get()
    assert report.member == w.member
    c = _login(client, w.community_user)
    assert "王在职" in c.get(U("report_list")).content.decode()
    assert c.post(U("report_accept", report.pk)).status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    c = _login(client, w.street_user)
    response = c.post(U("item_create"), {"org": w.street.pk, "org_search": w.street.name, "kind": "post",
                                         "title": "楼道志愿者", "place": "幸福小区3号楼", "starts_on": w.today.isoformat(),
                                         "capacity": "5"})
    assert response.status_code == 302, response.content.decode()[:3000]
    item = w.street.service_items.get()
    c = _login(client, w.member_user)
    page = c.get(U("index")).content.decode()
    assert "楼道志愿者" in page
    assert c.post(U("item_book", item.pk)).status_code == 302
    booking = Booking.objects.get()
    c = _login(client, w.street_user)
    assert "王在职" in c.get(U("item_detail", item.pk)).content.decode()
    response = c.post(U("booking_attendance", booking.pk), {"attendance": "present", "service": "清理楼道杂物"})
    assert response.status_code == 302
    c = _login(client, w.branch_user)
    page = c.get(U("record_list")).content.decode()
    assert "清理楼道杂物" in page and "王在职" in page
    c = _login(client, w.street_user)
    due = (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = c.post(U("whistle_create"), {"street": w.street.pk, "street_search": w.street.name,
                                            "title": "雨后积水", "place": "幸福路口", "due_at": due,
                                            "unit": w.unit.pk, "unit_search": w.unit.name})
    assert response.status_code == 302, response.content.decode()[:3000]
    call = WhistleCall.objects.get()
    c = _login(client, w.unit_user)
    assert "雨后积水" in c.get(U("call_list")).content.decode()
    c.post(U("call_report", call.pk), {"step": "arrive"})
    c.post(U("call_report", call.pk), {"step": "result", "result": "抽水完毕"})
    call.refresh_from_db()
    assert call.result == "抽水完毕" and call.on_time
    c = _login(client, w.community_user)
    c.post(U("demand_create"), {"community": w.community.pk, "community_search": w.community.name,
                                "title": "路灯维修"})
    demand = w.community.cs_demands.get()
    response = c.post(U("demand_claim", demand.pk), {"unit": w.unit.pk, "unit_search": w.unit.name,
                                                     "deadline": (w.today + datetime.timedelta(days=20)).isoformat()})
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    page = c.get(claim.get_absolute_url()).content.decode()
    assert reverse("lists:measure_detail", args=[claim.measure_id]) in page
    assert c.get(U("index")).status_code == 200


def test_bad_input_on_pages(client, w):
    services.report_accept(actor=w.community_user, report=services.report_register(
        actor=w.member_user, member=w.member, community=w.community))
    c = _login(client, w.member_user)
    response = c.post(U("report_create"), {"community": w.sibling.pk, "community_search": w.sibling.name})
    assert response.status_code == 200 and "同一时间只能向一个社区报到" in response.content.decode()
    assert MemberReport.objects.count() == 1
    c = _login(client, w.street_user)
    due = (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = c.post(U("whistle_create"), {"street": w.street.pk, "street_search": w.street.name,
                                            "title": "积水", "place": "路口", "due_at": due,
                                            "unit": w.unit_b.pk, "unit_search": w.unit_b.name})
    assert response.status_code == 200 and WhistleCall.objects.count() == 0


def test_booking_buttons(client, w):
    """The four buttons on a booking are one view with four services: each calls its own,
    says its own message and goes back to the item; a sibling community's secretary gets 404."""
    services.report_accept(actor=w.community_user, report=services.report_register(
        actor=w.member_user, member=w.member, community=w.community))
    item = services.item_create(actor=w.community_user, org=w.community, kind="post", title="楼道志愿者",
                                place="3号楼", starts_on=w.today, capacity=5)
    booking = services.booking_create(actor=w.member_user, item=item, member=w.member)
    c = _login(client, w.sibling_user)
    assert c.post(U("booking_attendance", booking.pk), {"attendance": "present"}).status_code == 404
    assert c.post(U("booking_cancel", booking.pk)).status_code == 404
    booking.refresh_from_db()
    assert not booking.attendance and not booking.cancelled
    c = _login(client, w.member_user)
    response = c.post(U("booking_confirm", booking.pk), follow=True)
    assert "已确认到场，谢谢参与。" in response.content.decode()
    response = c.post(U("booking_service", booking.pk), {"service": "清理楼道杂物"}, follow=True)
    assert "服务实绩已记录。" in response.content.decode()
    booking.refresh_from_db()
    assert booking.attendance == "present" and booking.attendance_by_self and booking.service == "清理楼道杂物"
    response = c.post(U("booking_cancel", booking.pk), follow=True)
    assert "已签到的预约不能取消。" in response.content.decode()
    c = _login(client, w.community_user)
    response = c.post(U("booking_attendance", booking.pk), {"attendance": "absent"}, follow=True)
    assert "签到已记录。" in response.content.decode()
    booking.refresh_from_db()
    assert booking.attendance == "absent" and booking.service == ""
    second = services.booking_create(actor=w.community_user, item=item, unit=w.unit)
    c = _login(client, w.unit_user)
    response = c.post(U("booking_cancel", second.pk), follow=True)
    assert "预约已取消。" in response.content.decode()
    second.refresh_from_db()
    assert second.cancelled


class TestCrossSubtree:
    """Who sees what of a reported member."""

    @pytest.fixture
    def world(self, w):
        report = services.report_register(actor=w.member_user, member=w.member, community=w.community,
                                          offer="义务理发")
        services.report_accept(actor=w.community_user, report=report)
        # The sibling community has a reported member too: its data must stay with it.
        report_b = services.report_register(actor=None, member=w.member_b, community=w.sibling, offer="法律咨询")
        services.report_accept(actor=None, report=report_b)
        w.report, w.report_b = report, report_b
        w.employer_user = make_user("employer_sec", "secretary", w.organ_b)
        w.member.employer_org = w.organ_b
        w.member.save(update_fields=["employer_org"])
        return w

    def test_community_sees_service_not_record(self, client, world):
        w = world
        c = _login(client, w.community_user)
        page = c.get(U("report_list")).content.decode()
        assert "王在职" in page and w.member.phone_masked in page and "义务理发" in page
        assert w.member.id_number_masked not in page and w.member.phone not in page
        assert reverse("orgs:member_detail", args=[w.member.pk]) not in page
        assert "赵在职" not in page and "法律咨询" not in page  # the sibling's reported member
        detail = c.get(U("report_detail", w.report.pk)).content.decode()
        assert "王在职" in detail and w.member.id_number_masked not in detail
        assert c.get(reverse("orgs:member_detail", args=[w.member.pk])).status_code == 404
        api = c.get("/api/v1/community-reports/").json()
        rows = api["results"]
        assert [r["member_name"] for r in rows] == ["王在职"] and "id_number" not in str(rows)

    def test_branch_and_employer_keep_full_view(self, client, world):
        w = world
        for user in (w.branch_user, w.employer_user):
            c = _login(client, user)
            page = c.get(U("report_list")).content.decode()
            assert "王在职" in page and reverse("orgs:member_detail", args=[w.member.pk]) in page, user
        c = _login(client, w.branch_user)
        assert c.get(reverse("orgs:member_detail", args=[w.member.pk])).status_code == 200
        assert "赵在职" not in c.get(U("report_list")).content.decode()

    def test_sibling_community_sees_nothing(self, client, world):
        w = world
        c = _login(client, w.sibling_user)
        page = c.get(U("report_list")).content.decode()
        assert "赵在职" in page and "王在职" not in page  # the guard: its own reported member shows
        assert c.get(U("report_detail", w.report.pk)).status_code == 404
        assert c.get(f"/api/v1/community-reports/{w.report.pk}/").status_code == 404
        assert c.post(U("report_end", w.report.pk)).status_code == 404
        assert MemberReport.objects.get(pk=w.report.pk).status == "accepted"

    def test_member_sees_own_report_only(self, client, world):
        w = world
        c = _login(client, w.member_user)
        assert c.get(U("report_detail", w.report.pk)).status_code == 200
        assert c.get(U("report_detail", w.report_b.pk)).status_code == 404


def test_inbox_and_overview(client, w):
    report = services.report_register(actor=w.member_user, member=w.member, community=w.community)
    services.whistle_blow(actor=w.street_user, street=w.street, title="积水", place="路口",
                          due_at=timezone.now() + datetime.timedelta(hours=1), units=[w.unit])
    page = _login(client, w.community_user).get(reverse("inbox")).content.decode()
    assert "待接收的在职党员报到" in page and "王在职" in page
    assert "待接收的在职党员报到" not in _login(client, w.sibling_user).get(reverse("inbox")).content.decode()
    page = _login(client, w.unit_user).get(reverse("inbox")).content.decode()
    assert "待响应的吹哨" in page and "积水" in page
    services.report_accept(actor=w.community_user, report=report)
    page = _login(client, w.city_admin).get("/?root=%d" % w.city.city.pk).content.decode()
    assert "双报到与党建超市" in page  # the placeholder; the figures load after the page
    status, panel = overview_panel(client, "community_service", w.city.city)
    assert status == 200 and "双报到与党建超市" in panel and "报到在职党员" in panel
    assert overview_panel(_login(client, w.sibling_user), "community_service", w.city.city)[0] == 404
