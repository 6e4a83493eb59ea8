"""Issue 4, point 6: bulk access above the threshold needs a reason, is audited with the
row count, and can require a security administrator's approval."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from dangjian.accounts.bulk import ApprovalRequired, approval_decide, bulk_access_check
from dangjian.accounts.models import ApprovalStatus, ExportApproval
from dangjian.core.models import AuditEntry
from dangjian.testing import make_user


@pytest.fixture
def exporter(city, settings):
    settings.DANGJIAN_BULK_THRESHOLD = 100
    return make_user("exporter", "secretary", city.districts["a"])


def test_under_the_threshold_needs_nothing(exporter):
    assert bulk_access_check(actor=exporter, row_count=100, reason="", kind="export") is None
    assert not AuditEntry.objects.filter(actor=exporter).exists()


def test_over_the_threshold_needs_a_reason_and_is_audited(exporter, city):
    with pytest.raises(ValidationError) as caught:
        bulk_access_check(actor=exporter, row_count=101, reason="  ", kind="export")
    assert "reason" in caught.value.message_dict
    bulk_access_check(actor=exporter, row_count=101, reason="年度党员统计报表", kind="export", org=city.districts["a"])
    entry = AuditEntry.objects.get(actor=exporter, action="export")
    assert entry.row_count == 101 and entry.after["reason"] == "年度党员统计报表"
    assert entry.org_path == city.districts["a"].path


def test_full_view_is_audited_as_a_view_of_personal_data(exporter):
    bulk_access_check(actor=exporter, row_count=500, reason="核对身份证号", kind="full_view")
    assert AuditEntry.objects.get(actor=exporter, action="view_pii").row_count == 500


def test_approval_flow(exporter, admins, settings):
    settings.DANGJIAN_BULK_APPROVAL = True
    with freeze_time("2026-03-02 09:00:00") as clock:
        with pytest.raises(ApprovalRequired) as caught:
            bulk_access_check(actor=exporter, row_count=500, reason="上报组织部", kind="export")
        approval = caught.value.approval
        assert approval.status == ApprovalStatus.PENDING and approval.row_count == 500
        # asking again does not file a second request
        with pytest.raises(ApprovalRequired):
            bulk_access_check(actor=exporter, row_count=400, reason="上报组织部", kind="export")
        assert ExportApproval.objects.count() == 1

        with pytest.raises(PermissionDenied):
            approval_decide(actor=admins["system"], approval=approval, approve=True)
        with pytest.raises(PermissionDenied):
            approval_decide(actor=exporter, approval=approval, approve=True)
        approval_decide(actor=admins["security"], approval=approval, approve=True)

        used = bulk_access_check(actor=exporter, row_count=480, reason="上报组织部", kind="export")
        assert used.pk == approval.pk
        assert ExportApproval.objects.get(pk=approval.pk).status == ApprovalStatus.USED
        # used once only
        with pytest.raises(ApprovalRequired):
            bulk_access_check(actor=exporter, row_count=480, reason="上报组织部", kind="export")

        # an approval is good for a day
        second = ExportApproval.objects.get(status=ApprovalStatus.PENDING)
        approval_decide(actor=admins["security"], approval=second, approve=True)
        clock.tick(datetime.timedelta(hours=25))
        with pytest.raises(ApprovalRequired):
            bulk_access_check(actor=exporter, row_count=480, reason="上报组织部", kind="export")


def test_approval_page(client, exporter, admins, settings):
    settings.DANGJIAN_BULK_APPROVAL = True
    with pytest.raises(ApprovalRequired):
        bulk_access_check(actor=exporter, row_count=500, reason="上报组织部", kind="export")
    approval = ExportApproval.objects.get()
    client.force_login(exporter)
    assert "上报组织部" in client.get("/accounts/approvals/").content.decode()
    assert client.post("/accounts/approvals/", {"approval": approval.pk, "decision": "approve"}).status_code == 403
    client.force_login(admins["security"])
    assert "exporter" in client.get("/accounts/approvals/").content.decode()
    client.post("/accounts/approvals/", {"approval": approval.pk, "decision": "reject"})
    assert ExportApproval.objects.get().status == ApprovalStatus.REJECTED
