"""A flat table read from a sheet: the header found (one to three rows, merged group names), the data rows under it
without blank, 合计, note and repeated-header lines, and what the workbook hides or strikes through refused. Every
import reads its rows with `read_table` (or `read_whole_table` for a table whose every cell counts), the registry's
and the holiday schedule's alike; each kind's own rules stay with it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zoufang.core.tabular import (
    Column,
    Header,
    HeaderMatch,
    RowError,
    Sheet,
    SheetRow,
    column_letter,
    header_lookup,
    hidden_columns_note,
    is_marks_row,
    is_note_row,
    is_number,
    is_total_row,
    marked_rows_errors,
    match_headers,
    read_header,
    row_numbers,
    storable_row,
    unchecked_rows_note,
    unreadable_cells,
    unreadable_sheet_cells,
)


@dataclass(kw_only=True)
class SheetReading:
    """A sheet being read and what reading it found: errors by cell (one message a cell once settled) and notes."""

    sheet: Sheet | None = None
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settled: set[tuple[int | None, str]] = field(default_factory=set)  # cells already explained: no second message
    blank_runs: dict[tuple[int, str], "BlankRun"] = field(default_factory=dict)  # csv cells a merge may have left blank

    def error(self, row: int | None, column: str, message: str | Promise) -> None:
        if (row, column) not in self.settled:
            self.errors.append(RowError(row, column, str(message)))

    def settle(self, error: RowError) -> None:
        """Report `error` as the one message of its cell: what the row's checks say of that cell later is dropped."""
        self.error(error.row, error.column, error.message)
        self.settled.add((error.row, error.column))

    def blank(self, row: int, column: str) -> None:
        """A required cell left blank; in a csv, under a filled cell, what a merged cell becomes is said too."""
        run = self.blank_runs.get((row, column))
        self.error(row, column, _("不能为空") + (run.hint() if run else ""))


@dataclass
class Table:
    """The data rows of a flat file under its header row, with where each column is."""

    header: HeaderMatch
    rows: list[SheetRow]

    def value(self, row: SheetRow, header: str) -> str:
        return self.header.value(row, header)


def read_table(ctx: SheetReading, rows: list[SheetRow], columns: Sequence[Column]) -> Table | None:
    """Find the header (one row, or up to three where group names span the columns below them), match it, and keep
    the rows under it that hold data; header errors go on ctx, and None is returned when the file is unusable or a
    required column is missing. An unknown or doubled column is an error that leaves the rows to be checked against
    the columns found: the report says every problem of the file at once.

    Left out: blank rows, rows that hold nothing but a 序号 or 备注 (a numbered blank form), 合计/小计 rows,
    note lines (“注：……”, “填表人：……”), a template's line of 必填/选填 marks and the header written again below,
    each named in the report. A cell
    holding an Excel error or an uncomputed formula is reported once, as such; rows the workbook hides, or whose
    read cells are struck through, refuse the file, naming them; hidden columns it reads are named in the report."""
    sheet = _("工作表“%(sheet)s”") % {"sheet": ctx.sheet.name} if ctx.sheet and ctx.sheet.name else ""
    if all(row.is_blank() for row in rows):
        ctx.error(None, "", _("%(where)s中没有任何数据") % {"where": sheet or _("文件")})
        return None
    found = read_header(rows, columns)
    if found is None:
        required = "、".join(c.header for c in columns if c.required)
        where = _("在%(sheet)s的前20行中") % {"sheet": sheet} if sheet else ""
        message = _("%(where)s找不到表头行，表头应包含：%(names)s") % {"where": where, "names": required}
        if ctx.sheet and ctx.sheet.other_sheets:  # a cover or instructions sheet first, the register behind it
            message += _("。数据如果在工作表%(others)s中，请把那张工作表拖到最前面，或删去“%(sheet)s”，保存后再导入") % {
                "others": "、".join(f"“{name}”" for name in ctx.sheet.other_sheets), "sheet": ctx.sheet.name}
        ctx.error(None, "", message)
        return None
    hidden_columns = ctx.sheet.hidden_columns if ctx.sheet else frozenset()
    header = match_headers(found, columns, hidden=hidden_columns)
    ctx.errors.extend(header.errors)
    if header.ignored:
        ctx.notes.append(_("已忽略列：%(names)s") % {"names": "、".join(header.ignored)})
    if unchecked := unchecked_rows_note(header, columns):
        ctx.notes.append(unchecked)
        return None
    read_at = [at for at in header.positions.values() if not header_lookup(found.leaf(at), ("序号",))]
    data = [row for row in found.below if _holds_data(row, read_at)]
    totals = [row.number for row in data if is_total_row(row, ("合计", "总计", "小计"))]
    notes = [row.number for row in data if is_note_row(row)]
    marks = [row.number for row in data if is_marks_row(row)]
    if totals:
        ctx.notes.append(_("第%(rows)s行是合计行，未导入") % {"rows": row_numbers(totals)})
    if notes:
        ctx.notes.append(_("第%(rows)s行是表注，未导入") % {"rows": row_numbers(notes)})
    if marks:
        ctx.notes.append(_("第%(rows)s行是各列的填写要求（必填、选填），未导入") % {"rows": row_numbers(marks)})
    skipped = {*totals, *notes, *marks}
    data = [row for row in data if row.number not in skipped]
    data = _without_repeated_headers(ctx, data, found, header, columns)
    ctx.errors.extend(marked_rows_errors(data, header.positions.values()))
    if note := hidden_columns_note(hidden_columns, header.positions):
        ctx.notes.append(note)
    for row in data:
        for error in unreadable_cells(row, header.positions):
            ctx.settle(error)
    data = [storable_row(row) for row in data]  # a NUL said once above, then never sent to the database
    if ctx.sheet and ctx.sheet.from_csv:  # only a required column's blank is refused, and said why
        needed = {column.header for column in columns if column.required}
        ctx.blank_runs = blank_runs(data, {name: at for name, at in header.positions.items() if name in needed})
    return Table(header, data)


