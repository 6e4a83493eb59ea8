"""Spreadsheet import and export in the registry's columns (orgs.spreadsheets, core.spreadsheets)."""

import csv
import datetime
import io as stdlib_io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.spreadsheets.reader import SpreadsheetError, open_bytes, open_upload
from dangjian.core.models import AuditEntry, ImportJob
from dangjian.testing import make_id_number, make_user
from dangjian.orgs import spreadsheets as io
from dangjian.orgs.models import Member, Org

MEMBER_HEADER = [c.label for c in io.MEMBER_COLUMNS]
ORG_HEADER = [c.label for c in io.ORG_COLUMNS]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows, title="Sheet"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = stdlib_io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig"):
    out = stdlib_io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def sheet_of(data, name="members.xlsx"):
    return open_bytes(data, name=name)


def read_export(export):
    """Rows of an Export as lists (header first), whatever its format."""
    out = stdlib_io.BytesIO()
    export.write(out)
    data = out.getvalue()
    if export.fmt == "csv":
        return [row for row in csv.reader(stdlib_io.StringIO(data.decode("utf-8-sig")))]
    book = openpyxl.load_workbook(stdlib_io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def org_path_text(org):
    names = dict(Org.objects.filter(path__in=[org.path[:i] for i in range(4, len(org.path) + 1, 4)])
                 .values_list("path", "name"))
    return "/".join(names[org.path[:i]] for i in range(4, len(org.path) + 1, 4))


def member_row(org, name="李四", id_number=None, joined="2010-07-01", status="正式党员", category="在职", **extra):
    values = {"姓名": name, "公民身份号码": id_number or make_id_number(), "人员类别": category, "党员状态": status,
              "入党日期": joined, "所在党组织": org_path_text(org) if isinstance(org, Org) else org}
    values.update(extra)
    return [values.get(label, "") for label in MEMBER_HEADER]


def problems_of(result):
    return [(p.row, p.column, p.message) for p in result.problems]


# Round trip ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_into_empty_scope_reproduces_rows(city, users, fmt):
    street = city.streets["a"]
    community_area = city.communities["a"].area
    city.member(city.branches["a"], name="张三", residence_area=community_area, education="university",
                job="社区工作者", employer_name="甲区人民医院", ethnicity="回族")
    city.member(city.communities["a"], name="王芳", status="probationary", category="retired",
                phone="", address="")
    city.member(city.branches["b"], name="乙区党员")
    admin = users["city_admin"]
    params = {"within": str(street.pk)}
    orgs_before = read_export(io.export_orgs(actor=admin, params=params, fmt=fmt))
    members_before = read_export(io.export_members(actor=admin, params=params, fmt=fmt, full_id=True))
    assert len(orgs_before) == 4 and len(members_before) == 3
    org_file = _to_bytes(orgs_before, fmt)
    member_file = _to_bytes(members_before, fmt)

    # Empty the street's subtree, then import what was exported, as the district secretary.
    Member.objects.filter(org__path__startswith=street.path).delete()
    Org.objects.filter(path__startswith=street.path).delete()
    result = io.import_orgs(actor=users["a"], sheet=sheet_of(org_file, f"orgs.{fmt}"))
    assert problems_of(result) == [] and result.created == 3
    result = io.import_members(actor=users["a"], sheet=sheet_of(member_file, f"members.{fmt}"))
    assert problems_of(result) == [] and result.created == 2

    new_street = Org.objects.get(name=street.name)
    params = {"within": str(new_street.pk)}
    orgs_after = read_export(io.export_orgs(actor=admin, params=params, fmt=fmt))
    members_after = read_export(io.export_members(actor=admin, params=params, fmt=fmt, full_id=True))
    assert [row[:-1] for row in orgs_after] == [row[:-1] for row in orgs_before]
    assert [row[:-1] for row in members_after] == [row[:-1] for row in members_before]
    assert Member.objects.get(name="张三").residence_area == community_area
    assert Member.objects.get(name="张三").ethnicity == "回族"


def _to_bytes(rows, fmt):
    if fmt == "csv":
        return csv_bytes([["" if v is None else v for v in row] for row in rows])
    return xlsx_bytes(rows)


# All or nothing ------------------------------------------------------------------------

def test_bad_rows_change_nothing_and_are_reported(city, users):
    branch = city.branches["a"]
    registered = make_id_number()
    city.member(branch, name="已登记", id_number=registered)
    good = make_id_number()
    bad_check = make_id_number()
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    rows = [
        MEMBER_HEADER,
        member_row(branch, "甲", id_number=good),                      # row 2: fine
        member_row(branch, "乙", id_number=bad_check),                 # row 3: check digit
        member_row("不存在的党支部", "丙"),                              # row 4: unknown org
        member_row(branch, "丁", id_number=good.lower()),              # row 5: same ID as row 2
        member_row(branch, "戊", id_number=registered),                # row 6: already registered
        member_row(branch, "己", joined="2010-13-01"),                 # row 7: bad date
        member_row(branch, "庚", status="候补"),                        # row 8: bad choice
        member_row(branch, "辛"),                                      # row 9: fine
    ]
    before = Member.objects.count()
    audits = AuditEntry.objects.count()
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows)))
    found = problems_of(result)
    assert not result.ok and result.created == 0
    assert Member.objects.count() == before
    assert AuditEntry.objects.count() == audits
    by_row = {(row, column): message for row, column, message in found}
    assert "校验位" in by_row[(3, "公民身份号码")]
    assert "不存在" in by_row[(4, "所在党组织")]
    assert "2" in by_row[(5, "公民身份号码")] and "重复" in by_row[(5, "公民身份号码")]
    assert "已登记" in by_row[(6, "公民身份号码")]
    assert "日期" in by_row[(7, "入党日期")]
    assert "正式党员" in by_row[(8, "党员状态")]
    assert {row for row, _c, _m in found} == {3, 4, 5, 6, 7, 8}


