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

import datetime
import re
import tempfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import audit, crypto
from dangjian.core.excel import CsvWriter, SpreadsheetError, XlsxWriter
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.services import require
from dangjian.core.tree import subtree_q

from . import services
from .filters import MemberFilter, OrgFilter
from .idnumber import birth_date_of, normalise, validate_id_number
from .models import Area, Education, Gender, Member, MemberCategory, MemberStatus, Org, OrgKind, Sector

STEPLEN = Org.steplen
PATH_SEPARATOR = "/"
_SEPARATORS = re.compile(r"\s*[/／]\s*")
BULK_BATCH = 500
# Prepared members kept in memory between the check and the write; larger files are
# prepared a second time inside the write instead of holding every row.
KEEP_PREPARED = 20_000
RESOLVE_LIMIT = 2_000


# Columns -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    meaning: str
    fmt: str
    required: bool = False
    example: str = ""
    kind: str = "text"  # text, date, choice, ref, id_number, int
    aliases: tuple = ()
    choices: type | None = None
    value_aliases: dict = field(default_factory=dict)
    max_length: int | None = None

    def names(self):
        return (self.label, self.key, *self.aliases)

    def allowed(self):
        """The allowed values of a choice column, as written in files (“、” separated)."""
        return "、".join(choice_labels(self)) if self.kind == "choice" else ""


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


def _zh(value):
    with translation.override("zh-hans"):
        return str(value)


def choice_labels(column):
    """Chinese labels of a choice column, as written in files."""
    return [_zh(label) for _code, label in column.choices.choices]


def _choice_map(column):
    mapping = {}
    for code, label in column.choices.choices:
        mapping[_norm(code)] = code
        mapping[_norm(_zh(label))] = code
    for alias, code in column.value_aliases.items():
        mapping.setdefault(_norm(alias), code)
    return mapping


def _label_of(column):
    labels = {code: _zh(label) for code, label in column.choices.choices}
    return lambda code: labels.get(code, code or "")


def _norm(text):
    return re.sub(r"[\s*＊]", "", str(text)).replace("（", "(").replace("）", ")").lower()


# Results -----------------------------------------------------------------------------

@dataclass
class Problem:
    row: int | None  # spreadsheet row number; None for the file as a whole
    column: str      # column label, "" when the problem is not about one column
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


