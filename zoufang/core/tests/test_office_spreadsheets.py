"""Spreadsheets as other offices make them, read back from real files: what the clerk hid, counts and dates as typed,
identifiers Excel turned into numbers. Each is read as the clerk sees it or marked so an import can say why not."""

import datetime as dt
import io
import zipfile

import pytest
import xlwt
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

from zoufang.core.tabular import TabularError, parse_count, parse_date, read_sheet
from zoufang.core.tests.test_workbook_scan import _repack
from zoufang.registry.tests.test_import_support import as_excel_saves, xlsx_file

REGISTER = [["户主姓名", "村（社区）", "身份证号码", "家庭人口"], ["张三", "上下塘社区", "", 3], ["李四", "上下塘社区", "", 4],
            ["王五", "计家墩村", "", 5], ["赵六", "计家墩村", "", 2]]


def _xlsx(setup) -> bytes:
    return xlsx_file(REGISTER, setup=setup).getvalue()


def _hide_by_hand(sheet):
    sheet.row_dimensions[3].hidden = True  # 李四: hidden instead of deleted
    sheet.column_dimensions["C"].hidden = True  # 身份证号码, hidden for printing
    sheet.column_dimensions.group("F", "XFD", hidden=True)  # every unused column to the right, a tidy office's habit


def _filter_one_village(sheet):
    sheet.auto_filter.ref = "A1:D5"
    sheet.auto_filter.add_filter_column(1, ["上下塘社区"])
    for number in (4, 5):  # Excel hides the rows the filter leaves out and saves them so
        sheet.row_dimensions[number].hidden = True


def test_rows_and_columns_hidden_by_hand_are_read_and_marked_hidden():
    sheet = read_sheet(io.BytesIO(_xlsx(_hide_by_hand)), "h.xlsx")
    assert [row.cells[0] for row in sheet.rows] == ["户主姓名", "张三", "李四", "王五", "赵六"]
    assert [row.number for row in sheet.rows if row.hidden] == [3]
    assert sheet.hidden_columns == frozenset({2})  # within the table's width: F:XFD hold nothing


def test_rows_an_autofilter_leaves_out_are_marked_hidden():
    sheet = read_sheet(io.BytesIO(_xlsx(_filter_one_village)), "h.xlsx")
    assert [row.number for row in sheet.rows if row.hidden] == [4, 5]


def test_hidden_written_as_true_by_other_programs_counts_too():
    data = _xlsx(_hide_by_hand)
    part = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    assert xml.count(b'hidden="1"') >= 2
    sheet = read_sheet(io.BytesIO(_repack(data, part, xml.replace(b'hidden="1"', b'hidden="true"'))), "h.xlsx")
    assert [row.number for row in sheet.rows if row.hidden] == [3]
    assert sheet.hidden_columns == frozenset({2})


def test_an_old_xls_marks_its_hidden_rows_and_columns_and_spreads_a_village_merged_down():
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("户籍户")
    for r, row in enumerate(REGISTER):
        for c, value in enumerate(row):
            if c != 1 or r == 0:
                page.write(r, c, value)
    page.write_merge(1, 2, 1, 1, "上下塘社区")
    page.write_merge(3, 4, 1, 1, "计家墩村")
    page.row(2).hidden = True
    page.col(2).hidden = True
    out = io.BytesIO()
    book.save(out)
    sheet = read_sheet(io.BytesIO(out.getvalue()), "h.xls")
    assert [row.cells[:2] for row in sheet.rows[1:]] == [
        ("张三", "上下塘社区"), ("李四", "上下塘社区"), ("王五", "计家墩村"), ("赵六", "计家墩村")]
    assert [row.number for row in sheet.rows if row.hidden] == [3]
    assert sheet.hidden_columns == frozenset({2})


def test_an_id_number_excel_stored_as_a_number_is_marked_lossy_in_xls_and_xlsx():
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("户籍户")
    page.write(0, 0, "身份证号码")
    page.write(1, 0, 320583197001010011)
    page.write(2, 0, 13912345678.0)  # a phone number as a float: exact, not lossy
    out = io.BytesIO()
    book.save(out)
    rows = read_sheet(io.BytesIO(out.getvalue()), "h.xls").rows
    assert (rows[1].cells[0], rows[1].lossy) == ("320583197001009984", frozenset({0}))  # the tail is gone
    assert (rows[2].cells[0], rows[2].lossy) == ("13912345678", frozenset())


