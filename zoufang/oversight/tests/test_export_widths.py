"""The oversight xlsx sizes a text column from its text (up to TEXT_WIDEST) and a figure's from its header: a
long 内容 squeezed to its header's width printed rows 146 pt tall."""

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from zoufang.core.sheetwriter import fitting_width
from zoufang.oversight import export
from zoufang.oversight.tables import PagedRows, Table

CONTENT = "村民反映吉家墩村第3村民小组道路破损严重，雨天积水，老人孩子出行不便，希望尽快修缮并加装路灯。" * 2
CASE_HEADERS = ["序号", "编号", "类别", "内容", "村（社区）", "反映人", "收集日期", "承办单位", "办理期限", "状态", "办理结果"]


def _widths(sheet: Any, count: int) -> list[float]:
    return [sheet.column_dimensions[get_column_letter(at)].width for at in range(1, count + 1)]


def _case(n: int) -> list[Any]:
    return [n, f"ZZ2017-{n:04d}", "2.5 了解企业的需求和期盼，帮助企业解决创新发展中遇到的困难和问题；", CONTENT,
            "上下塘社区", "张*国", dt.date(2017, 6, 1), "派出所", dt.date(2017, 6, 15), "办理中", ""]


def test_the_overdue_cases_take_their_widths_from_their_text_and_print_on_a4_rows_not_squeezed() -> None:
    table = Table(key="cases", title="超期未办结的问题（共 2 件，期限早者在前）", headers=CASE_HEADERS,
                  rows=[_case(1), _case(2)], numeric_from=99)
    sheet = load_workbook(io.BytesIO(export.xlsx([table], heading="周庄镇"))).worksheets[0]
    widths = dict(zip(CASE_HEADERS, _widths(sheet, len(CASE_HEADERS)), strict=True))
    assert widths["内容"] == widths["类别"] == export.TEXT_WIDEST  # long texts wrap within the widest
    assert widths["编号"] == fitting_width("ZZ2017-0001")  # a code on one line
    assert widths["收集日期"] == fitting_width(dt.date(2017, 6, 1))  # a date on one line, as it prints: 2017年6月1日
    assert widths["村（社区）"] == fitting_width("上下塘社区")
    assert widths["办理结果"] == fitting_width("办理结果")  # empty: as wide as its header
    assert sheet.row_dimensions[3].height <= 6 * 16 + 2  # 内容's 94 characters over 6 lines, not 146 pt
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4


def test_a_figure_column_is_as_wide_as_its_header_and_a_long_tables_names_measured_on_its_first_rows() -> None:
    names = [f"第{n}村民委员会" for n in range(export.MEASURED_ROWS)] + ["一个很长很长很长很长很长的村（社区）名称"]
    rows = [[name, n, n // 2, "50.0%"] for n, name in enumerate(names)]
    paged = PagedRows(len(rows), lambda start, size: rows[start:start + size], 300)
    table = Table(key="coverage-village", title="各村（社区）走访进度", headers=["村（社区）", "应走访", "已走访", "完成率"],
                  rows=paged, total=["合计", 123456789, 2, "50.0%"])
    sheet = load_workbook(io.BytesIO(export.xlsx([table]))).worksheets[0]
    assert _widths(sheet, 4) == [fitting_width("第999村民委员会"), fitting_width("123456789"), export.FIGURE_NARROWEST,
                                 export.FIGURE_NARROWEST]
    assert sheet.max_row == 2 + len(rows) + 1  # every row written once, then 合计
    assert [c.value for c in sheet[2 + len(rows)]] == [names[-1], len(rows) - 1, (len(rows) - 1) // 2, "50.0%"]
