"""The seed's 锦溪镇 allocation tables (附件1 … 附件4-2, as the demo loads them) re-typed the ways other towns' clerks
type them: the header over one, two or three rows, merged (Excel), repeated across the merge (WPS) or left blank
(csv); line breaks, full-width spaces and notes inside header cells; title lines, a blank column, 小计 rows, the 合计
on top and notes below; saved as .xlsx, .xls or .csv."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import xlwt
from openpyxl import Workbook

DATA = Path(__file__).resolve().parents[2] / "demo" / "data"
ANNEXES = ("annex1", "annex2", "annex3-1", "annex3-2", "annex4-1", "annex4-2")
FORMATS = ("xlsx", "xls", "csv", "wps")  # wps: an xlsx whose merged header cells are repeated, not merged
DEPTHS = (1, 2, 3)

Labels = tuple[str, ...]  # one column's header labels, top to bottom


@dataclass(frozen=True)
class Table:
    """A table as its parts: lines above the header, each column's header labels, and the rows under it."""

    above: tuple[tuple[str, ...], ...]
    columns: tuple[Labels, ...]
    body: tuple[tuple[str, ...], ...]

    @property
    def depth(self) -> int:
        return max(len(path) for path in self.columns)


def seed_table(annex: str) -> Table:
    """The demo's csv of `annex`: its title line, its header (two rows for 附件4-1), its rows."""
    with (DATA / f"{annex}.csv").open(encoding="utf-8") as source:
        lines = [tuple(row) for row in csv.reader(source)]
    header = lines[1:3] if annex == "annex4-1" else lines[1:2]
    width = max(len(row) for row in header)
    paths = []
    for at in range(width):
        labels: list[str] = []
        for row in header:
            text = row[at] if at < len(row) else ""
            if not text and at and not labels:  # a blank under nothing: 走访户数's second column
                labels = list(paths[-1][:-1])
            if text:
                labels.append(text)
        paths.append(tuple(labels))
    return Table((lines[0],), tuple(paths), tuple(lines[1 + len(header):]))


# The columns a group name is put over in a two-row header, by annex.
_GROUPED = {"annex1": (3, 4), "annex2": (3, 4), "annex3-1": (2, 3), "annex3-2": (1, 2), "annex4-2": (2, 3)}
# The columns whose figures a 合计 line gives, in its order; the first of 附件1 and 附件2 counts each village once.
FIGURES = {"annex1": (3, 4), "annex2": (3, 4), "annex3-1": (3,), "annex3-2": (2,), "annex4-1": (2, 3, 4),
           "annex4-2": (2, 3)}


def with_depth(table: Table, annex: str, depth: int) -> Table:
    """The same columns under a header of `depth` rows. Two rows: a group name over two columns (附件4-1 as issued,
    走访户数 over 户籍户口 and 外来常住户). Three rows: 走访任务 over 户籍总户数 and over 走访户数, itself over its one
    part 户籍户 (附件1, 2, 3-1); 走访任务 over 走访户数 over 户籍户口 and 外来常住户 (附件4-1); two group rows (附件3-2,
    4-2). One row: the leaves alone."""
    leaves = [path[-1] for path in table.columns]
    columns: list[Labels] = [(leaf,) for leaf in leaves]
    if depth == 1:
        pass
    elif annex == "annex4-1":
        groups = ("走访任务", "走访户数") if depth == 3 else ("走访户数",)
        columns[3:] = [(*groups, leaf) for leaf in leaves[3:]]
    elif depth == 2:
        columns = [("分配情况", leaf) if at in _GROUPED[annex] else (leaf,) for at, leaf in enumerate(leaves)]
    elif annex in ("annex1", "annex2", "annex3-1"):
        count = 4 if annex != "annex3-1" else 3
        columns[count] = ("走访任务", leaves[count], "户籍户")
        if annex != "annex3-1":
            columns[3] = ("走访任务", leaves[3])
    else:
        columns = [("走访调研任务", "分配情况", leaf) if at in _GROUPED[annex] else (leaf,)
                   for at, leaf in enumerate(leaves)]
    return replace(table, columns=tuple(columns))


_DRESSED = {"序号": "序　号", "走访单位": "走访\n单位", "村、社区名称": "村、社区\n名称",
            "户籍总户数（户）": "户籍总户数\n（单位：户）", "走访户数": "走访户数※", "党员人数": "党员\n人数（人）",
            "走访企业数": "走访企业数\n注：含个体工商户", "户籍户口": "户籍户口\n（户）", "走访领导": "走访　领导"}


