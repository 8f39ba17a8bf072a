"""The oversight xlsx as a clerk opens it: a date shows as 2017年6月1日 in a column wide enough for it, and an
export of no table is still a workbook with a Chinese sheet saying so, never one named “Sheet”."""

import datetime as dt
import io

from openpyxl import load_workbook

from zoufang.core.sheetwriter import DAY_FORMAT, DAY_WIDTH
from zoufang.oversight import export
from zoufang.oversight.tables import Table


def test_a_date_column_is_as_wide_as_its_printed_date() -> None:
    table = Table(key="cases", title="超期未办结的问题", headers=["编号", "期限"],
                  rows=[["ZZ2017-0001", dt.date(2017, 12, 31)]], numeric_from=99)
    sheet = load_workbook(io.BytesIO(export.xlsx([table], heading="周庄镇"))).worksheets[0]
    assert sheet["B3"].is_date
    assert sheet["B3"].number_format == DAY_FORMAT
    assert sheet.column_dimensions["B"].width >= DAY_WIDTH


def test_an_export_of_no_table_has_a_chinese_sheet_saying_so() -> None:
    book = load_workbook(io.BytesIO(export.xlsx([], heading="周庄镇")))
    assert book.sheetnames == ["无表格"]
    assert book.worksheets[0]["A1"].value == "周庄镇 没有可导出的表格"
