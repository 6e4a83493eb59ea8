"""Exports of 双报到 and the 党建超市: reports, 实绩 (service records) and claims. Rows
are read in the export scope (`export`, the data-exchange grant); a member's phone is
written masked, as the pages show it. Each export is audited with its row count."""

import io

from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter

from .models import Booking, Claim, MemberReport

KINDS = ("reports", "records", "claims")


def _headers(kind):
    if kind == "reports":
        return [_("党员"), _("联系电话"), _("所在党组织"), _("报到社区"), _("可提供的服务"), _("状态"), _("登记时间")]
    if kind == "records":
        return [_("党员/单位"), _("所在党组织"), _("服务项目"), _("服务社区/街道"), _("日期"), _("签到"), _("服务实绩")]
    return [_("认领事项"), _("方向"), _("认领方"), _("社区"), _("完成期限"), _("完成情况"), _("办结时间")]


def rows(kind, user, queryset=None):
    if kind == "reports":
        qs = queryset if queryset is not None else MemberReport.objects.visible_to(user, "export")
        for r in qs.select_related("member", "member__org", "community").order_by("community__path", "member__name",
                                                                                  "pk"):
            yield [r.member.name, r.member.phone_masked, r.member.org.name, r.community.name, r.offer,
                   r.get_status_display(), r.registered_at.strftime("%Y-%m-%d")]
    elif kind == "records":
        qs = queryset if queryset is not None else Booking.objects.visible_to(user, "export").attended()
        for b in qs.select_related("item", "item__org", "member", "member__org", "unit").order_by(
                "-item__starts_on", "pk"):
            who_org = b.member.org.name if b.member_id else (b.unit.covering_org.name if b.unit.covering_org_id else "")
            yield [b.who, who_org, b.item.title, b.item.org.name, b.item.starts_on, b.get_attendance_display(),
                   b.service]
    else:
        qs = queryset if queryset is not None else Claim.objects.visible_to(user, "export")
        for c in qs.select_related("community", "demand", "resource").order_by("-created_at", "pk"):
            yield [str(c), _("认领需求") if c.demand_id else _("认领资源"), c.claimant_name, c.community.name, c.deadline,
                   c.result, c.done_at.strftime("%Y-%m-%d") if c.done_at else ""]


def export(kind, user, fmt, queryset=None):
    """(content bytes or chunks, content type, filename); audited here, in the request."""
    data = list(rows(kind, user, queryset))
    audit.record(actor=user, action="export", object_type=f"community_service.{kind}", object_repr=kind,
                 row_count=len(data))
    if fmt == "csv":
        writer = CsvWriter()
        writer.write_row(_headers(kind))
        for row in data:
            writer.write_row(row)
        return writer.drain(), "text/csv; charset=utf-8", f"{kind}.csv"
    writer = XlsxWriter(kind, _headers(kind))
    for row in data:
        writer.write_row(row)
    buffer = io.BytesIO()
    writer.save(buffer)
    return (buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{kind}.xlsx")
