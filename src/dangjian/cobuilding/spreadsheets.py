"""Units to and from spreadsheets, and agreements out.

Import reads the shape of a market-regulation register (市场主体登记): 名称, 统一社会信用代码,
类型, 住所/地址, 从业人员, plus one column the register does not carry and the platform
needs, 所在区域 (the community, village or grid the unit is in; it decides which Party
organisation holds the unit). Optional columns: 党组织覆盖方式, 覆盖党组织, 联系人. A
register's type names (有限责任公司, 国有独资公司, 民办非企业单位 ...) are read as our types.

All or nothing: every row is checked (a bad credit code checksum names its cell; a code
twice in the file or already registered is refused), and only a file without problems is
written, in one transaction, by `services.unit_bulk_create` with one audit entry.
"""

import io

from django.db import transaction
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit
from dangjian.core.spreadsheets.columns import CellError, Column
from dangjian.core.spreadsheets.importer import (
    Importable,
    ImportResult,
    TreeResolver,
    problem,
    read_row,
    register,
    require_in_scope,
    rows_with_header,
)
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter
from dangjian.orgs.models import Area, Org

from . import services, uscc
from .models import ORG_COVERAGES, Agreement, Coverage, Unit, UnitKind

KIND_ALIASES = {
    "有限责任公司": UnitKind.PRIVATE, "股份有限公司": UnitKind.PRIVATE, "个人独资企业": UnitKind.PRIVATE,
    "合伙企业": UnitKind.PRIVATE, "私营企业": UnitKind.PRIVATE, "外商投资企业": UnitKind.PRIVATE,
    "企业": UnitKind.PRIVATE, "民营企业": UnitKind.PRIVATE,
    "国有独资公司": UnitKind.SOE, "全民所有制": UnitKind.SOE, "国有企业": UnitKind.SOE, "国企": UnitKind.SOE,
    "机关单位": UnitKind.ORGAN, "党政机关": UnitKind.ORGAN, "事业单位": UnitKind.OTHER,
    "民办非企业单位": UnitKind.SOCIAL_ORG, "社会团体": UnitKind.SOCIAL_ORG, "基金会": UnitKind.SOCIAL_ORG,
    "社会服务机构": UnitKind.SOCIAL_ORG, "学校": UnitKind.SCHOOL, "医院": UnitKind.HOSPITAL,
}

UNIT_COLUMNS = (
    Column("name", "名称", meaning=gettext_lazy("单位名称"), required=True, max_length=200,
           aliases=("单位名称", "企业名称", "市场主体名称"), example="南通某某科技有限公司"),
    Column("credit_code", "统一社会信用代码", meaning=gettext_lazy("18位，企业必填"), max_length=24,
           aliases=("信用代码", "社会信用代码"), example="91320602MA1XXXXXXX"),
    Column("kind", "类型", meaning=gettext_lazy("单位类型"), kind="choice", choices=UnitKind, required=True,
           aliases=("单位类型", "企业类型", "市场主体类型"), value_aliases=KIND_ALIASES, example="非公企业"),
    Column("address", "住所", meaning=gettext_lazy("住所或经营地址"), max_length=200,
           aliases=("地址", "住所/地址", "经营场所"), example="崇川区某某路1号"),
    Column("staff_size", "从业人员", meaning=gettext_lazy("从业人员数"), kind="int",
           aliases=("从业人员数", "从业人数"), example="35"),
    Column("area", "所在区域", meaning=gettext_lazy("单位所在的社区（村）或网格，写名称路径或代码"), kind="ref",
           required=True, aliases=("所在社区", "社区"), example="崇川区/和平桥街道/幸福社区"),
    Column("coverage", "党组织覆盖方式", kind="choice", choices=Coverage, example="未覆盖"),
    Column("covering_org", "覆盖党组织", kind="ref", max_length=200),
    Column("contact_name", "联系人", max_length=60),
)
EXPORT_ONLY = (Column("org", "属地党组织", read_only=True), Column("closed_on", "迁出/注销日期", read_only=True))
# Other columns of a register file, read past: a register export can be imported as it is.
REGISTER_EXTRA = tuple(Column(f"extra_{i}", label, read_only=True) for i, label in enumerate(
    ("序号", "法定代表人", "负责人", "成立日期", "注册资本", "经营范围", "登记机关", "登记状态", "企业状态", "联系电话")))
