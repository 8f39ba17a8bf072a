"""附件1/附件2 read in their own layout: a unit's rows with continuation rows, 合计, “…走访企业 | N家” lines."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zoufang.core.tabular import (
    HeaderMatch,
    RowError,
    SheetRow,
    as_found,
    compact,
    normalise_header,
    parse_count,
)
from zoufang.planning.tables.header import (
    ALLOCATION_COLUMNS,
    COUNT,
    ENTERPRISE_LINE_SUFFIX,
    NOTE,
    SERIAL,
    STATED,
    UNIT,
    VILLAGE,
    KindSplit,
    annex_above,
    first_filled,
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
    read_count,
    skipped_lines,
    total_values,
    with_row_total,
)
from zoufang.registry.models import Target


@dataclass
class JointSplit:
    """The units a line names and each one's share: one unit takes it all; several share it (联合走访)."""

    shares: list[tuple[str, int]]
    how: str = ""  # “联合走访，平均分配” or “联合走访，按表中分配” for a joint line, else empty
    measure: str = "户"

    @property
    def units(self) -> list[str]:
        return [name for name, _n in self.shares]

    @property
    def joint(self) -> bool:
        return len(self.shares) > 1

    def note(self, names: list[str] | None = None) -> str:
        """“联合走访，平均分配：市发改委35家、水利局35家”, with the units' registered names when given."""
        if not self.joint:
            return ""
        names = names or self.units
        return f"{self.how}：" + "、".join(f"{name}{n}{self.measure}" for name, (_w, n) in
                                          zip(names, self.shares, strict=True))


@dataclass
class AllocationRow:
    """One row of 附件1/附件2: a unit's count in a village; `continued` for rows under the unit above."""

    row: int
    serial: str
    unit: str
    village: str
    region_total: int
    count: int
    continued: bool = False
    note: str = ""
    split: JointSplit | None = None
    counts: dict[str, int] = field(default_factory=dict)  # target kind → count; one kind unless split by kind
    splits: dict[str, JointSplit] = field(default_factory=dict)  # a joint row's shares, per kind

    @property
    def registered(self) -> int:
        """What 户籍总户数 bounds: the registered households of the row."""
        return self.counts.get(Target.Kind.REGISTERED_HOUSEHOLD, 0)


@dataclass
class EnterpriseLine:
    """“昆山市粮食局、妇联走访企业 | 101家”: the units named before 走访企业 and their enterprise count."""

    row: int
    label: str
    units: list[str]
    count: int
    split: JointSplit | None = None