def dressed(table: Table, annex: str) -> Table:
    """Header cells as clerks type them (line breaks, full-width spaces, unit notes, footnote marks) under the
    title and a “（单位：户）” line; a blank column after the second; the 合计 moved to the top; a 小计 under the
    first two rows; notes and signatures below."""
    columns = [tuple(_DRESSED.get(label.replace(" ", ""), label) for label in path) for path in table.columns]
    body = [list(row) for row in table.body]
    at = next(at for at, row in enumerate(body) if row and row[0].replace(" ", "").startswith("合计"))
    total = body.pop(at)
    rows = [total, *body[:2], subtotal(body[:2], annex), *body[2:],
            ["注：1. 户籍总户数以2016年底公安户籍数为准。"], ["填表人：张三", "", "审核人：李四"]]
    columns.insert(2, ())
    above = (*table.above, ("",) * (len(columns) - 1) + ("（单位：户）",))
    return Table(above, tuple(columns), tuple(tuple([*row[:2], "", *row[2:]]) if len(row) > 2 else tuple(row)
                                              for row in rows))


def subtotal(rows: Sequence[Sequence[str]], annex: str) -> list[str]:
    """A 小计 line adding up `rows`, its figures after the label in the 合计 line's order."""
    line = ["小计"]
    for number, at in enumerate(FIGURES[annex]):
        if number == 0 and annex in ("annex1", "annex2"):
            line.append(str(sum(int(v) for v in {row[2]: row[at] for row in rows}.values())))
        else:
            line.append(str(sum(int(row[at] or 0) for row in rows)))
    return line


def grid(table: Table, fill: str) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """The sheet's cells and its merged blocks (top, left, bottom, right; 0-based, sheet coordinates). `fill`:
    “merge” writes a block's text once and merges it, “blank” once without merging (csv), “repeat” in every cell."""
    depth, width = table.depth, len(table.columns)
    keys: list[list[Labels | None]] = [[None] * width for _level in range(depth)]
    for at, path in enumerate(table.columns):
        for level in range(depth):
            keys[level][at] = path[:min(level, len(path) - 1) + 1] if path else None
    header = [[""] * width for _level in range(depth)]
    merges: list[tuple[int, int, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for level in range(depth):
        for at in range(width):
            key = keys[level][at]
            if key is None or (level, at) in seen:
                continue
            right = at
            while right + 1 < width and keys[level][right + 1] == key:
                right += 1
            bottom = level
            while bottom + 1 < depth and all(keys[bottom + 1][c] == key for c in range(at, right + 1)):
                bottom += 1
            for row in range(level, bottom + 1):
                for column in range(at, right + 1):
                    seen.add((row, column))
                    if fill == "repeat" or (row, column) == (level, at):
                        header[row][column] = key[-1]
            if (bottom, right) != (level, at) and fill == "merge":
                merges.append((level, at, bottom, right))
    top = len(table.above)
    cells = [list(line) for line in table.above] + header + [list(row) for row in table.body]
    return cells, [(t + top, left, b + top, r) for t, left, b, r in merges]


def write(table: Table, form: str) -> io.BytesIO:
    """The table saved as `form` (see FORMATS)."""
    cells, merges = grid(table, {"csv": "blank", "wps": "repeat"}.get(form, "merge"))
    out = io.BytesIO()
    if form == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(cells)
        out.write(text.getvalue().encode("utf-8"))
    elif form == "xls":
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("附件")
        for row, line in enumerate(cells):
            for column, cell in enumerate(line):
                if cell and not _inside(merges, row, column):
                    sheet.write(row, column, _value(cell))
        for t, left, b, r in merges:
            sheet.write_merge(t, b, left, r, _value(cells[t][left]))
        book.save(out)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "附件"
        for line in cells:
            sheet.append([_value(cell) for cell in line])
        for t, left, b, r in merges:
            sheet.merge_cells(start_row=t + 1, start_column=left + 1, end_row=b + 1, end_column=r + 1)
        book.save(out)
    out.seek(0)
    return out


def _inside(merges: Sequence[tuple[int, int, int, int]], row: int, column: int) -> bool:
    return any(t <= row <= b and left <= column <= r for t, left, b, r in merges)


def _value(cell: str) -> object:
    """Numbers as Excel holds them once typed: 2667 a number, “13815户” text."""
    return int(cell) if cell.isdigit() and len(cell) < 10 else (cell or None)


def variant(annex: str, depth: int, form: str, *, dress: bool) -> io.BytesIO:
    table = with_depth(seed_table(annex), annex, depth)
    return write(dressed(table, annex) if dress else table, form)
