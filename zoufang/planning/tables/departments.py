"""附件4-1/附件4-2 read in their own layout: each town department, its party members and its count columns."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zoufang.core.tabular import (
    IGNORABLE_HEADERS,
    Header,
    HeaderMatch,
    RowError,
    SheetRow,
    column_letter,
    compact,
    header_lookup,
    match_headers,
    normalise_header,
    not_a_count,
    parse_count,
    plain_header,
    read_header,
    unchecked_rows_note,
    unknown_column_message,
)
from zoufang.planning.tables.header import (
    COUNT,
    DEPARTMENT,
    DEPARTMENT_COLUMNS,
    DEPARTMENT_HEADER,
    DEPARTMENT_KIND_COLUMNS,
    KIND_OF_COLUMN,
    MEMBERS,
    NOTE,
    ROW_TOTAL,
    SERIAL,
    KindSplit,
    annex_above,
    department_kind_column,
    household_column,
    title_above,
)
from zoufang.planning.tables.lines import (
    Lines,
    check_sums,
    not_figures,
    skipped_lines,
    total_values,
)


@dataclass
class DepartmentRow:
    """One row of 附件4-1/附件4-2: a department, its party members and its figures by column."""

    row: int
    serial: str
    unit: str
    party_members: int | None
    figures: dict[str, int]
    note: str = ""
    blank: list[str] = field(default_factory=list)  # the count columns left blank on this row (read as 0)


@dataclass
class DepartmentTable:
    """`columns` are the count columns after 党员人数; `totals` their 合计 in the same order (empty without 合计)."""

    columns: list[str] = field(default_factory=list)
    rows: list[DepartmentRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    party_member_total: int | None = None
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, rows not checked: said in the report
    title: str = ""
    title_row: int | None = None
    annex: str = ""  # the “附件4-1” label line above the title
    header_row: int = 0  # the sheet's row number of the header's lowest row, where the count columns are named
    by_kind: KindSplit | None = None  # the household columns (户籍户口, 外来常住户), when there are two or more

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows and its 合计."""
        return [*(r.row for r in self.rows), *([self.total_row] if self.total_row else [])]

    def total(self, column: str) -> int:
        """The 合计 of a count column, or the sum of its rows when the table has no 合计 row."""
        if self.totals:
            return self.totals[self.columns.index(column)]
        return self.column_sum(column)

    def column_sum(self, column: str) -> int:
        if column == MEMBERS:
            return sum(r.party_members or 0 for r in self.rows)
        return sum(r.figures.get(column, 0) for r in self.rows)


def parse_department_table(rows: Sequence[SheetRow]) -> DepartmentTable:
    """附件4-1 (党员人数, then 户籍户口 and 外来常住户 under a two-row header) or 附件4-2 (走访企业数, 备注)."""
    table = DepartmentTable()
    found = read_header(rows, DEPARTMENT_HEADER, minimum=3)
    if found is None:
        table.issues.append(RowError(None, "", _("在前20行中找不到表头行，表头应包含：序号、单位、党员人数。"
                                                 "请检查表头的列名是否写错，或表头是否在前20行之内")))
        return table
    (table.title, table.title_row), table.annex = title_above(rows[:found.top]), annex_above(rows[:found.top])
    header = match_headers(found, DEPARTMENT_COLUMNS, allow_unknown=True)
    table.issues.extend(header.errors)
    if unchecked := unchecked_rows_note(header, DEPARTMENT_COLUMNS):
        table.skipped.append(unchecked)
        return table
    figures, note_at = _figure_columns(found, header, table.issues)
    total_at = figures.pop(ROW_TOTAL, None)
    table.columns = list(figures)
    table.header_row = max((labels[-1].row for labels in found.labels.values()), default=found.number)
    table.by_kind = _department_split(found, figures)
    numeric = {MEMBERS: header.positions[MEMBERS], **figures}
    if total_at is not None:
        numeric[ROW_TOTAL] = total_at
    lines, stated, subtotals = Lines(), {}, []
    unread = not_figures(header, note_at)
    for row in found.below:
        line = lines.meet(row, rows_read=bool(table.rows))
        if line == "skip":
            continue
        if line == "total":
            table.total_row = row.number
            stated = total_values(row, numeric, table.issues, unread)
            table.party_member_total = stated.get(MEMBERS)
            table.totals = [stated[c] for c in table.columns] if all(c in stated for c in table.columns) else []
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后不应再有数据行")))
            continue
        if line == "subtotal":
            subtotals.append((row.number, total_values(row, numeric, table.issues, unread), len(table.rows)))
            lines.subtotals.append(row.number)
            continue
        unit = compact(header.value(row, DEPARTMENT))
        if not unit:
            table.issues.append(RowError(row.number, DEPARTMENT, _("不能为空")))
            lines.unread.append(row.number)
            continue
        twice = next((r for r in table.rows if normalise_header(r.unit) == normalise_header(unit)), None)
        if twice is not None:
            table.issues.append(RowError(row.number, DEPARTMENT, _("“%(unit)s”与第%(other)d行重复，每个单位只能有一行")
                                         % {"unit": unit, "other": twice.row}))
        members = parse_count(header.value(row, MEMBERS)) if header.value(row, MEMBERS) else None
        if not header.value(row, MEMBERS):  # the template's required column: a blank is not a count of 0
            table.issues.append(RowError(row.number, MEMBERS, _("不能为空")))
            lines.unread.append(row.number)
        elif members is None:
            table.issues.append(RowError(row.number, MEMBERS, not_a_count(header.value(row, MEMBERS))))
            lines.unread.append(row.number)
        values: dict[str, int] = {}
        blank: list[str] = []
        for column, at in figures.items():
            figure = parse_count(row.cell(at)) if row.cell(at) else 0
            if figure is None:
                table.issues.append(RowError(row.number, column, not_a_count(row.cell(at))))
                lines.unread.append(row.number)
            values[column] = figure or 0
            if not row.cell(at):
                blank.append(column)
        if total_at is not None and row.cell(total_at):
            stated_total = parse_count(row.cell(total_at))
            if stated_total is None:
                table.issues.append(RowError(row.number, ROW_TOTAL, not_a_count(row.cell(total_at))))
            elif stated_total != sum(values.values()):
                table.issues.append(RowError(row.number, ROW_TOTAL, _(
                    "本行合计为%(stated)d，%(names)s之和为%(counted)d，相差%(diff)d") % {
                    "stated": stated_total, "names": "、".join(values), "counted": sum(values.values()),
                    "diff": abs(stated_total - sum(values.values()))}))
        table.rows.append(DepartmentRow(row.number, header.value(row, SERIAL), unit, members, values,
                                        row.cell(note_at) if note_at is not None else "", blank))
    start, after = 0, 0
    for number, figures_stated, end in subtotals:
        if lines.all_read(after, number):
            check_sums(table.issues, number, figures_stated, _department_sums(table, table.rows[start:end]),
                       subtotal=True)
        start, after = end, number
    if table.total_row is not None and lines.all_read():
        check_sums(table.issues, table.total_row, stated, _department_sums(table, table.rows))
    table.skipped += skipped_lines(lines)
    return table