IMPORT_COLUMNS = UNIT_COLUMNS + EXPORT_ONLY + REGISTER_EXTRA


def _unit_row(unit):
    return [unit.name, unit.credit_code, UNIT_COLUMNS[2].label_of(unit.kind), unit.address,
            unit.staff_size if unit.staff_size is not None else "", unit.area.name,
            UNIT_COLUMNS[6].label_of(unit.coverage), unit.covering_org.name if unit.covering_org_id else "",
            unit.contact_name, unit.org.name, unit.closed_on.isoformat() if unit.closed_on else ""]


def unit_headers():
    return [c.label for c in UNIT_COLUMNS + EXPORT_ONLY]


def export_units(*, actor, queryset, fmt="xlsx"):
    """The units of `queryset` (already scoped by the caller for `export`) as bytes (xlsx)
    or CSV chunks; one audit entry with the row count, written now."""
    queryset = queryset.select_related("area", "org", "covering_org").order_by("org__path", "name", "pk")
    with transaction.atomic():
        audit.record(actor=actor, action="export", object_type="cobuilding.unit", object_repr=_("驻区单位"),
                     after={"format": fmt}, row_count=queryset.count())
    return _write(str(_("驻区单位")), unit_headers(), (_unit_row(u) for u in queryset.iterator(chunk_size=2000)), fmt)


def export_agreements(*, actor, queryset, fmt="xlsx"):
    """Agreements, one row per party unit (the Party organisation and period repeat)."""
    queryset = queryset.select_related("org").prefetch_related("parties__unit", "commitments").order_by("-start_on",
                                                                                                           "pk")
    rows = []
    for agreement in queryset:
        commitments = "；".join(c.text for c in agreement.commitments.all())
        for party in agreement.parties.all() or [None]:
            rows.append([agreement.title, agreement.get_kind_display(), agreement.org.name,
                         agreement.start_on.isoformat(), agreement.end_on.isoformat(),
                         agreement.signed_on.isoformat() if agreement.signed_on else "",
                         party.unit.name if party else "", party.unit.credit_code if party else "",
                         party.get_role_display() if party else "", commitments])
    with transaction.atomic():
        audit.record(actor=actor, action="export", object_type="cobuilding.agreement", object_repr=_("共建协议"),
                     after={"format": fmt}, row_count=len(rows))
    headers = ["协议名称", "协议类型", "社区/街道党组织", "开始日期", "结束日期", "签订日期", "共建单位",
               "统一社会信用代码", "角色", "共建承诺"]
    return _write(str(_("共建协议")), headers, rows, fmt)


def _write(title, headers, rows, fmt):
    if fmt == "csv":
        def chunks():
            writer = CsvWriter()
            writer.write_row(headers)
            yield writer.drain()
            for row in rows:
                writer.write_row(row)
                yield writer.drain()
        return chunks()
    writer = XlsxWriter(title, headers)
    for row in rows:
        writer.write_row(row)
    buffer = io.BytesIO()
    writer.save(buffer)
    return buffer.getvalue()


# Import --------------------------------------------------------------------------------