@dataclass
class BlankRun:
    """Blank cells of a csv column from row `first` to `last`, right under row `under`, which holds `value`."""

    first: int
    last: int
    under: int
    value: str

    def hint(self) -> str:
        """What to add to “不能为空”: how a column of merged cells reads once Excel saves the sheet as csv."""
        where = (_("第%(first)d—%(last)d行的这一列都是空的，") % {"first": self.first, "last": self.last}
                 if self.last > self.first else _("这一格"))
        return _("。%(where)s紧接在第%(row)d行的“%(value)s”之下：合并单元格另存为 CSV 后只有第一行有值，"
                 "请取消合并并填满，或直接导入 xlsx 文件") % {"where": where, "row": self.under, "value": self.value}


def blank_runs(data: list[SheetRow], positions: dict[str, int]) -> dict[tuple[int, str], BlankRun]:
    """Each run of blank cells right under a filled one, in the columns `positions` names, by its first cell (row, column): what a
    column of merged cells (a village beside all its households) becomes once Excel saves the sheet as csv, the
    value in the merge's first row and blanks below it."""
    runs: dict[tuple[int, str], BlankRun] = {}
    for header, at in positions.items():
        filled: SheetRow | None = None  # the row whose cell the blank run below hangs under
        run: BlankRun | None = None
        previous = 0
        for row in data:
            if row.cell(at):
                filled, run = row, None
            elif filled is None or row.number != previous + 1:
                filled, run = None, None
            elif run is None:
                run = runs[(row.number, header)] = BlankRun(row.number, row.number, filled.number, filled.cell(at))
            else:
                run.last = row.number
            previous = row.number
    return runs


def _without_repeated_headers(ctx: SheetReading, data: list[SheetRow], found: Header, header: HeaderMatch,
                              columns: Sequence[Column]) -> list[SheetRow]:
    """The data rows but the header written again under the table (a second table of the same columns stacked below
    the first, or the header repeated on every printed page) and the one-cell title line right above it, each named
    in the report. The header of a table of other columns below is an error: its rows would be read as this one's.

    Cells compare as written (a copied header is the same text), by set look-ups: this runs on every row."""
    labels = {at: {label.text for label in found.labels.get(at, ())} for at in header.positions.values()}
    names = {name for column in columns for name in (column.header, *column.aliases)}.union(*labels.values())
    repeated: list[int] = []
    titles: list[int] = []
    for index, row in enumerate(data):
        if names.isdisjoint(row.cells):
            continue
        filled = [(at, row.cell(at)) for at in labels if row.cell(at)]
        named = [cell for _at, cell in filled if cell in names]
        if len(named) < 2:  # no household is named 户主姓名 and lives in 村（社区）
            continue
        if all(cell in labels[at] for at, cell in filled):
            repeated.append(row.number)
            if index and sum(1 for cell in data[index - 1].cells if cell) == 1:
                titles.append(data[index - 1].number)
        else:
            ctx.error(row.number, "", _("这一行是另一张表的表头（%(names)s），与第%(header)d行的表头不同：一个工作表只能导入"
                                        "一张表。请把下面的表移到另一个工作表或另一个文件，分别导入") % {
                "names": "、".join(f"“{cell}”" for cell in named), "header": found.number})
    if repeated:
        ctx.notes.append(_("第%(rows)s行重复了表头，未导入") % {"rows": row_numbers(repeated)})
    if titles:
        ctx.notes.append(_("第%(rows)s行是表头上方的小标题，未导入") % {"rows": row_numbers(titles)})
    skipped = {*repeated, *titles}
    return [row for row in data if row.number not in skipped]


