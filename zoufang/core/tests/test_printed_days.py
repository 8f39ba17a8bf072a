"""How the one writer prints a day, read back with openpyxl: a date stays a date for programs and shows as
2017年6月15日 (a number format), in a column wide enough for it (else Excel shows ####); no sheet is named in
English; a streamed sheet closed before the workbook is saved still gets its page numbers and its paper."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Alignment

from zoufang import clock
from zoufang.core import sheetwriter

DAY = dt.date(2017, 12, 31)


def _read(book: sheetwriter.ExportWorkbook) -> Any:
    return load_workbook(io.BytesIO(book.to_bytes()))


def test_it_says_a_day_as_people_read_it() -> None:
    assert clock.day(dt.date(2017, 6, 5)) == "2017年6月5日"
    assert sheetwriter.fitting_width(DAY) == sheetwriter.DAY_WIDTH >= sheetwriter.fitting_width("2017年12月31日")


def test_it_says_a_moment_as_it_says_a_day() -> None:
    moment = dt.datetime(2017, 6, 14, 15, 46, 5, tzinfo=dt.UTC)  # 23:46 in Beijing
    assert clock.minute(moment) == "2017年6月14日 23:46"
    assert clock.second(moment) == "2017年6月14日 23:46:05"
    assert clock.minute(dt.datetime(2017, 6, 4, 16, 5, tzinfo=dt.UTC)) == "2017年6月5日 00:05"


@pytest.mark.parametrize("streaming", [True, False])
def test_it_prints_a_date_in_chinese_and_keeps_it_a_date(streaming: bool) -> None:
    book = sheetwriter.ExportWorkbook(streaming=streaming)
    sheet = book.create_sheet("表") if streaming else book.active
    sheet.title = "表"
    sheet.set_widths([sheetwriter.DAY_WIDTH] * 3)
    sheet.table_row(["收集日期", "办结日期", "说明"], header=True)
    sheet.table_row([DAY, dt.date(2017, 6, 5), "文字"])
    if streaming:
        sheet.append([DAY, DAY], alignment=Alignment(vertical="top"))  # a styled cell, as the ratings write them
        sheet.append([DAY, "文字"])  # a plain one
    else:
        sheet.append([DAY, "文字"])
    read = _read(book)["表"]
    days = [cell for row in read.iter_rows(min_row=2) for cell in row if isinstance(cell.value, dt.datetime)]
    assert len(days) == (5 if streaming else 3)
    for cell in days:
        assert cell.is_date
        assert cell.number_format == sheetwriter.DAY_FORMAT == 'yyyy"年"m"月"d"日"'
    assert read["C2"].number_format == "General"  # text beside a date keeps its own format


def test_an_unstreamed_sheet_widens_a_column_too_narrow_for_its_dates() -> None:
    book = sheetwriter.ExportWorkbook()
    sheet = book.active
    sheet.title = "表"
    sheet.set_widths([6, 10, 20])
    sheet.table_row(["序号", "日期", "说明"], header=True)
    sheet.table_row([1, DAY, "文字"])
    read = _read(book)["表"]
    assert read.column_dimensions["A"].width == 6
    assert read.column_dimensions["B"].width == sheetwriter.DAY_WIDTH
    assert read.column_dimensions["C"].width == 20


@pytest.mark.parametrize("streaming", [True, False])
def test_no_sheet_is_named_in_english(streaming: bool) -> None:
    book = sheetwriter.ExportWorkbook(streaming=streaming)
    first = book.create_sheet() if streaming else book.active
    first.append(["文字"])
    book.create_sheet().append(["文字"])
    names = _read(book).sheetnames
    assert len(names) == 2
    assert not any(name.lower().startswith("sheet") for name in names), names
    assert names[0] == "工作表"


def test_a_streamed_sheet_closed_early_is_numbered_and_fitted_to_its_paper() -> None:
    book = sheetwriter.ExportWorkbook(streaming=True)
    early = book.create_sheet("名单001")
    early.set_widths([40] * 8)  # 320 units: too wide for A4 at 8 pt
    early.append(["名单"])
    early.close()
    book.create_sheet("目录").append(["目录"])
    read = _read(book)
    for name in ("名单001", "目录"):
        assert read[name].oddFooter.center.text == "第 &P 页，共 &N 页", name
    assert str(read["名单001"].page_setup.paperSize) == read["名单001"].PAPERSIZE_A3
