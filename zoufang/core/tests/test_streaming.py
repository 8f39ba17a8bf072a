"""The streaming ExportWorkbook: the same text guarantees and look as the in-memory one, at flat memory."""

import io
import tracemalloc

from openpyxl import load_workbook
from openpyxl.styles import Border, Font, Side

from zoufang.core import sheetwriter
from zoufang.core.tests.test_formula_injection import HOSTILE, assert_all_text


def _streamed(rows: int = 3) -> bytes:
    book = sheetwriter.ExportWorkbook(streaming=True)
    sheet = book.create_sheet("台账")
    sheet.set_widths([8, 30, 20])
    sheet.freeze_panes = "A2"
    sheet.append(["序号", "内容", "身份证号"], font=Font(bold=True))
    for n in range(1, rows + 1):
        sheet.append([n, f"走访\x01情况{n}", "0320123"])
    second = book.create_sheet("第二页")
    second.append(HOSTILE)
    second.append(["=1+1", "", None, "普通文字"])
    second.merge_cells("A3:B3")
    return book.to_bytes()


def test_it_streams_hostile_strings_as_text_with_the_quote_prefix():
    data = _streamed()
    assert_all_text(data, [*HOSTILE, "=1+1", "普通文字"])
    sheet = load_workbook(io.BytesIO(data))["第二页"]
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].quotePrefix
    assert sheet["H1"].value == "#N/A"
    assert sheet["H1"].data_type == "s"


def test_it_streams_the_header_style_widths_freeze_panes_and_text_columns():
    book = load_workbook(io.BytesIO(_streamed()))
    sheet = book["台账"]
    assert [c.value for c in sheet[1]] == ["序号", "内容", "身份证号"]
    assert all(c.font.b for c in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == [1, "走访情况1", "0320123"]  # control character dropped; digits stay text
    assert sheet["C2"].data_type == "s"
    assert "A3:B3" in {str(r) for r in book["第二页"].merged_cells.ranges}


def _peak(streaming: bool, rows: int) -> int:
    tracemalloc.start()
    book = sheetwriter.ExportWorkbook(streaming=streaming)
    sheet = book.create_sheet("数据") if streaming else book.active
    for n in range(rows):
        sheet.append([n, f"走访对象{n}", f"地址{n}号", "入户走访，了解情况", "2017-06-15 10:30", "是", n % 7, "=x"])
    book.save(io.BytesIO())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_a_streamed_workbook_stays_flat_as_rows_grow_where_the_in_memory_one_grows_with_them():
    """Peak memory at 1,000 and 5,000 rows: streamed, the same and under a small bound; in memory, growing
    with the rows (so the measure sees rows held). Five times the rows, not twenty thousand: tracemalloc
    makes every allocation slow, and flatness is what constant memory means."""
    bound = 12 * 1024 * 1024
    streamed_small, streamed_large = _peak(True, 1_000), _peak(True, 5_000)
    assert streamed_large < bound
    assert streamed_large < streamed_small * 1.5
    in_memory_small, in_memory_large = _peak(False, 1_000), _peak(False, 5_000)
    assert in_memory_large > in_memory_small * 3
    assert in_memory_large > streamed_large * 2


def test_styled_rows_keep_their_own_style_and_the_formula_guard_when_styles_are_reused():
    """StreamSheet sets a style combination once and copies it to later cells: each cell still shows its own
    combination, and a formula-like text stays quote-prefixed text under a reused style."""
    bold, boxed = Font(bold=True), Border(left=Side(style="thin"))
    book = sheetwriter.ExportWorkbook(streaming=True)
    sheet = book.create_sheet("样式")
    for n in range(3):
        sheet.append([f"=SUM({n})", f"普通{n}"], font=bold, border=boxed)
        sheet.append([f"第{n}行", "=1+1"], font=bold)
    sheet.append(["无样式", "=2"])
    read = load_workbook(io.BytesIO(book.to_bytes()))["样式"]
    for row in (1, 3, 5):
        assert read.cell(row, 1).font.b
        assert read.cell(row, 1).border.left.style == "thin"
        assert read.cell(row, 1).quotePrefix
        assert read.cell(row, 1).data_type == "s"
        assert not read.cell(row, 2).quotePrefix
    for row in (2, 4, 6):
        assert read.cell(row, 1).font.b
        assert read.cell(row, 1).border.left.style is None
        assert read.cell(row, 2).quotePrefix
        assert read.cell(row, 2).value == "=1+1"
    assert not read.cell(7, 1).font.b
    assert read.cell(7, 2).quotePrefix


def test_every_sheet_prints_on_a4_one_page_wide_with_the_frozen_rows_repeated():
    """Both writers: a list printed from any export fits the page's width and repeats its title and headers."""
    memory = sheetwriter.ExportWorkbook()
    sheet = memory.active
    sheet.append(["清单"])
    sheet.append(["序号", "内容"])
    sheet.freeze_panes = "B3"
    memory.create_sheet("无冻结").append(["说明"])
    portrait = memory.create_sheet("竖排")
    sheetwriter.print_on_a4(portrait, landscape=False, title_rows="1:1")
    for data in (_streamed(), memory.to_bytes()):
        book = load_workbook(io.BytesIO(data))
        for each in book.worksheets:
            assert str(each.page_setup.paperSize) == each.PAPERSIZE_A4
            assert each.sheet_properties.pageSetUpPr.fitToPage
            assert (each.page_setup.fitToWidth, each.page_setup.fitToHeight) == (1, 0)
            assert each.page_setup.orientation == ("portrait" if each.title == "竖排" else "landscape")
    streamed, kept = load_workbook(io.BytesIO(_streamed())), load_workbook(io.BytesIO(memory.to_bytes()))
    assert streamed["台账"].print_title_rows == "$1:$1"
    assert streamed["第二页"].print_title_rows is None
    assert kept.worksheets[0].print_title_rows == "$1:$2"
    assert kept["无冻结"].print_title_rows is None
    assert kept["竖排"].print_title_rows == "$1:$1"
