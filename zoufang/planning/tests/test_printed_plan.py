"""The plan's workbook on paper, read back with openpyxl on the 锦溪镇 demo: every walk list (名单NNN) numbers its pages
and ends in a 合计 line of what it holds, and every header of the 附件 tables fits its column on one line (附件1's
户籍总户数（户） printed its “）” alone on a line)."""

import io
from typing import Any

import openpyxl
import pytest

from zoufang.core.sheetwriter import LINE_POINTS, fitting_width, lines_needed
from zoufang.planning.walklists import COLUMNS, walk_lists

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def book(demo_plan_workbook: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(demo_plan_workbook))


def _lists(book: Any) -> list[Any]:
    return [book[name] for name in book.sheetnames if name.startswith("名单")]


def test_every_walk_list_numbers_its_pages(book: Any) -> None:
    sheets = _lists(book)
    assert sheets
    for sheet in sheets:
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页", sheet.title
    assert book["走访名单"].oddFooter.center.text == "第 &P 页，共 &N 页"


def test_every_walk_list_ends_in_a_total(book: Any, demo: Any) -> None:
    expected = list(walk_lists(demo))
    sheets = _lists(book)
    assert len(sheets) == len(expected)
    for sheet, walk in zip(sheets, expected, strict=True):
        last = sheet.max_row
        assert sheet.cell(last, 1).value == f"合计：{walk.total()}", sheet.title
        assert walk.total().endswith(f"共 {len(walk.items)} 个")
        assert f"A{last}:H{last}" in {str(merged) for merged in sheet.merged_cells.ranges}
        assert sheet.cell(last, 1).font.bold
        assert sheet.cell(last, 1).border.bottom.style == "thin"
        header = next(row for row in range(1, last) if sheet.cell(row, 1).value == COLUMNS[0])
        assert last - header - 1 == len(walk.items)  # one line per target, then the total


def _width(sheet: Any, first: int, last: int) -> float:
    letters = [openpyxl.utils.get_column_letter(column) for column in range(first, last + 1)]
    return sum(sheet.column_dimensions[letter].width or 8.43 for letter in letters)


def test_every_table_header_fits_its_column(book: Any) -> None:
    tables = [name for name in book.sheetnames if name.startswith("附件")]
    assert "附件1" in tables
    for name in tables:
        sheet = book[name]
        spans = {(m.min_row, m.min_col): m.max_col for m in sheet.merged_cells.ranges}
        header_rows = 3 if "A2:A3" in {str(m) for m in sheet.merged_cells.ranges} else 2  # a split heading
        for row in range(2, header_rows + 1):
            for cell in sheet[row]:
                if not isinstance(cell.value, str) or not cell.value.strip():
                    continue
                across = _width(sheet, cell.column, spans.get((row, cell.column), cell.column))
                assert fitting_width(cell.value) <= across, (name, cell.coordinate, cell.value, across)


def test_every_walk_lists_heading_wraps_within_the_table(book: Any) -> None:
    """A heading naming 22 villages ran on unwrapped past the table, and LibreOffice shrank the whole list to fit it
    across the page (名单001 printed at about 4 pt)."""
    across = _width(book[_lists(book)[0].title], 1, len(COLUMNS))
    for sheet in _lists(book):
        heading = sheet["A2"]
        assert heading.value.startswith("走访单位："), sheet.title
        assert heading.alignment.wrap_text, sheet.title
        lines = lines_needed(heading.value, across)
        if lines > 1:
            assert sheet.row_dimensions[2].height >= lines * LINE_POINTS, sheet.title
