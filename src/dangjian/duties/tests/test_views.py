import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dangjian.duties import services
from dangjian.duties.models import Activity, Attendance, Occurrence, OccurrenceStatus
from dangjian.testing import PASSWORD, make_user

from .conftest import at

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)


@pytest.fixture
def grid(city, branch_world):
    services.roll_over(period_start=MONTH, period_end=MONTH, today=TODAY)
    user = make_user("grid_sec", "secretary", branch_world["branch"])
    return {**branch_world, "user": user}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_record_page_defaults_to_members_and_fulfils_duty(client, grid, kinds):
    branch, members = grid["branch"], grid["members"]
    login(client, grid["user"])
    url = reverse("duties:activity_create", args=[branch.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for member in members:
        assert member.name in html
    now = timezone.localtime() - datetime.timedelta(minutes=5)
    data = {"kinds": [kinds["theme_day"].pk], "day": now.date().isoformat(), "time": now.strftime("%H:%M"),
            "topic": "学习二十大精神", "place": "党群服务中心"}
    for member in members:
        data[f"att_{member.pk}"] = "present"
    data[f"att_{members[1].pk}"] = "absent"
    data[f"reason_{members[1].pk}"] = "外出务工"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.attendance.filter(status="present").count() == 2
    assert Attendance.objects.get(activity=activity, status="absent").reason == "外出务工"
    duty = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=MONTH)
    assert duty.status == OccurrenceStatus.FULFILLED
    page = client.get(reverse("duties:org_duties", args=[branch.pk]))
    assert "学习二十大精神" in page.content.decode()
    detail = client.get(reverse("duties:activity_detail", args=[activity.pk])).content.decode()
    assert "外出务工" in detail and "主题党日" in detail


def test_future_activity_is_refused_on_the_page(client, grid, kinds):
    login(client, grid["user"])
    url = reverse("duties:activity_create", args=[grid["branch"].pk])
    tomorrow = TODAY + datetime.timedelta(days=2)
    response = client.post(url, {"kinds": [kinds["theme_day"].pk], "day": tomorrow.isoformat(), "time": "09:00",
                                 "topic": "未来"})
    assert response.status_code == 200
    assert "不能登记未来的活动" in response.content.decode()
    assert not Activity.objects.exists()


def test_compliance_page_figures_children_and_red_list(client, city, grid, users, kinds):
    services.activity_create(actor=None, org=city.branches["a"], kinds=[kinds["theme_day"]],
                             starts_at=at(TODAY, 0), topic="主题党日")
    login(client, users["city_admin"])
    page = client.get(reverse("duties:compliance") + f"?root={city.city.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert city.districts["a"].name in html and city.districts["b"].name in html
    red = client.get(reverse("duties:red_list") + f"?root={city.districts['b'].pk}&period=2020-Q1")
    assert red.status_code == 200
    rows = client.get(reverse("duties:occurrence_list") + f"?within={city.branches['a'].pk}&figure=fulfilled")
    assert "主题党日" in rows.content.decode()
    # The other district's secretary cannot open district A.
    login(client, users["b"])
    assert client.get(reverse("duties:compliance") + f"?root={city.districts['a'].pk}").status_code == 404
    listed = client.get(reverse("duties:occurrence_list")).content.decode()
    assert city.branches["b"].name in listed and city.branches["a"].name not in listed


def test_excuse_page_requires_reason(client, city, grid):
    community_user = make_user("comm", "secretary", city.communities["a"])
    duty = Occurrence.objects.get(org=grid["branch"], kind__code="theme_day", period_start=MONTH)
    login(client, grid["user"])
    assert client.get(reverse("duties:occurrence_excuse", args=[duty.pk])).status_code == 403
    login(client, community_user)
    url = reverse("duties:occurrence_excuse", args=[duty.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and not Occurrence.objects.filter(status="excused").exists()
    response = client.post(url, {"reason": "支部换届"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == "excused" and duty.excused_reason == "支部换届"


def test_calendar_feed_parses_and_revokes(client, grid, kinds):
    services.activity_create(actor=None, org=grid["branch"], kinds=[kinds["theme_day"]], starts_at=at(TODAY, 0),
                             topic="主题党日活动")
    login(client, grid["user"])
    response = client.post(reverse("duties:calendar_subscribe", args=["org", grid["branch"].pk]))
    assert response.status_code == 200
    url = response.context["url"]
    path = url[url.index("/duties/"):]
    client.logout()
    feed = client.get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    summaries = [str(event.get("summary")) for event in cal.walk("VEVENT")]
    assert any("主题党日活动" in s for s in summaries)
    assert any(s.startswith("应开展") for s in summaries)
    login(client, grid["user"])
    client.post(reverse("duties:calendar_revoke", args=[response.context["row"].pk]))
    client.logout()
    assert client.get(path).status_code == 404


def test_member_attendance_visible_to_branch_not_to_others(client, city, grid, users, kinds):
    member = grid["members"][0]
    services.activity_create(actor=None, org=grid["branch"], kinds=[kinds["party_lecture"]], starts_at=at(TODAY, 0),
                             topic="专题党课")
    login(client, grid["user"])
    page = client.get(reverse("duties:member_attendance", args=[member.pk]))
    assert page.status_code == 200 and "专题党课" in page.content.decode()
    login(client, users["b"])
    assert client.get(reverse("duties:member_attendance", args=[member.pk])).status_code == 404


def test_rules_and_pages_render(client, city, grid, users):
    login(client, users["city_admin"])
    page = client.get(reverse("duties:rule_list"))
    assert page.status_code == 200 and "支委会" in page.content.decode()
    assert client.get(reverse("duties:rule_create")).status_code == 200
    assert client.get(reverse("duties:threshold")).status_code == 200
    assert client.get(reverse("duties:activity_list")).status_code == 200
    login(client, grid["user"])
    assert client.get(reverse("duties:rule_create")).status_code == 403
    assert client.get(reverse("duties:plan_edit", args=[grid["branch"].pk])).status_code == 200


def test_edit_page_moves_the_record_and_its_duty(client, grid, kinds):
    branch, members = grid["branch"], grid["members"]
    activity = services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 0),
                                        topic="原主题")
    login(client, grid["user"])
    url = reverse("duties:activity_edit", args=[activity.pk])
    page = client.get(url)
    assert page.status_code == 200 and "原主题" in page.content.decode()
    data = {"kinds": [kinds["party_lecture"].pk], "day": TODAY.isoformat(), "time": "00:00", "topic": "改为党课"}
    for member in members:
        data[f"att_{member.pk}"] = "present"
    data[f"att_{members[2].pk}"] = "leave"
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.topic == "改为党课" and activity.attendance.get(status="leave").member == members[2]
    theme = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=MONTH)
    lecture = Occurrence.objects.get(org=branch, kind__code="party_lecture")
    assert theme.status == "due" and lecture.status == "fulfilled"