def test_missing_required_column_is_reported(city, users):
    header = [label for label in MEMBER_HEADER if label != "入党日期"] + ["备注栏"]
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes([header, ["x"] * len(header)])))
    assert (1, "入党日期", "缺少必填列。") in problems_of(result)
    assert any(p.column == "备注栏" for p in result.problems)
    assert not Member.objects.exists()


def test_title_row_above_header_and_english_codes_and_gb18030(city, users):
    branch = city.branches["a"]
    codes = [c.key for c in io.MEMBER_COLUMNS]
    row = member_row(branch, "陈", status="预备", category="retired", 性别="女", 学历="本科")
    data = csv_bytes([["党员信息采集表"], codes, row], encoding="gb18030")
    result = io.import_members(actor=users["a"], sheet=sheet_of(data, "m.csv"))
    assert result.ok, problems_of(result)
    member = Member.objects.get(name="陈")
    assert (member.status, member.category, member.education) == ("probationary", "retired", "university")


def test_numeric_id_number_cell_is_explained(city, users):
    row = member_row(city.branches["a"], "周")
    row[MEMBER_HEADER.index("公民身份号码")] = 320602198005170014
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes([MEMBER_HEADER, row])))
    assert "文本格式" in dict(((c, m) for _r, c, m in problems_of(result)))["公民身份号码"]


def test_orgs_import_parents_before_children_and_checks(city, users):
    community = city.communities["a"]
    parent = org_path_text(community)
    rows = [
        ORG_HEADER,
        ["新建第3网格党支部", "", "党支部", "城市社区", parent, "A-3", "", "", "2020-01-01", "", "901"],
        ["楼栋党小组", "", "党小组", "城市社区", "901", "", "", "", "", "", ""],
        ["孤儿党小组", "", "党小组", "城市社区", "后面才出现的支部", "", "", "", "", "", ""],
        ["后面才出现的支部", "", "党支部", "城市社区", parent, "A-3", "", "", "2999-01-01", "", ""],
        ["乙区支部", "", "党支部", "城市社区", org_path_text(city.communities["b"]), "", "", "", "", "", ""],
        [city.branches["a"].name, "", "党支部", "城市社区", parent, "", "", "不存在的区域", "", "", ""],
    ]
    count = Org.objects.count()
    result = io.import_orgs(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows), "orgs.xlsx"))
    by_cell = {(r, c): m for r, c, m in problems_of(result)}
    assert "上级" in by_cell[(4, "上级党组织")]
    assert "第 2 行" in by_cell[(5, "组织代码")]
    assert "成立日期" in by_cell[(5, "成立日期")]
    assert "管辖范围" in by_cell[(6, "上级党组织")]
    assert "同名" in by_cell[(7, "组织名称")]
    assert "区域" in by_cell[(7, "覆盖区域")]
    assert (2, "组织名称") not in by_cell and (3, "上级党组织") not in by_cell
    assert Org.objects.count() == count

    good = io.import_orgs(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows[:3]), "orgs.xlsx"))
    assert good.ok and good.created == 2
    group = Org.objects.get(name="楼栋党小组")
    assert Org.objects.get_parent(group).name == "新建第3网格党支部"
    assert Org.objects.get_parent(Org.objects.get(code="A-3")).pk == community.pk
    entry = AuditEntry.objects.filter(action="import", object_type="orgs.org").get()
    assert entry.row_count == 2 and entry.org_path == community.path


# File checks ---------------------------------------------------------------------------

def test_oversized_file_is_refused(settings, city, users):
    settings.DANGJIAN_IMPORT_MAX_BYTES = 2000
    rows = [MEMBER_HEADER] + [member_row(city.branches["a"], f"党员{i}") for i in range(30)]
    upload = SimpleUploadedFile("big.csv", csv_bytes(rows), content_type="text/csv")
    with pytest.raises(SpreadsheetError, match="上限"):
        open_upload(upload)


def test_too_many_rows_is_refused(settings, city, users):
    settings.DANGJIAN_IMPORT_MAX_ROWS = 3
    rows = [MEMBER_HEADER] + [member_row(city.branches["a"], f"党员{i}") for i in range(5)]
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows)))
    assert "上限" in result.problems[0].message and not Member.objects.exists()


@pytest.mark.parametrize("name,data,content_type", [
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, XLSX_TYPE),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "text/csv"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "application/vnd.ms-excel"),
    ("members.xlsx", b"PK\x03\x04 not really a zip", XLSX_TYPE),
    ("members.txt", b"a,b\n", "text/plain"),
])
def test_not_a_spreadsheet_is_refused(name, data, content_type):
    with pytest.raises(SpreadsheetError):
        open_upload(SimpleUploadedFile(name, data, content_type=content_type))


def test_declared_type_must_fit_extension():
    data = xlsx_bytes([MEMBER_HEADER])
    with pytest.raises(SpreadsheetError, match="类型"):
        open_upload(SimpleUploadedFile("members.xlsx", data, content_type="image/png"))
    assert open_upload(SimpleUploadedFile("members.xlsx", data, content_type=XLSX_TYPE)).kind == "xlsx"


def _rebuild_xlsx(replace):
    """A real xlsx with some parts replaced: {name: bytes or an iterator of byte chunks}."""
    source = zipfile.ZipFile(stdlib_io.BytesIO(xlsx_bytes([MEMBER_HEADER])))
    out = stdlib_io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            if isinstance(content, bytes):
                target.writestr(info.filename, content)
            else:
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    for chunk in content:
                        stream.write(chunk)
    return out.getvalue()


def test_zip_bomb_is_refused_before_parsing():
    def huge_sheet():
        yield b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        blank = b" " * (1024 * 1024)
        for _ in range(100):  # 100 MB of whitespace that deflates to about 100 KB
            yield blank
        yield b"<sheetData/></worksheet>"

    data = _rebuild_xlsx({"xl/worksheets/sheet1.xml": huge_sheet()})
    assert len(data) < 1024 * 1024
    with pytest.raises(SpreadsheetError, match="压缩比"):
        open_bytes(data, name="bomb.xlsx")


def test_total_unzipped_size_is_limited(settings):
    settings.DANGJIAN_IMPORT_MAX_UNZIPPED_BYTES = 20_000
    rows = [MEMBER_HEADER] + [[f"党员{i}", "男", make_id_number()] for i in range(300)]
    with pytest.raises(SpreadsheetError, match="解压后过大"):
        open_bytes(xlsx_bytes(rows), name="m.xlsx")


def test_xml_with_dtd_is_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    data = _rebuild_xlsx({"xl/workbook.xml": laughs})
    with pytest.raises(SpreadsheetError, match="DTD"):
        open_bytes(data, name="dtd.xlsx")


# Export --------------------------------------------------------------------------------

def test_formula_injection_is_written_as_text(city, users):
    formula = '=HYPERLINK("http://evil.example/","点我")'
    city.member(city.branches["a"], name=formula, job="@SUM(A1)", employer_name="+1-2")
    admin = users["city_admin"]

    out = stdlib_io.BytesIO()
    io.export_members(actor=admin, fmt="xlsx").write(out)
    archive = zipfile.ZipFile(stdlib_io.BytesIO(out.getvalue()))
    sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml
    book = openpyxl.load_workbook(stdlib_io.BytesIO(out.getvalue()))
    row = [cell for cell in book.worksheets[0][2]]
    name_cell = row[MEMBER_HEADER.index("姓名")]
    assert name_cell.value == formula and name_cell.data_type == "s" and name_cell.quotePrefix
    assert row[MEMBER_HEADER.index("工作岗位")].data_type == "s"

    out = stdlib_io.BytesIO()
    io.export_members(actor=admin, fmt="csv").write(out)
    rows = list(csv.reader(stdlib_io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[1][MEMBER_HEADER.index("姓名")] == "'" + formula
    assert rows[1][MEMBER_HEADER.index("工作岗位")] == "'@SUM(A1)"
    assert rows[1][MEMBER_HEADER.index("工作单位")] == "'+1-2"


def test_export_is_scoped_masked_and_audited(city, users):
    number = make_id_number()
    city.member(city.branches["a"], name="甲区党员", id_number=number, phone="13812345678")
    city.member(city.branches["b"], name="乙区党员")
    rows = read_export(io.export_members(actor=users["a"], fmt="xlsx"))
    names = [row[0] for row in rows[1:]]
    assert names == ["甲区党员"]
    assert rows[1][2] == number[:6] + "********" + number[-4:]
    assert rows[1][MEMBER_HEADER.index("联系电话")] == "138****5678"
    org_names = [row[0] for row in read_export(io.export_orgs(actor=users["a"], fmt="csv"))[1:]]
    assert "中共甲区委" in org_names and not any("乙区" in name for name in org_names)
    entry = AuditEntry.objects.filter(action="export", object_type="orgs.member").get()
    assert entry.row_count == 1 and entry.actor == users["a"] and entry.after["full_id"] is False
    assert entry.org_path == city.districts["a"].path

    with pytest.raises(PermissionDenied):
        io.export_members(actor=users["a"], full_id=True)
    rows = read_export(io.export_members(actor=users["city_admin"], full_id=True, params={"q": "甲区党员"}))
    assert rows[1][2] == number
    entry = AuditEntry.objects.filter(action="export", object_type="orgs.member").first()
    assert entry.after["full_id"] is True and "完整" in entry.object_repr

    with pytest.raises(PermissionDenied):
        io.export_members(actor=users["none"])
    with pytest.raises(PermissionDenied):
        io.export_orgs(actor=users["none"])


def test_export_honours_list_filters(city, users):
    city.member(city.branches["a"], name="正式甲")
    city.member(city.branches["a"], name="预备甲", status="probationary")
    city.member(city.communities["a"], name="社区甲", status="probationary")
    params = {"status": ["probationary"], "within": str(city.branches["a"].pk), "category": ""}
    rows = read_export(io.export_members(actor=users["a"], params=params))
    assert [row[0] for row in rows[1:]] == ["预备甲"]
    entry = AuditEntry.objects.filter(action="export").first()
    assert entry.after["filters"]["status"] == ["probationary"]
    assert entry.org_path == city.branches["a"].path
    with pytest.raises(ValidationError):
        io.export_members(actor=users["a"], params={"status": ["nonsense"]})


def test_large_export_needs_reason(settings, city, users):
    settings.DANGJIAN_BULK_THRESHOLD = 1
    city.member(city.branches["a"], name="一")
    city.member(city.branches["a"], name="二")
    with pytest.raises(ValidationError) as exc:
        io.export_members(actor=users["a"])
    assert "reason" in exc.value.message_dict
    io.export_members(actor=users["a"], reason="年度党内统计报送")
    entry = AuditEntry.objects.filter(action="export", object_type="orgs.member").get()
    assert entry.after["reason"] == "年度党内统计报送" and entry.row_count == 2


def test_export_queries_do_not_grow_with_rows(city, users, django_assert_max_num_queries):
    for i in range(30):
        city.member(city.branches["a"] if i % 2 else city.communities["a"], name=f"党员{i}",
                    residence_area=city.communities["a"].area)
    export = io.export_members(actor=users["city_admin"], full_id=True)
    with django_assert_max_num_queries(6):
        rows = list(export.rows())
    assert len(rows) == 30


def test_template_has_header_and_notes(users):
    data = io.template_workbook("members").read()
    book = openpyxl.load_workbook(stdlib_io.BytesIO(data))
    assert book.sheetnames == ["党员", "说明"]
    assert [c.value for c in book["党员"][1]] == MEMBER_HEADER
    notes = list(book["说明"].iter_rows(values_only=True))
    assert notes[0][:5] == ("列名", "英文代码", "含义", "格式", "必填")
    status = next(row for row in notes if row[0] == "党员状态")
    assert "预备党员" in status[5] and status[4] == "是"
    assert len(notes) == 1 + len(io.MEMBER_COLUMNS)
    # An untouched template holds no rows: the import says so instead of reporting success.
    result = io.import_members(actor=users["a"], sheet=sheet_of(data))
    assert not result.ok and "没有数据行" in result.problems[0].reason


def test_docs_describe_every_column():
    text = (Path(__file__).resolve().parents[4] / "docs" / "registry-columns.md").read_text(encoding="utf-8")
    for column in (*io.ORG_COLUMNS, *io.MEMBER_COLUMNS):
        assert f"| {column.label} |" in text, column.label
        assert f"`{column.key}`" in text


# Pages ---------------------------------------------------------------------------------

def test_pages_need_login_and_export_scope(client, users):
    for name in ("orgs_io:org_import", "orgs_io:member_import", "orgs_io:org_export", "orgs_io:member_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(users["none"])
    assert client.get(reverse("orgs_io:index")).status_code == 200
    for name in ("orgs_io:org_import", "orgs_io:member_import", "orgs_io:member_export"):
        assert client.get(reverse(name)).status_code == 403
    response = client.post(reverse("orgs_io:member_export"), {"format": "csv"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.fixture
def post_and_run(client, django_capture_on_commit_callbacks):
    """Post an upload and run the job it enqueues: jobs are enqueued when the upload's
    transaction commits, which the test's transaction never does."""
    def post(url, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        return client.get(response["Location"]) if kwargs.get("follow") and response.status_code == 302 else response
    return post


def test_imports_need_change_and_the_import_grant(client, city):
    """Export and import are their own grant (issue 9.1): the grant alone may export but not
    import (the framework also checks `change`); a secretary alone may edit but do neither."""
    data = xlsx_bytes([MEMBER_HEADER, member_row(city.branches["a"], "一")])
    exchange_only = make_user("exchange_a", "data_exchange", city.districts["a"])
    secretary_only = make_user("plain_sec_a", "secretary", city.districts["a"])
    client.force_login(exchange_only)
    assert client.get(reverse("orgs_io:member_import")).status_code == 403
    assert client.get(reverse("orgs_io:member_export")).status_code == 200
    result = io.import_members(actor=exchange_only, sheet=sheet_of(data))
    assert [(p.row, p.column) for p in result.problems] == [(2, "所在党组织")] and not Member.objects.exists()
    client.force_login(secretary_only)
    assert client.get(reverse("orgs_io:member_import")).status_code == 403
    assert client.get(reverse("orgs_io:member_export")).status_code == 403
    index = client.get(reverse("orgs_io:index")).content.decode()
    assert reverse("orgs_io:member_export") not in index and reverse("orgs_io:member_import") not in index
    result = io.import_members(actor=secretary_only, sheet=sheet_of(data))
    assert [(p.row, p.column) for p in result.problems] == [(2, "所在党组织")] and not Member.objects.exists()


def test_import_page_runs_a_job_and_shows_problems_then_counts(client, city, users, post_and_run):
    client.force_login(users["a"])
    url = reverse("orgs_io:member_import")
    assert client.get(url).status_code == 200
    bad = xlsx_bytes([MEMBER_HEADER, member_row(city.branches["b"], "越界")])
    response = post_and_run(url, {"file": SimpleUploadedFile("m.xlsx", bad, content_type=XLSX_TYPE)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import_job", args=[job.pk])
    assert job.status == "failed" and job.owner == users["a"] and job.upload is None
    text = client.get(response["Location"]).content.decode()
    assert "所在党组织" in text and "管辖范围" in text and "<td class=\"num\">2</td>" in text
    assert 'hx-trigger="every 2s"' not in text  # a finished job stops polling
    report = client.get(reverse("import_job_problems", args=[job.pk]))
    rows = list(csv.reader(stdlib_io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["行", "列", "单元格内容", "问题", "Problem"] and rows[1][:2] == ["2", "所在党组织"]
    assert not Member.objects.exists()

    good = xlsx_bytes([MEMBER_HEADER, member_row(city.branches["a"], "一"), member_row(city.branches["a"], "二")])
    response = post_and_run(url, {"file": SimpleUploadedFile("m.xlsx", good, content_type=XLSX_TYPE),
                                 "dry_run": "on"}, follow=True)
    assert response.status_code == 200 and "检查通过" in response.content.decode()
    assert not Member.objects.exists()
    response = post_and_run(url, {"file": SimpleUploadedFile("m.xlsx", good, content_type=XLSX_TYPE)}, follow=True)
    assert response.status_code == 200 and "新建 2 条" in response.content.decode()
    assert Member.objects.count() == 2

    png = SimpleUploadedFile("m.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")
    response = post_and_run(url, {"file": png}, follow=True)
    assert "类型" in response.content.decode()

    # Someone else's job is not found; nor is its error report.
    client.force_login(users["b"])
    assert client.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("import_job_problems", args=[job.pk])).status_code == 404


def test_running_job_page_polls_with_htmx_and_no_inline_script(client, users):
    job = ImportJob.objects.create(kind="members", owner=users["a"], filename="m.xlsx", status="running",
                                   total_rows=400, processed_rows=100)
    client.force_login(users["a"])
    text = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert 'hx-get="%s"' % reverse("import_job", args=[job.pk]) in text and 'hx-trigger="every 2s"' in text
    assert '<progress value="25" max="100">' in text
    assert "<script>" not in text and "onclick" not in text
    partial = client.get(reverse("import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<section") and "100 / 400" in partial


def test_export_page_downloads_with_list_filters(client, settings, city, users):
    city.member(city.branches["a"], name="甲一")
    city.member(city.branches["b"], name="乙一")
    client.force_login(users["a"])
    url = reverse("orgs_io:member_export") + "?status=full&category=&q="
    response = client.get(url)
    assert response.status_code == 200 and "1" in response.content.decode()
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "甲一" in text and "乙一" not in text
    response = client.post(url, {"format": "xlsx"})
    book = openpyxl.load_workbook(stdlib_io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert [row[0] for row in book.worksheets[0].iter_rows(values_only=True)] == ["姓名", "甲一"]

    settings.DANGJIAN_BULK_THRESHOLD = 0
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 400 and "事由" in response.content.decode()


# Commands ------------------------------------------------------------------------------

def test_import_command_exit_code_and_dry_run(tmp_path, city, users):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([MEMBER_HEADER, member_row(city.branches["a"], "一"), member_row("无此支部", "二")]))
    err = stdlib_io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import", "members", str(bad), "--user", "sec_a", stderr=err)
    assert exc.value.returncode == 1  # what `dangjian import` exits with
    assert "第 3 行，所在党组织" in err.getvalue()
    assert not Member.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([MEMBER_HEADER, member_row(city.branches["a"], "一")]))
    out = stdlib_io.StringIO()
    call_command("import", "members", str(good), "--user", "sec_a", "--dry-run", stdout=out)
    assert "检查通过" in out.getvalue() and not Member.objects.exists()
    call_command("import", "members", str(good), "--user", "sec_a", stdout=out)
    assert Member.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("import", "members", str(good), "--user", "sec_b", stderr=err)


def test_export_command(tmp_path, settings, city, users):
    city.member(city.branches["a"], name="一")
    city.member(city.branches["b"], name="二")
    target = tmp_path / "m.csv"
    call_command("export", "members", "--user", "sec_a", "--within", str(city.districts["a"].pk), "-o", str(target),
                 stdout=stdlib_io.StringIO())
    rows = list(csv.reader(stdlib_io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows] == ["姓名", "一"]
    settings.DANGJIAN_BULK_THRESHOLD = 0
    with pytest.raises(CommandError, match="reason"):
        call_command("export", "orgs", "--user", "sec_a", "-o", str(tmp_path / "o.xlsx"))
    call_command("export", "orgs", "--user", "sec_a", "--reason", "年度统计报送", "-o", str(tmp_path / "o.xlsx"),
                 stdout=stdlib_io.StringIO())
    assert openpyxl.load_workbook(tmp_path / "o.xlsx").worksheets[0]["A1"].value == "组织名称"
    with pytest.raises(CommandError):
        call_command("export", "members", "--user", "nobody", "-o", str(tmp_path / "x.csv"))


# Speed ---------------------------------------------------------------------------------

def test_importing_2000_members_is_quick(city, users, capsys):
    branch_path = org_path_text(city.branches["a"])
    start = datetime.date(1970, 1, 1)
    rows = [MEMBER_HEADER] + [
        member_row(branch_path, f"党员{i}", id_number=make_id_number(born=start + datetime.timedelta(days=i),
                                                                     serial=i % 1000))
        for i in range(2000)
    ]
    sheet = sheet_of(xlsx_bytes(rows))
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = io.import_members(actor=users["a"], sheet=sheet)
    elapsed = time.perf_counter() - began
    assert result.ok and result.created == 2000
    assert Member.objects.count() == 2000
    assert AuditEntry.objects.filter(action="import", object_type="orgs.member").get().row_count == 2000
    with capsys.disabled():
        print(f"\nimport of 2000 members: {elapsed:.2f} s, {len(queries)} queries")
    assert elapsed < 30


def test_batches_are_written_and_a_late_duplicate_undoes_them(monkeypatch, city, users):
    monkeypatch.setattr(io, "BATCH", 2)
    registered = make_id_number()
    city.member(city.branches["a"], name="已登记", id_number=registered)
    rows = [MEMBER_HEADER] + [member_row(city.branches["a"], f"党员{i}") for i in range(5)]
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows)))
    assert result.ok and result.created == 5 and Member.objects.count() == 6
    monkeypatch.setattr(io, "BATCH", 10)
    late = rows[:1] + [member_row(city.branches["a"], f"新党员{i}") for i in range(20)]
    late.append(member_row(city.branches["a"], "末行", id_number=registered))
    with CaptureQueriesContext(connection) as queries:
        result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(late)))
    assert [(p.row, p.column, p.value) for p in result.problems] == [(22, "公民身份号码", registered)]
    assert result.problems[0].reason == "该身份证号已登记。" and result.created == 0
    assert Member.objects.count() == 6  # the batches written before row 22 were rolled back
    lookups = [q for q in queries if q["sql"].startswith("SELECT") and "id_number_hash" in q["sql"]]
    assert len(lookups) <= 8  # a few per batch of ten rows (3 batches), never one per row (21)


def test_system_import_may_create_a_top_level_org(tmp_path, db):
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, ["中共新市委", "", "地方党委", "机关", "", "", "", "", "", "", "1"],
                                ["中共新区委", "", "local_committee", "organ", "1", "", "", "", "", "", ""]]))
    call_command("import", "orgs", str(path), stdout=stdlib_io.StringIO())
    district = Org.objects.get(name="中共新区委")
    assert Org.objects.get_parent(district).name == "中共新市委"


@pytest.fixture(params=["preloaded", "queried"])
def resolver_mode(request, monkeypatch):
    """TreeResolver loads a small tree once and asks the database per name for a large one: both ways."""
    from dangjian.core.spreadsheets.importer import TreeResolver

    if request.param == "queried":
        monkeypatch.setattr(TreeResolver, "PRELOAD_LIMIT", 0)
    return request.param


def test_one_way_to_name_an_org_in_any_import(city, users, resolver_mode):
    """Name path, code, ID, “名称 [#编号]”, and a name unique only inside `within`."""
    from dangjian.core.spreadsheets.columns import CellError
    from dangjian.core.spreadsheets.importer import TreeResolver
    from dangjian.orgs import services

    same = [services.org_create(actor=None, parent=city.communities[key], name="第一党支部", kind="branch",
                                sector="urban_community") for key in ("a", "b")]
    resolve = TreeResolver(Org, users["city_admin"], is_org=True)
    branch = city.branches["a"]
    assert resolve(org_path_text(branch)) == resolve(str(branch.pk)) == resolve(f"{branch.name} [#{branch.pk}]")
    assert resolve(f"第一党支部 [#{same[1].pk}]") == same[1]
    with pytest.raises(CellError, match="多个"):
        resolve("第一党支部")
    assert resolve("第一党支部", within=city.communities["a"]) == same[0]
    with pytest.raises(CellError, match="不存在或不在"):
        resolve(f"第一党支部 [#{same[1].pk}]", within=city.communities["a"])
    with pytest.raises(CellError, match="不存在或不在"):
        resolve(f"别的名字 [#{same[0].pk}]")


def test_org_names_resolve_by_tail_path_code_or_scope(city, users, resolver_mode):
    from dangjian.orgs import services

    same = [services.org_create(actor=None, parent=city.communities[key], name="第一党支部", kind="branch",
                                sector="urban_community", code=f"C-{key}") for key in ("a", "b")]
    rows = [MEMBER_HEADER,
            member_row("第一党支部", "模糊"),
            member_row("甲区幸福社区党委/第一党支部", "路径"),
            member_row("C-b", "代码")]
    result = io.import_members(actor=users["city_admin"], sheet=sheet_of(xlsx_bytes(rows)))
    assert [(r, c) for r, c, _m in problems_of(result)] == [(2, "所在党组织")]
    assert "多个" in result.problems[0].message
    result = io.import_members(actor=users["city_admin"], sheet=sheet_of(xlsx_bytes([rows[0], *rows[2:]])))
    assert result.ok
    assert Member.objects.get(name="路径").org == same[0] and Member.objects.get(name="代码").org == same[1]
    # A district secretary means the one inside the district.
    result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows[:2])))
    assert result.ok and Member.objects.get(name="模糊").org == same[0]


def test_id_number_clashes_by_batch_find_a_registered_number(city):
    """A batch as large as an import's (one array parameter on PostgreSQL) finds a taken
    number among free ones, as a short list does."""
    from dangjian.core import crypto
    from dangjian.orgs import services

    taken = city.member(city.branches["a"]).id_number_hash
    free = [crypto.blind_index(make_id_number()) for _ in range(120)]
    for hashes in ([taken, *free], [taken, *free[:3]]):
        visible, hidden = services.id_number_clashes(actor=None, hashes=hashes)
        assert visible == {taken} and hidden == set()
    assert services.id_number_clashes(actor=None, hashes=free) == (set(), set())


def test_a_clean_import_looks_no_id_number_up(city, users):
    """The unique index guards ID numbers during a write; the batch look-ups run only on
    a dry run or to name the rows once the index has refused one (test above)."""
    rows = [MEMBER_HEADER] + [member_row(city.branches["a"], f"党员{i}") for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows)))
    assert result.ok and result.created == 5
    assert Member.objects.filter(name__startswith="党员").count() == 5
    assert not [q for q in queries if q["sql"].startswith("SELECT") and "id_number_hash" in q["sql"]]


@pytest.mark.postgres
def test_a_bulk_load_makes_its_indexes_and_keys_again(settings, city, users):
    """Bulk-load mode (a load that doubles the table) drops the member table's foreign
    keys and GIN index for the COPY and makes them again: same catalog after, rows checked."""
    if connection.vendor != "postgresql":
        pytest.skip("bulk-load mode is PostgreSQL's")

    def catalog():
        with connection.cursor() as cursor:
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'orgs_member'::regclass ORDER BY 1")
            constraints = cursor.fetchall()
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orgs_member' ORDER BY 1")
            return constraints, cursor.fetchall()

    before = catalog()
    assert any("gin" in definition for _name, definition in before[1])
    assert any("FOREIGN KEY" in definition for _name, definition in before[0])
    settings.DANGJIAN_IMPORT_BULK_LOAD_ROWS = 3
    rows = [MEMBER_HEADER] + [member_row(city.branches["a"], f"党员{i}") for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        result = io.import_members(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows)))
    assert result.ok and result.created == 5
    assert any(q["sql"].startswith("DROP INDEX") for q in queries)
    assert catalog() == before
    assert Member.objects.filter(name__startswith="党员", org=city.branches["a"]).count() == 5
    # the keys are real again: a member pointing at no organisation is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("UPDATE orgs_member SET org_id = 999999999 WHERE name = '党员1'")
