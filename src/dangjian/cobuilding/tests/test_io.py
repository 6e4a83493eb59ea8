"""Unit import (a market-regulation register's columns, all or nothing, bad checksum named
by row and column) and the unit and agreement exports."""

import csv
import io

from dangjian.cobuilding import spreadsheets
from dangjian.cobuilding.models import Coverage, Unit, UnitKind
from dangjian.core.models import AuditEntry
from dangjian.core.spreadsheets.importer import run_import
from dangjian.core.spreadsheets.reader import open_bytes

from .conftest import make_code

HEADER = ["序号", "企业名称", "统一社会信用代码", "类型", "住所", "从业人员", "所在社区"]


def csv_sheet(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return open_bytes(out.getvalue().encode("utf-8-sig"), name="units.csv", content_type="text/csv")


def test_register_shape_imports_every_row(city, people):
    rows = [HEADER,
            [1, "南通甲科技有限公司", make_code(), "有限责任公司", "幸福路1号", 35, "甲区/甲区一街道/甲区幸福社区"],
            [2, "甲区幸福幼儿园", "", "社会服务机构", "幸福路2号", "", "甲区幸福社区"],
            [3, "甲国资公司", make_code(), "国有独资公司", "", 120, "甲区幸福社区/第1网格"]]
    result = run_import("cobuilding_units", actor=people["community"], sheet=csv_sheet(rows))
    assert result.ok, [p.as_dict() for p in result.problems]
    assert result.created == 3
    units = {u.name: u for u in Unit.objects.all()}
    assert units["南通甲科技有限公司"].kind == UnitKind.PRIVATE and units["南通甲科技有限公司"].staff_size == 35
    assert units["甲区幸福幼儿园"].kind == UnitKind.SOCIAL_ORG
    assert units["甲国资公司"].kind == UnitKind.SOE and units["甲国资公司"].org == city.communities["a"]
    assert all(u.coverage == Coverage.NONE for u in units.values())
    assert AuditEntry.objects.filter(action="import", object_type="cobuilding.unit", row_count=3).exists()


def test_bad_checksum_names_the_cell_and_nothing_is_written(city, people):
    good = make_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [HEADER,
            [1, "好公司", make_code(), "有限责任公司", "", 5, "甲区幸福社区"],
            [2, "坏公司", bad, "有限责任公司", "", 5, "甲区幸福社区"],
            [3, "无代码公司", "", "有限责任公司", "", 5, "甲区幸福社区"],
            [4, "越界学校", "", "学校", "", 5, "乙区幸福社区"]]
    result = run_import("cobuilding_units", actor=people["community"], sheet=csv_sheet(rows))
    assert not result.ok and result.created == 0
    found = {(p.row, p.column): p for p in result.problems}
    assert "校验位" in found[(3, "统一社会信用代码")].reason and found[(3, "统一社会信用代码")].value == bad
    assert (4, "统一社会信用代码") in found
    assert (5, "所在区域") in found
    assert not Unit.objects.exists()


def test_code_twice_in_file_refused(city, people):
    code = make_code()
    rows = [HEADER, [1, "甲", code, "企业", "", "", "甲区幸福社区"], [2, "乙", code, "企业", "", "", "甲区幸福社区"]]
    result = run_import("cobuilding_units", actor=people["community"], sheet=csv_sheet(rows))
    assert [(p.row, p.column) for p in result.problems] == [(3, "统一社会信用代码")]
    assert not Unit.objects.exists()


def test_unit_export_round_trips_the_columns(city, people, units, client):
    client.force_login(people["street"])
    response = client.post("/cobuilding/units/export/?coverage=own", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["名称", "统一社会信用代码", "类型"]
    assert [r[0] for r in rows[1:]] == ["甲区幸福科技有限公司"]
    assert rows[1][2] == "非公企业"
    assert AuditEntry.objects.filter(action="export", object_type="cobuilding.unit", row_count=1).exists()
    assert spreadsheets.unit_headers()[-2:] == ["属地党组织", "迁出/注销日期"]
