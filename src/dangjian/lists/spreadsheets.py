"""Lists with their items to and from spreadsheets (xlsx or csv), in one set of columns:
what an export writes, an import reads back, so a round trip loses nothing.

One row per measure; the list, programme and project columns repeat on each row and
group the rows. A row with no measure defines a project (or programme, or list) that has
none yet. Two read-only columns at the end (progress and status) are written for reports
and ignored on import: progress comes from progress reports, never from a spreadsheet.

Imports are all or nothing: every row is checked through the same services as the
pages, and any error (reported by row and column, in the shape of core.spreadsheets)
leaves the database untouched. Cells are read by core.spreadsheets: one date grammar,
choices in any language; weights and targets are written as numbers.
"""

import re
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit
from dangjian.core.spreadsheets.columns import CellError as ColumnError
from dangjian.core.spreadsheets.columns import Column, excerpt, parse_date
from dangjian.core.spreadsheets.importer import (
    Importable,
    ImportResult,
    TreeResolver,
    problem,
    register,
    require_in_scope,
    unreachable_org,
)
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter
from dangjian.core.tree import subtree_q
from dangjian.orgs.models import Member, Org

from . import rollup, services
from .models import Averaging, List, ListKind, Measure, MissingProgress, ProgrammeDomain

# (key, header). Headers are the same in every language so files travel between users.
COLUMNS = [
    ("list_title", "清单名称"),
    ("list_kind", "清单类型"),
    ("list_org", "所属组织"),
    ("period_start", "开始日期"),
    ("period_end", "结束日期"),
    ("averaging", "汇总方式"),
    ("missing_progress", "未报进度的事项"),
    ("programme", "工程"),
    ("domain", "工程领域"),
    ("programme_weight", "工程权重"),
    ("project", "项目"),
    ("secretary_project", "书记项目"),
    ("project_org", "项目牵头组织"),
    ("project_weight", "项目权重"),
    ("measure", "措施"),
    ("target", "目标"),
    ("target_value", "目标值"),
    ("target_unit", "单位"),
    ("org", "责任组织"),
    ("responsible", "责任人"),
    ("start_on", "措施开始日期"),
    ("deadline", "截止日期"),
    ("weight", "权重"),
    ("is_public", "公示"),
]
READ_ONLY = [("progress", "进度（%）（只读）"), ("status", "状态（只读）"), ("completion", "清单完成率（%）（只读）")]
HEADERS = [h for _k, h in COLUMNS]
REQUIRED = {"list_title", "list_kind", "list_org", "period_start", "period_end"}
MEASURE_REQUIRED = ("target", "org", "start_on", "deadline")

# Service error keys -> our column keys.
FIELD_COLUMNS = {
    "list": {"org": "list_org", "kind": "list_kind", "title": "list_title"},
    "programme": {"title": "programme", "weight": "programme_weight", "org": "list_org"},
    "project": {"title": "project", "weight": "project_weight", "org": "project_org", "programme": "programme",
                "leader": "project"},
    "measure": {"title": "measure", "project": "project"},
}
_ID_SUFFIX = re.compile(r"^(.*?)\s*\[#(\d+)\]$")
_TRUE = {"是", "公示", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "不公示", "n", "no", "false", "0", ""}


CellError = ColumnError
_KIND = Column("list_kind", "清单类型", kind="choice", choices=ListKind)
_AVERAGING = Column("averaging", "汇总方式", kind="choice", choices=Averaging)
_MISSING = Column("missing_progress", "未报进度的事项", kind="choice", choices=MissingProgress)
_decimal = Column("number", "", kind="decimal").convert
_date = parse_date


# Export ------------------------------------------------------------------------------

def _bool(value):
    return "是" if value else "否"