# Reading cells -----------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def parse_date(value):
    """A date cell, or a text date in the forms people type; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        if isinstance(value, (int, float)):
            number = int(value)
            if 19000101 <= number <= 29991231:
                return datetime.date(number // 10000, number // 100 % 100, number % 100)
            if 1 <= number < 100_000:
                from openpyxl.utils.datetime import from_excel

                return from_excel(number).date()
            raise ValueError
        text = str(value).strip()
        if re.fullmatch(r"\d{8}", text):
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = _DATE.fullmatch(text)
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
    except (ValueError, OverflowError):
        pass
    raise ValueError(value)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class _RowReader:
    """Turns one row's cells into values for a sheet's columns, noting each problem."""

    def __init__(self, positions):
        self.positions = positions  # column key -> index in the row
        self.choice_maps = {}

    def read(self, columns, values):
        parsed, errors = {}, {}
        for column in columns:
            index = self.positions.get(column.key)
            raw = values[index] if index is not None and index < len(values) else None
            try:
                parsed[column.key] = self._convert(column, raw)
            except ValueError as exc:
                errors[column.key] = str(exc)
                parsed[column.key] = None
                continue
            if column.required and parsed[column.key] in (None, ""):
                errors[column.key] = _("必填，不能为空。")
        return parsed, errors

    def _convert(self, column, raw):
        if column.kind == "date":
            try:
                return parse_date(raw)
            except ValueError:
                raise ValueError(_("日期“%(value)s”无法识别，请写成 YYYY-MM-DD。") % {"value": _text(raw)}) from None
        if column.kind == "id_number" and isinstance(raw, (int, float)):
            raise ValueError(_("身份证号须以文本格式填写（Excel 会把18位数字变成科学计数并丢失末几位）。"))
        text = _text(raw)
        if column.kind == "choice":
            if not text:
                return ""
            if column.key not in self.choice_maps:
                self.choice_maps[column.key] = _choice_map(column)
            code = self.choice_maps[column.key].get(_norm(text))
            if code is None:
                raise ValueError(_("“%(value)s”不是有效的选项，可选：%(choices)s。") % {
                    "value": text, "choices": "、".join(choice_labels(column))})
            return code
        if column.kind == "int":
            if text and not text.isdigit():
                raise ValueError(_("应为整数。"))
            return text
        if column.max_length and len(text) > column.max_length:
            raise ValueError(_("不能超过 %(n)s 个字。") % {"n": column.max_length})
        return text


def _match_header(values, columns):
    """Map header cells to columns; return (positions, problems at the header row)."""
    lookup = {}
    for column in columns:
        for name in column.names():
            lookup[_norm(name)] = column
    positions, problems = {}, []
    for index, cell in enumerate(values):
        text = _text(cell)
        if not text:
            continue
        column = lookup.get(_norm(text))
        if column is None:
            problems.append((text, _("无法识别的列。请使用模板中的列名。")))
        elif column.key in positions:
            problems.append((column.label, _("该列重复出现。")))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            problems.append((column.label, _("缺少必填列。")))
    return positions, problems


def _rows_with_header(sheet, columns):
    """Find the header among the first rows (registry files may carry a title row above it).

    Returns (header row number, positions, header problems, iterator over data rows)."""
    rows = sheet.rows()
    lookup = {_norm(name) for column in columns for name in column.names()}
    skipped = []
    for number, values in rows:
        hits = sum(1 for v in values if _norm(_text(v)) in lookup)
        if hits >= 2 or len(skipped) >= 4:
            chosen = (number, values) if hits >= 2 else skipped[0]
            break
        skipped.append((number, values))
    else:
        if not skipped:
            raise SpreadsheetError(_("文件是空的：没有找到表头。"))
        chosen = skipped[0]
    number, values = chosen
    positions, problems = _match_header(values, columns)
    return number, positions, problems, rows


# Finding orgs and areas named in cells -----------------------------------------------

def _segments(text):
    return [s for s in _SEPARATORS.split(text.strip()) if s]


def _ancestor_paths(path, steplen=STEPLEN):
    return [path[:i] for i in range(steplen, len(path), steplen)]


class _TreeResolver:
    """Finds an Org or Area written in a cell: its code, its ID, or its name path
    (“上级/本级”, from the root or any unique tail of it). Results are cached per text."""

    def __init__(self, model, actor=None):
        self.model = model
        self.actor = actor
        self.cache = {}

    def __call__(self, text):
        if text not in self.cache:
            self.cache[text] = self._resolve(text)
        found, message = self.cache[text]
        if message:
            raise ValueError(message)
        return found

    def _resolve(self, text):
        what = _("党组织") if self.model is Org else _("区域")
        by_code = list(self.model.objects.filter(code=text)[:2]) if text else []
        if len(by_code) == 1:
            return by_code[0], None
        if text.isdigit() and not by_code:
            by_pk = self.model.objects.filter(pk=int(text)).first()
            if by_pk is not None:
                return by_pk, None
        segments = _segments(text)
        if not segments:
            return None, _("找不到该%(what)s。") % {"what": what}
        # Walk down the path: the first name may sit at any depth, each next one is a child.
        matches = list(self.model.objects.filter(name=segments[0])[:RESOLVE_LIMIT])
        for segment in segments[1:]:
            if not matches:
                break
            parents = {m.path for m in matches}
            children = self.model.objects.filter(subtree_q("path", parents), name=segment)[:RESOLVE_LIMIT]
            matches = [c for c in children if c.path[:-STEPLEN] in parents]
        if len(matches) > 1 and self.model is Org:
            matches = [m for m in matches if not m.closed_at] or matches
            if len(matches) > 1 and self.actor is not None:
                matches = [m for m in matches if user_can(self.actor, "export", m)] or matches
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            if self.model is Org and self.actor is not None:
                return None, unreachable_org(text)
            return None, _("找不到%(what)s“%(text)s”。") % {"what": what, "text": text}
        return None, _("有多个%(what)s叫“%(text)s”，请写出上级名称（如“上级/本级”）或代码。") % {
            "what": what, "text": text}


def unreachable_org(text):
    """One message for an org that does not exist and one outside the importer's scope,
    so an import cannot be used to learn what exists elsewhere."""
    return _("党组织“%(text)s”不存在或不在您的管辖范围内。") % {"text": text}


def _common_root(paths):
    """The org whose subtree holds every path (for placing one audit entry)."""
    paths = [p for p in paths if p]
    if not paths:
        return None
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[:-STEPLEN]
    prefix = prefix[: len(prefix) // STEPLEN * STEPLEN]
    return Org.objects.filter(path=prefix).first() if prefix else None


def _file_problem(result, exc):
    result.problems.append(Problem(None, "", str(exc)))
    return result


def _add_row_problems(result, number, columns, errors):
    order = {column.key: i for i, column in enumerate(columns)}
    labels = {column.key: column.label for column in columns}
    for key in sorted(errors, key=lambda k: order.get(k, len(order))):
        result.problems.append(Problem(number, labels.get(key, ""), errors[key]))


def _validation_messages(exc):
    if hasattr(exc, "error_dict"):
        return {key: " ".join(messages) for key, messages in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


# Import: organisations ---------------------------------------------------------------

def import_orgs(*, actor, sheet, dry_run=False):
    """Create the organisations of a sheet, parents before children. All or nothing."""
    result = ImportResult(kind="orgs", dry_run=dry_run)
    try:
        plans = _check_orgs(actor, sheet, result)
    except SpreadsheetError as exc:
        return _file_problem(result, exc)
    if result.problems or dry_run:
        return result
    return _write_orgs(actor, plans, result)


def _check_orgs(actor, sheet, result):
    header_row, positions, header_problems, rows = _rows_with_header(sheet, ORG_COLUMNS)
    for label, message in header_problems:
        result.problems.append(Problem(header_row, label, message))
    if result.problems:
        return []
    reader = _RowReader(positions)
    orgs = _TreeResolver(Org, actor)
    areas = _TreeResolver(Area, actor)
    plans = []
    local = {}          # reference text -> plan index (None when ambiguous)
    codes = {}          # code -> row number, for duplicates inside the file
    siblings = set()    # (parent reference, name) inside the file
    existing_children = {}
    db_paths = {}       # parent pk -> its name path
    today = timezone.localdate()
    for number, values in rows:
        result.rows += 1
        data, errors = reader.read(ORG_COLUMNS, values)
        parent_ref = None
        parent_text = data["parent"]
        if actor is None and not parent_text:
            errors.pop("parent", None)  # the system may create top-level organisations
        if parent_text:
            key = PATH_SEPARATOR.join(_segments(parent_text))
            if key in local:
                parent_ref = local[key]
                if parent_ref is None:
                    errors["parent"] = _("本文件中有多个组织与“%(text)s”相符，请写完整路径。") % {"text": parent_text}
                else:
                    parent_ref = ("file", parent_ref)
            else:
                try:
                    parent = orgs(parent_text)
                    require(actor, "export", parent, field="parent")
                except ValueError as exc:
                    errors["parent"] = str(exc) + _("（上级须已在系统中，或在本文件中列在前面）")
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
            except ValueError as exc:
                errors["area"] = str(exc)
        else:
            data["area"] = None
        if data["founded_on"] and data["founded_on"] > today:
            errors["founded_on"] = _("成立日期不能晚于今天。")
        if data["code"]:
            if data["code"] in codes:
                errors["code"] = _("与第 %(row)s 行的组织代码重复。") % {"row": codes[data["code"]]}
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
            _add_row_problems(result, number, ORG_COLUMNS, errors)
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
    return plans


def _name_path(org):
    """Names from the root down to `org`."""
    names = dict(Org.objects.filter(path__in=_ancestor_paths(org.path)).values_list("path", "name"))
    return [names.get(p, "") for p in _ancestor_paths(org.path)] + [org.name]


def _write_orgs(actor, plans, result):
    created = []
    current = None
    try:
        with transaction.atomic():
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
                         org=_common_root(roots), row_count=len(created))
    except (ValidationError, PermissionDenied) as exc:
        messages = _validation_messages(exc) if isinstance(exc, ValidationError) else {"": str(exc)}
        row = current["row"] if current else None
        _add_row_problems(result, row, ORG_COLUMNS, messages)
        return result
    result.created = len(created)
    return result


# Import: members ---------------------------------------------------------------------

MEMBER_ARGS = ("name", "id_number", "joined_on", "status", "category", "full_on", "gender", "ethnicity",
               "education", "phone", "address", "job", "employer_name")


class _MemberChecker:
    def __init__(self, actor, positions):
        self.actor = actor
        self.reader = _RowReader(positions)
        self.orgs = _TreeResolver(Org, actor)
        self.areas = _TreeResolver(Area, actor)
        self.seen = {}  # normalised ID number -> first row
        self.scope_checked = {}

    def check(self, number, values):
        """Return (prepared Member or None, {column key: reason})."""
        data, errors = self.reader.read(MEMBER_COLUMNS, values)
        org = None
        if data["org"]:
            try:
                org = self.orgs(data["org"])
            except ValueError as exc:
                errors["org"] = str(exc)
            else:
                if org.pk not in self.scope_checked:
                    try:
                        require(self.actor, "export", org, field="org")
                        self.scope_checked[org.pk] = None
                    except ValidationError:
                        self.scope_checked[org.pk] = unreachable_org(data["org"])
                if self.scope_checked[org.pk]:
                    errors["org"] = self.scope_checked[org.pk]
        area = None
        if data["residence_area"]:
            try:
                area = self.areas(data["residence_area"])
            except ValueError as exc:
                errors["residence_area"] = str(exc)
        number_text = normalise(data["id_number"])
        if number_text and "id_number" not in errors:
            first = self.seen.setdefault(number_text, number)
            if first != number:
                errors["id_number"] = _("与第 %(row)s 行的公民身份号码重复。") % {"row": first}
        if data["birth_date"] and "id_number" not in errors:
            try:
                if birth_date_of(validate_id_number(number_text)) != data["birth_date"]:
                    errors["birth_date"] = _("出生日期与身份证号不一致。")
            except ValidationError:
                pass
        arguments = {key: data[key] if data[key] is not None else "" for key in MEMBER_ARGS}
        arguments["joined_on"] = data["joined_on"]
        arguments["full_on"] = data["full_on"]
        try:
            member = services.member_prepare(org=org, residence_area=area, **arguments)
        except ValidationError as exc:
            for key, message in _validation_messages(exc).items():
                errors.setdefault(key, message)
            member = None
        return (None if errors else member), errors


def import_members(*, actor, sheet, dry_run=False):
    """Register the members of a sheet in bulk. All or nothing; one audit entry."""
    result = ImportResult(kind="members", dry_run=dry_run)
    try:
        header_row, positions, header_problems, rows = _rows_with_header(sheet, MEMBER_COLUMNS)
        for label, message in header_problems:
            result.problems.append(Problem(header_row, label, message))
        if result.problems:
            return result
        checker = _MemberChecker(actor, positions)
        prepared, keep = [], True
        for number, values in rows:
            result.rows += 1
            member, errors = checker.check(number, values)
            if errors:
                _add_row_problems(result, number, MEMBER_COLUMNS, errors)
            elif keep:
                prepared.append(member)
                if len(prepared) > KEEP_PREPARED:
                    keep, prepared = False, []
    except SpreadsheetError as exc:
        return _file_problem(result, exc)
    if result.problems or dry_run:
        return result
    return _write_members(actor, sheet, prepared if keep else None, result)


def _write_members(actor, sheet, prepared, result):
    created = 0
    org_paths = set()
    try:
        with transaction.atomic():
            if prepared is None:
                prepared = _prepare_again(actor, sheet)
            batch = []
            for member in prepared:
                batch.append(member)
                org_paths.add(member.org.path)
                if len(batch) >= BULK_BATCH:
                    Member.objects.bulk_create(batch)
                    created += len(batch)
                    batch = []
            if batch:
                Member.objects.bulk_create(batch)
                created += len(batch)
            audit.record(actor=actor, action="import", object_type="orgs.member", object_repr="党员导入",
                         org=_common_root(sorted(org_paths)), row_count=created)
    except IntegrityError:
        result.problems.append(Problem(None, "", _("导入时有身份证号已被他人同时登记，未做任何修改，请重新导入。")))
        return result
    except _Changed as exc:
        _add_row_problems(result, exc.row, MEMBER_COLUMNS, exc.errors)
        return result
    result.created = created
    return result


class _Changed(Exception):
    """A row that passed the check failed when prepared again (data changed meanwhile)."""

    def __init__(self, row, errors):
        super().__init__(row)
        self.row, self.errors = row, errors


def _prepare_again(actor, sheet):
    """Prepare a large file's members a second time, one at a time, inside the write."""
    _header_row, positions, _problems, rows = _rows_with_header(sheet, MEMBER_COLUMNS)
    checker = _MemberChecker(actor, positions)
    for number, values in rows:
        member, errors = checker.check(number, values)
        if errors:
            raise _Changed(number, errors)
        yield member


