"""Reading csv and xlsx into numbered rows of strings; writing templates."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from zoufang.core import sheetwriter
from zoufang.core.sheetwriter import write_template
from zoufang.core.tabular import (
    Column,
    RowError,
    TabularError,
    match_headers,
    normalise_header,
    not_a_count,
    parse_count,
    person_name,
    read_rows,
    unreadable_cells,
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


def test_a_cell_no_database_stores_is_unreadable_naming_its_column():
    """A NUL, escaped in an xlsx by the program that wrote it (XML holds none): PostgreSQL would refuse it."""
    workbook = Workbook()
    workbook.active.append(["户主姓名", "地址"])
    workbook.active.append(["张三", "上下塘街1号"])
    workbook.active.append(["李_x0000_四", "上下塘街2号_x0000_"])
    out = io.BytesIO()
    workbook.save(out)
    rows = read_rows(io.BytesIO(out.getvalue()), "h.xlsx")
    assert unreadable_cells(rows[1], {"户主姓名": 0, "地址": 1}) == []
    errors = unreadable_cells(rows[2], {"户主姓名": 0, "地址": 1})
    assert [(e.row, e.column) for e in errors] == [(3, "户主姓名"), (3, "地址")]
    assert "空字符 NUL" in errors[0].message


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


def test_a_count_no_database_column_holds_is_no_count():
    assert [parse_count(v) for v in ("99999999", "100000000", "99999999999999999999")] == [99_999_999, None, None]
    assert not_a_count("99999999999999999999户") == "应为0到99999999之间的整数，表中为“99999999999999999999户”"
    assert not_a_count("三个") == "应为不小于0的整数，表中为“三个”"


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
    assert instructions[0][0] == "居民户填写说明"  # the title on top, then the columns
    assert instructions[1:3] == [["列名", "是否必填", "填写规则", "示例"], ["身份证号码", "必填", "GB 11643", "320583197001010011"]]
    assert instructions[-1][0] == "说明一行"


def test_a_printed_row_is_as_tall_as_its_longest_wrapped_text():
    from zoufang.core.sheetwriter import MAX_ROW_POINTS, fitted_height, lines_needed, text_width

    assert text_width("abc") == 3
    assert text_width("走访") == pytest.approx(4.3)  # 2.15 a Chinese character: Excel's 15 px of its 7 px unit
    assert text_width("1.4 收集") == pytest.approx(8.3)
    assert lines_needed("走访" * 10, 44) == 1  # 43 units in 43.25 usable (0.75 of the width is the cell's margins)
    assert lines_needed("走访" * 10, 43) == 2
    assert lines_needed("走访" * 10, 10) == 5  # 4 characters (8.6 units) a line in 9.25
    assert lines_needed("走" * 16, 36) == 1  # Excel holds 16 in a column 36 wide: (252 - 5) px / 15 px
    assert lines_needed("走" * 17, 36) == 2
    assert lines_needed("第一行\n第二行", 40) == 2  # a line break is a line
    assert lines_needed(12345, 3) == lines_needed(dt.date(2017, 6, 1), 3) == 1
    assert fitted_height(["短", "走访" * 10], [10, 10]) == 5 * 16 + 2  # 16 pt a line, 2 pt of margins
    assert fitted_height(["短", "短"], [10, 10]) is None
    assert fitted_height(["走" * 5000], [10]) == MAX_ROW_POINTS


def test_a_run_of_ascii_wraps_whole_as_the_spreadsheet_wraps_it():
    from zoufang.core.sheetwriter import lines_needed

    # 8.6 + 9 + 4.3 units would fill two lines of 11.25, but “abcdefghi” is not split: 走访走访 / abcdefghi走 / 访.
    assert lines_needed("走访走访abcdefghi走访", 12) == 3
    # An account stays whole with its brackets; longer than a line, it starts one and is broken where it ends:
    # 周庄镇走访 / 办 / （zhouzhuang / ）, as Excel prints it (15 px a character in 86 px).
    assert lines_needed("周庄镇走访办（zhouzhuang）", 13) == 4
    assert lines_needed("周庄镇社事局承办人（zhouzhuang_sheshi）", 13) == 4  # 5 + 4 characters, then 10 + 9
    assert lines_needed("账号 zhouzhuang_sheshi：office", 19) == 3  # 账号 / zhouzhuang_sheshi： / office
    assert lines_needed("2017-06-14 11:40:40", 11) == 2  # at the space
    assert lines_needed("0123456789abcdef" * 4, 66) == 1  # a whole chain hash on one line of its column
    assert lines_needed("0123456789abcdef" * 4, 64) == 2  # and broken where it is longer than one


def test_a_streamed_tables_reused_cells_carry_nothing_from_one_row_to_the_next():
    from zoufang.core.sheetwriter import ExportWorkbook

    book = ExportWorkbook(streaming=True)
    sheet = book.create_sheet("表")
    sheet.set_widths([12, 12])
    sheet.table_row(["日期", "说明"], header=True)
    sheet.table_row([dt.date(2017, 6, 1), "=HYPERLINK(1)"])
    sheet.table_row([5, "普通文字"])
    sheet.table_row([dt.datetime(2017, 6, 1, 9, 30), "走访" * 20], bold=True)  # noqa: DTZ001 - xlsx holds no time zone
    sheet.table_row([7, None])
    assert not sheet.row_dimensions  # written rows' heights are not kept in memory
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()))["表"]
    assert read["A2"].value == dt.datetime(2017, 6, 1)  # noqa: DTZ001 - as read back
    assert read["A2"].number_format == sheetwriter.DAY_FORMAT  # 2017年6月15日
    assert read["A3"].value == 5
    assert read["A3"].number_format == "General"
    assert read["A5"].number_format == "General"  # not the datetime's format, set on its cell a row above
    assert read["B2"].value == "=HYPERLINK(1)"
    assert read["B2"].data_type == "s"
    assert read["B2"].quotePrefix
    assert not read["B3"].quotePrefix
    assert read["B3"].value == "普通文字"
    assert read["A4"].font.bold
    assert not read["A5"].font.bold
    assert read["B5"].border.left.style == "thin"  # an empty cell of the table is boxed too
    assert read.row_dimensions[4].height == 8 * 16 + 2  # 40 Chinese characters, 5 a line (10.75 units) in 11.25
    assert read.row_dimensions[3].height is None


def test_it_reads_a_header_name_through_the_notes_clerks_write_after_it():
    from zoufang.core.tabular import header_lookup, plain_header

    names = {"走访户数", "户籍总户数（户）", "备注"}
    assert [header_lookup(cell, names) for cell in (
        "走访户数\n（单位：户）", "走访户数※", "走访户数\n注：含外来人口", "走 访　户 数", "户籍总户数(户)", "备注（可空）",
        "走访户数单位：户", "走访")] == ["走访户数", "走访户数", "走访户数", "走访户数", "户籍总户数（户）", "备注",
                                 "走访户数", None]
    assert plain_header("户籍户口\n（户）") == "户籍户口"


def test_it_names_columns_and_rows_as_a_clerk_reads_them():
    from zoufang.core.tabular import SheetRow, column_letter, is_note_row, row_numbers

    assert [column_letter(at) for at in (0, 4, 25, 26, 27)] == ["A", "E", "Z", "AA", "AB"]
    assert row_numbers([10, 7, 8, 11, 12, 31, 9]) == "7—12、31"
    assert row_numbers([3, 4, 9]) == "3、4、9"
    assert is_note_row(SheetRow(30, ("注：1. 户籍总户数以2016年底为准。",)))
    assert is_note_row(SheetRow(31, ("填表人：张三", "", "审核人：李四")))
    assert not is_note_row(SheetRow(32, ("注册企业", "上下塘社区")))
    assert not is_note_row(SheetRow(33, ("1", "市府办", "干家甸社区", "417", "357")))
