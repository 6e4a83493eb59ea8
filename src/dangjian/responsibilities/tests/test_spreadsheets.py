"""Export and import of responsibilities and contact points: the export's own file imports
back; a bad row leaves nothing written; an organisation outside the scope reads as missing."""

from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.core.spreadsheets.importer import run_import
from dangjian.core.spreadsheets.reader import open_bytes
from dangjian.responsibilities.models import ContactPoint, Responsibility

from .conftest import TODAY, give_all_levels, make_point


def _csv(text):
    return open_bytes(text.encode("utf-8-sig"), name="file.csv", content_type="text/csv")


def _body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_export_is_scoped_and_audited(client, city, users, leaders):
    give_all_levels(city.districts["a"], leaders["a"])
    give_all_levels(city.districts["b"], leaders["b"])
    client.force_login(users["a"])
    response = client.get(reverse("responsibilities:export", args=["responsibilities", "csv"]))
    body = _body(response)
    assert response.status_code == 200 and "甲书记" in body and "乙书记" not in body
    assert body.splitlines()[0] == "党组织,责任类别,责任人,分管工作,开始日期,结束日期"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.row_count == 3 and entry.object_type == "responsibilities.responsibility"
    response = client.get(reverse("responsibilities:export", args=["responsibilities", "csv"]) + "?level=primary")
    assert _body(response).count("\n") == 2
    client.force_login(users["none"])
    assert client.get(reverse("responsibilities:export", args=["contact_points", "xlsx"])).status_code == 403


def test_import_round_trip_and_all_or_nothing(client, city, users, leaders):
    make_point(city, "a", leaders["a"]["secretary"], note="原有")
    client.force_login(users["a"])
    exported = _body(client.get(reverse("responsibilities:export", args=["contact_points", "csv"])))
    ContactPoint.objects.all().delete()
    result = run_import("contact_points", actor=users["a"], sheet=_csv(exported))
    assert result.ok and result.created == 1, [p.message for p in result.problems]
    point = ContactPoint.objects.get()
    assert point.member == leaders["a"]["secretary"] and point.note == "原有"

    good = f"中共甲区委,直接责任人,甲组织部长,组织工作,{TODAY.isoformat()},\n"
    bad_dates = f"中共甲区委,具体责任人,甲副区长,经济,{TODAY.isoformat()},2000-01-01\n"
    sibling = f"中共乙区委,具体责任人,乙副区长,经济,{TODAY.isoformat()},\n"
    header = "党组织,责任类别,责任人,分管工作,开始日期,结束日期\n"
    result = run_import("responsibilities", actor=users["a"], sheet=_csv(header + good + bad_dates + sibling))
    assert not result.ok and not Responsibility.objects.exists()
    problems = {(p.row, p.column) for p in result.problems}
    assert (3, "结束日期") in problems and (4, "党组织") in problems
    assert any("不存在或不在您的管辖范围内" in p.message for p in result.problems)
    result = run_import("responsibilities", actor=users["a"], sheet=_csv(header + good))
    assert result.ok and Responsibility.objects.get().portfolio == "组织工作"
    result = run_import("responsibilities", actor=users["a"], sheet=_csv("党组织,责任人\n中共甲区委,甲书记\n"))
    assert not result.ok and {p.column for p in result.problems} >= {"责任类别", "开始日期"}
