"""What every allocation table reads the same way: its counts by kind, its 合计, 小计 and note lines, and the sums
they are checked against."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zoufang.core.tabular import (
    HeaderMatch,
    RowError,
    SheetRow,
    is_note_row,
    is_total_row,
    not_a_count,
    parse_count,
    row_numbers,
)
from zoufang.planning.tables.header import (
    MEMBERS,
    NOTE,
    ROW_TOTAL,
    STATED,
    KindSplit,
    first_filled,
)


def _suffix(column: str) -> str:
    return "人" if column == MEMBERS else "家" if "企业" in column else "户"


def count_positions(split: KindSplit | None, column: str, header: HeaderMatch) -> dict[str, int]:
    """Where a 合计 row's figures for the counts sit: under the count column, or under each kind's column."""
    if split is None:
        return {column: header.positions[column]}
    return {split.label(kind): at for kind, at in split.kinds.items()}


def kind_counts(row: SheetRow, header: HeaderMatch, split: KindSplit | None, column: str, kind: str,
                issues: list[RowError]) -> dict[str, int] | None:
    """The row's counts by target kind: the count column's as `kind`, or each kind's column of a split (a blank
    one is 0, unless all are)."""
    if split is None:
        value = read_count(row, header, column, issues)
        return None if value is None else {kind: value}
    if not any(row.cell(at) for at in split.kinds.values()):
        issues.append(RowError(row.number, column, _("不能为空")))
        return None
    before = len(issues)
    counts: dict[str, int] = {}
    for each, at in split.kinds.items():
        value = parse_count(row.cell(at)) if row.cell(at) else 0
        if value is None:
            issues.append(RowError(row.number, split.label(each), not_a_count(row.cell(at))))
        counts[each] = value or 0
    return None if len(issues) > before else counts


def count_sums(split: KindSplit | None, column: str, counts: list[dict[str, int]]) -> dict[str, int]:
    """What a 合计 or 小计 line should say of `counts`: under the count column, or under each kind's column, and
    under the 合计 column."""
    sums = {ROW_TOTAL: sum(sum(c.values()) for c in counts)}
    if split is None:
        return {column: sums[ROW_TOTAL], **sums}
    return {**{split.label(kind): sum(c.get(kind, 0) for c in counts) for kind in split.kinds}, **sums}


def check_sums(issues: list[RowError], row: int, stated: dict[str, int], sums: dict[str, int], *,
               subtotal: bool = False) -> None:
    """A 合计 line against all the rows, a 小计 line against the rows since the last 小计, column by column."""
    since = _("自上一小计（或表头）以下") if subtotal else ""
    for column, value in stated.items():
        what = (_("%(since)s各村、社区（重复出现的只计一次）之和") if column == STATED else _("%(since)s各行之和"))
        check_total(issues, row, column, value, sums[column], what % {"since": since},
                    _("小计") if subtotal else _("合计"))


@dataclass
class Lines:
    """The 合计, 小计 and note lines met while reading a table's rows (a 合计 may come first, above the rows)."""

    total_first: bool = False
    subtotal_from: int = 0  # index of the first row a 小计 adds up
    notes: list[int] = field(default_factory=list)
    subtotals: list[int] = field(default_factory=list)
    # Data rows refused, or with a figure that could not be read: a 合计 or 小计 over them is not checked, as its
    # differences would only repeat the row's own error in misleading figures.
    unread: list[int] = field(default_factory=list)

    def meet(self, row: SheetRow, *, rows_read: bool) -> str:
        """What `row` is to the table reading it: "skip" for a blank or note line (a note remembered), "total" (a
        合计 remembered as coming first when no data row was read before it), "subtotal", or "" for a data row."""
        line = "" if row.is_blank() else line_kind(row)
        if row.is_blank() or line == "note":
            self.notes += [row.number] if line else []
            return "skip"
        if line == "total":
            self.total_first = not rows_read
        return line

    def all_read(self, after: int = 0, before: int | None = None) -> bool:
        """Whether every data row between sheet rows `after` and `before` (both left out) was read whole."""
        return not any(after < number and (before is None or number < before) for number in self.unread)

    def since_subtotal(self, number: int) -> bool:
        """Whether every data row a 小计 at sheet row `number` adds up was read whole."""
        return self.all_read(self.subtotals[-1] if self.subtotals else 0, number)


