"""The paper every export prints on (decision 0030), read back with openpyxl: A4 while the columns print at 8 pt or
more across it, A3 across for wider tables, several pages across beyond that with the first columns repeated; the
header rows on every page and the page numbers at the foot."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.core import sheetwriter


def _printed(widths: list[float], *, streaming: bool = True, freeze: str = "A3", landscape: bool = True,
             hidden: str = "") -> Any:
    book = sheetwriter.ExportWorkbook(streaming=streaming)
    sheet = book.create_sheet("台账") if streaming else book.active
    sheet.title = "台账"
    if not landscape:
        sheetwriter.print_on_a4(sheet, landscape=False)
    sheet.set_widths(widths)
    if hidden:
        sheet.column_dimensions[hidden].hidden = True
    sheet.freeze_panes = freeze
    sheet.append(["走访台账"])
    sheet.append([f"列{n}" for n in range(1, len(widths) + 1)])
    sheet.append(["入户走访，了解家庭生产生活情况"] * len(widths))
    return load_workbook(io.BytesIO(book.to_bytes()))["台账"]


def _scale(sheet: Any) -> float:
    """The largest scale at which the columns fit the page across (Excel's and LibreOffice's fit to width)."""
    short, long = sheetwriter.PAPERS[str(sheet.page_setup.paperSize)]
    room = (long if sheet.page_setup.orientation == "landscape" else short) - 72 * (
        sheet.page_margins.left + sheet.page_margins.right)
    wide = sum(sheetwriter.printed_width(sheet.column_dimensions[letter].width)
               for letter, dimension in sheet.column_dimensions.items() if not dimension.hidden)
    return min(1.0, room / wide)


@pytest.mark.parametrize("streaming", [True, False])
def test_it_keeps_a_table_that_prints_readably_on_a4(streaming: bool) -> None:
    sheet = _printed([6, 20, 30, 14, 40, 12, 12, 12], streaming=streaming)  # 146: the 民情走访日记, a weekly list
    assert str(sheet.page_setup.paperSize) == Worksheet.PAPERSIZE_A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert _scale(sheet) * sheetwriter.BODY_POINTS >= sheetwriter.READABLE_POINTS
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_it_keeps_a_portrait_sheet_upright_while_it_prints_readably() -> None:
    sheet = _printed([6, 12, 20, 12, 14, 30, 12, 10], landscape=False)  # a walk list, 116
    assert (str(sheet.page_setup.paperSize), sheet.page_setup.orientation) == (Worksheet.PAPERSIZE_A4, "portrait")
    turned = _printed([6, 12, 20, 12, 14, 30, 12, 10, 30], landscape=False)
    assert (str(turned.page_setup.paperSize), turned.page_setup.orientation) == (Worksheet.PAPERSIZE_A4, "landscape")


def test_it_puts_a_table_too_wide_for_a4_on_a3_across_at_8_points_or_more() -> None:
    sheet = _printed([6, 17, 10, 14, 12, 10, 22, 10, 24, 14, 10, 14, 12, 40, 8, 8, 12, 8])  # the old ledger, 261
    assert str(sheet.page_setup.paperSize) == Worksheet.PAPERSIZE_A3
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert _scale(sheet) * sheetwriter.BODY_POINTS >= sheetwriter.READABLE_POINTS
    assert not sheet.print_title_cols
    assert sheet.print_title_rows == "$1:$2"


def test_it_spreads_a_table_too_wide_for_a3_over_pages_across_with_its_first_columns_repeated() -> None:
    sheet = _printed([12] + [10] * 35, freeze="B3")  # 362
    assert str(sheet.page_setup.paperSize) == Worksheet.PAPERSIZE_A3
    assert sheet.page_setup.fitToWidth == 2
    assert sheet.page_setup.pageOrder == "overThenDown"  # a page's right part next to its left
    assert sheet.print_title_cols == "$A:$A"
    assert sheet.print_title_rows == "$1:$2"
    # Two pages across at 8 pt hold every column with column A repeated on the second.
    room = (sheetwriter.PAPERS[Worksheet.PAPERSIZE_A3][1] - 72) * sheetwriter.BODY_POINTS / sheetwriter.READABLE_POINTS
    assert sheetwriter.printed_width(12) + sum(sheetwriter.printed_width(w) for w in [12] + [10] * 35) <= 2 * room
    wider = _printed([10] * 60)
    assert wider.page_setup.fitToWidth == 3
    assert wider.print_title_cols == "$A:$A"


def test_a_hidden_column_is_not_counted() -> None:
    assert str(_printed([10] * 17 + [60], hidden="R").page_setup.paperSize) == Worksheet.PAPERSIZE_A4
    assert str(_printed([10] * 17 + [60]).page_setup.paperSize) == Worksheet.PAPERSIZE_A3


def test_a_footer_the_export_set_is_kept() -> None:
    book = sheetwriter.ExportWorkbook()
    book.active.oddFooter.center.text = "审计记录 第 &P 页"
    assert load_workbook(io.BytesIO(book.to_bytes())).active.oddFooter.center.text == "审计记录 第 &P 页"
