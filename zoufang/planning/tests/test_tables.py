"""The seed's allocation tables in their own layout: continuation rows, 合计 rows, enterprise lines."""

import io

from openpyxl import Workbook

from zoufang.core.tabular import read_rows
from zoufang.planning.tables import (
    parse_allocation_table,
    parse_leader_table,
    read_department_table,
)

ANNEX41 = """镇各部门党员干部“六个一”走访调研分配表（居民户）
序号,单  位 ,党员人数,走访户数
,,,   户籍户口,外来常住户
1,机关二支部,43,215,387
2,政法综治,10,50,90
合计,53,265户,477户
"""
ANNEX42 = """镇各部门党员干部“六个一”走访调研分配表（企业）
序号,单  位,党员人数,走访企业数,备注
,,,,
1,机关二支部,43,129,\u3000
2,政法综治,10,30,\u3000
合计,53,159家
"""


def rows_of(text: str):
    return read_rows(io.BytesIO(text.encode("utf-8")))


def test_it_reads_annex_4_1_with_its_two_row_header():
    table = read_department_table(io.BytesIO(ANNEX41.encode("utf-8")), "附件4-1.csv")
    assert table.ok, table.issues
    assert table.columns == ["户籍户口", "外来常住户"]
    assert [(r.serial, r.unit, r.party_members, r.figures) for r in table.rows] == [
        ("1", "机关二支部", 43, {"户籍户口": 215, "外来常住户": 387}),
        ("2", "政法综治", 10, {"户籍户口": 50, "外来常住户": 90})]
    assert (table.totals, table.party_member_total, table.total("外来常住户")) == ([265, 477], 53, 477)


def test_it_reads_annex_4_2_and_refuses_a_wrong_total():
    table = read_department_table(io.BytesIO(ANNEX42.encode("gb18030")))
    assert table.ok
    assert table.columns == ["走访企业数"]
    assert table.totals == [159]
    wrong = read_department_table(io.BytesIO(ANNEX42.replace("159家", "160家").encode("utf-8")))
    assert [str(e) for e in wrong.issues] == ["第6行【走访企业数】：合计为160家，各行之和为159家，相差1家"]


def test_it_reads_an_aligned_total_row_from_a_workbook_with_merged_cells():
    workbook = Workbook()
    sheet = workbook.active
    for row in [["附件2"], ["昆山市级机关部门“六个一”走访调研居民户、企业分配表"],
                ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"],
                [1, "市府办", "干家甸社区", 417, 357], [None, None, "顾家浜村", 393, 67],
                ["合    计", None, None, "810户", "424户"], ["市府办走访企业", "5家"]]:
        sheet.append(row)
    sheet.merge_cells("A6:C6")
    out = io.BytesIO()
    workbook.save(out)
    table = parse_allocation_table(read_rows(io.BytesIO(out.getvalue())))
    assert not table.issues, table.issues
    assert [(r.unit, r.village, r.continued) for r in table.rows] == [
        ("市府办", "干家甸社区", False), ("市府办", "顾家浜村", True)]
    assert table.totals == {"户籍总户数（户）": 810, "走访户数": 424}
    assert [(line.units, line.count) for line in table.enterprise_lines] == [(["市府办"], 5)]
    assert table.title == "昆山市级机关部门“六个一”走访调研居民户、企业分配表"  # not the 附件2 label above it


def test_it_counts_a_repeated_village_once_in_the_household_total():
    table = parse_allocation_table(rows_of(
        "序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
        "1,市府办,顾家浜村,393,67\n2,市交通局,顾家浜村,393,266\n合    计,786户,333户\n"))
    assert [str(e) for e in table.issues] == [
        "第4行【户籍总户数（户）】：合计为786户，各村、社区（重复出现的只计一次）之和为393户，相差393户"]


def test_it_refuses_a_continuation_row_with_nothing_above_it():
    table = parse_allocation_table(rows_of("序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n,,顾家浜村,393,67\n"))
    assert [(e.row, e.column) for e in table.issues] == [(2, "走访单位")]


def test_it_reads_leader_tables_with_continuation_rows_and_totals():
    table = parse_leader_table(rows_of(
        "序号,走访领导,走访村、社区,走访户数,备 注\n1,王  文,周家浜村,10,\n,,马援庄村    ,0,\n合计,,10户,\n"),
        with_villages=True)
    assert not table.issues
    assert [(r.leader, r.leader_as_written, r.village, r.count, r.continued) for r in table.rows] == [
        ("王文", "王  文", "周家浜村", 10, False), ("王文", "王  文", "马援庄村", 0, True)]
    assert table.total == 10
    enterprises = parse_leader_table(rows_of("序号,走访领导,走访企业数,备 注\n1,王  文,20,\n合计,20家,\n"),
                                     with_villages=False)
    assert not enterprises.issues
    assert enterprises.total == 20