@pytest.mark.parametrize(("text", "count"), [
    ("1,234", 1234), (" 243 ", 243), ("２４３", 243), ("１，２３４", 1234), ("243户", 243), ("101家", 101),
    ("243.0", 243), ("243.5", None), ("50%", None), ("-5", None), ("约240", None), ("243 户", 243),
])
def test_counts_as_offices_type_them(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", [
    "42858", "42858.0", "2017.5.3", "2017年5月3日", "2017/05/03", "2017-05-03 00:00:00", "20170503", "２０１７年５月３日",
])
def test_dates_as_offices_type_them(text):
    assert parse_date(text) == dt.date(2017, 5, 3)


@pytest.mark.parametrize("text", ["2017.13.3", "5/3/2017", "2017年5月", "42858.5"])
def test_what_is_not_a_whole_date_is_none(text):
    assert parse_date(text) is None


def test_a_csv_keeps_numbers_as_text_the_ways_excel_reads_them():
    data = ('身份证号码,联系电话,地址\n="320583197001010011",="13912345678",="上下塘街1号"\n'
            "'32058319700101001X,'0512-57223456,'s Gravenhage\n"
            '"=""320583197001010011""",=SUM(A1:A2),"=""a""""b"""\n').encode("gb18030")
    rows = read_sheet(io.BytesIO(data), "h.csv").rows
    assert [row.cells for row in rows[1:]] == [
        ("320583197001010011", "13912345678", "上下塘街1号"),
        ("32058319700101001X", "0512-57223456", "'s Gravenhage"),  # an apostrophe before words is the text's own
        ("320583197001010011", "=SUM(A1:A2)", '="a""b"')]  # anything else stays as written, for the checks to refuse


def test_a_number_a_formula_left_a_hair_off_reads_as_excel_shows_it():
    def computed(sheet):
        sheet["D2"] = 0.07 * 100  # =B7*100 with B7 0.07: Excel saves 7.000000000000001 and shows 7
        sheet["D3"] = 0.1 + 0.2  # shows 0.3
        sheet["D4"] = 3.5  # a real fraction stays one, for the count check to refuse

    rows = read_sheet(io.BytesIO(_xlsx(computed)), "h.xlsx").rows
    assert [row.cells[3] for row in rows[1:4]] == ["7", "0.3", "3.5"]
    assert parse_count(rows[1].cells[3]) == 7


def test_text_struck_through_is_marked_in_xlsx_and_xls():
    def strike(sheet):
        for cell in sheet[3]:  # 李四's line struck through: 划掉, moved away
            cell.font = Font(strike=True)
        sheet["D5"].font = Font(strike=True, bold=True)
        sheet["A4"].font = Font(strike=False, italic=True)  # a font that says strike off is not struck

    sheet = read_sheet(io.BytesIO(_xlsx(strike)), "h.xlsx")
    assert [(row.number, sorted(row.struck)) for row in sheet.rows if row.struck] == [(3, [0, 1, 3]), (5, [3])]  # C3 is blank

    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("户籍户")
    struck = xlwt.easyxf("font: struck_out on")
    for r, row in enumerate(REGISTER):
        for c, value in enumerate(row):
            page.write(r, c, value, struck if r == 2 or (r, c) == (4, 3) else xlwt.Style.default_style)
    out = io.BytesIO()
    book.save(out)
    sheet = read_sheet(io.BytesIO(out.getvalue()), "h.xls")
    assert [(row.number, sorted(row.struck)) for row in sheet.rows if row.struck] == [(3, [0, 1, 3]), (5, [3])]  # C3 is blank


def _struck(text: str) -> TextBlock:
    return TextBlock(InlineFont(strike=True), text)


def _strike_in_part(sheet):
    sheet["A2"] = CellRichText([_struck("张三"), "张山"])  # a correction: the old spelling struck, the new after it
    sheet["A3"] = CellRichText([_struck("李四"), _struck("（已迁出）")])  # every run struck: the whole text is
    sheet["A4"] = CellRichText([_struck(" "), TextBlock(InlineFont(sz=11), "王五")])  # only a space struck
    sheet["B5"] = CellRichText(["计家墩村", TextBlock(InlineFont(sz=11), "一组")])  # the cell's own font strikes…
    sheet["B5"].font = Font(strike=True)  # …the run without a font of its own, not the one with its own
    sheet["A6"] = CellRichText([_struck("赵六"), "、钱七"])  # one of two names, in a village merged down two rows
    sheet["B6"] = CellRichText([_struck("计家墩村"), "、上下塘社区"])
    sheet.merge_cells("B6:B7")