@dataclass
class AllocationTable:
    rows: list[AllocationRow] = field(default_factory=list)
    enterprise_lines: list[EnterpriseLine] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    title: str = ""  # as the issuer wrote it: “昆山市级机关部门“六个一”走访调研居民户、企业分配表”
    title_row: int | None = None
    annex: str = ""  # the label line above the title, as “附件2”
    by_kind: KindSplit | None = None  # 走访户数 split by kind under a two-row header
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, rows not checked: said in the report

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows, the enterprise lines under it, its 合计."""
        return [*(r.row for r in self.rows), *(line.row for line in self.enterprise_lines),
                *([self.total_row] if self.total_row else [])]


def _allocation_sums(rows: Sequence["AllocationRow"], split: KindSplit | None) -> dict[str, int]:
    """`count_sums` of allocation rows, with 户籍总户数 counting each village once."""
    villages: dict[str, int] = {}
    for row in rows:
        villages.setdefault(row.village, row.region_total)
    return {STATED: sum(villages.values()), **count_sums(split, COUNT, [r.counts for r in rows])}


def parse_allocation_table(rows: Sequence[SheetRow]) -> AllocationTable:
    """附件1/附件2: title lines, header, rows with continuation rows, 合计, then “…走访企业 | N家” lines."""
    table = AllocationTable()
    header, index, first_row, table.by_kind = read_table_header(rows, ALLOCATION_COLUMNS, table.issues,
                                                                table.skipped, COUNT)
    if index >= 0:
        (table.title, table.title_row), table.annex = title_above(rows[:index]), annex_above(rows[:index])
    if header is None:
        return table
    group: AllocationRow | None = None
    under_refused = False  # the rows below continue a unit's row that was refused
    lines = Lines()
    figures = with_row_total({STATED: header.positions[STATED], **count_positions(table.by_kind, COUNT, header)},
                             header)
    for row in rows[first_row:]:
        line = lines.meet(row, rows_read=bool(table.rows))
        if line == "skip":
            continue
        if line == "total":
            table.total_row = row.number
            table.totals = total_values(row, figures, table.issues, not_figures(header))
            continue
        first_at, first = first_filled(row)
        if first.endswith(ENTERPRISE_LINE_SUFFIX):
            table.enterprise_lines.append(_enterprise_line(row, first_at, first, table.issues))
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后只能是“……走访企业”行")))
            continue
        if line == "subtotal":
            stated = total_values(row, figures, table.issues, not_figures(header))
            if lines.since_subtotal(row.number):
                check_sums(table.issues, row.number, stated, _allocation_sums(table.rows[lines.subtotal_from:],
                                                                              table.by_kind), subtotal=True)
            lines.subtotal_from = len(table.rows)
            lines.subtotals.append(row.number)
            continue
        parsed = _allocation_row(row, header, table.by_kind, group, table.issues, under_refused)
        if parsed is None:
            lines.unread.append(row.number)
            if header.value(row, SERIAL) or header.value(row, UNIT):  # a unit's first row: its continuations go too
                group, under_refused = None, True
        else:
            under_refused = False
            table.rows.append(parsed)
            group = parsed
    _check_allocation_totals(table, lines.all_read())
    table.skipped += skipped_lines(lines)
    return table


_SEPARATORS = re.compile(r"[、，,；;]")
_SHARE = re.compile(r"^(?P<name>.*\D)(?P<n>\d+)\s*(?:家|户)?$")


def joint_split(text: str, count: int, measure: str, row: int, column: str,
                issues: list[RowError]) -> JointSplit:
    """“市发改委、水利局” shares `count` evenly, the odd ones to the first units in order;
    “市发改委30、水利局40” as written, which must add up to `count`. One unit alone takes it all."""
    parts = [part for part in _SEPARATORS.split(text) if part]
    if len(parts) <= 1:
        return JointSplit([(text, count)])
    written = [_SHARE.match(part) for part in parts]
    if all(written):
        shares = [(m.group("name"), int(m.group("n"))) for m in written if m]
        total = sum(n for _name, n in shares)
        if total != count:
            issues.append(RowError(row, column, _("联合走访各单位之和为%(sum)d%(u)s，本行为%(count)d%(u)s，相差%(diff)d%(u)s")
                                   % {"sum": total, "count": count, "diff": abs(total - count), "u": measure}))
        how = _("联合走访，按表中分配")
    elif any(written):
        issues.append(RowError(row, column, _("联合走访的各单位要么都写数（如“市发改委30、水利局40”），要么都不写（平均分配）")))
        shares, how = [(m.group("name") if m else part, 0) for m, part in zip(written, parts, strict=True)], ""
    else:
        base, odd = divmod(count, len(parts))
        shares = [(part, base + (1 if i < odd else 0)) for i, part in enumerate(parts)]
        how = _("联合走访，平均分配")
    names = [name for name, _n in shares]
    if len(set(names)) < len(names):
        issues.append(RowError(row, column, _("联合走访的单位重复：%(names)s") % {"names": "、".join(names)}))
    return JointSplit(shares, how, measure)


def _allocation_row(row: SheetRow, header: HeaderMatch, by_kind: KindSplit | None, group: AllocationRow | None,
                    issues: list[RowError], under_refused: bool = False) -> AllocationRow | None:
    """The row, or None when it is refused (each reason on `issues`) or continues a refused row (`under_refused`:
    its own cells are checked, the unit's row already says what is wrong)."""
    serial, unit = header.value(row, SERIAL), compact(header.value(row, UNIT))
    continued = not serial and not unit
    before = len(issues)
    if continued and group is None and not under_refused:
        issues.append(RowError(row.number, UNIT, _("序号和走访单位都为空，但上面没有可承接的行")))
    elif not unit and not continued:
        issues.append(RowError(row.number, UNIT, _("不能为空")))
    village = compact(header.value(row, VILLAGE))
    if not village:
        issues.append(RowError(row.number, VILLAGE, _("不能为空")))
    stated = read_count(row, header, STATED, issues)
    counts = kind_counts(row, header, by_kind, COUNT, Target.Kind.REGISTERED_HOUSEHOLD, issues)
    if len(issues) > before or stated is None or counts is None or (continued and group is None):
        return None
    if continued and group is not None:
        unit = group.unit
    count = sum(counts.values())
    check_row_total(row, header, count, issues)
    split = joint_split(unit, count, "户", row.number, UNIT, issues)
    splits = {}
    if by_kind is not None and split.joint:
        if split.how == _("联合走访，按表中分配"):
            issues.append(RowError(row.number, UNIT, _(
                "按%(kinds)s分列的表，联合走访的各单位后不能写数：请去掉单位后的数（按单位平均分配），或每个单位写一行")
                % {"kinds": by_kind.names()}))
        splits = {kind: joint_split(unit, n, "户", row.number, UNIT, issues) for kind, n in counts.items()}
    return AllocationRow(row.number, serial, unit, village, stated, count, continued,
                         header.value(row, NOTE), split, counts, splits)


def _enterprise_line(row: SheetRow, first_at: int, first: str, issues: list[RowError]) -> EnterpriseLine:
    label = first[: -len(ENTERPRISE_LINE_SUFFIX)]
    numbers = [c for i, c in enumerate(row.cells) if c and i > first_at]
    count = parse_count(numbers[0]) if numbers else None
    if count is None:
        issues.append(RowError(row.number, ENTERPRISE_LINE_SUFFIX, _("应在其后一格写企业数，如“53家”")
                               + (as_found(numbers[0]) if numbers else "")))
    if not label:
        issues.append(RowError(row.number, ENTERPRISE_LINE_SUFFIX, _("没有写明走访单位")))
        return EnterpriseLine(row.number, label, [], count or 0)
    split = joint_split(label, count or 0, "家", row.number, ENTERPRISE_LINE_SUFFIX, issues)
    return EnterpriseLine(row.number, label, split.units, count or 0, split)


def _check_allocation_totals(table: AllocationTable, all_read: bool) -> None:
    """Each village's 户籍总户数 is the same on every row; 合计 (when `all_read`: every row was) counts villages once
    and 走访户数 per row."""
    first_seen: dict[str, AllocationRow] = {}
    visits: dict[str, int] = {}
    registered = table.by_kind.label(Target.Kind.REGISTERED_HOUSEHOLD) if (
        table.by_kind and Target.Kind.REGISTERED_HOUSEHOLD in table.by_kind.kinds) else COUNT
    blocks: dict[tuple[str, str], int] = {}
    for row in table.rows:
        block = (normalise_header(row.unit), row.village)
        if block in blocks:
            table.issues.append(RowError(row.row, UNIT, _(
                "%(unit)s在%(village)s已由第%(other)d行分配，同一单位在同一村、社区只能有一行（要增加户数请改第%(other)d行）")
                % {"unit": row.unit, "village": row.village, "other": blocks[block]}))
        blocks.setdefault(block, row.row)
        seen = first_seen.setdefault(row.village, row)
        if seen.region_total != row.region_total:
            table.issues.append(RowError(row.row, STATED, _(
                "%(village)s在第%(other)d行为%(a)d户，此处为%(b)d户，相差%(diff)d户") % {
                "village": row.village, "other": seen.row, "a": seen.region_total, "b": row.region_total,
                "diff": abs(seen.region_total - row.region_total)}))
        if row.registered > row.region_total:
            table.issues.append(RowError(row.row, registered, _("走访户数%(count)d户超过户籍总户数%(total)d户，多%(diff)d户")
                                         % {"count": row.registered, "total": row.region_total,
                                            "diff": row.registered - row.region_total}))
        visits[row.village] = visits.get(row.village, 0) + row.registered
        if row is not seen and row.registered <= row.region_total and visits[row.village] > seen.region_total:
            table.issues.append(RowError(row.row, registered, _(
                "%(village)s各行走访户数之和%(sum)d户超过户籍总户数%(total)d户，多%(diff)d户") % {
                "village": row.village, "sum": visits[row.village], "total": seen.region_total,
                "diff": visits[row.village] - seen.region_total}))
    if table.total_row is not None and all_read:
        check_sums(table.issues, table.total_row, table.totals, _allocation_sums(table.rows, table.by_kind))
