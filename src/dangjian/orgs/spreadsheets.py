"""Spreadsheet import and export of organisations and members, in the columns of the
national Party member registry (全国党员管理信息系统): 10 items about an organisation,
16 about a member, each sheet with an optional platform ID column for round trips.
docs/registry-columns.md describes every column.

Imports are all or nothing: every row is checked first, every problem is reported as
(spreadsheet row, column, reason), and only a file without problems is written, in one
transaction. Exports are scoped to the user's `export` grants, filtered by the same
FilterSets as the list pages, masked unless the user asks for full values and holds
`view_full_id`, and audited with their row count.
"""

import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, crypto, metrics
from dangjian.core.scope import scope_paths
from dangjian.core.spreadsheets.columns import CellError, Column, excerpt
from dangjian.core.spreadsheets.importer import (
    IMPORT_ACTION,
    IMPORT_GRANT,
    NO_ROWS,
    Importable,
    ImportResult,
    TreeResolver,
    common_root,
    problem,
    read_row,
    register,
    require_in_scope,
    rows_with_header,
    segments,
    unreachable_org,
)
from dangjian.core.spreadsheets.reader import SpreadsheetError
from dangjian.core.spreadsheets.exports import register_export
from dangjian.core.spreadsheets.templates import template_workbook as core_template
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter
from dangjian.core.tree import subtree_q

from . import services
from .filters import MemberFilter, OrgFilter
from .idnumber import normalise
from .models import Area, Education, Gender, Member, MemberCategory, MemberStatus, Org, OrgKind, Sector

STEPLEN = Org.steplen
PATH_SEPARATOR = "/"
# Rows per duplicate look-up and per bulk write.
BATCH = 2000


# Columns -----------------------------------------------------------------------------

ORG_COLUMNS = (
    Column("name", "组织名称", "党组织全称", "文本，最多120字", True, "中共测试市甲区幸福社区委员会", max_length=120,
           aliases=("党组织名称",)),
    Column("short_name", "组织简称", "党组织简称", "文本，最多60字", False, "幸福社区党委", max_length=60,
           aliases=("简称",)),
    Column("kind", "组织类别", "党委、党工委、党总支、党支部、党小组等", "选项（中文名称或英文代码）", True, "党委",
           kind="choice", choices=OrgKind,
           value_aliases={"基层党委": "committee", "党的基层委员会": "committee", "党总支部": "general_branch",
                          "总支": "general_branch", "支部": "branch", "街道党工委": "working_committee"}),
    Column("sector", "所属领域", "单位属性 / 党组织所在领域", "选项（中文名称或英文代码）", True, "城市社区",
           kind="choice", choices=Sector, aliases=("单位属性", "所属领域(单位属性)", "领域"),
           value_aliases={"社区": "urban_community", "村": "rural", "国企": "soe", "非公有制企业": "private_enterprise",
                          "民营企业": "private_enterprise", "园区": "park", "商圈": "business_district"}),
    Column("parent", "上级党组织", "直接上级党组织", "上级的名称路径（用“/”分隔，自顶层起）、组织代码，"
           "或本文件中列在前面的组织", True, "中共测试市委/中共甲区委/甲区一街道党工委", kind="ref"),
    Column("code", "组织代码", "党组织代码（系统内唯一）", "文本，最多32字", False, "320602001001", max_length=32),
    Column("unit_name", "所在单位", "党组织所在单位名称", "文本，最多120字", False, "甲区幸福社区居民委员会",
           max_length=120, aliases=("单位名称",)),
    Column("area", "覆盖区域", "党组织覆盖的行政区划或网格", "区域名称路径（用“/”分隔）或区划代码", False,
           "测试市/甲区/甲区一街道/甲区幸福社区", kind="ref"),
    Column("founded_on", "成立日期", "党组织成立日期", "日期 YYYY-MM-DD", False, "2005-07-01", kind="date"),
    Column("phone", "联系电话", "党组织联系电话", "文本，最多32字", False, "0513-85000000", max_length=32),
    Column("id", "组织编号", "平台内部编号（导出时填写）", "整数；导入时只用于本文件内引用上级，可留空", False,
           "1024", kind="int", aliases=("ID",)),
)

