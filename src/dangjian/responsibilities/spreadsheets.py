"""Responsibilities and contact points to and from spreadsheets, one set of columns each:
what an export writes, an import reads back.

A leader is written as their name with their number (“张三 [#123]”), as exports write
names that repeat; an import also takes a plain name, looked up among the active members
of the row's organisation and its subtree. Organisations go through the framework's
TreeResolver and the one scope check (`import` and `change`). Imports are all or nothing:
every row goes through the same services as the pages, any problem leaves the database
untouched, and the audit entries are appended at the end."""

import io
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit
from dangjian.core.spreadsheets.columns import CellError, Column
from dangjian.core.spreadsheets.importer import (
    NO_ROWS,
    Importable,
    ImportResult,
    TreeResolver,
    read_row,
    register,
    problem,
    require_in_scope,
    rows_with_header,
    unreachable_org,
)
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter
from dangjian.core.tree import subtree_q
from dangjian.orgs.models import Member, Org

from . import services
from .models import ContactPoint, Level, Responsibility

_ID_SUFFIX = re.compile(r"^(.*?)\s*\[#(\d+)\]$")

RESPONSIBILITY_COLUMNS = (
    Column("org", "党组织", gettext_lazy("承担责任的党组织"), kind="ref", required=True, example="中共甲区委"),
    Column("level", "责任类别", gettext_lazy("第一责任人、直接责任人或具体责任人"), kind="choice", choices=Level,
           required=True, example="第一责任人"),
    Column("leader", "责任人", gettext_lazy("党员姓名，重名时写“姓名 [#编号]”"), required=True, max_length=80,
           example="张三"),
    Column("portfolio", "分管工作", max_length=120, example="组织工作"),
    Column("start_on", "开始日期", kind="date", required=True, fmt="YYYY-MM-DD", example="2026-01-01"),
    Column("end_on", "结束日期", kind="date", fmt="YYYY-MM-DD"),
)
POINT_COLUMNS = (
    Column("org", "领导所在党组织", kind="ref", required=True, example="中共甲区委"),
    Column("leader", "联系领导", gettext_lazy("党员姓名，重名时写“姓名 [#编号]”"), required=True, max_length=80,
           example="张三"),
    Column("point_org", "联系点", gettext_lazy("领导所在党组织下级的党组织"), kind="ref", required=True,
           example="甲区幸福社区党委"),
    Column("since", "开始日期", kind="date", required=True, fmt="YYYY-MM-DD", example="2026-01-01"),
    Column("until", "结束日期", kind="date", fmt="YYYY-MM-DD"),
    Column("note", "备注", max_length=200),
    Column("last_visit_on", "最近走访", kind="date", read_only=True),
)


def _leader_text(row):
    leader = row.leader
    return f"{leader.name} [#{leader.pk}]" if row.member_id else leader.name


def _org_text(org):
    return f"{org.name} [#{org.pk}]"


# Export ------------------------------------------------------------------------------------

def responsibility_rows(queryset):
    for row in queryset.select_related("org", "member", "person").order_by("org__path", "level", "id").iterator(
            chunk_size=2000):
        yield [_org_text(row.org), str(row.get_level_display()), _leader_text(row), row.portfolio, row.start_on,
               row.end_on]


def point_rows(queryset):
    for row in queryset.select_related("org", "point_org", "member", "person").order_by("org__path", "id").iterator(
            chunk_size=2000):
        yield [_org_text(row.org), _leader_text(row), _org_text(row.point_org), row.since, row.until, row.note,
               row.last_visit_on]


EXPORTS = {
    "responsibilities": (Responsibility, RESPONSIBILITY_COLUMNS, responsibility_rows, gettext_lazy("一岗双责")),
    "contact_points": (ContactPoint, POINT_COLUMNS, point_rows, gettext_lazy("党建工作联系点")),
}


def export(kind, queryset, fmt, *, actor):
    """(body, content type): csv chunks or xlsx bytes of `queryset`; audited now (one entry)."""
    model, columns, rows, title = EXPORTS[kind]
    header = [c.label for c in columns]
    with transaction.atomic():
        audit.record(actor=actor, action="export", object_type=model._meta.label_lower, object_repr=str(title),
                     after={"format": fmt}, row_count=queryset.count())
    if fmt == "csv":
        def chunks():
            writer = CsvWriter()
            writer.write_row(header)
            yield writer.drain()
            for row in rows(queryset):
                writer.write_row(row)
                yield writer.drain()
        return chunks(), "text/csv; charset=utf-8"
    writer = XlsxWriter(str(title), header)
    for row in rows(queryset):
        writer.write_row(row)
    buffer = io.BytesIO()
    writer.save(buffer)
    return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Import ------------------------------------------------------------------------------------

