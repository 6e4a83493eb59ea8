"""Free-form duties (no activity kind, such as 年度部署党建工作) are fulfilled by a 履职记录:
a service, a small form on the duty's row, the API; audited; bad input writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.duties import selectors, services
from dangjian.duties.models import DutyRule, Fulfilment, FulfilmentFile, Occurrence, OccurrenceStatus
from dangjian.testing import PASSWORD, make_user

TODAY = timezone.localdate()
YEAR = TODAY.replace(month=1, day=1)


@pytest.fixture
def world(city, kinds):
    DutyRule.objects.all().delete()
    services.rule_create(actor=None, title="年度部署党建工作", frequency="yearly", org_kinds=["local_committee"],
                         valid_from=datetime.date(2025, 1, 1))
    services.roll_over(period_start=YEAR, period_end=TODAY, today=TODAY)
    return {"duty": Occurrence.objects.get(org=city.districts["a"]),
            "own": make_user("district_a", "org_admin", city.districts["a"]),
            "sibling": make_user("district_b", "org_admin", city.districts["b"])}


def test_a_fulfilment_record_fulfils_the_duty_and_survives_recomputing(world, city):
    duty = world["duty"]
    assert duty.kind_id is None and duty.status == OccurrenceStatus.DUE
    record = services.occurrence_fulfil(actor=world["own"], occurrence=duty, done_on=TODAY,
                                        note="区委常委会专题研究部署全年党建工作",
                                        files=[SimpleUploadedFile("部署方案.pdf", b"%PDF-1.4 plan")])
    duty.refresh_from_db()
    assert (duty.status, duty.fulfilled_on) == (OccurrenceStatus.FULFILLED, TODAY)
    assert record.recorded_by == world["own"] and record.files.get().name == "部署方案.pdf"
    entry = AuditEntry.objects.filter(action="fulfil").latest("id")
    assert entry.after["status"] == "fulfilled" and entry.after["files"] == 1
    services.recompute(org_ids=[duty.org_id], start=YEAR, end=TODAY, today=TODAY + datetime.timedelta(days=400))
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.FULFILLED
    assert selectors.subtree_compliance(city.districts["a"], YEAR, TODAY).held == 1
    with pytest.raises(ValidationError, match="已有履职记录"):
        services.occurrence_fulfil(actor=world["own"], occurrence=duty, done_on=TODAY, note="再登记一次")
    # Withdrawn: owed again.
    services.fulfilment_delete(actor=world["own"], fulfilment=record)
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.DUE and not Fulfilment.objects.exists()


def test_bad_input_writes_nothing(world, kinds):
    duty = world["duty"]
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.occurrence_fulfil(actor=world["own"], occurrence=duty, done_on=TODAY + datetime.timedelta(days=1),
                                   note="提前登记")
    assert "不能登记未来的日期" in caught.value.message_dict["done_on"][0]
    with pytest.raises(PermissionDenied):
        services.occurrence_fulfil(actor=world["sibling"], occurrence=duty, done_on=TODAY, note="越权登记")
    with pytest.raises(ValidationError, match="请简要填写履职情况"):
        services.occurrence_fulfil(actor=world["own"], occurrence=duty, done_on=TODAY, note=" ")
    with pytest.raises(ValidationError, match="类型不受支持"):
        services.occurrence_fulfil(actor=world["own"], occurrence=duty, done_on=TODAY, note="附件有误",
                                   files=[SimpleUploadedFile("方案.pdf", b"MZ\x90\x00")])
    assert not Fulfilment.objects.exists() and not FulfilmentFile.objects.exists()
    assert AuditEntry.objects.count() == audits
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.DUE
    # A duty with an activity kind is fulfilled by recording the activity.
    Occurrence.objects.all().delete()
    DutyRule.objects.all().delete()
    services.rule_create(actor=None, kind=kinds["deployment"], frequency="yearly", org_kinds=["local_committee"],
                         valid_from=datetime.date(2025, 1, 1))
    services.roll_over(period_start=YEAR, period_end=TODAY, today=TODAY)
    bound = Occurrence.objects.get(org=duty.org, kind__isnull=False)
    with pytest.raises(ValidationError, match="请登记活动"):
        services.occurrence_fulfil(actor=world["own"], occurrence=bound, done_on=TODAY, note="部署")


def test_the_duty_row_form_and_the_api(client, world):
    duty = world["duty"]
    assert client.login(username="district_b", password=PASSWORD)
    url = reverse("duties:occurrence_fulfil", args=[duty.pk])
    assert client.post(url, {"done_on": TODAY.isoformat(), "note": "越权"}).status_code == 404
    client.logout()
    assert client.login(username="district_a", password=PASSWORD)
    page = client.get(reverse("duties:org_duties", args=[duty.org_id])).content.decode()
    assert "登记履职" in page and url in page
    refused = client.post(url, {"done_on": (TODAY + datetime.timedelta(days=3)).isoformat(), "note": "提前"},
                          follow=True)
    assert "不能登记未来的日期" in refused.content.decode() and not Fulfilment.objects.exists()
    done = client.post(url, {"done_on": TODAY.isoformat(), "note": "召开全区党建工作会议",
                             "files": [SimpleUploadedFile("会议通知.pdf", b"%PDF-1.4 n")]}, follow=True)
    html = done.content.decode()
    assert "已登记履职记录" in html and "召开全区党建工作会议" in html and "会议通知.pdf" in html
    item = FulfilmentFile.objects.get()
    assert client.get(reverse("duties:fulfilment_file", args=[item.pk])).status_code == 200
    client.logout()
    assert client.login(username="district_b", password=PASSWORD)
    assert client.get(reverse("duties:fulfilment_file", args=[item.pk])).status_code == 404
    # The API: the record on the occurrence, and its own action.
    client.logout()
    assert client.login(username="district_a", password=PASSWORD)
    data = client.get(f"/api/v1/duty-occurrences/{duty.pk}/").json()
    assert data["status"] == "fulfilled" and data["fulfilment"]["note"] == "召开全区党建工作会议"
    Fulfilment.objects.all().delete()
    future = client.post(f"/api/v1/duty-occurrences/{duty.pk}/fulfil/",
                         {"done_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "note": "x"},
                         content_type="application/json")
    assert future.status_code == 400 and "done_on" in future.json()
    ok = client.post(f"/api/v1/duty-occurrences/{duty.pk}/fulfil/", {"done_on": TODAY.isoformat(), "note": "部署"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["fulfilment"]["note"] == "部署"