MEMBER_COLUMNS = (
    Column("name", "姓名", "党员姓名", "文本，最多60字", True, "张三", max_length=60),
    Column("gender", "性别", "性别", "选项：男、女；留空按身份证号推算", False, "男", kind="choice", choices=Gender),
    Column("id_number", "公民身份号码", "18位居民身份证号码", "文本（请把单元格设为文本格式），18位，末位可为X", True,
           "320602198005170014", kind="id_number", aliases=("身份证号", "身份证号码", "公民身份证号")),
    Column("ethnicity", "民族", "民族", "文本，留空为汉族", False, "汉族", max_length=20),
    Column("birth_date", "出生日期", "出生日期", "日期 YYYY-MM-DD；留空按身份证号推算，填写时须与身份证号一致", False,
           "1980-05-17", kind="date"),
    Column("education", "学历", "最高学历", "选项（中文名称或英文代码）", False, "大学本科", kind="choice",
           choices=Education,
           value_aliases={"研究生": "postgraduate", "博士": "postgraduate", "硕士": "postgraduate",
                          "博士研究生": "postgraduate", "硕士研究生": "postgraduate", "本科": "university",
                          "大学": "university", "大专": "college", "专科": "college", "中专": "secondary",
                          "高中": "secondary", "中技": "secondary", "职高": "secondary", "初中": "junior",
                          "小学": "junior"}),
    Column("category", "人员类别", "在职、离退休、流动、学生、农牧渔民、其他", "选项（中文名称或英文代码）", True, "在职",
           kind="choice", choices=MemberCategory,
           value_aliases={"在职党员": "employed", "退休": "retired", "离休": "retired", "流动党员": "mobile",
                          "农民": "farmer", "牧民": "farmer", "渔民": "farmer"}),
    Column("status", "党员状态", "正式党员或预备党员", "选项：正式党员、预备党员（也可写“正式”“预备”）", True,
           "正式党员", kind="choice", choices=MemberStatus, aliases=("党籍状态",),
           value_aliases={"正式": "full", "预备": "probationary"}),
    Column("joined_on", "入党日期", "被接收为预备党员的日期", "日期 YYYY-MM-DD，不晚于今天，入党时年满18周岁", True,
           "2005-07-01", kind="date"),
    Column("full_on", "转正日期", "转为正式党员的日期", "日期 YYYY-MM-DD，不早于入党日期", False, "2006-07-01",
           kind="date"),
    Column("job", "工作岗位", "工作岗位或职务", "文本，最多60字", False, "社区工作者", max_length=60),
    Column("org", "所在党组织", "组织关系所在的党组织", "党组织名称路径（用“/”分隔，自顶层起）、组织代码或唯一的名称",
           True, "中共测试市委/中共甲区委/甲区一街道党工委/甲区幸福社区党委/甲区幸福社区第1网格党支部", kind="ref",
           aliases=("所在党支部", "所在支部")),
    Column("employer_name", "工作单位", "工作单位名称", "文本，最多120字", False, "甲区人民医院", max_length=120,
           aliases=("工作单位及职务",)),
    Column("phone", "联系电话", "手机号码", "7至15位数字", False, "13812345678", aliases=("手机号", "手机号码")),
    Column("address", "家庭住址", "家庭住址", "文本", False, "幸福路1号", aliases=("住址", "现居住地")),
    Column("residence_area", "居住社区", "居住地所在社区或网格（在职党员双报到）", "区域名称路径（用“/”分隔）或区划代码",
           False, "测试市/甲区/甲区一街道/甲区幸福社区", kind="ref"),
    Column("id", "党员编号", "平台内部编号（导出时填写）", "整数；导入时不使用，可留空", False, "20480", kind="int",
           aliases=("ID",)),
)

COLUMNS = {"orgs": ORG_COLUMNS, "members": MEMBER_COLUMNS}
SHEET_TITLES = {"orgs": "党组织", "members": "党员"}


def _ancestor_paths(path, steplen=STEPLEN):
    return [path[:i] for i in range(steplen, len(path), steplen)]


