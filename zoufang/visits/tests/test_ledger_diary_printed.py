"""The 走访台账's second sheet on paper, read back with openpyxl: the 民情走访日记 says whose diary it is in a title
line repeated on every page with its headers, and its days print as 2017年6月2日 in a column wide enough for them."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.core import sheetwriter
from zoufang.visits import ledger
from zoufang.visits.models import DiaryEntry
from zoufang.visits.tests.conftest import add_visits

pytestmark = [pytest.mark.django_db]


def _workbook(visiting: Any) -> Any:
    add_visits(visiting, 2)
    cadre = visiting.users["dept"].cadre
    DiaryEntry.objects.create(cadre=cadre, entry_date=dt.date(2017, 6, 2),
                              text="走访上下塘社区两户，了解到道路破损问题，已登记。")
    out = io.BytesIO()
    ledger.write_ledger(out, "派出所 走访台账", ledger.unit_visits(visiting.police), visiting.users["office"],
                        whose="派出所")
    return load_workbook(io.BytesIO(out.getvalue()))


def test_the_diary_names_whose_it_is_above_its_headers(visiting: Any) -> None:
    diary = _workbook(visiting)["民情走访日记"]
    assert diary["A1"].value == "派出所 民情走访日记"
    assert diary["A1"].font.bold
    assert [cell.value for cell in diary[2]] == ["日期", "走访干部", "内容"]
    assert diary.print_title_rows == "$1:$2"
    assert diary["A3"].value == dt.datetime(2017, 6, 2)  # noqa: DTZ001 - as read back: xlsx holds no time zone
    assert diary["A3"].number_format == sheetwriter.DAY_FORMAT
    assert diary.column_dimensions["A"].width >= sheetwriter.DAY_WIDTH
    assert str(diary.page_setup.paperSize) == diary.PAPERSIZE_A4


def test_the_ledger_prints_its_registration_days_whole(visiting: Any) -> None:
    sheet = _workbook(visiting)["走访台账"]
    due = ledger.COLUMNS.index("登记期限") + 1
    assert sheet.column_dimensions[sheet.cell(2, due).column_letter].width >= sheetwriter.DAY_WIDTH
    assert sum(ledger.WIDTHS) <= 214  # still 8 pt or more on A3 across (decision 0030)
