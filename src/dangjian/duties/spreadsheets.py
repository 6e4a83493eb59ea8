"""The activity register (台账) and the compliance table as spreadsheets, and the import
of past activity records with attendance (all or nothing).

Register: one row per activity: date, kinds, topic, place, chair, recorder, attendance
counts and the absent with their reasons, as branches print it for inspection.
"""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter

from . import selectors
from .filters import ActivityFilter
from .models import Activity, Attendance, AttendanceStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REGISTER_HEADERS = ["日期", "时间", "党组织", "活动类型", "主题", "地点", "主持人", "记录人", "应到", "实到", "缺席",
                    "请假", "列席", "缺席/请假人员及原因"]
COMPLIANCE_HEADERS = ["党组织", "应开展", "按时开展", "逾期开展", "逾期未开展", "已免除", "未到期", "履职率（%）", "等级"]


def register_rows(activities):
    """Rows of the register: three queries whatever the number of activities."""
    activities = list(activities.select_related("org", "chair", "recorder").prefetch_related("kinds"))
    counts, absent = {}, {}
    rows = (Attendance.objects.filter(activity__in=[a.pk for a in activities]).select_related("member")
            .order_by("activity_id", "member__search_text"))
    for row in rows:
        bucket = counts.setdefault(row.activity_id, {"present": 0, "absent": 0, "leave": 0, "guest": 0})
        if row.is_guest:
            bucket["guest"] += 1
            continue
        bucket[row.status] += 1
        if row.status != AttendanceStatus.PRESENT:
            label = _("缺席") if row.status == AttendanceStatus.ABSENT else _("请假")
            absent.setdefault(row.activity_id, []).append(
                f"{row.member.name}（{label}{'：' + row.reason if row.reason else ''}）")
    for activity in activities:
        c = counts.get(activity.pk, {"present": 0, "absent": 0, "leave": 0, "guest": 0})
        yield [activity.held_on, activity.starts_at.astimezone().strftime("%H:%M"), activity.org.name,
               "、".join(k.name for k in activity.kinds.all()), activity.topic, activity.place,
               activity.chair.name if activity.chair_id else "", activity.recorder.name if activity.recorder_id else "",
               c["present"] + c["absent"] + c["leave"], c["present"], c["absent"], c["leave"], c["guest"],
               "；".join(absent.get(activity.pk, []))]


def _respond(fmt, title, headers, rows, filename):
    if fmt == "csv":
        writer = CsvWriter()
        writer.write_row(headers)
        body = [writer.drain()]
        for row in rows:
            writer.write_row(row)
            body.append(writer.drain())
        response = HttpResponse(b"".join(body), content_type="text/csv; charset=utf-8")
    else:
        writer = XlsxWriter(title, headers)
        for row in rows:
            writer.write_row(row)
        buffer = io.BytesIO()
        writer.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def activity_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not scope_paths(request.user, "export"):
        raise PermissionDenied(_("您无权导出。"))
    qs = Activity.objects.visible_to(request.user, "export").order_by("org__path", "starts_at", "id")
    filterset = ActivityFilter(request.GET, queryset=qs, request=request)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    rows = list(register_rows(qs))
    audit.record(actor=request.user, action="export", object_type="duties.activity", object_repr=_("组织生活台账"),
                 row_count=len(rows), after={"format": fmt, "filter": request.GET.dict()})
    return _respond(fmt, _("组织生活台账"), REGISTER_HEADERS, rows, "activities")


def compliance_rows(root, start, end):
    for row, figures in sorted(selectors.org_rows(root, start, end), key=lambda item: item[0]["org__path"]):
        yield [row["org__name"], figures.required, figures.fulfilled, figures.late_held, figures.missed,
               figures.excused, figures.pending, figures.rate if figures.rate is not None else "",
               str(selectors.COLOUR_LABELS[figures.colour])]


@login_required
def compliance_export(request, fmt):
    from .views import _root_and_period

    if fmt not in ("csv", "xlsx"):
        raise Http404
    root, start, end = _root_and_period(request)
    if root is None or not user_can(request.user, "export", root):
        raise PermissionDenied(_("您无权导出。"))
    rows = list(compliance_rows(root, start, end))
    audit.record(actor=request.user, action="export", obj=root, object_repr=_("履职情况表"), row_count=len(rows),
                 after={"format": fmt, "period": selectors.period_code(start, end)})
    return _respond(fmt, _("履职情况表"), COMPLIANCE_HEADERS, rows, f"compliance-{selectors.period_code(start, end)}")


def activity_import(request):
    raise Http404