def _validation_messages(exc):
    if hasattr(exc, "error_dict"):
        return {key: " ".join(messages) for key, messages in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


# Import: organisations ---------------------------------------------------------------

def import_orgs(*, actor, sheet, dry_run=False, progress=None):
    """Create the organisations of a sheet, parents before children. All or nothing."""
    result = ImportResult(kind="orgs", dry_run=dry_run)
    try:
        plans = _check_orgs(actor, sheet, result, progress or (lambda n: None))
    except SpreadsheetError as exc:
        return result.file_problem(exc)
    if result.problems or dry_run:
        return result
    return _write_orgs(actor, plans, result)


def _check_orgs(actor, sheet, result, progress):
    header_row, positions, header_problems, rows = rows_with_header(sheet, ORG_COLUMNS)
    for label, error in header_problems:
        result.add(problem(header_row, label, error))
    if result.problems:
        return []
    orgs = TreeResolver(Org, actor, is_org=True)
    areas = TreeResolver(Area, actor)
    plans = []
    local = {}          # reference text -> plan index (None when ambiguous)
    codes = {}          # code -> row number, for duplicates inside the file
    siblings = set()    # (parent reference, name) inside the file
    existing_children = {}
    db_paths = {}       # parent pk -> its name path
    today = timezone.localdate()
    for number, values in rows:
        result.rows += 1
        if result.rows % 1000 == 0:
            progress(result.rows)
        raw, data, errors = read_row(ORG_COLUMNS, positions, values)
        parent_ref = None
        parent_text = data["parent"]
        if actor is None and not parent_text:
            errors.pop("parent", None)  # the system may create top-level organisations
        if parent_text:
            key = PATH_SEPARATOR.join(segments(parent_text))
            if key in local:
                parent_ref = local[key]
                if parent_ref is None:
                    errors["parent"] = CellError(gettext_lazy("本文件中有多个组织与“%(text)s”相符，请写完整路径。"),
                                                 text=excerpt(parent_text))
                else:
                    parent_ref = ("file", parent_ref)
            else:
                try:
                    parent = orgs(parent_text)
                    require_in_scope(actor, parent, field="parent")
                except CellError as exc:
                    errors["parent"] = CellError(gettext_lazy("%(reason)s（上级须已在系统中，或在本文件中列在前面）"),
                                                 reason=exc)
                except ValidationError:
                    errors["parent"] = unreachable_org(parent_text)
                else:
                    if parent.closed_at:
                        errors["parent"] = _("上级组织已撤销。")
                    else:
                        parent_ref = ("db", parent)
        if data["area"]:
            try:
                data["area"] = areas(data["area"])
            except CellError as exc:
                errors["area"] = exc
        else:
            data["area"] = None
        if data["founded_on"] and data["founded_on"] > today:
            errors["founded_on"] = _("成立日期不能晚于今天。")
        if data["code"]:
            if data["code"] in codes:
                errors["code"] = CellError(gettext_lazy("与第 %(row)s 行的组织代码重复。"), row=codes[data["code"]])
            elif Org.objects.filter(code=data["code"]).exists():
                errors["code"] = _("该组织代码已在系统中登记。")
            codes.setdefault(data["code"], number)
        name = data["name"]
        if name and parent_ref is not None:
            sibling_key = (parent_ref[0], parent_ref[1] if parent_ref[0] == "file" else parent_ref[1].pk, name)
            duplicate = sibling_key in siblings
            if parent_ref[0] == "db" and not duplicate:
                parent = parent_ref[1]
                if parent.pk not in existing_children:
                    existing_children[parent.pk] = set(
                        Org.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
                        .values_list("name", flat=True))
                duplicate = name in existing_children[parent.pk]
            if duplicate:
                errors["name"] = _("同一上级下已有同名组织。")
            siblings.add(sibling_key)
        if errors:
            result.add_row(number, ORG_COLUMNS, errors, raw)
        index = len(plans)
        plans.append({"row": number, "data": data, "parent": parent_ref})
        # Later rows may name this one as their parent by any tail of its name path,
        # its code or its 组织编号; a key shared by two rows becomes ambiguous (None).
        if parent_ref is None:
            base = []
        elif parent_ref[0] == "file":
            base = plans[parent_ref[1]]["path"]
        else:
            if parent_ref[1].pk not in db_paths:
                db_paths[parent_ref[1].pk] = _name_path(parent_ref[1])
            base = db_paths[parent_ref[1].pk]
        full = base + [name]
        plans[index]["path"] = full
        keys = {PATH_SEPARATOR.join(full[start:]) for start in range(len(full))} if name else set()
        keys |= {k for k in (data["code"], data["id"]) if k}
        for key in keys:
            local[key] = None if key in local and local[key] != index else index
    if not result.rows and not result.problems:
        result.file_problem(CellError(NO_ROWS))
    return plans


def _name_path(org):
    """Names from the root down to `org`."""
    names = dict(Org.objects.filter(path__in=_ancestor_paths(org.path)).values_list("path", "name"))
    return [names.get(p, "") for p in _ancestor_paths(org.path)] + [org.name]


def _write_orgs(actor, plans, result):
    created = []
    current = None
    try:
        # Each organisation's entry is appended at the end: the chain lock is held only then.
        with transaction.atomic(), audit.deferred():
            for plan in plans:
                current = plan
                data = plan["data"]
                if plan["parent"] is None:
                    parent = None
                elif plan["parent"][0] == "file":
                    parent = created[plan["parent"][1]]
                else:
                    parent = plan["parent"][1]
                created.append(services.org_create(
                    actor=actor, parent=parent, name=data["name"], kind=data["kind"], sector=data["sector"],
                    area=data["area"], short_name=data["short_name"], code=data["code"],
                    unit_name=data["unit_name"], founded_on=data["founded_on"], phone=data["phone"]))
            roots = [p["parent"][1].path for p in plans if p["parent"] and p["parent"][0] == "db"]
            audit.record(actor=actor, action="import", object_type="orgs.org", object_repr="党组织导入",
                         org=common_root(Org, roots), row_count=len(created))
    except (ValidationError, PermissionDenied) as exc:
        messages = _validation_messages(exc) if isinstance(exc, ValidationError) else {"": str(exc)}
        row = current["row"] if current else None
        result.add_row(row, ORG_COLUMNS, messages)
        return result
    result.created = len(created)
    return result


# Import: members ---------------------------------------------------------------------

MEMBER_ARGS = ("name", "id_number", "joined_on", "status", "category", "full_on", "gender", "ethnicity",
               "education", "phone", "address", "job", "employer_name")


class _MemberChecker:
    """Checks one row at a time; ID numbers already registered are checked by batch."""

    def __init__(self, actor, positions):
        self.actor = actor
        self.positions = positions
        self.orgs = TreeResolver(Org, actor, is_org=True)
        self.areas = TreeResolver(Area, actor)
        self.seen = {}  # normalised ID number -> first row
        self.scope_checked = {}
        self.today = timezone.localdate()

    def preload(self):
        """Read now what checking rows needs from the database (both trees, the actor's
        grants), so that checks run no query while the write streams; False when a tree is
        too large to hold, and names are looked up as they come."""
        for action in (IMPORT_ACTION, IMPORT_GRANT):
            scope_paths(self.actor, action)
        return self.orgs.preload() & self.areas.preload()

    def check(self, number, values):
        """Return (raw cells, the member's field values or None, {column key: error})."""
        raw, data, errors = read_row(MEMBER_COLUMNS, self.positions, values)
        org = None
        if data["org"]:
            try:
                org = self.orgs(data["org"])
            except CellError as exc:
                errors["org"] = exc
            else:
                if org.pk not in self.scope_checked:
                    try:
                        require_in_scope(self.actor, org, field="org")
                        self.scope_checked[org.pk] = None
                    except ValidationError:
                        self.scope_checked[org.pk] = unreachable_org(data["org"])
                if self.scope_checked[org.pk]:
                    errors["org"] = self.scope_checked[org.pk]
        area = None
        if data["residence_area"]:
            try:
                area = self.areas(data["residence_area"])
            except CellError as exc:
                errors["residence_area"] = exc
        number_text = normalise(data["id_number"])
        if number_text and "id_number" not in errors:
            first = self.seen.setdefault(number_text, number)
            if first != number:
                errors["id_number"] = CellError(gettext_lazy("与第 %(row)s 行的公民身份号码重复。"), row=first)
        arguments = {key: data[key] if data[key] is not None else "" for key in MEMBER_ARGS}
        arguments["joined_on"] = data["joined_on"]
        arguments["full_on"] = data["full_on"]
        try:
            member = services.member_fields(org=org, residence_area=area, actor=self.actor, check_duplicate=False,
                                            today=self.today, **arguments)
        except ValidationError as exc:
            for key, message in _validation_messages(exc).items():
                errors.setdefault(key, message)
            member = None
        if member and data["birth_date"] and member["birth_date"] != data["birth_date"]:
            errors["birth_date"] = _("出生日期与身份证号不一致。")
        return raw, (None if errors else member), errors


class _Rollback(Exception):
    """Leave the import's transaction without writing anything."""


def import_members(*, actor, sheet, dry_run=False, progress=None):
    """Register the members of a sheet in bulk. All or nothing; one audit entry.

    One pass over the file, one transaction: each row is checked as it is read and, while
    no problem has been found, handed to `services.member_writer` (one COPY on PostgreSQL,
    which the server works through while the next rows are checked). A problem stops the
    writing and the check goes on to report every problem; the transaction is rolled back
    at the end if any row had one (or on a dry run), so nothing is kept unless every row is
    right.

    ID numbers already registered: a dry run looks each batch up (`id_number_clashes`);
    a write leaves it to the unique index and, should it refuse one, rolls back and checks
    the file again with the look-ups to name the rows."""
    progress = progress or (lambda n: None)
    result, clash = _import_members(actor, sheet, dry_run=dry_run, look_up=dry_run, progress=progress,
                                    report_hidden=not dry_run)
    if clash:
        result, _clash = _import_members(actor, sheet, dry_run=True, look_up=True, progress=progress,
                                         report_hidden=True)
        result.dry_run = dry_run
        if not result.problems:  # registered by someone else meanwhile, then removed again
            result.file_problem(_("导入时有身份证号已被他人同时登记，未做任何修改，请重新导入。"))
    return result


def _import_members(actor, sheet, *, dry_run, look_up, progress, report_hidden):
    """One pass: (result, whether the unique index refused an ID number)."""
    result = ImportResult(kind="members", dry_run=dry_run)
    clash = False
    try:
        header_row, positions, header_problems, rows = rows_with_header(sheet, MEMBER_COLUMNS)
    except SpreadsheetError as exc:
        return result.file_problem(exc), clash
    for label, error in header_problems:
        result.add(problem(header_row, label, error))
    if result.problems:
        return result, clash
    checker = _MemberChecker(actor, positions)
    org_paths = set()
    try:
        with transaction.atomic(), ExitStack() as stack:
            quiet = checker.preload()
            writer = None if dry_run else stack.enter_context(
                services.member_writer(actor=actor, expected_rows=sheet.estimated_rows(), stream=quiet))
            batch = []  # (row number, raw id number cell, member)
            for number, values in rows:
                result.rows += 1
                raw, member, errors = checker.check(number, values)
                if errors:
                    result.add_row(number, MEMBER_COLUMNS, errors, raw)
                else:
                    batch.append((number, raw["id_number"], member))
                if len(batch) >= BATCH:
                    writer = _flush(actor, result, batch, org_paths, writer, look_up, report_hidden)
                    batch = []
                    progress(result.rows)
            _flush(actor, result, batch, org_paths, writer, look_up, report_hidden)
            stack.close()  # the end of the COPY: the server's last rows and index checks
            progress(result.rows)
            if not result.rows and not result.problems:
                result.file_problem(CellError(NO_ROWS))
            if result.problems or dry_run:
                raise _Rollback
            audit.record(actor=actor, action="import", object_type="orgs.member", object_repr="党员导入",
                         org=common_root(Org, sorted(org_paths)), row_count=result.created)
            metrics.changed("orgs.members_developed", None)
    except _Rollback:
        result.created = 0
    except SpreadsheetError as exc:  # found part-way through the file (too many rows, a cell too long)
        result.created = 0
        result.file_problem(exc)
    except IntegrityError as exc:
        result.created = 0
        clash = services.is_id_number_clash(exc)
        if not clash:  # e.g. an organisation removed while the file was read
            result.file_problem(_("导入时数据被他人同时修改，未做任何修改，请重新导入。"))
    return result, clash


def _flush(actor, result, batch, org_paths, writer, look_up, report_hidden):
    """Check a batch's ID numbers against the register when asked to (one query), and
    write the batch while the file has no problem so far. A number registered outside the
    actor's scope is not disclosed: a dry run passes it; a write (`report_hidden`) names it
    neutrally (orgs.services.id_number_clashes). Returns the writer, or None once the
    file has a problem (the write is abandoned: the transaction will be rolled back)."""
    if writer is not None and result.problems:
        writer.abandon()  # ends the COPY, so that the look-ups below can use the connection
        writer = None
    if not batch:
        return writer
    if look_up or result.problems:  # once nothing is written, the look-up is the only check left
        visible, hidden = services.id_number_clashes(actor=actor,
                                                     hashes=[m["id_number_hash"] for _n, _raw, m in batch])
        id_label = MEMBER_COLUMNS[2].label
        for number, raw, member in batch:
            if member["id_number_hash"] in visible:
                result.add(problem(number, id_label, _("该身份证号已登记。"), raw))
            elif member["id_number_hash"] in hidden and report_hidden:
                result.add(problem(number, id_label, _("无法登记该身份证号，请联系上级组织部门核实。"), raw))
    if result.problems or writer is None:
        return writer
    writer.write([member for _n, _raw, member in batch])
    org_paths.update(member["org"].path for _n, _raw, member in batch)
    result.created += len(batch)
    return writer


# Export ------------------------------------------------------------------------------

def _export_paths(actor):
    paths = scope_paths(actor, "export")
    if not paths:
        raise PermissionDenied(_("您没有导出权限。"))
    return paths


def _filtered(filterset_class, params, queryset, defaults, *, actor=None):
    """Apply a list's FilterSet as its page does: empty values dropped, the page's
    defaults (open orgs, active members) unless chosen, `within=` checked against the
    actor's scope as on the page. Returns (queryset, filters used)."""
    data = QueryDict(mutable=True)
    for key in filterset_class.base_filters:
        values = params.getlist(key) if hasattr(params, "getlist") else _as_list((params or {}).get(key))
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            data.setlist(key, values)
    for key, value in defaults.items():
        data.setdefault(key, value)
    request = SimpleNamespace(user=actor) if actor is not None else None  # a FilterSet only reads .user
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError({key: " ".join(errors) for key, errors in filterset.errors.items()})
    used = {key: [_mask_filter(key, v) for v in data.getlist(key)] for key in data}
    return filterset.qs, used


def _as_list(value):
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _mask_filter(key, value):
    value = str(value)
    if key == "q" and len(value.strip()) == 18:
        return crypto.mask_id_number(value.strip())
    return value


class _NamePaths:
    """Name paths (“市委/区委/…”) for org or area paths, from one preloaded map."""

    def __init__(self, names):
        self.names = names  # path -> name
        self.cache = {}

    def __call__(self, path):
        if not path:
            return ""
        if path not in self.cache:
            self.cache[path] = PATH_SEPARATOR.join(
                self.names.get(p, "") for p in [*_ancestor_paths(path), path])
        return self.cache[path]


def _org_names(paths):
    ancestors = {a for p in paths for a in _ancestor_paths(p)}
    rows = Org.objects.filter(subtree_q("path", paths) | Q(path__in=ancestors)).values_list("path", "name")
    return dict(rows)


def _area_name_paths(area_ids):
    """Area id -> name path, in a few queries whatever the count."""
    area_ids = [a for a in area_ids if a]
    paths = {}
    for start in range(0, len(area_ids), 5000):
        paths.update(Area.objects.filter(pk__in=area_ids[start:start + 5000]).values_list("pk", "path"))
    prefixes = sorted({a for p in paths.values() for a in [*_ancestor_paths(p), p]})
    names = {}
    for start in range(0, len(prefixes), 5000):
        names.update(Area.objects.filter(path__in=prefixes[start:start + 5000]).values_list("path", "name"))
    name_paths = _NamePaths(names)
    return {pk: name_paths(path) for pk, path in paths.items()}


@dataclass
class Export:
    """A prepared, audited export: write it with `write(target)` or stream `csv_chunks()`."""

    kind: str
    fmt: str
    count: int
    rows: object  # a callable returning an iterator of row tuples
    full_id: bool = False

    @property
    def header(self):
        return [column.label for column in COLUMNS[self.kind]]

    @property
    def filename(self):
        return f"{SHEET_TITLES[self.kind]}-{timezone.localdate():%Y%m%d}.{self.fmt}"

    @property
    def content_type(self):
        if self.fmt == "csv":
            return "text/csv; charset=utf-8"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def csv_chunks(self, every=2000):
        writer = CsvWriter()
        writer.write_row(self.header)
        for i, row in enumerate(self.rows(), start=1):
            writer.write_row(row)
            if i % every == 0:
                yield writer.drain()
        yield writer.drain()

    def write(self, target, progress=None):
        """Write the whole file to a binary file object; `progress(rows written)` is called
        after each row (an export job counts them)."""
        if self.fmt == "csv":
            for chunk in self.csv_chunks():
                target.write(chunk)
            return
        writer = XlsxWriter(SHEET_TITLES[self.kind], self.header)
        for number, row in enumerate(self.rows(), start=1):
            writer.write_row(row)
            if progress is not None:
                progress(number)
        writer.save(target)

    def temporary_file(self):
        """The file in a temporary file (for xlsx, which cannot be streamed as it is built)."""
        handle = tempfile.TemporaryFile()
        self.write(handle)
        handle.seek(0)
        return handle


def _audit_root(paths, used):
    """Where an export's audit entry sits: the `within` org when inside scope, else the
    org whose subtree holds all of the actor's export scope."""
    if used.get("within"):
        org = Org.objects.filter(pk=used["within"][0]).first()
        if org is not None and any(org.path.startswith(p) for p in paths):
            return org
    return common_root(Org, paths)


def _check_bulk(actor, count, reason, paths, used):
    """Above the bulk threshold an export needs a stated reason (and, where configured, a
    security administrator's approval): accounts.bulk decides and records it."""
    from dangjian.accounts.bulk import bulk_access_check

    bulk_access_check(actor=actor, row_count=count, reason=reason, kind="export", org=_audit_root(paths, used))


def _check_format(fmt):
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"format": _("只能导出为 xlsx 或 csv。")})


