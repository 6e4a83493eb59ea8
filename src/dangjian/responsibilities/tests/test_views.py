"""Pages and API beyond the scope matrix: what they show, forms with pickers and uploads,
bad input shown on the form, the organisation department's "八个一" items."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.orgs import services as org_services
from dangjian.responsibilities import services
from dangjian.responsibilities.models import (
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)
from dangjian.testing import overview_panel

from .conftest import PDF, TODAY, YEAR_AGO, give_all_levels, make_point


def test_index_figures_link_to_their_rows_and_levels_sort(client, city, users, leaders):
    give_all_levels(city.districts["a"], leaders["a"])
    services.responsibility_create(actor=None, org=city.communities["a"], level=Level.PRIMARY,
                                   member=city.member(city.communities["a"], name="社区书记"), start_on=YEAR_AGO)
    client.force_login(users["a"])
    page = client.get(reverse("responsibilities:index")).content.decode()
    assert 'href="/responsibilities/?complete=yes"' in page and "三级责任齐全的组织" in page
    rows = client.get(reverse("responsibilities:index") + "?complete=yes").content.decode()
    assert "甲书记" in rows and "社区书记" not in rows
    rows = client.get(reverse("responsibilities:index") + "?complete=no").content.decode()
    assert "社区书记" in rows and "甲书记" not in rows
    page = client.get(reverse("responsibilities:index") + "?sort=level").content.decode()
    assert page.index("甲书记") < page.index("甲组织部长") < page.index("甲副区长")
    page = client.get(reverse("responsibilities:index") + "?sort=-level").content.decode()
    assert page.index("甲副区长") < page.index("甲组织部长")
    home = client.get("/").content.decode()
    assert "一岗双责" in home and "/responsibilities/points/?stale=yes" not in home  # loaded after the page
    status, panel = overview_panel(client, "responsibilities")
    assert status == 200 and "一岗双责" in panel and "/responsibilities/points/?stale=yes" in panel


def test_org_page_shows_levels_and_what_is_missing(client, city, users, leaders):
    services.responsibility_create(actor=None, org=city.districts["a"], level=Level.PRIMARY,
                                   member=leaders["a"]["secretary"], start_on=YEAR_AGO)
    client.force_login(users["a"])
    page = client.get(reverse("responsibilities:org", args=[city.districts["a"].pk])).content.decode()
    assert "甲书记" in page and "未明确" in page and "三级责任未齐全" in page
    assert reverse("responsibilities:responsibility_create", args=[city.districts["a"].pk]) in page


def test_form_refuses_a_second_primary_and_end_before_start(client, city, users, leaders):
    services.responsibility_create(actor=None, org=city.districts["a"], level=Level.PRIMARY,
                                   member=leaders["a"]["secretary"], start_on=YEAR_AGO)
    client.force_login(users["a"])
    url = reverse("responsibilities:responsibility_create", args=[city.districts["a"].pk])
    response = client.post(url, {"level": "primary", "member": leaders["a"]["other"].pk,
                                 "start_on": TODAY.isoformat()})
    assert response.status_code == 200 and "已有第一责任人（甲书记）" in response.content.decode()
    response = client.post(url, {"level": "direct", "member": leaders["a"]["affairs"].pk,
                                 "start_on": TODAY.isoformat(), "end_on": "2001-01-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert Responsibility.objects.count() == 1


def test_document_upload_download_and_a_refused_file(client, city, users, leaders):
    client.force_login(users["a"])
    url = reverse("responsibilities:document_create", args=[city.districts["a"].pk])
    data = {"kind": "pledge", "title": "2026年度党建责任书", "member": leaders["a"]["secretary"].pk,
            "counterparty": "中共测试市委", "signed_on": TODAY.isoformat()}
    response = client.post(url, {**data, "file": SimpleUploadedFile("run.pdf", b"MZ\x90\x00", "application/pdf")})
    assert response.status_code == 200 and "类型不受支持" in response.content.decode()
    assert not ResponsibilityDocument.objects.exists()
    response = client.post(url, {**data, "file": SimpleUploadedFile("责任书.pdf", PDF, "application/pdf")})
    doc = ResponsibilityDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == doc.get_absolute_url()
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "责任书.pdf" in page and "中共测试市委" in page
    download = client.get(reverse("responsibilities:document_file", args=[doc.pk]))
    assert b"".join(download.streaming_content) == PDF and download["X-Content-Type-Options"] == "nosniff"
    client.force_login(users["b"])
    assert client.get(reverse("responsibilities:document_file", args=[doc.pk])).status_code == 404


def test_duty_items_belong_to_the_organisation_department(client, city, users, leaders):
    client.force_login(users["a"])
    assert client.get(reverse("responsibilities:duty_item_create")).status_code == 403
    assert client.post(reverse("responsibilities:duty_item_create"), {"name": "x", "times_per_year": 1}
                       ).status_code == 403
    page = client.get(reverse("responsibilities:duty_items")).content.decode()
    assert "每季度开展一次党建督导" in page and "新增事项" not in page
    client.force_login(users["city_admin"])
    response = client.post(reverse("responsibilities:duty_item_create"),
                           {"name": "每年开展一次述职", "times_per_year": 1, "active": "on"})
    assert response.status_code == 302 and LeaderDutyItem.objects.filter(name="每年开展一次述职").exists()


def test_duty_record_form_and_leader_page(client, city, users, leaders):
    give_all_levels(city.districts["a"], leaders["a"])
    item = LeaderDutyItem.objects.get(name="每年上一次专题示范党课")
    client.force_login(users["a"])
    leader = leaders["a"]["secretary"]
    url = reverse("responsibilities:duty_record_create", args=[leader.pk])
    form = client.get(url).content.decode()
    assert "每年上一次专题示范党课" in form
    response = client.post(url, {"org": city.districts["a"].pk, "item": item.pk, "done_on": TODAY.isoformat(),
                                 "summary": "到幸福社区讲专题示范党课"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LeaderDutyRecord.objects.get().summary == "到幸福社区讲专题示范党课"
    page = client.get(reverse("responsibilities:leader_member", args=[leader.pk])).content.decode()
    assert "到幸福社区讲专题示范党课" in page and "1/1" in page and "0/4" in page
    client.force_login(users["b"])
    assert client.get(url).status_code == 404


def test_a_non_member_leader_has_a_page(client, city, users):
    person = org_services.person_create(actor=None, org=city.districts["a"], name="王主任")
    services.responsibility_create(actor=None, org=city.districts["a"], level=Level.SPECIFIC, person=person,
                                   start_on=YEAR_AGO, portfolio="城市管理")
    client.force_login(users["a"])
    page = client.get(reverse("responsibilities:leader_person", args=[person.pk])).content.decode()
    assert "王主任" in page and "城市管理" in page
    client.force_login(users["b"])
    assert client.get(reverse("responsibilities:leader_person", args=[person.pk])).status_code == 404


def test_api_writes_through_the_services(city, users, leaders):
    api = APIClient()
    api.force_authenticate(users["a"])
    response = api.post("/api/v1/responsibilities/", {"org": city.districts["a"].pk, "level": "primary",
                                                      "member": leaders["a"]["secretary"].pk,
                                                      "start_on": YEAR_AGO.isoformat()}, format="json")
    assert response.status_code == 201 and response.json()["leader_name"] == "甲书记"
    response = api.post("/api/v1/responsibilities/", {"org": city.districts["a"].pk, "level": "primary",
                                                      "member": leaders["a"]["other"].pk,
                                                      "start_on": TODAY.isoformat()}, format="json")
    assert response.status_code == 400 and "level" in response.json()
    response = api.post("/api/v1/responsibilities/", {"org": city.districts["b"].pk, "level": "direct",
                                                      "member": leaders["a"]["other"].pk,
                                                      "start_on": TODAY.isoformat()}, format="json")
    assert response.status_code == 400 and "org" in response.json()
    point = make_point(city, "a", leaders["a"]["secretary"])
    response = api.post("/api/v1/contact-visits/", {"point": point.pk, "visited_on": TODAY.isoformat(),
                                                    "summary": "走访"}, format="json")
    assert response.status_code == 201 and ContactVisit.objects.count() == 1
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = api.post("/api/v1/contact-visits/", {"point": point.pk, "visited_on": tomorrow, "summary": "走访"},
                        format="json")
    assert response.status_code == 400 and "visited_on" in response.json()
    other = make_point(city, "b", leaders["b"]["secretary"])
    response = api.post("/api/v1/contact-visits/", {"point": other.pk, "visited_on": TODAY.isoformat(),
                                                    "summary": "走访"}, format="json")
    assert response.status_code == 400 and ContactVisit.objects.count() == 1
    assert [row["name"] for row in api.get("/api/v1/leader-duty-items/").json()][:1] == ["每季度开展一次党建督导"]
