"""The flat-table reader is core's: any app reads a register or a schedule with it, without the registry's
import context (a title over the header, a header over two rows, 合计 and note lines, hidden rows)."""

import ast
from pathlib import Path

from zoufang.core.table_reading import SheetReading, read_table
from zoufang.core.tabular import Column, Sheet, SheetRow

COLUMNS = (Column("日期", True), Column("类型", True), Column("说明"))


def _rows(*cells: tuple[str, ...], hidden: tuple[int, ...] = ()) -> list[SheetRow]:
    return [SheetRow(number, tuple(row), hidden=number in hidden) for number, row in enumerate(cells, start=1)]


def test_it_reads_a_table_under_a_title_leaving_out_totals_and_notes():
    rows = _rows(("2018年放假安排", "", ""), ("日期", "类型", "说明"), ("2018-10-01", "放假", "国庆节"),
                 ("合计", "1", ""), ("注：以国务院通知为准", "", ""))
    reading = SheetReading(sheet=Sheet(rows, name="Sheet1"))
    table = read_table(reading, rows, COLUMNS)
    assert table is not None
    assert [table.value(row, "说明") for row in table.rows] == ["国庆节"]
    assert reading.errors == []
    assert reading.notes == ["第4行是合计行，未导入", "第5行是表注，未导入"]


def test_it_reads_a_header_over_two_rows():
    rows = _rows(("安排", "", "说明"), ("日期", "类型", ""), ("2018-10-01", "放假", "国庆节"))
    reading = SheetReading(sheet=Sheet(rows))
    table = read_table(reading, rows, COLUMNS)
    assert table is not None
    assert [(table.value(row, "日期"), table.value(row, "类型")) for row in table.rows] == [("2018-10-01", "放假")]


def test_a_hidden_row_is_an_error_naming_it():
    rows = _rows(("日期", "类型"), ("2018-10-01", "放假"), ("2018-10-02", "放假"), hidden=(3,))
    reading = SheetReading(sheet=Sheet(rows))
    read_table(reading, rows, COLUMNS)
    assert len(reading.errors) == 1
    assert reading.errors[0].message.startswith("第3行在表格中是隐藏的（手动隐藏，或被筛选隐去），无法确定是否要导入")


def test_the_holiday_schedule_reads_its_table_without_the_registry():
    """The workdays app reads a sheet as the imports do, from core: it does not reach into the registry app."""
    package = Path(__file__).resolve().parents[2] / "workdays"
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not {name for name in imported if name.startswith("zoufang.registry")}