def org_export_queryset(actor, params=None):
    """The organisations an export with these list filters would hold, and the filters used."""
    _export_paths(actor)
    return _filtered(OrgFilter, params, Org.objects.visible_to(actor, "export"), {"closed": "false"}, actor=actor)


def member_export_queryset(actor, params=None):
    """The members an export with these list filters would hold: visible members inside
    the actor's export subtrees. Returns (queryset, filters used)."""
    base = Member.objects.visible_to(actor, "view_members").filter(subtree_q("org__path", _export_paths(actor)))
    return _filtered(MemberFilter, params, base, {"left": "false"}, actor=actor)


def export_orgs(*, actor, params=None, fmt="xlsx", reason=""):
    """Organisations in the actor's export scope matching the list filters. Audited."""
    _check_format(fmt)
    export, paths, used = prepare_org_export(actor=actor, params=params, fmt=fmt)
    _check_bulk(actor, export.count, reason, paths, used)
    with transaction.atomic():
        audit.record(actor=actor, action="export", object_type="orgs.org", object_repr="党组织导出",
                     org=_audit_root(paths, used), row_count=export.count,
                     after={"format": fmt, "filters": used, "reason": (reason or "").strip()})
    return export


def prepare_org_export(*, actor, params=None, fmt="xlsx", full_id=False):
    """The organisations export, scoped, NOT audited: `export_orgs` audits it; an export
    job (core.spreadsheets.exports) writes what its request already audited."""
    paths = _export_paths(actor)
    queryset, used = org_export_queryset(actor, params)
    count = queryset.count()

    def rows():
        names = _NamePaths(_org_names(paths))
        area_paths = _area_name_paths(list(queryset.order_by().values_list("area_id", flat=True).distinct()))
        kind_label = ORG_COLUMNS[2].label_of
        sector_label = ORG_COLUMNS[3].label_of
        fields = ("pk", "name", "short_name", "kind", "sector", "path", "code", "unit_name", "area_id",
                  "founded_on", "phone")
        for pk, name, short, kind, sector, path, code, unit, area_id, founded, phone in (
                queryset.order_by("path").values_list(*fields).iterator(chunk_size=2000)):
            parent_path = path[:-STEPLEN]
            yield (name, short, kind_label(kind), sector_label(sector), names(parent_path), code, unit,
                   area_paths.get(area_id, ""), founded, phone, pk)

    return Export(kind="orgs", fmt=fmt, count=count, rows=rows), paths, used


def export_members(*, actor, params=None, fmt="xlsx", reason="", full_id=False):
    """Members in the actor's export scope matching the list filters. ID numbers, phones and
    addresses are masked unless `full_id` is asked for; then rows inside the actor's
    `view_full_id` subtrees carry full values, and the audit entry says so."""
    _check_format(fmt)
    export, paths, used = prepare_member_export(actor=actor, params=params, fmt=fmt, full_id=full_id)
    full_paths = export.full_paths
    count = export.count
    full_count = export.queryset.filter(subtree_q("org__path", full_paths)).count() if full_paths else 0
    _check_bulk(actor, count, reason, paths, used)
    with transaction.atomic():
        after = {"format": fmt, "filters": used, "reason": (reason or "").strip(), "full_id": bool(full_paths)}
        if full_paths:
            after["full_id_rows"] = full_count
        audit.record(actor=actor, action="export", object_type="orgs.member",
                     object_repr="党员导出（含完整身份证号）" if full_paths else "党员导出",
                     org=_audit_root(paths, used), row_count=count, after=after)
    return export


def prepare_member_export(*, actor, params=None, fmt="xlsx", full_id=False):
    """The members export, scoped (full values only inside `view_full_id`), NOT audited:
    `export_members` audits it; an export job writes what its request already audited."""
    paths = _export_paths(actor)
    queryset, used = member_export_queryset(actor, params)
    full_paths = scope_paths(actor, "view_full_id") if full_id else []
    if full_id and not full_paths:
        raise PermissionDenied(_("您无权导出完整身份证号。"))
    count = queryset.count()

    def rows():
        names = _NamePaths(_org_names(paths))
        area_paths = _area_name_paths(
            list(queryset.order_by().values_list("residence_area_id", flat=True).distinct()))
        labels = {c.key: c.label_of for c in MEMBER_COLUMNS if c.kind == "choice"}
        fields = ["pk", "name", "gender", "id_number_masked", "ethnicity", "birth_date", "education", "category",
                  "status", "joined_on", "full_on", "job", "org__path", "employer_name", "phone_masked",
                  "address_masked", "residence_area_id"]
        if full_paths:
            fields += ["id_number_encrypted", "phone_encrypted", "address_encrypted"]
        for row in queryset.order_by("org__path", "pk").values_list(*fields).iterator(chunk_size=2000):
            (pk, name, gender, id_masked, ethnicity, birth, education, category, status, joined, full_on, job,
             org_path, employer, phone, address, area_id) = row[:17]
            if full_paths and any(org_path.startswith(p) for p in full_paths):
                id_number, phone, address = (crypto.decrypt(v) for v in row[17:])
            else:
                id_number = id_masked
            yield (name, labels["gender"](gender), id_number, ethnicity, birth, labels["education"](education),
                   labels["category"](category), labels["status"](status), joined, full_on, job, names(org_path),
                   employer, phone, address, area_paths.get(area_id, ""), pk)

    export = Export(kind="members", fmt=fmt, count=count, rows=rows, full_id=bool(full_paths))
    export.full_paths, export.queryset = full_paths, queryset
    return export, paths, used


# Templates and registration ---------------------------------------------------------

def template_workbook(kind):
    """An empty import file for organisations or members (see core.spreadsheets.templates)."""
    return core_template(COLUMNS[kind], SHEET_TITLES[kind], text_keys=("id_number", "phone", "code"))


register(Importable(kind="orgs", title=gettext_lazy("党组织"), columns=ORG_COLUMNS, run=import_orgs,
                    template=lambda: template_workbook("orgs"), back_url="orgs_io:index"))
register(Importable(kind="members", title=gettext_lazy("党员"), columns=MEMBER_COLUMNS, run=import_members,
                    template=lambda: template_workbook("members"), back_url="orgs_io:index"))
register_export("orgs", lambda **kwargs: prepare_org_export(**kwargs)[0])
register_export("members", lambda **kwargs: prepare_member_export(**kwargs)[0])
