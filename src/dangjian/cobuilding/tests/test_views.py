"""Every co-building page renders for a street secretary with content; forms write
through the services; refused actions change nothing."""

import datetime

from django.urls import reverse

from dangjian.cobuilding import services
from dangjian.cobuilding.models import ReportStatus, Unit, UnitReport
from dangjian.testing import overview_panel


def test_coverage_page_figures_link_to_rows(client, city, people, units):
    client.force_login(people["street"])
    text = client.get(reverse("cobuilding:coverage")).content.decode()
    assert 'id="fig-total">2<' in text and 'id="fig-uncovered">1<' in text and "50.0%" in text
    assert "coverage=none" in text and "kind=private&amp;coverage=own" in text
    listed = client.get(reverse("cobuilding:unit_list") + "?coverage=none").content.decode()
    assert "甲区幸福小学" in listed and "甲区幸福科技有限公司" not in listed


def test_every_page_renders(client, city, people, units):
    instructor = services.instructor_create(actor=None, org=city.streets["a"], appointed_on=datetime.date(2026, 1, 1),
                                            person_name="李指导员")
    services.instructor_assign(actor=None, instructor=instructor, unit=units["bare"], start_on=datetime.date(2026, 2, 1))
    agreement = services.agreement_create(actor=None, org=city.communities["a"], title="幸福共建协议",
                                          start_on=datetime.date(2026, 1, 1), end_on=datetime.date(2026, 12, 31),
                                          parties=[units["own"]], commitments=[(None, "开放党群服务中心")])
    alliance = services.alliance_create(actor=None, lead_org=city.streets["a"], name="一街道党建联盟",
                                        founded_on=datetime.date(2026, 1, 1), member_units=[units["own"]])
    services.unit_report_register(actor=None, unit=units["own"], community=city.communities["a"])
    client.force_login(people["street"])
    pages = {
        reverse("cobuilding:unit_detail", args=[units["own"].pk]): "甲区幸福科技有限公司",
        reverse("cobuilding:unit_create"): "登记驻区单位",
        reverse("cobuilding:unit_edit", args=[units["own"].pk]): "甲区幸福科技有限公司",
        reverse("cobuilding:unit_close", args=[units["own"].pk]): "迁出",
        reverse("cobuilding:report_list"): "甲区幸福科技有限公司",
        reverse("cobuilding:agreement_list"): "幸福共建协议",
        reverse("cobuilding:agreement_detail", args=[agreement.pk]): "开放党群服务中心",
        reverse("cobuilding:agreement_create"): "新建共建协议",
        reverse("cobuilding:alliance_list"): "一街道党建联盟",
        reverse("cobuilding:alliance_detail", args=[alliance.pk]): "甲区幸福科技有限公司",
        reverse("cobuilding:alliance_create"): "新建党建联盟",
        reverse("cobuilding:instructor_list"): "李指导员",
        reverse("cobuilding:instructor_detail", args=[instructor.pk]): "甲区幸福小学",
        reverse("cobuilding:instructor_create"): "登记党建指导员",
        reverse("cobuilding:unit_import"): "驻区单位",
        reverse("cobuilding:unit_export"): "导出",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


def test_register_a_unit_through_the_form_and_accept_its_report(client, city, people):
    client.force_login(people["street"])
    response = client.post(reverse("cobuilding:unit_create"), {
        "name": "新驻区医院", "kind": "hospital", "area": str(city.communities["a"].area_id), "coverage": "none",
        "credit_code": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = Unit.objects.get(name="新驻区医院")
    assert unit.org == city.communities["a"]
    response = client.post(reverse("cobuilding:unit_report", args=[unit.pk]),
                           {"community": str(city.communities["a"].pk), "offer": "义诊"})
    assert response.status_code == 302
    report = UnitReport.objects.get(unit=unit)
    client.force_login(people["community"])
    client.post(reverse("cobuilding:report_accept", args=[report.pk]))
    assert UnitReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_a_bad_code_in_the_form_is_shown_on_its_field(client, city, people):
    client.force_login(people["community"])
    response = client.post(reverse("cobuilding:unit_create"), {
        "name": "坏代码公司", "kind": "private", "area": str(city.communities["a"].area_id), "coverage": "none",
        "credit_code": "91350100M000100Y44"})
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    assert not Unit.objects.filter(name="坏代码公司").exists()


def test_sibling_community_cannot_accept(client, city, people, units):
    report = services.unit_report_register(actor=None, unit=units["own"], community=city.communities["a"])
    client.force_login(people["other"])
    assert client.post(reverse("cobuilding:report_accept", args=[report.pk])).status_code == 404
    assert UnitReport.objects.get(pk=report.pk).status == ReportStatus.PENDING


def test_api_creates_a_unit_and_refuses_a_bad_checksum(client, city, people):
    client.force_login(people["community"])
    bad = client.post("/api/v1/cobuilding/units/", {"name": "API坏公司", "kind": "private", "coverage": "none",
                                                    "area": city.communities["a"].area_id,
                                                    "credit_code": "91350100M000100Y44"}, content_type="application/json")
    assert bad.status_code == 400 and "credit_code" in bad.json()
    ok = client.post("/api/v1/cobuilding/units/", {"name": "API学校", "kind": "school", "coverage": "none",
                                                   "area": city.communities["a"].area_id},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["org"] == city.communities["a"].pk
    summary = client.get("/api/v1/cobuilding/coverage/").json()
    assert summary["total"] == 1 and summary["uncovered"] == 1


def test_home_overview_and_inbox_show_the_figures(client, city, people, units):
    services.unit_report_register(actor=None, unit=units["own"], community=city.communities["a"])
    client.force_login(people["street"])
    home = client.get("/?root=%d" % city.streets["a"].pk).content.decode()
    assert "驻区单位与区域化党建" in home and "/cobuilding/units/?within=" not in home  # loaded after the page
    status, panel = overview_panel(client, "cobuilding", city.streets["a"])
    assert status == 200 and "驻区单位与区域化党建" in panel and "/cobuilding/units/?within=" in panel
    inbox = client.get("/inbox/").content.decode()
    assert "待接收的单位报到" in inbox and "甲区幸福科技有限公司" in inbox
    client.force_login(people["other"])
    assert "待接收的单位报到" not in client.get("/inbox/").content.decode()
