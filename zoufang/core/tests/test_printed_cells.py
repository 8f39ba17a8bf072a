"""What a clerk reads on the printed table, read back with openpyxl: a figure written as text (a 完成率 “10.2%”)
stands right as the numbers beside it do, and a table with no rows says so under its headers instead of printing a
header over nothing."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.core import sheetwriter

ROW = ["市交通局", 5274, "10.2%", "+2.50", "15292761822", "—", "尚无走访"]


def _table(rows: list[list[Any]], *, streaming: bool) -> Any:
    book = sheetwriter.ExportWorkbook(streaming=streaming)
    sheet = book.create_sheet("进度") if streaming else book.active
    sheet.title = "进度"
    sheet.set_widths([14, 8, 8, 8, 14, 6, 12])
    sheet.freeze_panes = "B3"
    sheet.append(["锦溪镇 各单位走访覆盖与进度"])
    sheet.table_row(["走访单位", "应走访", "完成率", "加减分", "联系电话", "备注", "说明"], header=True)
    for row in rows:
        sheet.table_row(row)
    return load_workbook(io.BytesIO(book.to_bytes()))["进度"]


@pytest.mark.parametrize("streaming", [True, False])
def test_it_right_aligns_a_figure_written_as_text(streaming: bool) -> None:
    sheet = _table([ROW, ROW], streaming=streaming)
    for row in (3, 4):
        aligned = {cell.column_letter: cell.alignment.horizontal for cell in sheet[row]}
        assert aligned["C"] == "right"  # 10.2 %
        assert aligned["D"] == "right"  # +2.50
        assert aligned["A"] != "right"
        assert aligned["E"] != "right"  # a phone number is an identifier, not a figure
        assert aligned["G"] != "right"
        assert sheet[f"C{row}"].alignment.wrap_text  # still a printed table's cell
        assert sheet[f"C{row}"].border.left.style == "thin"
    assert sheet["B2"].alignment.horizontal == "center"  # headers stay centred


@pytest.mark.parametrize("streaming", [True, False])
def test_it_says_under_the_headers_that_a_table_has_no_rows(streaming: bool) -> None:
    sheet = _table([], streaming=streaming)
    assert sheet.max_row == 3
    assert sheet["A3"].value == "本表无记录"
    assert "A3:G3" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet.print_title_rows == "$1:$2"


@pytest.mark.parametrize("streaming", [True, False])
def test_it_adds_nothing_under_a_table_with_rows(streaming: bool) -> None:
    sheet = _table([ROW], streaming=streaming)
    assert sheet.max_row == 3
    assert sheet["A3"].value == "市交通局"