# Export ------------------------------------------------------------------------------

def _export_paths(actor):
    paths = scope_paths(actor, "export")
    if not paths:
        raise PermissionDenied(_("您没有导出权限。"))
    return paths


def _filtered(filterset_class, params, queryset, defaults):
    """Apply a list's FilterSet as its page does: empty values dropped, the page's
    defaults (open orgs, active members) unless chosen. Returns (queryset, filters used)."""
    data = QueryDict(mutable=True)
    for key in filterset_class.base_filters:
        values = params.getlist(key) if hasattr(params, "getlist") else _as_list((params or {}).get(key))
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            data.setlist(key, values)
    for key, value in defaults.items():
        data.setdefault(key, value)
    filterset = filterset_class(data, queryset=queryset)
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

    def write(self, target):
        """Write the whole file to a binary file object."""
        if self.fmt == "csv":
            for chunk in self.csv_chunks():
                target.write(chunk)
            return
        writer = XlsxWriter(SHEET_TITLES[self.kind], self.header)
        for row in self.rows():
            writer.write_row(row)
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
    return _common_root(paths)


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
    return _filtered(OrgFilter, params, Org.objects.visible_to(actor, "export"), {"closed": "false"})


def member_export_queryset(actor, params=None):
    """The members an export with these list filters would hold: visible members inside
    the actor's export subtrees. Returns (queryset, filters used)."""
    base = Member.objects.visible_to(actor, "view_members").filter(subtree_q("org__path", _export_paths(actor)))
    return _filtered(MemberFilter, params, base, {"left": "false"})


