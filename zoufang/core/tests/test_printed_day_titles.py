"""The demo's downloads say their days as people read them: a title's （2017年6月15日） and a period's 2017年1月1日 至
2017年5月31日 through `clock.day`, and a day in a cell kept a date shown so (never the text 2017-06-15)."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang import clock
from zoufang.callbacks.export import batch_xlsx
from zoufang.callbacks.models import CallbackBatch
from zoufang.core.sheetwriter import DAY_FORMAT, DAY_WIDTH, fitted_height
from zoufang.exemplars import export as exemplar_export
from zoufang.exemplars.models import Exemplar
from zoufang.forms.models import FormAnswer
from zoufang.integrity import export as integrity_export
from zoufang.ratings import export as ratings_export
from zoufang.ratings.models import SupervisionItem
from zoufang.ratings.services import Reach

pytestmark = pytest.mark.django_db
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _book(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def _no_iso_day_in_titles(book: Any) -> None:
    for sheet in book.worksheets:
        title = str(sheet["A1"].value)
        assert not ISO_DAY.search(title), (sheet.title, title)


def _dates_print_in_chinese(book: Any) -> int:
    """Every date cell's format and column; how many there were."""
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "is_date", False):
                    seen += 1
                    assert cell.number_format == DAY_FORMAT, (sheet.title, cell.coordinate)
                    assert sheet.column_dimensions[cell.column_letter].width >= DAY_WIDTH, (sheet.title, cell.coordinate)
    return seen


def test_the_exemplars_title_and_sources_say_their_days_in_chinese(demo: Any) -> None:
    published = list(Exemplar.objects.filter(campaign=demo, status=Exemplar.Status.PUBLISHED))
    assert published
    book = _book(exemplar_export.workbook(demo, published))
    sheet = book.worksheets[0]
    assert sheet["A1"].value.endswith(f"（{clock.day(clock.today())}）")
    _no_iso_day_in_titles(book)
    sources = [sheet.cell(row, 6).value for row in range(3, sheet.max_row + 1)]
    assert all("年" in source and not ISO_DAY.search(source) for source in sources), sources


def test_the_integrity_title_says_its_day_in_chinese(demo: Any) -> None:
    book = _book(integrity_export.xlsx(demo, []))
    assert book.worksheets[0]["A1"].value == f"{demo.name} 走访真实性提示（{clock.day(clock.today())}）"


def test_the_callback_sheets_say_their_period_in_chinese(demo: Any) -> None:
    batch = CallbackBatch.objects.filter(campaign=demo).first()
    assert batch is not None
    book = _book(batch_xlsx(batch))
    _no_iso_day_in_titles(book)
    title = book.worksheets[0]["A1"].value
    assert f"{clock.day(batch.period_starts_on)} 至 {clock.day(batch.period_ends_on)}" in title
    assert title.endswith(clock.day(clock.today()))


def test_the_ratings_say_their_days_in_chinese_and_keep_them_dates(demo: Any) -> None:
    answer = FormAnswer.objects.filter(visit__campaign=demo).select_related("visit__cadre").first()
    assert answer is not None
    SupervisionItem.objects.create(campaign=demo, answer=answer, aspect="service", aspect_label="服务态度",
                                   unit=answer.visit.cadre.unit, description="上门服务", due_on=dt.date(2017, 12, 31))
    book = _book(ratings_export.xlsx(Reach(demo, None, True), show_enterprise=True))
    _no_iso_day_in_titles(book)
    assert book.worksheets[0]["A1"].value.endswith(f"（{clock.day(clock.today())}）")
    items = book["督查事项"]
    assert items["E3"].value == dt.datetime(2017, 12, 31)  # noqa: DTZ001 - as read back: xlsx holds no time zone
    assert _dates_print_in_chinese(book) >= 1


MOMENT = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


def _boxed_under_title(sheet: Any, title_start: str) -> None:
    """A printed table: its title, then boxed bold headers and boxed rows, each row as tall as its text wraps to;
    every bold or title font named (a font without a name prints its digits in a serif)."""
    assert str(sheet["A1"].value).startswith(title_start), sheet["A1"].value
    assert sheet["A1"].font.name
    assert sheet["A1"].font.b
    assert sheet["A2"].font.b
    assert sheet["A2"].font.name
    assert sheet["A2"].border.left.style == "thin"
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        assert row[0].border.bottom.style == "thin", (sheet.title, row[0].coordinate)
        needed = fitted_height([cell.value for cell in row], widths)
        assert (sheet.row_dimensions[row[0].row].height or 0) >= (needed or 0), (sheet.title, row[0].row)


def test_the_exemplars_print_as_a_boxed_table_with_their_times_in_chinese(demo: Any) -> None:
    published = list(Exemplar.objects.filter(campaign=demo, status=Exemplar.Status.PUBLISHED))
    sheet = _book(exemplar_export.workbook(demo, published)).worksheets[0]
    _boxed_under_title(sheet, f"{demo.name} 典型名单")
    times = [sheet.cell(row, 8).value for row in range(3, sheet.max_row + 1)]
    assert times
    assert all(MOMENT.fullmatch(value) for value in times), times


def test_the_ratings_print_as_boxed_tables_named_for_their_campaign(demo: Any) -> None:
    answer = FormAnswer.objects.filter(visit__campaign=demo).select_related("visit__cadre").first()
    assert answer is not None
    SupervisionItem.objects.create(campaign=demo, answer=answer, aspect="service", aspect_label="服务态度",
                                   unit=answer.visit.cadre.unit, due_on=dt.date(2017, 12, 31),
                                   description="企业对“服务态度”评价为“差”。企业说明：办事窗口答复前后不一，往返多次，"
                                               "督查组约谈部门负责人并跟踪整改")
    book = _book(ratings_export.xlsx(Reach(demo, None, True), show_enterprise=True))
    for sheet in book.worksheets:
        _boxed_under_title(sheet, demo.name)
    months = [row[0] for row in book["按月"].iter_rows(min_row=3, values_only=True)]
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月|本表无记录", month) for month in months), months