@pytest.mark.parametrize("saved_by", ["openpyxl", "excel"])
def test_text_struck_through_in_part_of_a_cell_is_marked_apart_from_a_whole_strike(saved_by):
    """docs/decisions/0029 addendum: rich text, each run with its own font, inline (openpyxl) or shared (Excel)."""
    data = xlsx_file([*REGISTER, ["", ""], ["孙八", ""]], setup=_strike_in_part)
    sheet = read_sheet(as_excel_saves(data) if saved_by == "excel" else data, "h.xlsx")
    assert [row.cells[:2] for row in sheet.rows[1:]] == [
        ("张三张山", "上下塘社区"), ("李四（已迁出）", "上下塘社区"), ("王五", "计家墩村"), ("赵六", "计家墩村一组"),
        ("赵六、钱七", "计家墩村、上下塘社区"), ("孙八", "计家墩村、上下塘社区")]
    assert [(row.number, sorted(row.partly_struck)) for row in sheet.rows if row.partly_struck] == [
        (2, [0]), (5, [1]), (6, [0, 1]), (7, [1])]
    assert [(row.number, sorted(row.struck)) for row in sheet.rows if row.struck] == [(3, [0])]


def test_text_struck_through_in_part_of_a_cell_is_marked_in_an_old_xls_too():
    """The .xls keeps rich text's runs in its shared strings; 3,000 names before them carry the table over many
    CONTINUE records, some cut inside a name."""
    struck, plain = xlwt.Font(), xlwt.Font()
    struck.struck_out, plain.height = True, 220
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("户籍户")
    page.write(0, 0, "户主姓名")
    page.write(0, 1, "村（社区）")
    for number in range(1, 3001):
        page.write(number, 0, f"上下塘社区第{number}户户主（共三千户，撑大共享字符串表）")
    page.write_rich_text(3001, 0, [("张三", struck), "张山"])
    page.write_rich_text(3002, 0, [("李四", struck), ("（已迁出）", struck)])
    page.write_rich_text(3003, 0, [(" ", struck), "王五"])
    page.write_rich_text(3004, 1, ["计家墩村", ("一组", plain)], xlwt.easyxf("font: struck_out on"))
    out = io.BytesIO()
    book.save(out)
    rows = read_sheet(io.BytesIO(out.getvalue()), "h.xls").rows
    assert [row.cells for row in rows[3001:]] == [("张三张山", ""), ("李四（已迁出）", ""), ("王五", ""), ("", "计家墩村一组")]
    assert [(row.number, sorted(row.partly_struck)) for row in rows if row.partly_struck] == [(3002, [0]), (3005, [1])]
    assert [(row.number, sorted(row.struck)) for row in rows if row.struck] == [(3003, [0])]


@pytest.mark.parametrize(("form", "state"), [("xlsx", "hidden"), ("xlsx", "veryHidden"), ("xls", 1)])
def test_data_only_on_a_hidden_sheet_is_refused_not_read_unseen(form, state):
    """The clerk sees an empty cover sheet; the rows are on a sheet hidden behind it. Reading them imported what the
    clerk cannot see, without a word (decision 0029: what a workbook hides is never guessed)."""
    if form == "xlsx":
        book = Workbook()
        book.active.title = "封面"
        page = book.create_sheet("户籍户 2017")
        for row in REGISTER:
            page.append(row)
        page.sheet_state = state
        out = io.BytesIO()
        book.save(out)
    else:
        old = xlwt.Workbook(encoding="utf-8")
        old.add_sheet("封面")
        sheet = old.add_sheet("户籍户 2017")
        for r, row in enumerate(REGISTER):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        sheet.visibility = state
        out = io.BytesIO()
        old.save(out)
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(out.getvalue()), f"h.{form}")
    assert str(refused.value) == (
        "数据在隐藏的工作表“户籍户 2017”中（其他工作表没有数据），无法确定是否要导入。要导入的，请右键点工作表标签→"
        "“取消隐藏”，选中它后保存；不要导入的，请删去这张工作表。保存后再导入")



WPS_ET = "WPS 表格文件（.et）不能直接导入：请在 WPS 中“文件→另存为”，文件类型选“Excel 工作簿（*.xlsx）”，保存后再导入"


@pytest.mark.parametrize("name", ["户籍户.et", "模板.ETT"])
def test_a_wps_spreadsheet_in_its_own_format_is_refused_saying_how_to_save_it(name):
    """WPS's own .et is an OLE file like an old .xls: read as one, it fails as “not a valid xlsx/csv, or a password”."""
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504), name)
    assert str(refused.value) == WPS_ET