class WholeTable(Protocol):
    """A table read in its own layout (planning.tables: 附件1 … 附件4-2), whose every cell counts."""

    issues: list[RowError]
    skipped: list[str]

    @property
    def figure_rows(self) -> list[int]: ...


TableT = TypeVar("TableT", bound=WholeTable)


def read_whole_table(ctx: SheetReading, rows: list[SheetRow], parse: Callable[[list[SheetRow]], TableT],
                     columns: Sequence[Column]) -> TableT | None:
    """`parse(rows)` for a table whose every cell counts (the allocation tables: counts, 合计, 小计 and the lines
    below). None, with an error for each cell holding an Excel error value or a formula the file holds without its
    result, when there is one: every figure checked against a blank read in its place would only add misleading
    differences. Else the table, its issues and the rows it reads that the workbook hides or strikes through on
    ctx's errors, its skipped lines (小计, notes) on the notes. A cell under the header (found by `columns`) is named
    by the header's text over it."""
    unreadable = unreadable_sheet_cells(rows)
    if unreadable:
        unreadable = unreadable_sheet_cells(rows, read_header(rows, columns, minimum=3))
    if unreadable:
        ctx.errors.extend(unreadable)
        return None
    if merged := merged_figures(rows, read_header(rows, columns, minimum=3)):
        ctx.errors.extend(merged)
        return None
    table = parse(rows)
    ctx.errors.extend(table.issues)
    wanted = set(table.figure_rows)
    ctx.errors.extend(marked_rows_errors(row for row in rows if row.number in wanted))
    ctx.notes.extend(table.skipped)
    return table


def merged_figures(rows: Sequence[SheetRow], header: Header | None) -> list[RowError]:
    """One error for each number merged down over rows of the table under `header` (a 序号 or 备注 aside): “60” over two
    villages is 60 each or 60 between them, and read into each row it covers, as a village's name merged beside its
    households is, it counts twice. Named by its block (E3:E4) and the header over it, as the clerk reads them."""
    if header is None:
        return []
    skip = {at for at in header.labels if header_lookup(header.leaf(at), ("序号", "备注"))}
    blocks: dict[tuple[int, int], list[int]] = {}  # (the block's first row, column) → the numbers of its last row
    top: dict[int, int] = {}  # each column's last row not filled from above: where a block over it starts
    for row in header.below:
        for at, cell in enumerate(row.cells):
            if at not in row.merged_down:
                top[at] = row.number
            elif at not in skip and at in top and is_number(cell):
                blocks.setdefault((top[at], at), []).append(row.number)
    errors = []
    for (first, at), below in sorted(blocks.items()):
        letter, name = column_letter(at), header.leaf(at)
        errors.append(RowError(first, _("%(letter)s列“%(name)s”") % {"letter": letter, "name": name} if name else
                               _("%(letter)s列") % {"letter": letter}, _(
            "%(block)s是一个合并单元格，数字“%(value)s”跨了第%(first)d—%(last)d行，无法确定是每行各%(value)s，还是这几行"
            "共%(value)s。请取消合并，在每一行填写各自的数（相同的数也每行填写），保存后再导入") % {
            "block": f"{letter}{first}:{letter}{below[-1]}", "value": rows_by_number(rows)[first].cell(at),
            "first": first, "last": below[-1]}))
    return errors


def rows_by_number(rows: Sequence[SheetRow]) -> dict[int, SheetRow]:
    return {row.number: row for row in rows}


def _holds_data(row: SheetRow, read_at: list[int]) -> bool:
    """Whether a row has any cell filled under a column the import reads (`read_at`: all but 序号)."""
    return any(row.cell(at) for at in read_at) or is_total_row(row, ("合计", "总计", "小计"))