def export_orgs(*, actor, params=None, fmt="xlsx", reason=""):
    """Organisations in the actor's export scope matching the list filters. Audited."""
    _check_format(fmt)
    paths = _export_paths(actor)
    queryset, used = org_export_queryset(actor, params)
    count = queryset.count()
    _check_bulk(actor, count, reason, paths, used)
    with transaction.atomic():
        audit.record(actor=actor, action="export", object_type="orgs.org", object_repr="党组织导出",
                     org=_audit_root(paths, used), row_count=count,
                     after={"format": fmt, "filters": used, "reason": (reason or "").strip()})

    def rows():
        names = _NamePaths(_org_names(paths))
        area_paths = _area_name_paths(list(queryset.order_by().values_list("area_id", flat=True).distinct()))
        kind_label = _label_of(ORG_COLUMNS[2])
        sector_label = _label_of(ORG_COLUMNS[3])
        fields = ("pk", "name", "short_name", "kind", "sector", "path", "code", "unit_name", "area_id",
                  "founded_on", "phone")
        for pk, name, short, kind, sector, path, code, unit, area_id, founded, phone in (
                queryset.order_by("path").values_list(*fields).iterator(chunk_size=2000)):
            parent_path = path[:-STEPLEN]
            yield (name, short, kind_label(kind), sector_label(sector), names(parent_path), code, unit,
                   area_paths.get(area_id, ""), founded, phone, pk)

    return Export(kind="orgs", fmt=fmt, count=count, rows=rows)