class _Resolver:
    def __init__(self, actor):
        self.actor = actor
        self.trees = TreeResolver(Org, actor, is_org=True)
        self.checked = {}

    def org(self, text, within=None):
        org = self.trees(str(text).strip(), within)
        if org.pk not in self.checked:
            try:
                require_in_scope(self.actor, org, field="org")
                self.checked[org.pk] = None
            except ValidationError:
                self.checked[org.pk] = unreachable_org(text)
        if self.checked[org.pk] is not None:
            raise self.checked[org.pk]
        return org

    def point_org(self, text, within):
        """A contact point: inside the leader's organisation, which the importer may see."""
        return self.trees(str(text).strip(), within)

    def member(self, text, within):
        text = str(text).strip()
        qs = Member.objects.visible_to(self.actor, "view_members") if self.actor is not None else Member.objects.all()
        match = _ID_SUFFIX.match(text)
        if match:
            found = list(qs.filter(pk=int(match.group(2)), name=match.group(1))[:2])
        else:
            found = list(qs.filter(subtree_q("org__path", [within.path]), name=text, left_on__isnull=True)[:2])
        if not found:
            raise CellError(_("在%(org)s及下级组织中找不到党员“%(name)s”。"), org=within.name, name=text[:50])
        if len(found) > 1:
            raise CellError(_("有多位名为“%(name)s”的党员，请在姓名后加编号，如“%(name)s [#编号]”。"), name=text[:50])
        return found[0]


class _Rollback(Exception):
    pass


def _run(kind, columns, write_row, *, actor, sheet, dry_run, progress):
    result = ImportResult(kind=kind, dry_run=dry_run)
    _number, positions, header_problems, rows = rows_with_header(sheet, columns)
    for label, error in header_problems:
        result.add(problem(1, label, error))
    for column in columns:
        if column.required and column.key not in positions:
            result.add(problem(1, column.label, CellError(_("缺少必需的列。"))))
    if result.problems:
        return result
    resolver = _Resolver(actor)
    labels = {c.key: c.label for c in columns}
    try:
        with transaction.atomic(), audit.deferred():
            for number, values in rows:
                result.rows += 1
                _raw, parsed, errors = read_row(columns, positions, values)
                if not errors:
                    try:
                        write_row(resolver, parsed, actor)
                        result.created += 1
                    except _ColumnError as exc:
                        errors = {exc.key: exc.error}
                    except ValidationError as exc:
                        errors = _service_errors(exc, labels)
                    except PermissionDenied as exc:
                        errors = {"org": CellError(str(exc))}
                if errors:
                    result.add_row(number, columns, errors, parsed)
                if result.rows % 500 == 0:
                    progress(result.rows)
            if not result.rows:
                result.file_problem(NO_ROWS)
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        if result.problems:
            result.created = 0
    return result


class _ColumnError(Exception):
    def __init__(self, key, error):
        self.key, self.error = key, error


def _cell(key, fn, *args):
    try:
        return fn(*args)
    except CellError as exc:
        raise _ColumnError(key, exc) from None


def _service_errors(exc, labels):
    aliases = {"member": "leader", "person": "leader", "end_on": "end_on", "until": "until"}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    out = {}
    for field, messages in items:
        key = aliases.get(field, field)
        out[key if key in labels else next(iter(labels))] = CellError("；".join(messages))
    return out


def _write_responsibility(resolver, parsed, actor):
    org = _cell("org", resolver.org, parsed["org"])
    member = _cell("leader", resolver.member, parsed["leader"], org)
    services.responsibility_create(actor=actor, org=org, level=parsed["level"], member=member,
                                   portfolio=parsed.get("portfolio") or "", start_on=parsed["start_on"],
                                   end_on=parsed.get("end_on"))


def _write_point(resolver, parsed, actor):
    org = _cell("org", resolver.org, parsed["org"])
    member = _cell("leader", resolver.member, parsed["leader"], org)
    point_org = _cell("point_org", resolver.point_org, parsed["point_org"], org)
    services.contact_point_create(actor=actor, org=org, member=member, point_org=point_org, since=parsed["since"],
                                  until=parsed.get("until"), note=parsed.get("note") or "")


def import_responsibilities(*, actor, sheet, dry_run=False, progress=None):
    return _run("responsibilities", RESPONSIBILITY_COLUMNS, _write_responsibility, actor=actor, sheet=sheet,
                dry_run=dry_run, progress=progress or (lambda n: None))


def import_contact_points(*, actor, sheet, dry_run=False, progress=None):
    return _run("contact_points", POINT_COLUMNS, _write_point, actor=actor, sheet=sheet, dry_run=dry_run,
                progress=progress or (lambda n: None))


register(Importable(kind="responsibilities", title=gettext_lazy("一岗双责"), columns=RESPONSIBILITY_COLUMNS,
                    run=import_responsibilities, back_url="responsibilities:index"))
register(Importable(kind="contact_points", title=gettext_lazy("党建工作联系点"), columns=POINT_COLUMNS,
                    run=import_contact_points, back_url="responsibilities:points"))