def _department_sums(table: DepartmentTable, rows: Sequence[DepartmentRow]) -> dict[str, int]:
    """What a 合计 or 小计 line of a department table should say of `rows`, column by column."""
    sums = {column: sum(r.figures.get(column, 0) for r in rows) for column in table.columns}
    return {MEMBERS: sum(r.party_members or 0 for r in rows), **sums, ROW_TOTAL: sum(sums.values())}


def _figure_columns(header: Header, match: HeaderMatch, issues: list[RowError]) -> tuple[dict[str, int], int | None]:
    """The count columns by their lowest header name (户籍户口 under 走访户数): every column after 党员人数 but 序号,
    单位 and 备注, and one before it named as a count column (another town's order). Another column before it is
    unknown, an error as in every import: its values would be dropped without a word. Such a column, and the second
    of two of one meaning, is refused on `match`: the rows are read without it."""
    figures: dict[str, int] = {}
    seen: dict[str, str] = {}  # the column each name stands for (户籍户 → 户籍户口) → the name first written for it
    note_at = None
    known = set(match.positions.values())
    for at, labels in sorted(header.labels.items()):
        name = plain_header(labels[-1].text)
        meaning = department_kind_column(name) or name
        if at in known:  # 序号 or 单位 written after 党员人数 is not a count column
            continue
        if at < match.positions[MEMBERS] and meaning not in DEPARTMENT_KIND_COLUMNS and name not in (NOTE, ROW_TOTAL):
            if not header_lookup(name, IGNORABLE_HEADERS):
                issues.append(RowError(labels[-1].row, name, unknown_column_message(name, DEPARTMENT_HEADER)))
                match.refused.add(at)
            continue
        if name == NOTE:
            note_at = at
        elif meaning in seen:
            issues.append(RowError(labels[-1].row, name, _(
                "%(a)s列“%(first)s”和%(b)s列“%(name)s”都是“%(meaning)s”，无法确定读哪一列：请删去多余的一列，"
                "或把两列的数相加后合为一列") % {"a": column_letter(figures[seen[meaning]]), "first": seen[meaning],
                                      "b": column_letter(at), "name": name, "meaning": meaning}))
            match.refused.add(at)
        else:
            figures[name], seen[meaning] = at, name
    return figures, note_at


def _department_split(header: Header, figures: dict[str, int]) -> KindSplit | None:
    """附件4-1's household columns as a split by kind (as 走访户数 over 户籍户口 and 外来常住户), when there are two."""
    households = {at: canonical for name, at in figures.items() if (canonical := household_column(name))}
    if len(households) < 2:
        return None
    split = KindSplit(COUNT, max(header.labels[at][-1].row for at in households))
    for at, canonical in households.items():
        split.kinds[KIND_OF_COLUMN[canonical]] = at
        split.written[KIND_OF_COLUMN[canonical]] = plain_header(header.labels[at][-1].text)
    return split