def _num(value):
    """A weight or target as a number cell (int when whole), so sums work in Excel."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _labelled(names_by_pk):
    """Names, with [#id] added where two rows share a name, so an import finds the same row."""
    counts = Counter(names_by_pk.values())
    return {pk: (f"{name} [#{pk}]" if counts[name] > 1 else name) for pk, name in names_by_pk.items()}


def rows_for(lists):
    """Yield rows of (COLUMNS values) + (READ_ONLY values) for `lists` (a few queries per list)."""
    for lst in lists:
        programmes = list(lst.programmes.select_related("domain").order_by("position", "id"))
        projects = list(lst.projects.select_related("org").order_by("position", "id"))
        measures = list(lst.measures.select_related("org", "responsible").order_by("position", "id"))
        orgs = {o.pk: o.name for o in Org.objects.filter(subtree_q("path", [lst.org.path])).only("pk", "name")}
        org_label = _labelled(orgs)
        member_ids = {m.responsible_id for m in measures if m.responsible_id}
        people = {}
        if member_ids:
            names = dict(Member.objects.filter(subtree_q("org__path", [lst.org.path])).values_list("pk", "name"))
            names.update(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
            people = _labelled(names)
        head = [lst.title, lst.get_kind_display(), org_label.get(lst.org_id, lst.org.name), lst.period_start,
                lst.period_end, lst.get_averaging_display(), lst.get_missing_progress_display()]

        def programme_cells(g):
            if g is None:
                return ["", "", ""]
            return [g.title, g.domain.name if g.domain else "", _num(g.weight)]

        def project_cells(p):
            if p is None:
                return ["", "", "", ""]
            return [p.title, _bool(p.is_secretary_project), org_label.get(p.org_id, p.org.name), _num(p.weight)]

        done = rollup.figure(rollup.share_completion(sum(m.share for m in measures),  # docs/lists.md
                                                     sum(m.share * float(m.progress) for m in measures)))
        done = "" if done is None else done

        def measure_cells(m):
            if m is None:
                return [""] * 10, ["", "", done]
            return ([m.title, m.target, _num(m.target_value), m.target_unit, org_label.get(m.org_id, m.org.name),
                     people.get(m.responsible_id, "") if m.responsible_id else "", m.start_on, m.deadline,
                     _num(m.weight), _bool(m.is_public)],
                    [_num(m.progress), m.get_status_display(), done])

        by_project, loose_measures = {}, []
        for m in measures:
            (by_project.setdefault(m.project_id, []) if m.project_id else loose_measures).append(m)
        by_programme, loose_projects = {}, []
        for p in projects:
            (by_programme.setdefault(p.programme_id, []) if p.programme_id else loose_projects).append(p)

        def project_rows(g, p):
            items = by_project.get(p.pk) or [None]
            for m in items:
                cells, extra = measure_cells(m)
                yield head + programme_cells(g) + project_cells(p) + cells + extra

        emitted = False
        for g in programmes:
            group = by_programme.get(g.pk, [])
            for p in group:
                emitted = True
                yield from project_rows(g, p)
            if not group:
                emitted = True
                cells, extra = measure_cells(None)
                yield head + programme_cells(g) + project_cells(None) + cells + extra
        for p in loose_projects:
            emitted = True
            yield from project_rows(None, p)
        for m in loose_measures:
            emitted = True
            cells, extra = measure_cells(m)
            yield head + programme_cells(None) + project_cells(None) + cells + extra
        if not emitted:
            cells, extra = measure_cells(None)
            yield head + programme_cells(None) + project_cells(None) + cells + extra


def _record_export(actor, lists, fmt):
    with transaction.atomic():
        for lst in lists:
            audit.record(actor=actor, action="export", obj=lst, after={"format": fmt},
                         row_count=Measure.objects.filter(list=lst).count())


def export_csv(lists, *, actor=None):
    """CSV chunks of the lists. The export is audited now, inside the request (its id and
    the client's address), not when the first chunk is sent after the view returned."""
    lists = list(lists)
    _record_export(actor, lists, "csv")
    return _csv_chunks(lists)


def _csv_chunks(lists):
    writer = CsvWriter()
    writer.write_row(HEADERS + [h for _k, h in READ_ONLY])
    yield writer.drain()
    for row in rows_for(lists):
        writer.write_row(row)
        yield writer.drain()


def export_xlsx(lists, *, actor=None):
    import io

    lists = list(lists)
    _record_export(actor, lists, "xlsx")
    writer = XlsxWriter(str(_("清单")), HEADERS + [h for _k, h in READ_ONLY])
    for row in rows_for(lists):
        writer.write_row(row)
    buffer = io.BytesIO()
    writer.save(buffer)
    return buffer.getvalue()


# Import ------------------------------------------------------------------------------

class _Row:
    def __init__(self, number, cells):
        self.number = number
        self.cells = cells

    def get(self, key):
        value = self.cells.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        return value


def _header_map(header):
    by_header = {h: k for k, h in COLUMNS}
    read_only = {h for _k, h in READ_ONLY}
    mapping, errors = {}, []
    for index, text in enumerate(header):
        text = str(text or "").strip()
        if not text or text in read_only:
            continue
        if text not in by_header:
            errors.append((1, text, _("无法识别的列名。可用的列：%(columns)s") % {"columns": "、".join(HEADERS)}))
            continue
        mapping[index] = by_header[text]
    missing = [h for k, h in COLUMNS if k in REQUIRED and k not in mapping.values()]
    for header_text in missing:
        errors.append((1, header_text, _("缺少必需的列。")))
    return mapping, errors


class _Resolver:
    """Organisations through the framework's TreeResolver (name path, code, ID or
    “名称 [#编号]”, inside the list's organisation where one is given, checked for
    `change`); members by name (or “name [#id]”) inside the actor's scope."""

    def __init__(self, actor):
        self.actor = actor
        self.trees = TreeResolver(Org, actor, is_org=True)
        self.checked = {}

    def org(self, text, within=None):
        text = str(text).strip()
        org = self.trees(text, within)
        if org.pk not in self.checked:
            try:
                require_in_scope(self.actor, org, field="org")
                self.checked[org.pk] = None
            except ValidationError:
                self.checked[org.pk] = unreachable_org(text)
        if self.checked[org.pk] is not None:
            raise self.checked[org.pk]
        return org

    def member(self, text, within):
        text = str(text).strip()
        match = _ID_SUFFIX.match(text)
        qs = Member.objects.visible_to(self.actor, "view_members") if self.actor is not None else Member.objects.all()
        if match:
            found = list(qs.filter(pk=int(match.group(2)), name=match.group(1))[:2])
        else:
            found = list(qs.filter(subtree_q("org__path", [within.path]), name=text, left_on__isnull=True)[:2])
        if not found:
            raise CellError(_("在%(org)s及下级组织中找不到党员“%(name)s”。") % {"org": within.name, "name": text})
        if len(found) > 1:
            raise CellError(_("有多位名为“%(name)s”的党员，请在姓名后加编号，如“%(name)s [#编号]”。") % {"name": text})
        return found[0]


def import_lists(*, actor, sheet, dry_run=False, progress=None):
    """Create the lists in `sheet`. Returns an ImportResult (created = measures); every
    problem is reported by row and column and nothing is kept unless there is none."""
    result = ImportResult(kind="lists", dry_run=dry_run)
    rows = iter(sheet.rows())
    try:
        _number, header = next(rows)
    except StopIteration:
        return result.file_problem(_("文件是空的。"))
    mapping, errors = _header_map(header)
    for row, column, message in errors:
        result.add(problem(row, column, message))
    if result.problems:
        return result
    parsed = []
    for number, values in rows:
        cells = {key: values[index] if index < len(values) else None for index, key in mapping.items()}
        parsed.append(_Row(number, cells))
    result.rows = len(parsed)
    if not parsed:
        return result.file_problem(_("文件中没有数据行（只有表头）。"))
    try:
        # each list's shares once, not once per row; the audit entries appended at the end (a short chain lock)
        with transaction.atomic(), audit.deferred(), services.shares_deferred():
            counts = _create(parsed, actor, result)
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        return result
    result.created = counts["measures"]
    result.lists = counts["lists"]
    return result


class _Rollback(Exception):
    """Leave the import's transaction without keeping anything."""


def _header(key):
    return dict(COLUMNS)[key]


def _create(parsed, actor, result):
    resolver = _Resolver(actor)
    domains = {d.name: d for d in ProgrammeDomain.objects.all()}
    lists, programmes, projects = {}, {}, {}
    counts = {"lists": 0, "measures": 0}

    def fail(row, key, message):
        result.add(problem(row.number, _header(key) if key else "", message, row.get(key) if key else None))

    def service_errors(row, exc, kind):
        aliases = FIELD_COLUMNS.get(kind, {})
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                key = aliases.get(field, field if field in dict(COLUMNS) else None)
                for message in messages:
                    fail(row, key, message)
        else:
            for message in exc.messages:
                fail(row, None, message)

    def parse(row, key, convert, required=False):
        value = row.get(key)
        if value in ("", None):
            if required:
                fail(row, key, _("不能为空。"))
            return None
        try:
            return convert(value)
        except CellError as exc:
            fail(row, key, exc)
            return None
        except ValueError:
            fail(row, key, _("“%(value)s”的格式不对。") % {"value": excerpt(value)})
            return None

    for row in parsed:
        before = result.problem_count
        # The list this row belongs to.
        title = row.get("list_title")
        kind = parse(row, "list_kind", _KIND.convert, required=True)
        org = parse(row, "list_org", resolver.org, required=True)
        start = parse(row, "period_start", _date, required=True)
        end = parse(row, "period_end", _date, required=True)
        averaging = parse(row, "averaging", _AVERAGING.convert) or Averaging.WEIGHTED
        missing = parse(row, "missing_progress", _MISSING.convert) or MissingProgress.EXCLUDE
        if not title:
            fail(row, "list_title", _("不能为空。"))
        if result.problem_count > before:
            continue
        list_key = (title, kind, org.pk, start, end)
        lst = lists.get(list_key)
        if lst is None:
            if List.objects.filter(org=org, kind=kind, title=title, period_start=start).exists():
                fail(row, "list_title", _("%(org)s已有同名、同期的清单。") % {"org": org.name})
                continue
            try:
                with transaction.atomic():
                    lst = services.list_create(actor=actor, org=org, kind=kind, title=title, period_start=start,
                                               period_end=end, averaging=averaging, missing_progress=missing)
            except ValidationError as exc:
                service_errors(row, exc, "list")
                continue
            except PermissionDenied as exc:
                fail(row, "list_org", exc)
                continue
            lists[list_key] = lst
            counts["lists"] += 1
        # Programme.
        programme = None
        programme_title = row.get("programme")
        if programme_title:
            programme = programmes.get((lst.pk, programme_title))
            if programme is None:
                domain_name = row.get("domain")
                domain = domains.get(domain_name) if domain_name else None
                if domain_name and domain is None:
                    fail(row, "domain", _("工程领域应为：%(names)s，或留空。") % {"names": "、".join(domains)})
                    continue
                weight = parse(row, "programme_weight", _decimal)
                if result.problem_count > before:
                    continue
                try:
                    with transaction.atomic():
                        programme = services.programme_create(actor=actor, lst=lst, title=programme_title,
                                                              domain=domain, weight=weight)
                except (ValidationError, PermissionDenied) as exc:
                    service_errors(row, exc, "programme") if isinstance(exc, ValidationError) else fail(row, None, exc)
                    continue
                programmes[(lst.pk, programme_title)] = programme
        # Project.
        project = None
        project_title = row.get("project")
        if project_title:
            key = (lst.pk, programme.pk if programme else None, project_title)
            project = projects.get(key)
            if project is None:
                project_org = parse(row, "project_org", lambda v: resolver.org(v, within=lst.org))
                weight = parse(row, "project_weight", _decimal)
                secretary = parse(row, "secretary_project", _boolean) or False
                if result.problem_count > before:
                    continue
                try:
                    with transaction.atomic():
                        project = services.project_create(actor=actor, lst=lst, programme=programme,
                                                          title=project_title, org=project_org,
                                                          is_secretary_project=secretary, weight=weight)
                except (ValidationError, PermissionDenied) as exc:
                    service_errors(row, exc, "project") if isinstance(exc, ValidationError) else fail(row, None, exc)
                    continue
                projects[key] = project
        # Measure.
        title = row.get("measure")
        if not title:
            continue
        for key in MEASURE_REQUIRED:
            if row.get(key) in ("", None):
                fail(row, key, _("填写了措施，此列不能为空。"))
        measure_org = parse(row, "org", lambda v: resolver.org(v, within=lst.org))
        responsible = None
        if measure_org is not None:
            responsible = parse(row, "responsible", lambda v: resolver.member(v, lst.org))
        start_on = parse(row, "start_on", _date)
        deadline = parse(row, "deadline", _date)
        target_value = parse(row, "target_value", _decimal)
        weight = parse(row, "weight", _decimal)
        is_public = parse(row, "is_public", _boolean)
        if result.problem_count > before:
            continue
        try:
            with transaction.atomic():
                services.measure_create(
                    actor=actor, lst=lst, project=project, org=measure_org, responsible=responsible, title=title,
                    target=str(row.get("target")), target_value=target_value, target_unit=str(row.get("target_unit")),
                    start_on=start_on, deadline=deadline, weight=weight,
                    is_public=True if is_public is None else is_public)
        except ValidationError as exc:
            service_errors(row, exc, "measure")
            continue
        except PermissionDenied as exc:
            fail(row, "org", exc)
            continue
        counts["measures"] += 1
    return counts


def _boolean(value):
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("请填写“是”或“否”。"))


IMPORT_HELP = gettext_lazy(
    "每行一项措施；清单、工程、项目列在各行重复填写，相同的名称归为同一个清单、工程、项目。"
    "只填到项目（或工程）而措施留空的行，表示暂时没有措施的项目。"
    "组织和党员按名称查找；同名时在名称后加编号，如“第1网格党支部 [#123]”（导出文件已自动加好）。"
    "最后两列“进度”“状态”只在导出时填写，导入时忽略。导入要么全部成功，要么一条也不写入。")


register(Importable(kind="lists", title=gettext_lazy("清单"), columns=tuple(
    Column(key, header, required=key in REQUIRED) for key, header in COLUMNS), run=import_lists,
    back_url="lists:index"))