def export_members(*, actor, params=None, fmt="xlsx", reason="", full_id=False):
    """Members in the actor's export scope matching the list filters. ID numbers, phones and
    addresses are masked unless `full_id` is asked for; then rows inside the actor's
    `view_full_id` subtrees carry full values, and the audit entry says so."""
    _check_format(fmt)
    paths = _export_paths(actor)
    queryset, used = member_export_queryset(actor, params)
    full_paths = scope_paths(actor, "view_full_id") if full_id else []
    if full_id and not full_paths:
        raise PermissionDenied(_("您无权导出完整身份证号。"))
    count = queryset.count()
    full_count = queryset.filter(subtree_q("org__path", full_paths)).count() if full_paths else 0
    _check_bulk(actor, count, reason, paths, used)
    with transaction.atomic():
        after = {"format": fmt, "filters": used, "reason": (reason or "").strip(), "full_id": bool(full_paths)}
        if full_paths:
            after["full_id_rows"] = full_count
        audit.record(actor=actor, action="export", object_type="orgs.member",
                     object_repr="党员导出（含完整身份证号）" if full_paths else "党员导出",
                     org=_audit_root(paths, used), row_count=count, after=after)

    def rows():
        names = _NamePaths(_org_names(paths))
        area_paths = _area_name_paths(
            list(queryset.order_by().values_list("residence_area_id", flat=True).distinct()))
        labels = {c.key: _label_of(c) for c in MEMBER_COLUMNS if c.kind == "choice"}
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

    return Export(kind="members", fmt=fmt, count=count, rows=rows, full_id=bool(full_paths))


# Templates ---------------------------------------------------------------------------

def template_workbook(kind):
    """An empty import file: the header row, drop-downs for choice columns, text format for
    ID numbers and phones, and a second sheet 说明 describing every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLES[kind]
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = bold
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.example) * 1.6))
        if column.kind == "choice":
            validation = DataValidation(type="list", formula1='"' + ",".join(choice_labels(column)) + '"',
                                        allow_blank=not column.required)
            validation.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(validation)
        if column.kind == "id_number" or column.key in ("phone", "code"):
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append(["列名", "英文代码", "含义", "格式", "必填", "允许值", "示例"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append([column.label, column.key, column.meaning, column.fmt, "是" if column.required else "否",
                      column.allowed(), column.example])
    for letter, width in zip("ABCDEFG", (14, 16, 30, 50, 6, 50, 40)):
        notes.column_dimensions[letter].width = width
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle
