"""The spreadsheet framework (core.spreadsheets): cells, the error shape, and reading a
crafted file with bounded memory and a short answer."""

import datetime
import io
import json
import os
import random
import string
import subprocess
import sys
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from dangjian.core.spreadsheets.columns import CellError, Column, excerpt, parse_date
from dangjian.core.spreadsheets.importer import ImportResult, problem
from dangjian.core.spreadsheets.reader import SpreadsheetError, open_bytes
from dangjian.core.spreadsheets.writer import CsvWriter, XlsxWriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


# Cells -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "20240305",
                                  "2024-03-05 00:00:00", 20240305, 45356, datetime.datetime(2024, 3, 5, 8, 0)])
def test_one_date_grammar(text):
    assert parse_date(text) == datetime.date(2024, 3, 5)


@pytest.mark.parametrize("text", ["2024-13-01", "5/3/2024", "明天", 123456, True])
def test_dates_that_are_not(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_choices_in_any_of_the_three_languages():
    from dangjian.orgs.models import MemberStatus

    column = Column("status", "党员状态", kind="choice", choices=MemberStatus, value_aliases={"预备": "probationary"})
    english = {code: str(label) for code, label in MemberStatus.choices}
    with translation.override("en"):
        english = {code: str(label) for code, label in MemberStatus.choices}
    assert column.convert("正式党员") == column.convert("full") == "full"
    assert column.convert(" 预备 ") == "probationary"
    assert column.convert(english["probationary"].upper()) == "probationary"
    with pytest.raises(CellError) as exc:
        column.convert("x" * 500)
    assert "正式党员" in exc.value.render("zh-hans") and len(exc.value.render("zh-hans")) < 200


def test_read_row_fast_paths_keep_every_check():
    """read_row takes plain text cells as they are and remembers choice spellings per
    column (bench/member_import.py): a spelling one column knows must not leak into
    another, a long text is still refused, a missing or short row reads as empty."""
    from dangjian.core.spreadsheets.importer import read_row
    from dangjian.orgs.models import Gender, MemberStatus

    columns = (
        Column("name", "姓名", required=True, max_length=4),
        Column("status", "党员状态", kind="choice", choices=MemberStatus, value_aliases={"正式": "full"}),
        Column("gender", "性别", kind="choice", choices=Gender, value_aliases={"正式": "male"}),
        Column("note", "备注"),
        Column("id", "编号", kind="int", read_only=True),
    )
    positions = {"name": 0, "status": 1, "gender": 2, "id": 3}
    for _ in range(2):  # the second time through the remembered spellings
        raw, parsed, errors = read_row(columns, positions, ("张三", "正式", "正式"))
        assert parsed == {"name": "张三", "status": "full", "gender": "male", "note": ""} and not errors
        assert raw["note"] is None and raw["id"] is None and "id" not in parsed
    raw, parsed, errors = read_row(columns, positions, ("张三丰五六", "正式党员", "男性?"))
    assert set(errors) == {"name", "gender"} and parsed["status"] == "full"
    assert "4" in errors["name"].render("zh-hans")
    _raw, parsed, errors = read_row(columns, positions, ("",))
    assert set(errors) == {"name"} and parsed["status"] == ""


def test_excerpt_and_error_shape():
    assert excerpt("甲" * 500) == "甲" * 49 + "…"
    error = CellError("不能超过 %(n)s 个字。", n=60)
    item = problem(7, "姓名", error, "乙" * 300)
    assert (item.row, item.column, item.value) == (7, "姓名", "乙" * 49 + "…")
    assert item.reason == "不能超过 60 个字。" and item.reason_en
    assert set(item.as_dict()) == {"row", "column", "value", "reason", "reason_en"}


def test_problems_are_counted_but_only_the_first_thousand_kept():
    result = ImportResult(kind="x")
    for row in range(1500):
        result.add(problem(row, "a", "坏"))
    assert result.problem_count == 1500 and len(result.problems) == 1000


def test_numbers_stay_numbers_and_formulas_stay_text():
    writer = CsvWriter()
    writer.write_row([Decimal("2.50"), -3, "-3", "=1+1"])
    assert writer.drain().decode("utf-8-sig") == "2.50,-3,'-3,'=1+1\r\n"
    xlsx = XlsxWriter("t", ["a", "b"])
    xlsx.write_row([Decimal("2.5"), 3])
    out = io.BytesIO()
    xlsx.save(out)
    row = list(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=2, values_only=True))[0]
    assert row == (2.5, 3)


def test_sheet_starting_below_and_right_keeps_row_numbers():
    book = openpyxl.Workbook()
    book.active["C3"] = "姓名"
    book.active["D3"] = "性别"
    book.active["C4"] = "张三"
    out = io.BytesIO()
    book.save(out)
    rows = list(open_bytes(out.getvalue(), name="a.xlsx").rows())
    assert rows == [(3, (None, None, "姓名", "性别")), (4, (None, None, "张三"))]
    assert list(open_bytes(b"\xef\xbb\xbf\n\n,,a,b\n", name="a.csv").rows()) == [(3, ("", "", "a", "b"))]


# Crafted files -----------------------------------------------------------------------

def _crafted_xlsx(sheet_parts):
    """An xlsx whose first sheet is the given byte chunks (streamed into the zip)."""
    book = openpyxl.Workbook()
    base = io.BytesIO()
    book.save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    for chunk in sheet_parts:
                        stream.write(chunk)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def _megabytes_of_text(megabytes, seed=8):
    """Text that deflates about 80:1: a little randomness in each megabyte, the rest repeated."""
    rng = random.Random(seed)
    for _ in range(megabytes):
        noise = "".join(rng.choices(string.ascii_letters, k=12_000)).encode()
        yield noise + b"A" * (1024 * 1024 - len(noise))


def one_huge_cell(megabytes):
    yield SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    yield from _megabytes_of_text(megabytes)
    yield b"</t></is></c></row>" + SHEET_TAIL


def endless_rows(megabytes):
    yield SHEET_HEAD
    row = 1
    for block in _megabytes_of_text(megabytes):
        cells = []
        for start in range(0, len(block), 1000):
            cells.append(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
                         % (row, row, block[start:start + 1000]))
            row += 1
        yield b"".join(cells)
    yield SHEET_TAIL


@pytest.fixture(scope="module")
def crafted_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crafted")
    files = {}
    for name, parts in (("cell", one_huge_cell(190)), ("rows", endless_rows(185))):
        data = _crafted_xlsx(parts)
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        files[name] = path
    return files


def test_crafted_files_are_under_the_upload_limits(crafted_files, settings):
    for path in crafted_files.values():
        data = path.read_bytes()
        assert len(data) < 4 * 1024 * 1024  # 2.5 to 4 MB: far under the 10 MB upload limit
        with zipfile.ZipFile(path) as archive:
            sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 185 * 1024 * 1024
        assert sheet.file_size < 100 * sheet.compress_size  # under the ratio check


MEASURE = """
import json, sys, time
import django
django.setup()
from dangjian.core.spreadsheets.importer import ImportResult, run_import
from dangjian.core.spreadsheets.reader import SpreadsheetError, open_bytes


def peak_mb():  # the high-water mark of this process (ru_maxrss would carry the parent's over exec)
    line = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


before = peak_mb()
data = open(sys.argv[1], "rb").read()
began = time.perf_counter()
try:
    result = run_import("members", actor=None, sheet=open_bytes(data, name="m.xlsx", content_type=""))
except SpreadsheetError as exc:
    result = ImportResult(kind="members").file_problem(exc)
print(json.dumps({"before_mb": before, "peak_mb": peak_mb(), "seconds": time.perf_counter() - began,
                  "problems": [p.as_dict() for p in result.problems]}))
"""


@pytest.mark.parametrize("name", ["cell", "rows"])
def test_crafted_file_is_refused_with_bounded_memory(crafted_files, name, tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="dangjian.settings",
               DANGJIAN_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", MEASURE, str(crafted_files[name])], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["peak_mb"] < 200, figures
    if name == "cell":  # refused by the scan before any parser runs
        assert len(figures["problems"]) == 1 and "上限" in figures["problems"][0]["reason"]
    else:  # streamed: the header names none of the columns, every required one is reported
        assert {p["reason"] for p in figures["problems"]} == {"缺少必填列。", "无法识别的列。请使用模板中的列名。"}
    assert all(len(p["value"]) <= 50 and len(p["column"]) <= 50 for p in figures["problems"])
    assert len(json.dumps(figures["problems"])) < 5000


def test_crafted_upload_answers_briefly_in_both_languages(client, users, crafted_files,
                                                         django_capture_on_commit_callbacks):
    client.force_login(users["a"])
    upload = SimpleUploadedFile("m.xlsx", crafted_files["cell"].read_bytes(), content_type=XLSX_TYPE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orgs_io:member_import"), {"file": upload})
    page = client.get(response["Location"])
    assert page.status_code == 200 and len(page.content) < 50 * 1024
    text = page.content.decode()
    assert "单元格超过 4000 个字的上限" in text and "AAAAAAAAAA" not in text
    report = client.get(reverse("import_job_problems", args=[response["Location"].rstrip("/").split("/")[-1]]))
    assert len(report.content) < 2048 and "AAAAAAAAAA" not in report.content.decode("utf-8-sig")
    with translation.override("en"):
        english = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert len(english.content) < 50 * 1024


def test_a_long_cell_in_csv_is_refused_without_echo():
    data = ("姓名,性别\n" + "甲" * 5000 + ",男\n").encode()
    sheet = open_bytes(data, name="m.csv")
    with pytest.raises(SpreadsheetError) as exc:
        list(sheet.rows())
    assert "上限" in str(exc.value) and "甲甲甲甲" not in str(exc.value)
    assert "4000" in exc.value.render("en")
