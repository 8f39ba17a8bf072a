"""Reading csv and xlsx into numbered rows of strings; writing templates."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from zoufang.core.sheetwriter import write_template
from zoufang.core.tabular import (
    Column,
    RowError,
    TabularError,
    match_headers,
    normalise_header,
    parse_count,
    person_name,
    read_rows,
)

ROWS = [["序号", "走访单位"], ["1", "苏州市妇联"], ["", ""], ["合    计", "13815户"]]


def _csv(text: str, encoding: str) -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_it_reads_csv_in_every_encoding_towns_use(encoding):
    rows = read_rows(_csv("序号,走访单位\n1, 苏州市妇联 \n,\n合    计,13815户\n", encoding))
    assert [(r.number, list(r.cells)) for r in rows] == [
        (1, ["序号", "走访单位"]), (2, ["1", "苏州市妇联"]), (3, ["", ""]), (4, ["合    计", "13815户"])]
    assert rows[2].is_blank()


def test_it_reads_xlsx_with_excel_row_numbers_and_plain_cell_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"] = "户主姓名"
    sheet["C3"] = "家庭人口"
    sheet["D3"] = "登记日期"
    sheet["B5"] = "张三"
    sheet["C5"] = 4
    sheet["D5"] = dt.date(2017, 3, 1)
    sheet["E5"] = 13812345678
    out = io.BytesIO()
    workbook.save(out)
    rows = read_rows(io.BytesIO(out.getvalue()), "h.xlsx")
    assert rows[2].number == 3
    assert rows[2].cells[1:4] == ("户主姓名", "家庭人口", "登记日期")
    assert rows[4].number == 5
    assert rows[4].cells[1:] == ("张三", "4", "2017-03-01", "13812345678")


def test_it_refuses_a_damaged_workbook():
    with pytest.raises(TabularError):
        read_rows(io.BytesIO(b"PK\x03\x04 not really a zip"), "x.xlsx")


def test_it_matches_headers_with_spaces_and_half_width_brackets():
    columns = [Column("村（社区）", True, aliases=("村、社区",)), Column("备注")]
    rows = read_rows(_csv("村 (社区) ,备 注,其他\n", "utf-8"))
    match = match_headers(rows[0], columns)
    assert match.positions == {"村（社区）": 0, "备注": 1}
    assert [str(e) for e in match.errors] == [
        "第1行【其他】：未知列，可用的列为：村（社区）、备注。不需要的列请删除（序号、登记日期、备注等列会自动忽略）"]
    missing = match_headers(read_rows(_csv("备注\n", "utf-8"))[0], columns)
    assert [str(e) for e in missing.errors] == ["第1行【村（社区）】：缺少必填列"]


def test_it_normalises_names_counts_and_headers():
    assert person_name("王  文") == "王文"
    assert person_name(" John   Smith ") == "John Smith"
    assert [parse_count(v) for v in ("13815户", "53家", "1,360", "12.0", "-1", "")] == [13815, 53, 1360, 12, None, None]
    assert normalise_header(" 户籍总户数(户) ") == "户籍总户数（户）"
    assert str(RowError(None, "", "无法读取")) == "无法读取"


def test_it_writes_a_template_with_a_bold_header_and_instructions():
    out = io.BytesIO()
    write_template(out, [Column("身份证号码", True, "GB 11643", "320583197001010011", width=22, text=True)],
                   title="居民户", notes=["说明一行"])
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    sheet = workbook["居民户"]
    assert sheet["A1"].value == "身份证号码"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width == 22
    instructions = [[c.value for c in row] for row in workbook["说明"].iter_rows()]
    assert instructions[:2] == [["列名", "是否必填", "填写规则", "示例"], ["身份证号码", "必填", "GB 11643", "320583197001010011"]]
    assert instructions[-1][0] == "说明一行"
