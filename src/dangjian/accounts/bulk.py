"""Bulk access to personal data (issue 4, point 6).

An export, or a view of full values (ID numbers, phones), of more rows than
settings.DANGJIAN_BULK_THRESHOLD needs a stated reason and is audited with its row
count; with DANGJIAN_BULK_APPROVAL=1 it also needs a security administrator's approval,
used once within a day. Export code calls `bulk_access_check` before producing rows:

    approval = bulk_access_check(actor=user, row_count=qs.count(), reason=form_reason, kind="export", org=org)

It returns None (under the threshold) or the approval it consumed (or None when approval
is off), and raises ValidationError({"reason": ...}) without a reason, or ApprovalRequired
(a PermissionDenied carrying `.approval`, the pending request it filed) when approval is
needed and none is at hand.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit

from .models import ApprovalStatus, BulkKind, ExportApproval
from .roles import user_has_global

APPROVAL_VALID = datetime.timedelta(hours=24)
MIN_REASON = 4


class ApprovalRequired(PermissionDenied):
    def __init__(self, approval):
        self.approval = approval
        super().__init__(_("超过 %(n)d 条的批量访问须经安全管理员审批，申请已提交（编号 %(id)d）。")
                         % {"n": settings.DANGJIAN_BULK_THRESHOLD, "id": approval.pk})


def _clean(kind, reason):
    if kind not in BulkKind.values:
        raise ValidationError({"kind": _("无效的访问类型。")})
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("一次导出或查看超过 %(n)d 条完整信息，须说明理由（至少 %(m)d 个字）。")
                               % {"n": settings.DANGJIAN_BULK_THRESHOLD, "m": MIN_REASON}})
    return reason


@transaction.atomic
def approval_request(*, actor, kind, row_count, reason):
    """File (or refresh) a pending request for bulk access."""
    reason = _clean(kind, reason)
    approval = ExportApproval.objects.select_for_update().filter(
        requested_by=actor, kind=kind, status=ApprovalStatus.PENDING).first()
    if approval is None:
        approval = ExportApproval.objects.create(requested_by=actor, kind=kind, row_count=row_count, reason=reason)
    else:
        approval.row_count, approval.reason = max(row_count, approval.row_count), reason
        approval.save(update_fields=["row_count", "reason"])
    audit.record(actor=actor, action="create", obj=approval, object_repr=str(approval),
                 after={"kind": kind, "row_count": row_count, "reason": reason}, row_count=row_count)
    return approval


@transaction.atomic
def approval_decide(*, actor, approval, approve):
    """A security administrator approves or rejects a pending request (not their own)."""
    if not user_has_global(actor, "approve_bulk"):
        raise PermissionDenied(_("只有安全管理员可以审批批量访问。"))
    approval = ExportApproval.objects.select_for_update().get(pk=approval.pk)
    if approval.requested_by_id == actor.pk:
        raise PermissionDenied(_("不能审批自己的申请。"))
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError({"status": _("该申请已处理。")})
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor=actor, action="update", obj=approval, object_repr=str(approval),
                 after={"status": approval.status}, row_count=approval.row_count)
    return approval


def bulk_access_check(*, actor, row_count, reason, kind, org=None):
    """Allow, or refuse, an export (kind="export") or full-value view (kind="full_view")
    of `row_count` rows; see the module docstring."""
    if actor is None or row_count <= settings.DANGJIAN_BULK_THRESHOLD:
        return None
    reason = _clean(kind, reason)
    approval = None
    if settings.DANGJIAN_BULK_APPROVAL:
        with transaction.atomic():
            approval = ExportApproval.objects.select_for_update().filter(
                requested_by=actor, kind=kind, status=ApprovalStatus.APPROVED, row_count__gte=row_count,
                decided_at__gte=timezone.now() - APPROVAL_VALID,
            ).order_by("decided_at").first()
            if approval is not None:
                approval.status, approval.used_at = ApprovalStatus.USED, timezone.now()
                approval.save(update_fields=["status", "used_at"])
        if approval is None:
            raise ApprovalRequired(approval_request(actor=actor, kind=kind, row_count=row_count, reason=reason))
    audit.record(actor=actor, action="export" if kind == BulkKind.EXPORT else "view_pii", object_type="bulk_access",
                 org=org, row_count=row_count,
                 after={"kind": kind, "reason": reason, "approval": approval.pk if approval else None})
    return approval
