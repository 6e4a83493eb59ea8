"""The activity register (台账) and the compliance table as spreadsheets, and the import
of past activity records with attendance (all or nothing).

Register: one row per activity: date, kinds, topic, place, chair, recorder, attendance
counts and the absent with their reasons, as branches print it for inspection.
"""

import datetime
import io
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.spreadsheets.columns import Column
from dangjian.core.spreadsheets.importer import Importable, register
from dangjian.core.spreadsheets.views import import_page
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


# Import of past activities -----------------------------------------------------------

IMPORT_COLUMNS = (
    Column("org", "党组织", required=True, meaning="名称、名称路径或组织代码"),
    Column("day", "日期", kind="date", required=True, example="2026-03-15"),
    Column("time", "时间", example="19:00"),
    Column("kinds", "活动类型", required=True, example="主题党日、党小组会", meaning="可多个，用“、”分隔"),
    Column("topic", "主题", required=True, max_length=200),
    Column("place", "地点", max_length=120),
    Column("chair", "主持人", meaning="本组织党员姓名"),
    Column("recorder", "记录人", meaning="本组织党员姓名"),
    Column("absent", "缺席人员", meaning="姓名（原因），用“、”分隔；未列出的本组织党员记为出席"),
    Column("leave", "请假人员", meaning="姓名（原因），用“、”分隔"),
)
IMPORT_HELP = gettext_lazy("每行一次活动。出席名单按本组织在册党员生成，只需列出缺席和请假的人；任何一行有错，整个文件都不导入。")
_PERSON = re.compile(r"^\s*([^（(]+?)\s*(?:[（(]\s*(.*?)\s*[）)])?\s*$")


class _Rollback(Exception):
    pass


def _names(text):
    result = []
    for part in re.split(r"[、,，;；]", text or ""):
        match = _PERSON.match(part)
        if part.strip() and match:
            result.append((match.group(1), match.group(2) or ""))
    return result


def _clock(text):
    text = (text or "").strip()
    if not text:
        return datetime.time(9, 0)
    try:
        hour, minute = text.replace("：", ":").split(":")[:2]
        return datetime.time(int(hour), int(minute))
    except ValueError:
        raise ValidationError(_("时间“%(value)s”无法识别，请写成 HH:MM。") % {"value": text[:20]}) from None


def import_activities(*, actor, sheet, dry_run=False, progress=None):
    """Past activity records with attendance, all or nothing: every row is checked through
    activity_create; one problem anywhere and nothing is kept."""
    from django.db import transaction
    from django.utils import timezone

    from dangjian.core.spreadsheets.importer import (
        NO_ROWS,
        ImportResult,
        TreeResolver,
        problem,
        read_row,
        require_in_scope,
        rows_with_header,
        unreachable_org,
    )
    from dangjian.orgs.models import Member, Org

    from . import services
    from .models import ActivityKind

    result = ImportResult(kind="duties_activities", dry_run=dry_run)
    _number, positions, header_problems, rows = rows_with_header(sheet, IMPORT_COLUMNS)
    for label, error in header_problems:
        result.add(problem(None, label, error))
    if result.problems:
        return result
    labels = {c.key: c.label for c in IMPORT_COLUMNS}
    kinds = {}
    for kind in ActivityKind.objects.all():
        kinds[kind.name] = kinds[kind.code] = kind
    trees = TreeResolver(Org, actor, is_org=True)
    members = {}
    try:
        with transaction.atomic(), audit.deferred():
            for number, values in rows:
                if not any(v not in (None, "") for v in values):
                    continue
                result.rows += 1
                progress(result.rows)
                _raw, row, errors = read_row(IMPORT_COLUMNS, positions, values)
                org = None
                if "org" not in errors:
                    try:
                        org = trees(str(row["org"]).strip())
                        require_in_scope(actor, org, field="org")
                    except Exception:  # noqa: BLE001 - missing, ambiguous or outside the scope answer alike
                        errors["org"] = unreachable_org(row["org"])
                        org = None
                chosen = []
                for name in re.split(r"[、,，;；]", row.get("kinds") or ""):
                    if name.strip():
                        if name.strip() not in kinds:
                            errors["kinds"] = ValidationError(_("活动类型“%(value)s”不存在。") % {"value": name[:20]})
                        else:
                            chosen.append(kinds[name.strip()])
                starts_at = None
                if row.get("day"):
                    try:
                        starts_at = timezone.make_aware(datetime.datetime.combine(row["day"], _clock(row.get("time"))))
                    except ValidationError as exc:
                        errors["time"] = exc
                if org is not None and org.pk not in members:
                    members[org.pk] = {m.name: m for m in Member.objects.filter(org=org, left_on__isnull=True)}
                people = members.get(org.pk, {}) if org is not None else {}
                found = {}
                for key in ("chair", "recorder"):
                    name = (row.get(key) or "").strip()
                    if name and org is not None:
                        if name not in people:
                            errors[key] = ValidationError(_("%(org)s没有党员“%(name)s”。") % {"org": org.name,
                                                                                         "name": name[:20]})
                        found[key] = people.get(name)
                marks = {}
                for key, status in (("absent", "absent"), ("leave", "leave")):
                    for name, reason in _names(row.get(key)):
                        if org is not None and name not in people:
                            errors[key] = ValidationError(_("%(org)s没有党员“%(name)s”。") % {"org": org.name,
                                                                                         "name": name[:20]})
                        elif name in people:
                            marks[name] = (status, reason)
                if errors:
                    result.add_row(number, IMPORT_COLUMNS, errors, row)
                    continue
                attendance = [{"member": m, "status": marks.get(name, ("present", ""))[0],
                               "reason": marks.get(name, ("present", ""))[1], "is_guest": False}
                              for name, m in people.items()]
                try:
                    with transaction.atomic():
                        services.activity_create(actor=actor, org=org, kinds=chosen, starts_at=starts_at,
                                                 topic=row["topic"], place=row.get("place") or "",
                                                 chair=found.get("chair"), recorder=found.get("recorder"),
                                                 attendance=attendance)
                except ValidationError as exc:
                    mapping = {"starts_at": "day", "attendance": "absent"}
                    detail = exc.message_dict if hasattr(exc, "error_dict") else {"topic": exc.messages}
                    result.add_row(number, IMPORT_COLUMNS,
                                   {mapping.get(k, k if k in labels else "topic"): ValidationError(v)
                                    for k, v in detail.items()}, row)
                    continue
                result.created += 1
            if not result.rows:
                result.file_problem(NO_ROWS)
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        result.created = 0 if result.problems else result.created
    return result


register(Importable(kind="duties_activities", title=gettext_lazy("组织生活记录"), columns=IMPORT_COLUMNS,
                    run=import_activities, back_url="duties:activity_list"))


@login_required
def activity_import(request):
    return import_page(request, "duties_activities", intro=_("每行一次活动，附缺席和请假人员。"), help_text=IMPORT_HELP)
