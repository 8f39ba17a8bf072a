"""An independent check of an exported plan workbook: it reads only the xlsx, never our parser or database.

Each table sheet is read by position: the header row (the one starting with 序号, plus a second header row
when the first spans columns), the data rows, the 合计 row and, for the upper levels' tables, the
“…走访企业” lines after it. Every figure in a 合计 row must sit under the column it totals and equal that
column's sum; a joint line's 备注 must name each unit's share, and the shares must add up to the line.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

UPPER_HEADER = ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"]
_NUMBER = re.compile(r"^\s*(\d+)\s*(户|家|人)?\s*$")
_SHARE = re.compile(r"([^、，：:；;\s]+?)(\d+)(户|家)")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    match = _NUMBER.match(_text(value))
    return int(match.group(1)) if match else None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class SheetTable:
    """One table sheet by position: header names by column, data rows, the 合计 row, lines after it."""

    name: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    after_total: list[list[Any]] = field(default_factory=list)

    def column(self, name: str) -> int:
        return [_compact(h) for h in self.header].index(_compact(name))


def read_table(sheet: Any) -> SheetTable:
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    title = _text(values[0][0]) if values else ""
    start = next(i for i, row in enumerate(values) if _compact(_text(row[0])) == "序号")
    header = [_compact(_text(v)) for v in values[start]]
    data_from = start + 1
    below = values[data_from] if data_from < len(values) else []
    if below and not _text(below[0]) and any(_text(v) and _number(v) is None for v in below[1:]):
        header = [_compact(_text(sub)) or top for top, sub in zip(header, below, strict=False)]
        data_from += 1
    table = SheetTable(sheet.title, title, header)
    for row in values[data_from:]:
        if not any(_text(v) for v in row):
            continue
        if _compact(_text(row[0])).startswith("合计"):
            table.total = row
        elif table.total is not None:
            table.after_total.append(row)
        else:
            table.rows.append(row)
    return table


def check_total_row(table: SheetTable, sums: dict[str, int]) -> list[str]:
    """The 合计 row holds each sum under its own column and no figure anywhere else."""
    problems: list[str] = []
    if table.total is None:
        return [f"{table.name}：没有合计行"]
    columns = {table.column(name): name for name in sums}
    for at, value in enumerate(table.total[1:], start=1):
        figure = _number(value)
        if figure is None:
            if _text(value) and at in columns:
                problems.append(f"{table.name}：合计行“{table.header[at]}”一列为“{_text(value)}”，不是数字")
            continue
        if at not in columns:
            problems.append(f"{table.name}：合计行的{figure}在“{table.header[at]}”一列下，该列不应有合计")
    for at, name in columns.items():
        figure = _number(table.total[at]) if at < len(table.total) else None
        if figure != sums[name]:
            problems.append(f"{table.name}：合计行“{name}”为{figure}，各行之和为{sums[name]}")
    return problems


def check_upper_level(table: SheetTable) -> list[str]:
    """附件1/附件2: 户籍总户数 合计 counts each village once; 走访户数 合计 is the rows' sum; lines add up."""
    problems: list[str] = []
    if table.header[:5] != UPPER_HEADER:
        return [f"{table.name}：表头为{table.header}"]
    village_at, stated_at, count_at = (table.column(n) for n in UPPER_HEADER[2:5])
    note_at = table.column("备注") if "备注" in table.header else None
    stated: dict[str, int] = {}
    visits = 0
    for row in table.rows:
        village, region_total, count = _text(row[village_at]), _number(row[stated_at]), _number(row[count_at])
        if not village or region_total is None or count is None:
            problems.append(f"{table.name}：数据行{row}缺少村、社区或数字")
            continue
        if stated.setdefault(village, region_total) != region_total:
            problems.append(f"{table.name}：{village}的户籍总户数前后不一")
        if count > region_total:
            problems.append(f"{table.name}：{village}走访户数{count}超过户籍总户数{region_total}")
        visits += count
    problems += check_total_row(table, {UPPER_HEADER[3]: sum(stated.values()), UPPER_HEADER[4]: visits})
    for line in table.after_total:
        label = _compact(_text(line[0]))
        count = _number(line[count_at])
        if not label.endswith("走访企业") or count is None:
            problems.append(f"{table.name}：合计之后的行{line}不是“……走访企业 N家”")
            continue
        units = [u for u in re.split(r"[、，,]", label[: -len("走访企业")]) if u]
        if len(units) > 1:
            note = _text(line[note_at]) if note_at is not None else ""
            shares = _SHARE.findall(note)
            if "联合走访" not in note or len(shares) != len(units):
                problems.append(f"{table.name}：联合行“{label}”的备注“{note}”没有写明各单位分得的数")
            elif sum(int(n) for _u, n, _m in shares) != count:
                problems.append(f"{table.name}：联合行“{label}”各单位之和不等于{count}家")
    return problems


def check_leaders(table: SheetTable, count_column: str) -> list[str]:
    at = table.column(count_column)
    return check_total_row(table, {count_column: sum(_number(r[at]) or 0 for r in table.rows)})


def check_departments(table: SheetTable) -> list[str]:
    numeric = [h for h in table.header[2:] if h and h != "备注"]
    sums = {h: sum(_number(r[table.column(h)]) or 0 for r in table.rows) for h in numeric}
    return check_total_row(table, sums)


def check_workbook(source: bytes | Path, *, expected_sheets: list[str]) -> list[str]:
    """Every problem found in the workbook, in Chinese; an empty list when it holds together."""
    book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    problems = [f"缺少工作表“{name}”" for name in expected_sheets if name not in book.sheetnames]
    for name in book.sheetnames:
        sheet = book[name]
        if name.startswith("名单") or name in ("走访名单", "各单位分村", "与登记数差异"):
            continue
        table = read_table(sheet)
        if not table.title:
            problems.append(f"{name}：没有标题")
        if "户籍总户数（户）" in table.header:
            problems += check_upper_level(table)
        elif "走访村、社区" in table.header:
            problems += check_leaders(table, "走访户数")
        elif "走访领导" in table.header:
            problems += check_leaders(table, "走访企业数")
        elif "党员人数" in table.header:
            problems += check_departments(table)
        else:
            problems.append(f"{name}：认不出是哪一种分配表，表头为{table.header}")
    return problems
