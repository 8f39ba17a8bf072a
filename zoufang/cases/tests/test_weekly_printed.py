"""The weekly 问题清单 as printed, read back with openpyxl: 类别 as wide as the categories listed need (up to a cap:
at 18 units a category of the seed's wrapped to 4 lines), its days printed whole (2017年6月15日), and the list still
on A4 across at a readable size."""

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from zoufang.cases import lists
from zoufang.core.sheetwriter import DAY_FORMAT, DAY_WIDTH, fitting_width, lines_needed

LONG = "2.5 了解企业的需求和期盼，帮助企业解决创新发展中遇到的困难和问题；"
SHORT = "1 在收集社情民意方面"


def _row(n: int, category: str) -> list[Any]:
    return [n, f"ZZ2017-{n:04d}", category, "村民反映道路破损，雨天积水。", "上下塘社区", "张*国", dt.date(2017, 6, 12),
            "派出所", dt.date(2017, 12, 31), "办理中", ""]


def _sheet(categories: list[str]) -> Any:
    data = lists.xlsx("问题清单（2017年6月12日—6月18日）", [_row(n, c) for n, c in enumerate(categories, start=1)])
    return load_workbook(io.BytesIO(data)).worksheets[0]


def test_the_category_column_is_as_wide_as_its_categories() -> None:
    sheet = _sheet([SHORT, SHORT])
    assert sheet.column_dimensions["C"].width == fitting_width(SHORT)  # one line
    sheet = _sheet([SHORT, LONG])
    width = sheet.column_dimensions["C"].width
    assert width == lists.CATEGORY_WIDEST
    assert lines_needed(LONG, width) <= 3


def test_the_days_print_whole_and_the_list_stays_on_a4() -> None:
    sheet = _sheet([LONG, SHORT])
    for letter in "GI":
        assert sheet[f"{letter}3"].number_format == DAY_FORMAT
        assert sheet.column_dimensions[letter].width >= DAY_WIDTH
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.orientation == "landscape"
