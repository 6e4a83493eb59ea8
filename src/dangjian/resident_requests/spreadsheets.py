"""Export of residents' requests (Excel), for a subtree and period; the export is audited.
Personal data stays masked: the file carries the masked phone only."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter


def headers():
    return [_("编号"), _("类别"), _("状态"), _("渠道"), _("社区"), _("网格"), _("详细位置"), _("诉求内容"),
            _("联系电话"), _("受理组织"), _("承办单位"), _("提交时间"), _("办理时限"), _("办结时间"), _("办理结果"),
            _("重新办理次数"), _("满意度评分")]


def _when(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def rows_for(queryset):
    queryset = queryset.select_related("category", "community", "grid", "org", "unit").order_by("submitted_at", "id")
    for r in queryset.iterator(chunk_size=2000):
        yield [r.number, r.category.name, r.get_status_display(), r.get_channel_display(),
               r.community.name if r.community_id else "", r.grid.name if r.grid_id else "", r.address,
               r.description, r.phone_masked, r.org.name, r.unit.name if r.unit_id else "", _when(r.submitted_at),
               _when(r.deadline_at), _when(r.resolved_at), r.resolution, r.reopen_count, r.rating]


def _record(actor, queryset, fmt):
    audit.record(actor=actor, action="export", object_type="resident_requests.request",
                 object_repr=f"{_('居民诉求')} ({fmt})", row_count=queryset.count())


def export_csv(queryset, *, actor=None):
    """The whole file at once (an export of a period is thousands of rows, not millions)."""
    _record(actor, queryset, "csv")
    writer = CsvWriter()
    writer.write_row(headers())
    chunks = [writer.drain()]
    for row in rows_for(queryset):
        writer.write_row(row)
    chunks.append(writer.drain())
    return b"".join(chunks)


def export_xlsx(queryset, *, actor=None):
    _record(actor, queryset, "xlsx")
    writer = XlsxWriter(_("居民诉求"), headers())
    for row in rows_for(queryset):
        writer.write_row([str(v) if hasattr(v, "__html__") else v for v in row])
    buffer = io.BytesIO()
    writer.save(buffer)
    return buffer.getvalue()