def import_units(*, actor, sheet, dry_run=False, progress=None):
    result = ImportResult(kind="cobuilding_units", dry_run=dry_run)
    progress = progress or (lambda n: None)
    number, positions, header_problems, rows = rows_with_header(sheet, IMPORT_COLUMNS)
    for label, error in header_problems:
        result.add(problem(number, label, error))
    if header_problems:
        return result
    areas = TreeResolver(Area, actor)
    org_resolver = TreeResolver(Org, actor, is_org=True)
    parsed_rows = []
    seen_codes = {}
    for row_number, values in rows:
        if not any(v not in (None, "") for v in values):
            continue
        result.rows += 1
        raw, parsed, errors = read_row(UNIT_COLUMNS, positions, values)
        area = covering = None
        if parsed.get("area") and "area" not in errors:
            try:
                area = areas(parsed["area"])
            except CellError as exc:
                errors["area"] = exc
        if parsed.get("covering_org") and "covering_org" not in errors:
            try:
                covering = org_resolver(parsed["covering_org"])
            except CellError as exc:
                errors["covering_org"] = exc
        kind = parsed.get("kind") or ""
        code = uscc.normalise(parsed.get("credit_code"))
        if "credit_code" not in errors and kind and "kind" not in errors:
            if not code and kind in services.CODE_REQUIRED_KINDS:
                errors["credit_code"] = CellError(_("企业必须填写统一社会信用代码。"))
            elif code and uscc.problem(code):
                errors["credit_code"] = CellError(services.USCC_REASONS[uscc.problem(code)])
            elif code in seen_codes:
                errors["credit_code"] = CellError(_("与第 %(row)s 行的统一社会信用代码重复。"), row=seen_codes[code])
        if code and "credit_code" not in errors:
            seen_codes[code] = row_number
        coverage = parsed.get("coverage") or Coverage.NONE
        if "coverage" not in errors and "covering_org" not in errors:
            if coverage in ORG_COVERAGES and covering is None:
                errors["covering_org"] = CellError(_("单独或联合组建党组织的单位须填写覆盖党组织。"))
            elif coverage == Coverage.NONE and covering is not None:
                errors["covering_org"] = CellError(_("未覆盖的单位不能填写覆盖党组织。"))
        staff = parsed.get("staff_size")
        parsed_rows.append((row_number, raw, errors, dict(
            name=(parsed.get("name") or "").strip(), credit_code=code, kind=kind,
            address=parsed.get("address") or "", staff_size=int(staff) if staff not in (None, "") else None,
            area=area, coverage=coverage, covering_org=covering, contact_name=parsed.get("contact_name") or "")))
        if result.rows % 1000 == 0:
            progress(result.rows)
    # Owning organisations in two queries; scope checked once per organisation.
    owners = services.owner_orgs_for_areas([fields["area"] for *_x, fields in parsed_rows if fields["area"]])
    allowed = {}
    for _row, _raw, errors, fields in parsed_rows:
        if fields["area"] is None or "area" in errors:
            continue
        org = owners.get(fields["area"].pk)
        if org is None:
            errors["area"] = CellError(_("该区域没有所属的社区或街道党组织。"))
            continue
        if org.pk not in allowed:
            try:
                require_in_scope(actor, org, field="area")
                allowed[org.pk] = True
            except Exception:  # noqa: BLE001  (ValidationError or PermissionDenied: one answer)
                allowed[org.pk] = False
        if not allowed[org.pk]:
            errors["area"] = CellError(_("区域“%(text)s”不存在或不在您的管辖范围内。"), text=fields["area"].name)
        fields["org"] = org
    # Codes already registered: one query per 2,000 codes.
    codes = [fields["credit_code"] for *_x, fields in parsed_rows if fields["credit_code"]]
    taken = set()
    for i in range(0, len(codes), 2000):
        taken.update(Unit.objects.filter(credit_code__in=codes[i:i + 2000]).values_list("credit_code", flat=True))
    for row_number, raw, errors, fields in parsed_rows:
        if fields["credit_code"] in taken and "credit_code" not in errors:
            errors["credit_code"] = CellError(_("该统一社会信用代码已登记。"))
        if errors:
            result.add_row(row_number, UNIT_COLUMNS, errors, raw)
    if not result.rows:
        return result.file_problem(_("文件中没有数据行（只有表头）。"))
    if not result.ok or dry_run:
        return result
    with transaction.atomic(), audit.deferred():
        result.created = services.unit_bulk_create(actor=actor, rows=[f for *_x, f in parsed_rows])
    return result


IMPORT_HELP = gettext_lazy(
    "每行登记一个驻区单位，列名与市场主体登记名册一致（名称、统一社会信用代码、类型、住所、从业人员），"
    "另加“所在区域”（社区、村或网格）。企业须填写统一社会信用代码，系统校验其校验位。"
    "导入要么全部成功，要么一条也不写入。")

register(Importable(kind="cobuilding_units", title=gettext_lazy("驻区单位"), columns=IMPORT_COLUMNS,
                    run=import_units, back_url="cobuilding:unit_list"))


def agreements_for_export(user):
    return Agreement.objects.visible_to(user, "export")