def line_kind(row: SheetRow) -> str:
    """“total”, “subtotal” or “note” for such a line of a table, else empty."""
    if is_total_row(row):
        return "total"
    _at, first = first_filled(row)
    if first.startswith("小计") or first.endswith("小计"):
        return "subtotal"
    return "note" if is_note_row(row) else ""


def skipped_lines(lines: Lines) -> list[str]:
    """What the report says of the lines read but not stored."""
    said = []
    if lines.subtotals:
        said.append(_("第%(rows)s行是小计行，已与其上各行核对") % {"rows": row_numbers(lines.subtotals)})
    if lines.notes:
        said.append(_("第%(rows)s行是表注，未导入") % {"rows": row_numbers(lines.notes)})
    return said


def with_row_total(positions: dict[str, int], header: HeaderMatch) -> dict[str, int]:
    """The 合计 row's columns, with the 合计 column when the table has one (its total sits under it too)."""
    if ROW_TOTAL in header.positions:
        return {**positions, ROW_TOTAL: header.positions[ROW_TOTAL]}
    return positions


def check_row_total(row: SheetRow, header: HeaderMatch, counted: int, issues: list[RowError]) -> None:
    """A 合计 column says the row's count again: it must agree, else one of the two is a typing error."""
    text = header.value(row, ROW_TOTAL)
    if not text:
        return
    stated = parse_count(text)
    if stated is None:
        issues.append(RowError(row.number, ROW_TOTAL, not_a_count(text)))
    elif stated != counted:
        issues.append(RowError(row.number, ROW_TOTAL, _("本行合计为%(stated)d，各列之和为%(counted)d，相差%(diff)d")
                               % {"stated": stated, "counted": counted, "diff": abs(stated - counted)}))


def total_values(row: SheetRow, positions: dict[str, int], issues: list[RowError],
                 unread: Collection[int] = ()) -> dict[str, int]:
    """The 合计 row's numbers by column: aligned under their columns, or in order after a merged label; nothing under
    the `unread` columns (`not_figures`) is read."""
    label_at, _label = first_filled(row)
    cells = [(i, c) for i, c in enumerate(row.cells) if c and i > label_at and i not in unread]
    values = [parse_count(c) for _i, c in cells]
    for (_i, cell), value in zip(cells, values, strict=True):
        if value is None:
            issues.append(RowError(row.number, "合计", _("“%(cell)s”不是整数") % {"cell": cell}))
            return {}
    by_position = {column: parse_count(row.cell(i)) for column, i in positions.items() if row.cell(i)}
    if len(by_position) == len(cells):
        return {column: v for column, v in by_position.items() if v is not None}
    if len(cells) == len(positions):
        return {column: v for column, v in zip(positions, values, strict=True) if v is not None}
    issues.append(RowError(row.number, "合计", _("合计行有%(n)d个数字，应为%(m)d个（%(names)s）")
                           % {"n": len(cells), "m": len(positions), "names": "、".join(positions)}))
    return {}


def not_figures(header: HeaderMatch, note_at: int | None = None) -> set[int]:
    """The columns a 合计 or 小计 row holds no figure in: those the header refused (unknown, doubled) and the 备注,
    where an office writes “含联合走访” on the 合计 row too."""
    note = header.positions.get(NOTE) if note_at is None else note_at
    return {*header.refused, *([] if note is None else [note])}


def check_total(issues: list[RowError], row: int, column: str, stated: int, actual: int,
                what: str | None = None, label: str | None = None) -> None:
    """A 合计 (or 小计) that disagrees with its rows is refused with the exact difference."""
    if stated == actual:
        return
    unit = _suffix(column)
    issues.append(RowError(row, column, _("%(label)s为%(stated)d%(u)s，%(what)s为%(actual)d%(u)s，相差%(diff)d%(u)s") % {
        "label": label or _("合计"), "stated": stated, "actual": actual, "diff": abs(stated - actual), "u": unit,
        "what": what or _("各行之和")}))


def read_count(row: SheetRow, header: HeaderMatch, column: str, issues: list[RowError]) -> int | None:
    text = header.value(row, column)
    value = parse_count(text)
    if value is None:
        issues.append(RowError(row.number, column, _("不能为空") if not text else not_a_count(text)))
    return value
