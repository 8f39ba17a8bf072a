"""附件3-1/附件3-2 read in their own layout: each town leader's households by village, or enterprises."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zoufang.core.tabular import (
    RowError,
    SheetRow,
    compact,
    person_name,
)
from zoufang.planning.tables.header import (
    COUNT,
    ENTERPRISES,
    LEADER,
    LEADER_ENTERPRISE_COLUMNS,
    LEADER_HOUSEHOLD_COLUMNS,
    LEADER_VILLAGE,
    NOTE,
    SERIAL,
    KindSplit,
    annex_above,
    read_table_header,
    title_above,
)
from zoufang.planning.tables.lines import (
    Lines,
    check_row_total,
    check_sums,
    count_positions,
    count_sums,
    kind_counts,
    not_figures,
    skipped_lines,
    total_values,
    with_row_total,
)
from zoufang.registry.models import Target


@dataclass
class LeaderRow:
    """One row of 附件3-1 (with a village) or 附件3-2 (without)."""

    row: int
    serial: str
    leader: str
    leader_as_written: str
    count: int
    village: str = ""
    continued: bool = False
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # target kind → count; one kind unless split by kind


@dataclass
class LeaderTable:
    rows: list[LeaderRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    title: str = ""
    title_row: int | None = None
    annex: str = ""
    by_kind: KindSplit | None = None  # 走访户数 split by kind under a two-row header
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, rows not checked: said in the report

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows and its 合计."""
        return [*(r.row for r in self.rows), *([self.total_row] if self.total_row else [])]

    @property
    def total(self) -> int:
        """The table's 合计 when it has one, else the sum of its rows."""
        return next(iter(self.totals.values()), sum(r.count for r in self.rows))


def parse_leader_table(rows: Sequence[SheetRow], *, with_villages: bool) -> LeaderTable:
    """附件3-1 (leader, village, households, with continuation rows) or 附件3-2 (leader, enterprises)."""
    table = LeaderTable()
    columns = LEADER_HOUSEHOLD_COLUMNS if with_villages else LEADER_ENTERPRISE_COLUMNS
    count_column = COUNT if with_villages else ENTERPRISES
    header, index, first_row, table.by_kind = read_table_header(rows, columns, table.issues, table.skipped,
                                                                count_column)
    if index >= 0:
        (table.title, table.title_row), table.annex = title_above(rows[:index]), annex_above(rows[:index])
    if header is None:
        return table
    kind = Target.Kind.REGISTERED_HOUSEHOLD if with_villages else Target.Kind.ENTERPRISE
    group: LeaderRow | None = None
    under_refused = False  # the rows below continue a leader's row that was refused
    seen: dict[tuple[str, str], int] = {}
    lines = Lines()
    figures = with_row_total(count_positions(table.by_kind, count_column, header), header)
    for row in rows[first_row:]:
        line = lines.meet(row, rows_read=bool(table.rows))
        if line == "skip":
            continue
        if line == "total":
            table.total_row = row.number
            table.totals = total_values(row, figures, table.issues, not_figures(header))
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后不应再有数据行")))
            continue
        if line == "subtotal":
            stated = total_values(row, figures, table.issues, not_figures(header))
            if lines.since_subtotal(row.number):
                check_sums(table.issues, row.number, stated, count_sums(
                    table.by_kind, count_column, [r.counts for r in table.rows[lines.subtotal_from:]]), subtotal=True)
            lines.subtotal_from = len(table.rows)
            lines.subtotals.append(row.number)
            continue
        before = len(table.issues)
        serial, written = header.value(row, SERIAL), header.value(row, LEADER)
        continued = with_villages and not serial and not written
        if continued and group is None and not under_refused:
            table.issues.append(RowError(row.number, LEADER, _("序号和走访领导都为空，但上面没有可承接的行")))
        elif not written and not continued:
            table.issues.append(RowError(row.number, LEADER, _("不能为空")))
        village = compact(header.value(row, LEADER_VILLAGE)) if with_villages else ""
        if with_villages and not village:
            table.issues.append(RowError(row.number, LEADER_VILLAGE, _("不能为空")))
        counts = kind_counts(row, header, table.by_kind, count_column, kind, table.issues)
        if len(table.issues) > before or counts is None or (continued and group is None):
            lines.unread.append(row.number)
            if not continued:  # a leader's first row: its continuations go with it, said once
                group, under_refused = None, True
            continue
        under_refused = False
        count = sum(counts.values())
        if continued and group is not None:
            written = group.leader_as_written
        check_row_total(row, header, count, table.issues)
        block = (person_name(written), village)
        if block in seen:
            table.issues.append(RowError(row.number, LEADER, _(
                "%(name)s%(where)s已在第%(other)d行分配，同一领导%(each)s只能有一行") % {
                "name": person_name(written), "where": _("在%(village)s") % {
                    "village": village,
                } if village else "", "other": seen[block],
                "each": _("在同一村、社区") if village else ""}))
        seen.setdefault(block, row.number)
        group = LeaderRow(row.number, serial, person_name(written), written, count, village, continued,
                          header.value(row, NOTE), counts)
        table.rows.append(group)
    if table.total_row is not None and lines.all_read():
        check_sums(table.issues, table.total_row, table.totals,
                   count_sums(table.by_kind, count_column, [r.counts for r in table.rows]))
    table.skipped += skipped_lines(lines)
    return table
